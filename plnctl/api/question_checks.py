"""The network side of questions: read a tracked status or blog post, find a blog post's comment
feed, and fetch each question's answers. Every decision is made in ``plnctl.questions`` (pure);
``QuestionsService`` stores the results."""

from __future__ import annotations

import asyncio
import contextlib
import logging
import re
from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

from plnctl import questions as logic
from plnctl.api.sources import http_settings, run
from plnctl.errors import FetchError, NotFound, ParseError, PlnError
from plnctl.models import Question
from plnctl.questions import AnswerDraft
from plnctl.store import questions as db

if TYPE_CHECKING:
    from plnctl.api import Pln
    from plnctl.fetchers.feed import ParsedFeed
    from plnctl.fetchers.http import HttpClient, HttpResponse

log = logging.getLogger(__name__)
PAGE_ACCEPT = "text/html;q=0.9, application/xhtml+xml;q=0.9, */*;q=0.5"


@dataclass
class Found:
    """What one question's check fetched: answers, and changes to the question itself."""

    drafts: list[AnswerDraft] = field(default_factory=list)
    updates: dict[str, Any] = field(default_factory=dict)
    deleted: bool = False
    error: str | None = None


async def fetch_all(pln: Pln, targets: Sequence[Question]) -> list[Found]:
    """Fetch every question's answers concurrently; one Found per question, errors included."""
    from plnctl.fetchers.http import HttpClient

    async with HttpClient(http_settings(pln)) as client:
        return list(await asyncio.gather(*(_fetch_one(pln, client, q) for q in targets)))


async def _fetch_one(pln: Pln, client: HttpClient, question: Question) -> Found:
    try:
        if question.kind == "mastodon":
            return await fetch_thread(client, question)
        if question.kind == "bluesky":
            from plnctl.api.bluesky_questions import fetch_answers

            return await fetch_answers(pln, client, question)
        return await fetch_comments(pln, client, question)
    except PlnError as e:
        return Found(error=str(e))
    except Exception as e:  # a bug must not stop the other questions: logged and reported
        log.warning("checking question %s failed", question.id, exc_info=True)
        return Found(error=f"internal error: {type(e).__name__}: {e}")


def read_tracked(
    pln: Pln, url: str, comment_feed: str | None
) -> tuple[str, dict[str, Any], dict[str, Any], str]:
    """(kind, question fields, info: text, asked_at, error, and the URL to store) of a question
    being tracked: a Bluesky post, a Mastodon status, or a blog post."""
    from plnctl.api.bluesky_questions import is_bluesky_post_url, read_post

    status = logic.parse_status_url(url)
    if is_bluesky_post_url(url):
        fields, summary = run(read_post(pln, url))
        info = {"text": summary["content_text"], "asked_at": summary["created_at"]}
        return "bluesky", fields, info, summary["url"] or url
    if status is not None:
        info = run(read_status(pln, *status))
        return "mastodon", {"instance": status[0], "remote_id": status[1]}, info, url
    info = run(read_blog_post(pln, url, comment_feed))
    return "blog", {"comment_feed_url": info.get("comment_feed_url")}, info, url


# --- blog posts -------------------------------------------------------------------------------


async def fetch_comments(pln: Pln, client: HttpClient, question: Question) -> Found:
    found = Found()
    feed_url = question.comment_feed_url
    if feed_url is None and question.url:
        feed_url = await find_comment_feed(pln, client, question.url)
        if feed_url:
            found.updates["comment_feed_url"] = feed_url
    if feed_url:
        found.drafts = await comment_drafts(client, feed_url)
    return found


async def find_comment_feed(
    pln: Pln, client: HttpClient, url: str, page: HttpResponse | None = None
) -> str | None:
    """A blog post's comment feed: the ``wfw:commentRss`` of the post in its blog's feed (when
    the blog is synced), a comment feed the page links, or WordPress's ``<post-url>/feed/``."""
    from plnctl.fetchers.discover import find_feed_links

    synced = db.post_for_url(pln.store, logic.url_variants(url))
    if synced is not None:
        feed = await get_feed(client, synced["feed_url"])
        if feed is not None and feed.comment_feeds.get(synced["guid"]):
            return feed.comment_feeds[synced["guid"]]
    if page is None:
        page = await client.get(url, accept=PAGE_ACCEPT)
    if page.status == 200:
        links = find_feed_links(_decode(page.body), page.url)
        picked = logic.pick_comment_feed(links, url) or logic.pick_comment_feed(links, page.url)
        if picked:
            return picked
    for guess in logic.comment_feed_guesses(page.url if page.status == 200 else url):
        if await get_feed(client, guess) is not None:
            return guess
    return None


