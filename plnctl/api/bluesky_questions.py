"""Questions asked on Bluesky: read the post being tracked and collect its replies through
``app.bsky.feed.getPostThread``. Decisions (who is an answerer) are made here on plain dicts;
the questions service stores them like Mastodon answers."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from plnctl.api.sources import http_settings
from plnctl.errors import InvalidInput, NotFound
from plnctl.models import Question, SourceKind
from plnctl.questions import AnswerDraft, answer_key
from plnctl.store import people as people_db

if TYPE_CHECKING:
    from plnctl.api import Pln
    from plnctl.api.question_checks import Found
    from plnctl.fetchers.http import HttpClient

THREAD_DEPTH = 10  # replies of replies, deep enough for a practice question's thread


def is_bluesky_post_url(url: str) -> bool:
    return url.strip().lower().startswith(("https://bsky.app/profile/", "at://"))


async def _thread(pln: Pln, client: HttpClient, uri: str) -> dict[str, Any]:
    from plnctl.fetchers.bluesky import xrpc_get

    document = await xrpc_get(
        client, pln.settings.bluesky.appview, "app.bsky.feed.getPostThread",
        {"uri": uri, "depth": THREAD_DEPTH, "parentHeight": 0},
    )  # fmt: skip
    thread = document.get("thread")
    if not isinstance(thread, dict) or thread.get("notFound") or "post" not in thread:
        raise NotFound(f"the Bluesky post {uri} was deleted or is not visible")
    return thread


async def read_post(pln: Pln, url: str) -> tuple[dict[str, Any], dict[str, Any]]:
    """The tracked post's fields for ``questions.track`` and its plain summary."""
    from plnctl.fetchers.bluesky import (
        is_did,
        parse_web_record,
        post_view_summary,
        resolve_handle,
    )
    from plnctl.fetchers.http import HttpClient

    ref = parse_web_record(url, "post", "app.bsky.feed.post")
    async with HttpClient(http_settings(pln)) as client:
        repo = ref.repo
        if not is_did(repo):
            repo = await resolve_handle(client, pln.settings.bluesky.appview, repo)
        uri = f"at://{repo}/{ref.collection}/{ref.rkey}"
        summary = post_view_summary((await _thread(pln, client, uri))["post"])
    if summary["withheld"]:
        raise InvalidInput(
            "that post's author asks apps not to show it to logged-out readers "
            "(!no-unauthenticated); plnctl does not track it"
        )
    return {"remote_id": uri}, summary


async def fetch_answers(pln: Pln, client: HttpClient, question: Question) -> Found:
    """Replies below a Bluesky question, minus the asker's own follow-ups and replies whose
    authors withhold their posts; a deleted question is marked deleted (answers kept)."""
    from plnctl.api.question_checks import Found
    from plnctl.fetchers.bluesky import post_view_summary, thread_replies

    try:
        thread = await _thread(pln, client, question.remote_id or "")
    except NotFound:
        return Found(deleted=True)
    asker = str((thread["post"].get("author") or {}).get("did") or "")
    drafts = []
    for reply in thread_replies(thread):
        summary = post_view_summary(reply)
        if summary["author_did"] == asker or summary["withheld"]:
            continue
        drafts.append(_draft(pln, summary))
    return Found(drafts=drafts)


def _draft(pln: Pln, summary: dict[str, Any]) -> AnswerDraft:
    """Credited by DID, so an answerer who changed handle is still the person you follow."""
    source = people_db.find_source_by_remote_id(
        pln.store, SourceKind.BLUESKY, summary["author_did"]
    )
    handle = summary["author_handle"]
    return AnswerDraft(
        answer_key=answer_key("bluesky", url=summary["url"], fallback=summary["uri"]),
        found_via="bluesky",
        author_name=summary["author_name"] or (handle or "").lstrip("@") or None,
        author_handle=(handle or "").lstrip("@") or None,
        author_url=f"https://bsky.app/profile/{summary['author_did']}",
        text=summary["content_text"] or None,
        url=summary["url"],
        answered_at=summary["created_at"],
        person_id=source.person_id if source is not None else None,
    )
