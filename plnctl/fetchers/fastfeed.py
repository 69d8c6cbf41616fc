"""The fast parse path: lxml (libxml2, C) builds the tree of a plain RSS 2.0 or Atom 1.0 feed and
a small walker fills the same entry dicts feedparser would (the keys ``feed.entry_to_post``
reads), so ONE mapping turns either into posts and what is stored cannot depend on the path.

It follows feedparser's own rules where they decide a stored field (which title wins, the
summary/content dance, ``guid`` as link, xml:base, its URL join and date parser, its cp1252 and
double-UTF-8 repairs) and raises ``Fallback`` for everything else: XML errors (no recovery),
a DOCTYPE, an encoding it cannot prove UTF-8, RSS 1.0/RDF, CDF, Atom 0.3, base64 or ``src``
content, markup inside a text element, and any element feedparser maps that is not on the
allow-lists below. feedparser then parses the feed. ~1 ms for an 80 KB feed instead of 40.
"""

from __future__ import annotations

import codecs
import io
import logging
import re
from collections.abc import Mapping
from contextlib import suppress
from functools import cache
from typing import Any

from plnctl.fetchers.content import join_url
from plnctl.fetchers.fastentry import _ID, _TITLE, XML_NS, Entry, Fallback, enforce_href

ATOM = "http://www.w3.org/2005/Atom"
_ENCODING = re.compile(rb"""^<\?xml[^>]*?\bencoding\s*=\s*["']([^"']*)["']""")
_RSS_VERSIONS = {"0.91": "rss091u", "0.92": "rss092", "0.93": "rss093", "0.94": "rss094"}
_CONTENT_TYPES = {  # feedparser's map_content_type
    "text": "text/plain", "plain": "text/plain", "html": "text/html",
    "xhtml": "application/xhtml+xml",
}  # fmt: skip
_TEXT_TYPES = frozenset(_CONTENT_TYPES.values())
_HTML_TYPES = frozenset({"text/html", "application/xhtml+xml"})
__all__ = ["Fallback", "parse", "parse_rss_atom"]
log = logging.getLogger(__name__)
_LINK_REF = re.compile("&([A-Za-z0-9_]+);")
_IN_XHTML = "{http://www.w3.org/1999/xhtml}"
_IN_XML = "{http://www.w3.org/XML/1998/namespace}"
_C1 = re.compile("[\x80-\x9f]")
_URIFIXER = re.compile("^([A-Za-z][A-Za-z0-9+-.]*://)(/*)(.*?)")


def parse(body: bytes, headers: Mapping[str, str], url: str) -> dict[str, Any]:
    """``{"version", "feed", "entries", "bozo": 0}`` as feedparser would give for ``body``, or
    Fallback. ``headers`` are lower-case response headers."""
    fix_utf8 = _check_encoding(body, headers)
    root = _tree(body)
    if root.tag == "rss":
        given = root.get("version") or ""
        version = _RSS_VERSIONS.get(given) or ("rss20" if given.startswith("2.") else "rss")
        channels = [c for c in root if c.tag == "channel"]
        if len(channels) != 1 or any(c.tag == "item" for c in root):
            raise Fallback("not one <channel> holding the items")
        walker = _Walker(url, fix_utf8, version)
        walker.feed(root, channels[0], "item")
    elif root.tag == f"{{{ATOM}}}feed":
        walker = _Walker(url, fix_utf8, "atom10")
        walker.feed(root, None, f"{{{ATOM}}}entry")
    else:
        raise Fallback(f"root element {root.tag!r}")
    return {"version": walker.version, "feed": walker.feed_data, "entries": walker.entries}


def parse_rss_atom(
    body: bytes, headers: Mapping[str, str], *, fast: bool
) -> tuple[Mapping[str, Any], str]:
    """feedparser's result shape for an RSS/Atom body and which parser made it: the fast path
    (lxml, fastfeed) when it maps the feed exactly, else feedparser itself."""
    url = headers["content-location"]  # feedparser's base URI too
    try:
        if not fast:
            raise Fallback("the caller asked for feedparser")
        result = parse(body, headers, url)
        log.debug("parsed %s with the fast path", url)
        return result, "fast"
    except Fallback as e:
        reason = str(e)
    except Exception as e:  # a surprise in the fast path: feedparser decides, as before
        log.debug("the fast feed parser raised on %s", url, exc_info=True)
        reason = f"the fast path raised {type(e).__name__}"
    log.debug("parsing %s with feedparser: %s", url, reason)
    import feedparser  # here, not at the top: an all-304 sync never needs it

    result = feedparser.parse(
        io.BytesIO(body),
        response_headers=headers,
        sanitize_html=False,
        resolve_relative_uris=False,
    )
    return result, "feedparser"


