"""Find the feed of a website: the page itself, its ``<link rel="alternate">`` tags, then the
usual paths, each verified by really parsing it as a feed."""

from __future__ import annotations

import html as htmllib
import re
from contextlib import suppress
from html.parser import HTMLParser
from urllib.parse import urljoin, urlsplit

from plnctl.errors import FetchError, NotFound, ParseError
from plnctl.fetchers.feed import FEED_ACCEPT, parse_feed
from plnctl.fetchers.http import HttpClient, HttpResponse, check_url

FEED_TYPES = frozenset(
    {"application/rss+xml", "application/atom+xml", "application/feed+json", "application/json"}
)
COMMON_PATHS = ("/feed", "/rss", "/atom.xml", "/feed.xml", "/rss.xml", "/index.xml", "/feed/")
_HEAD_END = re.compile(rb"</head\s*>", re.I)


class _LinkParser(HTMLParser):
    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.links: list[tuple[str, str, str]] = []  # (rel, type, href)
        self.base: str | None = None

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        values = {k.lower(): (v or "") for k, v in attrs}
        if tag == "base" and values.get("href") and self.base is None:
            self.base = values["href"]
        elif tag == "link":
            rel = values.get("rel", "").lower().split()
            if "alternate" in rel:
                self.links.append(("alternate", values.get("type", "").lower(), values["href"]))


def find_feed_links(html: str, base_url: str) -> list[str]:
    """Absolute URLs of the feeds a page advertises with ``<link rel="alternate" type=...>``."""
    parser = _LinkParser()
    try:
        parser.feed(html)
        parser.close()
    except Exception:  # html.parser is lenient; never fail discovery on markup
        pass
    base = base_url
    if parser.base:
        with suppress(ValueError):
            base = urljoin(base_url, parser.base)
    found: dict[str, None] = {}
    for _rel, kind, href in parser.links:
        if kind.split(";")[0].strip() in FEED_TYPES and href.strip():
            try:
                found[check_url(urljoin(base, htmllib.unescape(href.strip())))] = None
            except (ValueError, FetchError):  # not http(s), or a refused address (netguard)
                continue
    return list(found)


async def discover_feed(client: HttpClient, site_url: str) -> str:
    """The feed URL for ``site_url`` (which may itself be a feed); NotFound when there is none."""
    site_url = check_url(site_url if "://" in site_url else f"https://{site_url}")
    try:
        page = await client.get(site_url, accept=f"text/html;q=0.9, {FEED_ACCEPT}")
    except FetchError as e:
        raise NotFound(f"no feed found at {site_url}: {e}") from None
    if page.status >= 400:
        raise NotFound(f"no feed found at {site_url}: HTTP {page.status}")
    if _is_feed(page):
        return page.url
    tried: list[str] = []
    candidates = find_feed_links(_head_text(page), page.url)
    root = f"{urlsplit(page.url).scheme}://{urlsplit(page.url).netloc}"
    candidates += [urljoin(root, path) for path in COMMON_PATHS]
    for candidate in dict.fromkeys(candidates):
        if candidate == page.url:
            continue
        tried.append(candidate)
        try:
            response = await client.get(candidate, accept=FEED_ACCEPT)
        except FetchError:
            continue
        if response.status == 200 and _is_feed(response):
            return response.url
    raise NotFound(
        f"no feed found at {site_url}: the page links no feed and none of "
        f"{len(tried)} usual paths (/feed, /rss, /atom.xml, ...) is a feed"
    )


async def check_feed(client: HttpClient, url: str) -> str:
    """Fetch ``url`` once and return it if it is a feed, or the feed an HTML page links to
    (verified). Anything else (an error status, a dead port, a page that links no feed) raises
    a one-line FetchError or ParseError saying what came back."""
    url = check_url(url)
    try:
        page = await client.get(url, accept=FEED_ACCEPT)
    except FetchError as e:
        raise FetchError(f"cannot fetch {url}: {e}", status=e.status) from None
    if page.status >= 400:
        raise FetchError(f"cannot fetch {url}: HTTP {page.status}", status=page.status)
    if _is_feed(page):
        return url
    for candidate in find_feed_links(_head_text(page), page.url)[:3]:
        try:
            response = await client.get(candidate, accept=FEED_ACCEPT)
        except FetchError:
            continue
        if _is_feed(response):
            return response.url
    what = page.content_type or "a response without a content type"
    if "html" in what:
        raise ParseError(f"{url} is a web page ({what}) that links no feed; not a feed")
    raise ParseError(f"{url} is not a feed (it sent {what})")


def _is_feed(response: HttpResponse) -> bool:
    if response.status != 200 or not response.body:
        return False
    try:
        parsed = parse_feed(response.body, url=response.url, headers=response.headers)
    except ParseError:
        return False
    return bool(parsed.version)


def _head_text(response: HttpResponse) -> str:
    """The page's ``<head>`` (or its start) as text: enough to find the link tags, cheap."""
    body = response.body
    match = _HEAD_END.search(body)
    chunk = body[: match.end()] if match else body[:200_000]
    charset = "utf-8"
    content_type = response.headers.get("content-type", "")
    if "charset=" in content_type:
        charset = content_type.split("charset=")[-1].split(";")[0].strip().strip('"') or charset
    try:
        return chunk.decode(charset, errors="replace")
    except LookupError:
        return chunk.decode("utf-8", errors="replace")