async def read_blog_post(pln: Pln, url: str, comment_feed: str | None) -> dict[str, Any]:
    """Title, time and comment feed of a blog post (``error`` when the page is unreadable)."""
    from plnctl.fetchers.http import HttpClient

    synced = db.post_for_url(pln.store, logic.url_variants(url))
    info: dict[str, Any] = {"comment_feed_url": comment_feed}
    if synced is not None:
        info.update(text=synced["title"], asked_at=synced["published_at"])
    async with HttpClient(http_settings(pln)) as client:
        page = None
        try:
            page = await client.get(url, accept=PAGE_ACCEPT)
            if page.status != 200:
                raise FetchError(f"HTTP {page.status} from {url}", status=page.status)
            info["text"] = info.get("text") or page_title(_decode(page.body))
        except FetchError as e:
            info["error"] = str(e)
        if comment_feed is None:
            with contextlib.suppress(FetchError):
                info["comment_feed_url"] = await find_comment_feed(pln, client, url, page)
    if info.get("comment_feed_url"):
        info.pop("error", None)  # the page does not matter once the comments are found
    return info


async def get_feed(client: HttpClient, url: str) -> ParsedFeed | None:
    """The parsed feed at ``url``; None when it is missing or not a feed."""
    from plnctl.fetchers.feed import FEED_ACCEPT, parse_feed

    try:
        response = await client.get(url, accept=FEED_ACCEPT)
        if response.status != 200:
            return None
        return parse_feed(response.body, url=response.url, headers=response.headers)
    except (FetchError, ParseError):
        return None


async def comment_drafts(client: HttpClient, feed_url: str) -> list[AnswerDraft]:
    """Each comment in a blog post's comment feed, as an answer."""
    from plnctl.fetchers.feed import FEED_ACCEPT, parse_feed

    response = await client.get(feed_url, accept=FEED_ACCEPT)
    if response.status != 200:
        raise FetchError(f"comment feed {feed_url}: HTTP {response.status}", status=response.status)
    feed = parse_feed(response.body, url=response.url, headers=response.headers)
    return [
        logic.comment_to_answer(
            guid=entry.guid,
            url=entry.url,
            author=entry.author,
            author_url=entry.author_url,
            text=entry.content_text,
            at=entry.published_at,
        )
        for entry in feed.entries
    ]


def _decode(body: bytes) -> str:
    return body[:500_000].decode("utf-8", errors="replace")


# --- Mastodon ---------------------------------------------------------------------------------


async def fetch_thread(client: HttpClient, question: Question) -> Found:
    """Replies to a Mastodon question (the whole thread below it), minus the asker's own; a
    question whose status is gone is marked deleted (its answers are kept)."""
    from plnctl.fetchers.mastodon import fetch_context, fetch_status

    host, status_id = question.instance or "", question.remote_id or ""
    try:
        status = await fetch_status(client, (host, status_id))
        replies = await fetch_context(client, host, status_id)
    except NotFound:
        return Found(deleted=True)
    asker = status.get("account") or {}
    return Found(drafts=logic.replies_to_answers(replies, asker=asker, instance=host))


async def read_status(pln: Pln, host: str, status_id: str) -> dict[str, Any]:
    """Text and time of a Mastodon status being tracked (``error`` when unreachable)."""
    from plnctl.fetchers.http import HttpClient
    from plnctl.fetchers.mastodon import fetch_status

    async with HttpClient(http_settings(pln)) as client:
        try:
            status = await fetch_status(client, (host, status_id))
        except NotFound:
            raise NotFound(f"no Mastodon status {status_id} on {host} (deleted?)") from None
        except FetchError as e:
            return {"error": str(e)}
    return {"text": status.get("content_text"), "asked_at": status.get("created_at")}


_TITLE = re.compile(r"<title[^>]*>(.*?)</title\s*>", re.IGNORECASE | re.DOTALL)
_OG_TITLE = re.compile(
    r"<meta[^>]+property=[\"']og:title[\"'][^>]+content=[\"']([^\"']+)[\"']", re.IGNORECASE
)


def page_title(page_html: str) -> str | None:
    """A web page's title (``og:title`` first: it leaves out the site name)."""
    import html

    match = _OG_TITLE.search(page_html) or _TITLE.search(page_html)
    if not match:
        return None
    return " ".join(html.unescape(match.group(1)).split()) or None