def _check_encoding(body: bytes, headers: Mapping[str, str]) -> bool:
    """Fallback unless the bytes are proven UTF-8 (a BOM, the XML declaration or the HTTP
    charset says so, and none says otherwise). Returns whether feedparser would decode them as
    UTF-8 (it then repairs double-encoded text; RFC 3023 makes text/* without charset ASCII)."""
    content_type = headers.get("content-type", "")
    media, _, params = content_type.partition(";")
    charset = re.search(r"charset\s*=\s*[\"']?([^\"';\s]+)", params, re.I)
    said: list[str] = [charset.group(1)] if charset else []
    if body.startswith(codecs.BOM_UTF8):
        said.append("utf-8")
        body = body[3:]
    elif body[:2] in (codecs.BOM_UTF16_LE, codecs.BOM_UTF16_BE) or body[:1] == b"\0":
        raise Fallback("UTF-16/32 bytes")
    declared = _ENCODING.match(body[:200])
    if declared:
        said.append(declared.group(1).decode("ascii", "replace"))
    if not said and not (media.strip() and body.isascii()):
        # ASCII reads the same in every encoding feedparser could pick (it still needs a
        # content type: without one it guesses from the bytes).
        raise Fallback("no BOM, XML declaration or HTTP charset names the encoding")
    for name in said:
        try:
            if codecs.lookup(name).name != "utf-8":
                raise Fallback(f"encoding {name!r}")
        except LookupError:
            raise Fallback(f"unknown encoding {name!r}") from None
    text_type = media.strip().lower().startswith("text/")
    return not (text_type and not charset and body.isascii())


def _tree(body: bytes) -> Any:
    from lxml import etree  # here: `plnctl --help` and an all-304 sync never load lxml

    parser = etree.XMLParser(
        resolve_entities=False, no_network=True, recover=False, huge_tree=False
    )
    try:
        tree = etree.fromstring(body, parser)
    except (etree.XMLSyntaxError, ValueError) as e:
        raise Fallback(f"XML error: {str(e)[:80]}") from None
    if tree.getroottree().docinfo.doctype:
        raise Fallback("a DOCTYPE (entities feedparser replaces its own way)")
    return tree


def _fp() -> Any:
    """feedparser's own helpers (its date parser, namespace table, repairs): one behaviour."""
    import feedparser.datetimes
    import feedparser.mixin
    import feedparser.util

    return feedparser


@cache
def _entry_dict_class() -> type[dict[str, Any]]:
    """feedparser's FeedParserDict, with dict's own ``[]`` and ``get`` for the keys it does not
    alias or compute: it looked every key up in its alias table first, for each of the ~45
    reads ``entry_to_post`` makes of an entry (0.3 ms of a 20-entry feed's 7). The answers are
    FeedParserDict's (tests/fetchers/test_fastfeed_dict.py)."""
    base: Any = _fp().util.FeedParserDict
    special = frozenset(base.keymap) | _COMPUTED_KEYS

    class EntryDict(base):  # type: ignore[misc,valid-type]
        __slots__ = ()

        def __getitem__(self, key: Any) -> Any:
            if key in special:
                return base.__getitem__(self, key)
            return dict.__getitem__(self, key)

        def get(self, key: Any, default: Any = None) -> Any:
            if key in special:
                return base.get(self, key, default)
            return dict.get(self, key, default)

    return EntryDict


_COMPUTED_KEYS = frozenset({"category", "enclosures", "license", "updated", "updated_parsed"})


