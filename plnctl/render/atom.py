"""Atom 1.0 feeds (RFC 4287) of a digest or a reading list, subscribable in any reader: pure.

Entry ids are ``tag:`` URIs (RFC 4151) unique to the feed: ``tag:plnctl,2026:<feed>:<post>``
where ``<feed>`` names the digest or the reading list and ``<post>`` is the post's URL (else
its id). They are stable across runs (a reader never shows a post twice) and differ between
feeds, so a reader subscribed to a digest and a reading list (newsboat keys items by id across
all feeds) shows every entry of both. The feed links to itself (``rel="self"``) when its
address is known. Content is sanitized again before it is embedded.
"""

from __future__ import annotations

import xml.etree.ElementTree as ET
from collections.abc import Sequence
from datetime import datetime
from urllib.parse import quote

from plnctl.render import digest as digest_text
from plnctl.render.media import playable
from plnctl.render.model import Digest, ShareItem
from plnctl.render.sanitize import clean_html, safe_url
from plnctl.render.xmltext import xml_attrs, xml_text
from plnctl.timeutil import to_iso

ATOM_NS = "http://www.w3.org/2005/Atom"


TAG_PREFIX = "tag:plnctl,2026:"
_TAG_SAFE = ":/?@!$&'()*+,;=-._~"  # pchar and "/" "?": what a tag URI's specific part allows


def digest_atom(digest: Digest, *, now: datetime, self_url: str | None = None) -> str:
    return items_atom(
        digest.items,
        now=now,
        title=digest_text.title(digest, now=now),
        subtitle=digest_text.summary(digest),
        feed_id=f"urn:plnctl:digest:{digest.name}",
        entry_scope=f"digest.{digest.name}",
        self_url=self_url,
    )


def entry_id(item: ShareItem, scope: str) -> str:
    """``tag:plnctl,2026:digest.default:https://ada.example/post``: unique to the feed."""
    post = safe_url(item.url) or f"post.{item.id}"
    return TAG_PREFIX + quote(f"{scope}:{post}", safe=_TAG_SAFE)


def items_atom(
    items: Sequence[ShareItem],
    *,
    now: datetime,
    title: str,
    feed_id: str,
    entry_scope: str,
    subtitle: str | None = None,
    self_url: str | None = None,
) -> str:
    ET.register_namespace("", ATOM_NS)
    feed = ET.Element(_q("feed"))
    _text(feed, "id", feed_id)
    _text(feed, "title", title)
    if subtitle:
        _text(feed, "subtitle", subtitle)
    _text(feed, "updated", to_iso(now) or "")
    if self_url:
        ET.SubElement(
            feed,
            _q("link"),
            rel="self",
            type="application/atom+xml",
            href=xml_text(self_url),
        )
    author = ET.SubElement(feed, _q("author"))
    _text(author, "name", "plnctl")
    generator = _text(feed, "generator", "plnctl")
    generator.set("uri", "https://pypi.org/project/plnctl/")
    for item in items:
        _entry(feed, item, entry_scope)
    ET.indent(feed)
    return '<?xml version="1.0" encoding="utf-8"?>\n' + ET.tostring(feed, "unicode") + "\n"


def _entry(feed: ET.Element, item: ShareItem, scope: str) -> None:
    entry = ET.SubElement(feed, _q("entry"))
    _text(entry, "id", entry_id(item, scope))
    _text(entry, "title", item.title)
    _text(entry, "updated", item.published_at or item.fetched_at)
    if item.published_at:
        _text(entry, "published", item.published_at)
    author = ET.SubElement(entry, _q("author"))
    _text(author, "name", item.person)
    link = safe_url(item.url)
    if link:
        ET.SubElement(entry, _q("link"), rel="alternate", type="text/html", href=xml_text(link))
    for media in playable(item.media):
        attrs = {"rel": "enclosure", "href": media.url}
        if media.type:
            attrs["type"] = media.type
        if media.length:
            attrs["length"] = str(media.length)
        ET.SubElement(entry, _q("link"), xml_attrs(attrs))
    for topic in item.topics:
        ET.SubElement(entry, _q("category"), xml_attrs({"term": topic}))
    if item.content_warning:
        _text(entry, "summary", f"Content warning: {item.content_warning}")
    elif item.excerpt and item.excerpt != item.title:
        _text(entry, "summary", item.excerpt)
    content = clean_html(item.content_html)
    if content and item.content_warning:  # folded where the reader knows <details>
        from html import escape

        warning = escape(f"Content warning: {item.content_warning}")
        content = f"<details><summary>{warning}</summary>{content}</details>"
    if item.also_text:
        from html import escape

        content += f"<p>{escape(item.also_text)}</p>"
    if item.all_notes:
        from html import escape

        content += "".join(f"<p><em>Note: {escape(note)}</em></p>" for note in item.all_notes)
    if content:
        _text(entry, "content", content).set("type", "html")


def _q(tag: str) -> str:
    return f"{{{ATOM_NS}}}{tag}"


def _text(parent: ET.Element, tag: str, value: str) -> ET.Element:
    element = ET.SubElement(parent, _q(tag))
    element.text = xml_text(value)
    return element
