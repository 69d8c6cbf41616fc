"""RSS/Atom/JSON Feed bytes -> ``ParsedFeed`` of ``NewPost``.

feedparser does the format mapping with its own sanitizer and relative-URI resolution OFF
(they are more than half its cost, see notes/performance.md); ``content.sanitize_html`` (nh3)
then cleans each entry and makes its links absolute. Pure and picklable, so the sync engine can
run it in worker processes.
"""

from __future__ import annotations

import hashlib
import json
import re
import time
from collections.abc import Awaitable, Callable, Iterable, Mapping
from dataclasses import dataclass, field
from datetime import UTC, datetime
from functools import partial
from http import HTTPStatus
from typing import TYPE_CHECKING, Any

from plnctl import ingest
from plnctl.errors import FetchError, ParseError
from plnctl.fetchers.content import (
    extract_hashtags,
    extract_links,
    html_to_text,
    join_url,
    sanitize_html,
)
from plnctl.fetchers.fastfeed import parse_rss_atom
from plnctl.fetchers.media import entry_media
from plnctl.models import FetchOutcome, Media, NewPost, Source
from plnctl.timeutil import to_iso

if TYPE_CHECKING:
    from plnctl.fetchers.http import HttpClient

FEED_ACCEPT = (
    "application/atom+xml, application/rss+xml, application/feed+json, "
    "application/xml;q=0.9, text/xml;q=0.9, */*;q=0.8"
)
# bozo reasons that say nothing about the entries we got (the feed reads fine).
_JSON_FEED = "https://jsonfeed.org/version/"
_HARMLESS = ("CharacterEncodingOverride", "NonXMLContentType")


@dataclass(frozen=True)
class ParsedFeed:
    title: str | None
    site_url: str | None
    entries: tuple[NewPost, ...]
    warning: str | None = None  # the feed was broken but entries were recovered
    comment_feeds: dict[str, str] = field(default_factory=dict)  # guid -> wfw:commentRss URL
    version: str = ""  # feedparser's format name: rss20, atom10, json11, ...
    topics: dict[str, tuple[tuple[int, str], ...]] | None = None  # see FetchOutcome.topics
    parser: str = ""  # which parser ran: "fast" (lxml), "feedparser" (the fallback), "json"


ParseFn = Callable[[bytes, str, Mapping[str, str]], Awaitable["ParsedFeed"]]


async def _parse_inline(body: bytes, url: str, headers: Mapping[str, str]) -> ParsedFeed:
    return parse_feed(body, url=url, headers=headers)


async def fetch_feed(
    source: Source, client: HttpClient, *, parse: ParseFn = _parse_inline
) -> FetchOutcome:
    """Fetch and parse one feed source, conditionally. Never raises for network or feed trouble:
    every problem is a ``failed`` outcome with a one-line error. ``parse`` lets the sync engine
    parse in worker processes."""
    from plnctl.fetchers.http import parse_max_age, parse_retry_after

    try:
        response = await client.get(
            source.url, etag=source.etag, last_modified=source.last_modified, accept=FEED_ACCEPT
        )
    except FetchError as e:
        return FetchOutcome("failed", e.status, error=str(e), retry_after=e.retry_after)
    headers = response.headers
    common: dict[str, Any] = {
        "http_status": response.status,
        "permanent_url": response.permanent_url,
        "retry_after": parse_retry_after(headers.get("retry-after"), datetime.now(UTC)),
        "max_age": parse_max_age(headers.get("cache-control")),
    }
    if response.status == 304:
        etag, modified = headers.get("etag"), headers.get("last-modified")
        return FetchOutcome("not_modified", etag=etag, last_modified=modified, **common)
    if response.status == 410:
        return FetchOutcome("gone", error="HTTP 410 Gone: the feed was removed", **common)
    if not 200 <= response.status < 300:
        return FetchOutcome("failed", error=_http_error(response.status), **common)
    try:
        parsed = await parse(response.body, response.url, headers)
    except ParseError as e:
        return FetchOutcome("failed", error=str(e), **common)
    updates = {"title": parsed.title, "site_url": parsed.site_url}
    return FetchOutcome(
        "ok",
        posts=parsed.entries,
        etag=headers.get("etag"),
        last_modified=headers.get("last-modified"),
        warning=parsed.warning,
        topics=parsed.topics,
        source_updates={k: v for k, v in updates.items() if v and v != getattr(source, k)},
        **common,
    )


def _http_error(status: int) -> str:
    try:
        return f"HTTP {status} {HTTPStatus(status).phrase}"
    except ValueError:
        return f"HTTP {status}"


