"""Atom 1.0 feeds (RFC 4287) of a digest or a reading list, subscribable in any reader: pure.

Entry ids are the post's URL when it has one (stable across digests, so readers never show a
post twice), else ``urn:plnctl:post:<id>``. Content is sanitized again before it is embedded.
"""

from __future__ import annotations

import xml.etree.ElementTree as ET
from collections.abc import Sequence
from datetime import datetime

from plnctl.render import digest as digest_text
from plnctl.render.model import Digest, ShareItem
from plnctl.render.sanitize import clean_html, safe_url
from plnctl.render.xmltext import xml_attrs, xml_text
from plnctl.timeutil import to_iso

ATOM_NS = "http://www.w3.org/2005/Atom"


def digest_atom(digest: Digest, *, now: datetime) -> str:
    return items_atom(
        digest.items,
        now=now,
        title=digest_text.title(digest, now=now),
        subtitle=digest_text.summary(digest),
        feed_id=f"urn:plnctl:digest:{digest.name}",
    )


def entry_id(item: ShareItem) -> str:
    return safe_url(item.url) or f"urn:plnctl:post:{item.id}"


def items_atom(
    items: Sequence[ShareItem],
    *,
    now: datetime,
    title: str,
    feed_id: str,
    subtitle: str | None = None,
) -> str:
    ET.register_namespace("", ATOM_NS)
    feed = ET.Element(_q("feed"))
    _text(feed, "id", feed_id)
    _text(feed, "title", title)
    if subtitle:
        _text(feed, "subtitle", subtitle)
    _text(feed, "updated", to_iso(now) or "")
    author = ET.SubElement(feed, _q("author"))
    _text(author, "name", "plnctl")
    generator = _text(feed, "generator", "plnctl")
    generator.set("uri", "https://pypi.org/project/plnctl/")
    for item in items:
        _entry(feed, item)
    ET.indent(feed)
    return '<?xml version="1.0" encoding="utf-8"?>\n' + ET.tostring(feed, "unicode") + "\n"


def _entry(feed: ET.Element, item: ShareItem) -> None:
    entry = ET.SubElement(feed, _q("entry"))
    _text(entry, "id", entry_id(item))
    _text(entry, "title", item.title)
    _text(entry, "updated", item.published_at or item.fetched_at)
    if item.published_at:
        _text(entry, "published", item.published_at)
    author = ET.SubElement(entry, _q("author"))
    _text(author, "name", item.person)
    link = safe_url(item.url)
    if link:
        ET.SubElement(entry, _q("link"), rel="alternate", type="text/html", href=xml_text(link))
    for topic in item.topics:
        ET.SubElement(entry, _q("category"), xml_attrs({"term": topic}))
    if item.excerpt and item.excerpt != item.title:
        _text(entry, "summary", item.excerpt)
    content = clean_html(item.content_html)
    if item.note:
        from html import escape

        content += f"<p><em>Note: {escape(item.note)}</em></p>"
    if content:
        _text(entry, "content", content).set("type", "html")


def _q(tag: str) -> str:
    return f"{{{ATOM_NS}}}{tag}"


def _text(parent: ET.Element, tag: str, value: str) -> ET.Element:
    element = ET.SubElement(parent, _q(tag))
    element.text = xml_text(value)
    return element
