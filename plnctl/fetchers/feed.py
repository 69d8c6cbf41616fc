"""RSS/Atom/JSON Feed bytes -> ``ParsedFeed`` of ``NewPost``.

feedparser does the format mapping with its own sanitizer and relative-URI resolution OFF
(they are more than half its cost, see notes/performance.md); ``content.sanitize_html`` (nh3)
then cleans each entry and makes its links absolute. Pure and picklable, so the sync engine can
run it in worker processes.
"""

from __future__ import annotations

import hashlib
import io
import time
from collections.abc import Mapping
from dataclasses import dataclass, field
from datetime import UTC, datetime
from typing import Any
from urllib.parse import urljoin

import feedparser

from plnctl.errors import ParseError
from plnctl.fetchers.content import (
    extract_hashtags,
    extract_links,
    html_to_text,
    sanitize_html,
)
from plnctl.models import NewPost
from plnctl.timeutil import to_iso

FEED_ACCEPT = (
    "application/atom+xml, application/rss+xml, application/feed+json, "
    "application/xml;q=0.9, text/xml;q=0.9, */*;q=0.8"
)
# bozo reasons that say nothing about the entries we got (the feed reads fine).
_HARMLESS = ("CharacterEncodingOverride", "NonXMLContentType")


@dataclass(frozen=True)
class ParsedFeed:
    title: str | None
    site_url: str | None
    entries: tuple[NewPost, ...]
    warning: str | None = None  # the feed was broken but entries were recovered
    comment_feeds: dict[str, str] = field(default_factory=dict)  # guid -> wfw:commentRss URL
    version: str = ""  # feedparser's format name: rss20, atom10, json11, ...


def parse_feed(body: bytes, *, url: str, headers: Mapping[str, str] | None = None) -> ParsedFeed:
    """Parse a feed body; raise ParseError when it is not a feed (e.g. an HTML page)."""
    response_headers = {k.lower(): v for k, v in (headers or {}).items()}
    response_headers.setdefault("content-location", url)
    result = feedparser.parse(
        io.BytesIO(body),
        response_headers=response_headers,
        sanitize_html=False,
        resolve_relative_uris=False,
    )
    entries = result.get("entries") or []
    if not entries and (not result.get("version") or _is_html(body, response_headers)):
        raise ParseError(_not_a_feed(body, response_headers, result))
    feed = result.get("feed") or {}
    posts: dict[str, NewPost] = {}
    comments: dict[str, str] = {}
    for entry in entries:
        post = entry_to_post(entry, url)
        if post.guid in posts:
            continue
        posts[post.guid] = post
        comment_url = entry.get("wfw_commentrss")
        if comment_url:
            comments[post.guid] = urljoin(url, comment_url.strip())
    return ParsedFeed(
        title=_text(feed.get("title"), feed.get("title_detail")) or None,
        site_url=_absolute(feed.get("link"), url),
        entries=tuple(posts.values()),
        warning=_warning(result, len(posts)),
        comment_feeds=comments,
        version=result.get("version") or "",
    )


def entry_to_post(entry: Mapping[str, Any], feed_url: str) -> NewPost:
    """One feedparser entry -> NewPost with sanitized HTML, text, links and hashtags."""
    html, base = _content(entry, feed_url)
    link = _absolute(entry.get("link"), feed_url)
    clean = sanitize_html(html, base_url=base or link or feed_url)
    text = html_to_text(clean)
    title = _text(entry.get("title"), entry.get("title_detail")) or None
    published = _iso(entry.get("published_parsed"))
    updated = _iso(entry.get("updated_parsed"))
    categories = tuple(
        dict.fromkeys(t["term"].strip() for t in entry.get("tags") or () if t.get("term"))
    )
    return NewPost(
        guid=_guid(entry, link, title, html),
        url=link,
        title=title,
        author=(entry.get("author") or "").strip() or None,
        published_at=published or updated,
        updated_at=updated,
        content_html=clean or None,
        content_text=text or None,
        kind="article",
        language=(entry.get("language") or None),
        categories=categories,
        hashtags=extract_hashtags(f"{title or ''}\n{text}"),
        links=tuple(u for u in extract_links(clean, base or feed_url) if u != link),
    )


def _content(entry: Mapping[str, Any], feed_url: str) -> tuple[str, str | None]:
    """The fullest HTML body of an entry (content over summary) and its base URL."""
    for detail in entry.get("content") or ():
        value = detail.get("value") or ""
        if value.strip():
            return _as_html(value, detail.get("type")), detail.get("base") or None
    summary = entry.get("summary") or ""
    detail = entry.get("summary_detail") or {}
    return _as_html(summary, detail.get("type")), detail.get("base") or None


def _as_html(value: str, content_type: str | None) -> str:
    if content_type == "text/plain":
        import html

        return html.escape(value).replace("\n", "<br>")
    return value


def _text(value: str | None, detail: Mapping[str, Any] | None) -> str:
    if not value:
        return ""
    if detail and "html" in (detail.get("type") or "") and ("<" in value or "&" in value):
        return html_to_text(value)
    return " ".join(value.split())


def _guid(entry: Mapping[str, Any], link: str | None, title: str | None, html: str) -> str:
    guid = (entry.get("id") or "").strip()
    if guid:
        return guid
    if link:
        return link
    digest = hashlib.sha256(f"{title or ''}\0{html}".encode()).hexdigest()
    return f"sha256:{digest[:32]}"


def _iso(parsed: time.struct_time | None) -> str | None:
    if not parsed:
        return None
    try:
        return to_iso(datetime(*parsed[:6], tzinfo=UTC))
    except (TypeError, ValueError, OverflowError):
        return None


def _absolute(link: str | None, base: str) -> str | None:
    if not link or not link.strip():
        return None
    joined = urljoin(base, link.strip())
    return joined if joined.lower().startswith(("http://", "https://")) else None


def _is_html(body: bytes, headers: Mapping[str, str]) -> bool:
    if "html" in headers.get("content-type", "").lower():
        return True
    head = body[:512].lstrip().lower()
    return head.startswith((b"<!doctype html", b"<html")) or b"<html" in head


def _not_a_feed(body: bytes, headers: Mapping[str, str], result: Any) -> str:
    content_type = headers.get("content-type", "").split(";")[0].strip() or "no content type"
    if not body.strip():
        return "not a feed: the server sent an empty body"
    if _is_html(body, headers):
        return f"not a feed: the server sent an HTML page ({content_type})"
    reason = _one_line(result.get("bozo_exception")) or "no RSS, Atom or JSON Feed found"
    return f"not a feed ({content_type}): {reason}"


def _warning(result: Any, recovered: int) -> str | None:
    if not result.get("bozo"):
        return None
    error = result.get("bozo_exception")
    if type(error).__name__ in _HARMLESS:
        return None
    return f"broken feed, {recovered} entries recovered: {_one_line(error)}"


def _one_line(error: object) -> str:
    if error is None:
        return ""
    lines = str(error).strip().splitlines()
    return lines[0] if lines else type(error).__name__