def parse_feed(
    body: bytes, *, url: str, headers: Mapping[str, str] | None = None, fast: bool = True
) -> ParsedFeed:
    """Parse a feed body; raise ParseError when it is not a feed (e.g. an HTML page).

    RSS and Atom go through the fast path (``fastfeed``) when it maps the feed exactly and
    through feedparser otherwise; ``fast=False`` always takes feedparser (what the benchmark
    and the differential test compare the fast path against)."""
    response_headers = {k.lower(): v for k, v in (headers or {}).items()}
    response_headers.setdefault("content-location", url)
    if _looks_like_json(body, response_headers):
        return parse_json_feed(body, url=url)
    result, parser = parse_rss_atom(body, response_headers, fast=fast)
    entries = result.get("entries") or []
    if not entries and not result.get("version"):
        raise ParseError(_not_a_feed(body, response_headers, result))
    feed = result.get("feed") or {}
    batch = ingest.Batch()
    comments: dict[str, str] = {}
    for entry in entries:
        post = batch.add(entry, partial(entry_to_post, entry, url))
        comment_url = _absolute(entry.get("wfw_commentrss"), url) if post else None
        if post and comment_url and _may_fetch(comment_url):
            comments[post.guid] = comment_url
    return ParsedFeed(
        title=ingest.clean_line(_text(feed.get("title"), feed.get("title_detail")), limit=1000),
        site_url=_absolute(feed.get("link"), url),
        entries=batch.entries,
        warning=batch.warning(_warning(result, len(batch.posts))),
        comment_feeds=comments,
        version=result.get("version") or "",
        parser=parser,
    )


def entry_to_post(entry: Mapping[str, Any], feed_url: str) -> NewPost:
    """One feedparser entry -> NewPost with sanitized HTML, text, links and hashtags."""
    html, base = _content(entry, feed_url)
    link = _absolute(entry.get("link"), feed_url)
    title = _text(entry.get("title"), entry.get("title_detail")) or None
    # dict.get: FeedParserDict maps a missing updated_parsed to published_parsed (deprecated).
    updated = _iso(dict.get(entry, "updated_parsed") if isinstance(entry, dict) else None)
    categories = [t["term"] for t in entry.get("tags") or () if t.get("term")]
    author = entry.get("author_detail") or {}
    return make_post(
        guid=(entry.get("id") or "").strip() or None,
        link=link,
        title=title,
        author=entry.get("author"),
        published=_iso(entry.get("published_parsed")) or updated,
        updated=updated,
        html=html,
        base=_absolute(base, feed_url) or link or feed_url,  # never xml:base="file:///etc/"
        categories=categories,
        language=entry.get("language"),
        media=entry_media(entry, link=link, base=base or link or feed_url),
        author_url=_absolute(author.get("href"), feed_url) if isinstance(author, dict) else None,
    )


def make_post(
    *,
    guid: str | None,
    link: str | None,
    title: str | None,
    author: str | None,
    published: str | None,
    updated: str | None,
    html: str,
    base: str,
    categories: Iterable[str] = (),
    language: str | None = None,
    media: tuple[Media, ...] = (),
    author_url: str | None = None,
) -> NewPost:
    """A NewPost from already-extracted fields: sanitizes ``html`` and derives text/tags/links.
    The caller hands the result to ``ingest`` (a ``Batch``), which makes it safe to store."""
    html = html[: 2 * ingest.MAX_HTML]  # bounds nh3's work; ingest caps what is stored
    base = ingest.clean_url(base) or link or ""
    try:
        clean = sanitize_html(html, base_url=base)
    except UnicodeEncodeError:  # a lone surrogate: nh3 takes valid text only
        html = ingest.clean_text(html) or ""
        clean = sanitize_html(html, base_url=base)
    text = html_to_text(clean, sanitized=True)
    if not guid and not link and not title and not text:
        raise ingest.BadEntry("it has no id, link, title or content")
    if not guid:
        guid = (
            link or "sha256:" + hashlib.sha256(f"{title or ''}\0{html}".encode()).hexdigest()[:32]
        )
    return NewPost(
        guid=guid,
        url=link,
        title=title,
        author=(author or "").strip() or None,
        published_at=published,
        updated_at=updated,
        content_html=clean or None,
        content_text=text or None,
        kind="article",
        language=language or None,
        categories=tuple(dict.fromkeys(c.strip() for c in categories if c and c.strip())),
        hashtags=extract_hashtags(f"{title or ''}\n{text}"),
        links=tuple(u for u in extract_links(clean, base) if u != link),
        media=media,
        author_url=author_url,
    )