class _Walker:
    """One feed's walk, keeping the state feedparser keeps (depth, xml:base, title depth, ...)."""

    def __init__(self, url: str, fix_utf8: bool, version: str) -> None:
        fp = _fp()
        self.parse_date = fp.datetimes._parse_date
        self.namespaces = {k.lower(): v for k, v in fp.mixin._FeedParserMixin.namespaces.items()}
        self.cp1252 = fp.mixin._cp1252
        self.parser_class = fp.api.StrictFeedParser
        self.dict_class = _entry_dict_class()
        self.fix_utf8 = fix_utf8
        self.version = version
        self.base = url
        self.feed_data: dict[str, Any] = {}
        self.entries: list[dict[str, Any]] = []

    # --- names, bases, text -----------------------------------------------------------------

    def name(self, el: Any) -> tuple[str, str]:
        """(feedparser's prefix, lower-case local name) of an element."""
        if not isinstance(el.tag, str):
            raise Fallback("a comment or processing instruction among the elements")
        ns, _, local = el.tag[1:].partition("}") if el.tag[0] == "{" else ("", "", el.tag)
        if ns == ATOM:
            return "", local.lower()
        if not ns:
            return "", local.lower()
        prefix = self.namespaces.get(ns.lower(), el.prefix or "")
        if prefix == "":
            raise Fallback(f"namespace {ns[:60]!r} that feedparser reads as RSS/Atom")
        return prefix, local.lower()

    def enter(self, el: Any, base: str) -> str:
        """The base URI inside ``el`` (feedparser: a safe absolute xml:base, else the parent's)."""
        given = el.get(f"{{{XML_NS}}}base") or el.get("base")
        if not given:
            return base
        from feedparser.urls import make_safe_absolute_uri

        return make_safe_absolute_uri(base, given) or base

    def text(self, el: Any) -> str:
        if len(el):
            raise Fallback("markup inside a text element")
        return self.repair((el.text or "").strip())

    def repair(self, value: str) -> str:
        """feedparser's last steps on every text: undo double UTF-8, map cp1252's C1 range."""
        if value.isascii():
            return value
        if self.fix_utf8:
            with suppress(UnicodeEncodeError, UnicodeDecodeError):
                value = value.encode("iso-8859-1").decode("utf-8")
        # str.translate with a dict runs per character: only when a C1 character is there
        return value.translate(self.cp1252) if _C1.search(value) else value

    def join(self, base: str, uri: str) -> str:
        uri = _URIFIXER.sub(r"\1\3", uri)
        try:
            return join_url(base, uri)
        except ValueError:
            return ""

    def attrs(self, el: Any) -> dict[str, str]:
        out: dict[str, str] = {}
        for key, value in el.attrib.items():
            if key[0] == "{":
                if key.startswith(f"{{{XML_NS}}}"):
                    continue  # xml:base is followed by enter(); xml:lang is not read
                raise Fallback("a namespaced attribute on a mapped element")
            key = key.lower()
            out[key] = value.lower() if key in ("rel", "type") else value
        return out

    # --- the feed -----------------------------------------------------------------------------

    def feed(self, root: Any, channel: Any | None, entry_tag: str) -> None:
        base = self.enter(root, self.base)
        top = channel if channel is not None else root
        if channel is not None:
            base = self.enter(channel, base)
        named = [(el, self.name(el)) for el in top if isinstance(el.tag, str)]
        titles = [el for el, name in named if name in _TITLE or name == ("media", "title")]
        if len(titles) > 1 or any(name == ("media", "title") for _, name in named):
            raise Fallback("more than one feed title, or a media:title for one")
        for el in top:
            if not isinstance(el.tag, str):
                continue
            if el.tag != entry_tag and self.name(el) in {("", "item"), ("", "entry")}:
                raise Fallback(f"{el.tag[:60]!r} where entries are {entry_tag!r}")
            if el.tag == entry_tag:
                self.entries.append(Entry(self).walk(el, base))
            elif el in titles:
                value, detail = self.text_construct(el, self.enter(el, base))
                self.feed_data["title"], self.feed_data["title_detail"] = value, detail
            elif self.name(el) == ("", "link"):
                self.link(self.feed_data, el, self.enter(el, base), in_entry=False)
            elif self.name(el) in _ID:  # feedparser: a feed's permalink id is its link too
                is_link = self.attrs(el).get("ispermalink", "true") == "true"
                value = self.text(el)
                if is_link:
                    self.feed_data.setdefault(
                        "link", self.join(self.enter(el, base), value) if value else value
                    )

    def text_construct(self, el: Any, base: str, default: str = "text/plain") -> tuple[str, dict]:
        """A title/summary/content element: its value and feedparser's detail (type, base)."""
        attrs = self.attrs(el)
        if "mode" in attrs or "src" in attrs:
            raise Fallback("mode= or src= content")
        kind = _CONTENT_TYPES.get(attrs.get("type", default).lower(), attrs.get("type", default))
        if kind not in _TEXT_TYPES:
            raise Fallback(f"content of type {kind[:40]!r}")
        if kind == "application/xhtml+xml":
            value = self.repair(_xhtml(el))
        else:
            value = self.text(el)
            if (
                not self.version.startswith("atom")
                and kind == "text/plain"
                and _looks_like_html(value)
            ):
                kind = "text/html"
        return value, {"type": kind, "language": None, "base": base}

    def link(self, context: dict, el: Any, base: str, *, in_entry: bool) -> None:
        """feedparser's ``_start_link``: an Atom link (attributes) or an RSS link (text)."""
        attrs = enforce_href(self.attrs(el))
        rel = attrs.setdefault("rel", "alternate")
        kind = attrs.setdefault("type", "application/atom+xml" if rel == "self" else "text/html")
        if "href" in attrs:
            attrs["href"] = self.join(base, attrs["href"])
        context.setdefault("links", []).append(attrs)
        if "href" in attrs:
            if rel == "alternate" and _CONTENT_TYPES.get(kind, kind) in _HTML_TYPES:
                context["link"] = attrs["href"]
            return
        value = self.text(el)
        if value:
            value = self.join(base, value)
        if in_entry:
            value = value.replace("&amp;", "&")
        value = _LINK_REF.sub(r"&\g<1>", value)
        context["link"] = value
        if value:
            attrs["href"] = value