def parse_json_feed(body: bytes, *, url: str) -> ParsedFeed:
    """A JSON Feed (https://jsonfeed.org/version/1.1); feedparser 6.0 does not read them."""
    try:
        doc = json.loads(body)
    except (ValueError, UnicodeDecodeError) as e:
        raise ParseError(f"not a feed: invalid JSON ({_one_line(e)})") from None
    if not isinstance(doc, dict) or not str(doc.get("version", "")).startswith(_JSON_FEED):
        raise ParseError("not a feed: JSON without a JSON Feed version")
    items = doc.get("items")
    batch = ingest.map_entries(
        items if isinstance(items, list) else (), partial(_json_item_to_post, feed_url=url)
    )
    return ParsedFeed(
        title=ingest.clean_line(_str(doc.get("title")), limit=1000),
        site_url=_absolute(_str(doc.get("home_page_url")), url),
        entries=batch.entries,
        warning=batch.warning(),
        version="json1",
        parser="json",
    )


def _json_item_to_post(item: Any, feed_url: str) -> NewPost:
    if not isinstance(item, dict):
        raise ingest.BadEntry("it is not a JSON object")
    link = _absolute(_str(item.get("url")), feed_url)
    html = _str(item.get("content_html"))
    if not html:
        html = _as_html(_str(item.get("content_text") or item.get("summary")) or "", "text/plain")
    authors = item.get("authors") or ([item["author"]] if item.get("author") else [])
    author = authors[0].get("name") if authors and isinstance(authors[0], dict) else None
    updated = _json_date(item.get("date_modified"))
    tags = item.get("tags")
    tags = tags if isinstance(tags, list) else []
    return make_post(
        guid=_str(item.get("id")),
        link=link,
        title=_str(item.get("title")),
        author=_str(author),
        published=_json_date(item.get("date_published")) or updated,
        updated=updated,
        html=html,
        base=link or feed_url,
        categories=[str(t) for t in tags],
        language=_str(item.get("language")),
    )


def _str(value: Any) -> str | None:
    if value is None or isinstance(value, (dict, list)):
        return None
    return str(value).strip() or None


def _json_date(value: Any) -> str | None:
    if not isinstance(value, str):
        return None
    try:
        return to_iso(datetime.fromisoformat(value.replace("Z", "+00:00")))
    except (ValueError, OverflowError):  # 9999-12-31T23:59-01:00 overflows on the way to UTC
        return None


def _looks_like_json(body: bytes, headers: Mapping[str, str]) -> bool:
    content_type = headers.get("content-type", "").lower()
    return "json" in content_type or body[:64].lstrip().startswith(b"{")


_TAG = re.compile(r"<[^>]*>")


def _content(entry: Mapping[str, Any], feed_url: str) -> tuple[str, str | None]:
    """The fullest body of an entry and its base URL: the longest text of its description,
    ``content:encoded`` and ``itunes:summary`` (a podcast's show notes are often only in one),
    the first of equals."""
    candidates = [d for d in entry.get("content") or () if (d.get("value") or "").strip()]
    summary = entry.get("summary") or ""
    if summary.strip():
        candidates.append({**(entry.get("summary_detail") or {}), "value": summary})
    if not candidates:
        return "", None
    best = (  # one candidate (most feeds): no need to measure its text
        candidates[0]
        if len(candidates) == 1
        else max(candidates, key=lambda d: len(_TAG.sub("", d["value"]).strip()))
    )
    return _as_html(best["value"], best.get("type")), best.get("base") or None


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


def _iso(parsed: time.struct_time | None) -> str | None:
    if not parsed:
        return None
    try:
        return to_iso(datetime(*parsed[:6], tzinfo=UTC))
    except (TypeError, ValueError, OverflowError):
        return None


def _absolute(link: object, base: str) -> str | None:
    if not isinstance(link, str) or not link.strip():
        return None
    try:
        return ingest.clean_url(join_url(base, link.strip()))
    except ValueError:
        return None


def _may_fetch(url: str) -> bool:
    """Not a link-local (metadata) or other refused address: such a comment feed is not kept
    (HttpClient would refuse it anyway; this keeps it out of stored questions)."""
    from urllib.parse import urlsplit

    from plnctl.fetchers.netguard import check_host

    try:
        check_host(urlsplit(url).hostname or "")
    except FetchError:
        return False
    return True


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