def _xhtml(el: Any) -> str:
    """Inline XHTML as feedparser's SAX handlers write it: ``<tag attrs>`` and ``</tag>`` for
    every element (void ones too), escaped text, the one wrapping <div> removed."""
    pieces: list[str] = []
    if el.text:
        pieces.append(_escape(el.text))
    for child in el:
        _serialize(child, pieces)
    while len(pieces) > 1 and not pieces[-1].strip():
        del pieces[-1]
    while len(pieces) > 1 and not pieces[0].strip():
        del pieces[0]
    if (
        pieces
        and (pieces[0] == "<div>" or pieces[0].startswith("<div "))
        and pieces[-1] == "</div>"
    ):
        depth = 0
        for piece in pieces[:-1]:
            if piece.startswith("</"):
                depth -= 1
                if depth == 0:
                    break
            elif piece.startswith("<") and not piece.endswith("/>"):
                depth += 1
        else:
            pieces = pieces[1:-1]
    return "".join(pieces).strip()


def _serialize(el: Any, pieces: list[str]) -> None:
    tag = el.tag
    if not isinstance(tag, str) or not tag.startswith(_IN_XHTML):
        raise Fallback("a comment or a non-XHTML element inside XHTML content")
    local = tag[len(_IN_XHTML) :].lower()
    attrs = "".join(_attribute(k, v) for k, v in el.attrib.items()) if el.attrib else ""
    pieces.append(f"<{local}{attrs}>")
    if el.text:
        pieces.append(_escape(el.text))
    for child in el:
        _serialize(child, pieces)
    pieces.append(f"</{local}>")
    if el.tail:
        pieces.append(_escape(el.tail))


def _attribute(key: str, value: str) -> str:
    if key.startswith(_IN_XML):
        key = "xml:" + key[len(_IN_XML) :]
    elif key[0] == "{":
        raise Fallback("a namespaced attribute inside XHTML content")
    key = key.lower()
    value = value.lower() if key in ("rel", "type") else value
    return f' {key}="{_escape_markup(value).replace(chr(34), "&quot;")}"'


def _escape(text: str) -> str:
    return _escape_markup(text) if "&" in text or "<" in text or ">" in text else text


def _escape_markup(text: str) -> str:
    """``xml.sax.saxutils.escape``, which would import urllib.request (~10 ms of every sync)."""
    return text.replace("&", "&amp;").replace(">", "&gt;").replace("<", "&lt;")


def _looks_like_html(value: str) -> bool:
    """feedparser's guess whether RSS 'plain text' is HTML."""
    if not (re.search(r"</(\w+)>", value) or re.search(r"&#?\w+;", value)):
        return False
    from html.entities import entitydefs

    from feedparser.sanitizer import _HTMLSanitizer

    allowed = _HTMLSanitizer.acceptable_elements
    if any(t.lower() not in allowed for t in re.findall(r"</?(\w+)", value)):
        return False
    return all(e in entitydefs for e in re.findall(r"&(\w+);", value))
