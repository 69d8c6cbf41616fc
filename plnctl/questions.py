"""Questions, purely: the state machine, what counts as an answer, and the stats. No I/O.

A question is *open* until its first answer arrives, then *answered*; the user may *resolve* it
(accepting an answer) or *close* it, and *reopen* it again. New answers never move a resolved or
closed question. The API layer (``plnctl.api.questions``) does the fetching and storing and asks
this module every decision.
"""

from __future__ import annotations

import dataclasses
import re
from collections.abc import Iterable, Mapping, Sequence
from datetime import datetime, timedelta
from enum import StrEnum
from typing import Any
from urllib.parse import urlsplit

from plnctl.answer_rules import Answerer, is_share, tally_answerers
from plnctl.errors import InvalidInput
from plnctl.frozen import LazyData, frozen
from plnctl.models import Answer, Question, QuestionState
from plnctl.timeutil import from_iso, to_iso

FOUND_VIA = ("mastodon", "comments", "backlink", "manual")
# Mastodon status URLs: /@user/123, /@user@remote/123, /users/user/statuses/123,
# /web/statuses/123, /web/@user/123 (the id is local to the host in the URL).
_STATUS_PATHS = (
    re.compile(r"^/(?:web/)?@[A-Za-z0-9_.-]+(?:@[A-Za-z0-9.-]+)?/(\d+)/?$"),
    re.compile(r"^/users/[A-Za-z0-9_.-]+/statuses/(\d+)/?$"),
    re.compile(r"^/web/statuses/(\d+)/?$"),
)
_BLOGGER_COMMENTS = re.compile(r"/feeds/\d+/comments/")
_HANDLE = re.compile(r"^@?([A-Za-z0-9_.-]+)@([A-Za-z0-9.-]+(?::\d+)?)$")


class Event(StrEnum):
    ANSWERS_CHANGED = "answers_changed"  # answers were added (or found) by a check or by hand
    RESOLVE = "resolve"
    CLOSE = "close"
    REOPEN = "reopen"


def question_text(text: str) -> str:
    text = " ".join((text or "").split()) if "\n" not in (text or "") else (text or "").strip()
    if not text:
        raise InvalidInput("a question needs some text")
    return text


def by_answers(answer_count: int) -> QuestionState:
    return QuestionState.ANSWERED if answer_count > 0 else QuestionState.OPEN


def next_state(state: QuestionState, event: Event, *, answer_count: int) -> QuestionState:
    """The state after ``event``; InvalidInput for a transition that makes no sense."""
    done = state in (QuestionState.RESOLVED, QuestionState.CLOSED)
    if event is Event.ANSWERS_CHANGED:
        return state if done else by_answers(answer_count)
    if event is Event.CLOSE:
        return QuestionState.CLOSED
    if event is Event.RESOLVE:
        if state is QuestionState.CLOSED:
            raise InvalidInput("the question is closed; reopen it before resolving it")
        return QuestionState.RESOLVED
    if event is Event.REOPEN:
        if not done:
            raise InvalidInput(f"the question is already {state.value}; nothing to reopen")
        return by_answers(answer_count)
    raise InvalidInput(f"unknown event {event!r}")


@frozen
class AnswerDraft(LazyData):
    """An answer as found, before it is stored (no id yet)."""

    answer_key: str
    found_via: str
    author_name: str | None = None
    author_handle: str | None = None  # user@host, no leading @
    author_url: str | None = None
    text: str | None = None
    url: str | None = None
    answered_at: str | None = None
    person_id: int | None = None
    post_id: int | None = None
    kind: str = "answer"  # or "boost": it only shares the question's link


def with_kind(draft: AnswerDraft, question_url: str | None) -> AnswerDraft:
    """A found reply or comment judged: a share of the question's link is a boost. Backlinks
    are judged when found (their text here is the post's title); answers by hand are answers."""
    if draft.found_via in ("backlink", "manual"):
        return draft
    return dataclasses.replace(
        draft, kind="boost" if is_share(draft.text, question_url) else "answer"
    )


def answer_key(found_via: str, *, url: str | None, fallback: str) -> str:
    """The natural key of an answer within its question. The URL when there is one, so the same
    reply found twice (by hand and by a check, or via two routes) is stored once."""
    if url:
        return url.strip()
    return f"{found_via}:{fallback}"


def normalize_handle(handle: str | None, *, instance: str | None = None) -> str | None:
    """``@Sam@Example.social`` -> ``Sam@example.social``; a bare ``sam`` gets ``@instance``."""
    if not handle:
        return None
    handle = handle.strip().lstrip("@")
    if "@" not in handle:
        return f"{handle}@{instance.lower()}" if instance else handle
    user, _, host = handle.partition("@")
    return f"{user}@{host.lower()}"


def looks_like_handle(text: str) -> bool:
    return bool(_HANDLE.match(text.strip()))


def parse_status_url(url: str) -> tuple[str, str] | None:
    """``https://host/@user/123`` -> ``("host", "123")``; None when it is not a status URL."""
    parts = urlsplit(url.strip())
    if parts.scheme not in ("http", "https") or not parts.netloc:
        return None
    for pattern in _STATUS_PATHS:
        match = pattern.match(parts.path)
        if match:
            return parts.netloc.lower(), match.group(1)
    return None


# --- what counts as an answer -----------------------------------------------------------------


def replies_to_answers(
    descendants: Iterable[Mapping[str, Any]], *, asker: Mapping[str, Any], instance: str
) -> list[AnswerDraft]:
    """Replies in a Mastodon thread (plain dicts from ``fetchers.mastodon``: ``account.acct``
    qualified as user@host, ``content_text``), minus the asker's own follow-ups."""
    asker_id = str(asker.get("id") or "")
    asker_handle = (normalize_handle(asker.get("acct"), instance=instance) or "").lower()
    answers = []
    for status in descendants:
        account = status.get("account") or {}
        handle = normalize_handle(account.get("acct"), instance=instance)
        same_id = asker_id and str(account.get("id") or "") == asker_id
        if same_id or (handle and handle.lower() == asker_handle):
            continue
        url = status.get("url") or status.get("uri")
        answers.append(
            AnswerDraft(
                answer_key=answer_key("mastodon", url=url, fallback=str(status.get("id"))),
                found_via="mastodon",
                author_name=account.get("display_name") or (handle or "").split("@")[0] or None,
                author_handle=handle,
                author_url=account.get("url"),
                text=status.get("content_text") or None,
                url=url,
                answered_at=iso(status.get("created_at")),
            )
        )
    return answers


def comment_to_answer(
    *, guid: str, url: str | None, author: str | None, text: str | None, at: str | None,
    author_url: str | None = None,
) -> AnswerDraft:  # fmt: skip
    return AnswerDraft(
        answer_key=answer_key("comments", url=url, fallback=guid),
        found_via="comments",
        author_name=author,
        author_url=author_url,
        text=text,
        url=url,
        answered_at=at,
    )


def backlink_to_answer(post: Any, question_url: str | None = None) -> AnswerDraft:
    """A post from the network that links to the question (a row of ``backlink_posts``); a
    boost when its own text is only that link and a few words."""
    body = post["content_text"] or post["title"]
    text = post["title"] or " ".join((post["content_text"] or "").split())
    return AnswerDraft(
        answer_key=answer_key("backlink", url=post["url"], fallback=f"post:{post['id']}"),
        found_via="backlink",
        author_name=post["person_name"] or post["author"],
        author_handle=normalize_handle(post["handle"]),
        text=(text[:277] + "...") if len(text) > 280 else (text or None),
        url=post["url"],
        answered_at=post["at"],
        person_id=post["person_id"],
        post_id=post["id"],
        kind="boost" if is_share(body, question_url, links_question=True) else "answer",
    )


def pick_comment_feed(feed_links: Sequence[str], post_url: str) -> str | None:
    """Of the feeds a blog post's page advertises, the one with the post's own comments:
    WordPress ``<post-url>/feed/`` or a Blogger ``/feeds/<id>/comments/`` feed."""
    base = post_url.split("#")[0].rstrip("/")
    for link in feed_links:
        if link.rstrip("/") != base and link.startswith(base + "/"):
            return link
    for link in feed_links:
        if _BLOGGER_COMMENTS.search(link):
            return link
    return None


def comment_feed_guesses(post_url: str) -> list[str]:
    """Where a comment feed usually is when the page says nothing: WordPress ``/feed/``."""
    parts = urlsplit(post_url)
    if parts.query or not parts.path.strip("/"):
        return []
    return [post_url.split("#")[0].rstrip("/") + "/feed/"]


def url_variants(url: str) -> list[str]:
    """The question URL as posts may link it: with and without a trailing slash or fragment."""
    base = url.strip().split("#")[0]
    bare = base.rstrip("/")
    return list(dict.fromkeys([url.strip(), base, bare, bare + "/"]))


# --- checking ---------------------------------------------------------------------------------


def skip_reason(question: Question, *, now: datetime, horizon_days: int) -> str | None:
    """Why a question is not checked for answers any more (None: check it)."""
    if question.deleted:
        return "the question was deleted"
    if question.state is QuestionState.CLOSED:
        return "the question is closed"
    if question.kind == "offline" or not question.url:
        return "asked offline: add answers with plnctl question answer"
    asked = from_iso(question.asked_at)
    if asked is not None and now - asked > timedelta(days=horizon_days):
        return f"asked more than {horizon_days} days ago (questions.horizon_days)"
    return None


@frozen
class CheckResult(LazyData):
    """One question's outcome in a check: exactly one per question checked, errors included.

    status: ``new`` (answers or shares found), ``unchanged``, ``failed``, ``deleted``, ``skipped``.
    """

    question_id: int
    text: str
    status: str
    state: QuestionState
    new_answers: int = 0
    error: str | None = None
    reason: str | None = None  # why it was skipped
    new_shares: int = 0  # boosts found: posts that only share the question's link

    def to_dict(self) -> dict[str, Any]:
        return dataclasses.asdict(self)

    @property
    def ok(self) -> bool:
        return self.status != "failed"


# --- views and stats --------------------------------------------------------------------------


def time_to_first_answer(question: Question) -> timedelta | None:
    asked, first = from_iso(question.asked_at), from_iso(question.first_answer_at)
    if asked is None or first is None:
        return None
    return max(first - asked, timedelta(0))


@frozen
class QuestionStats(LazyData):
    questions: int
    by_state: dict[str, int]
    answered: int  # questions with at least one answer
    answer_rate: float  # answered / questions (0 when there are none)
    answers: int
    network_answers: int
    median_time_to_first_answer: float | None  # seconds
    top_answerers: tuple[Answerer, ...] = ()
    unanswered_older: tuple[Question, ...] = ()  # candidates to ask again
    older_than_days: int = 7
    suggestions: tuple[Answerer, ...] = ()  # answered, not in the network

    def to_dict(self) -> dict[str, Any]:
        data = {f.name: getattr(self, f.name) for f in dataclasses.fields(self)}
        data["top_answerers"] = [a.to_dict() for a in self.top_answerers]
        data["suggestions"] = [a.to_dict() for a in self.suggestions]
        data["unanswered_older"] = [_brief(q) for q in self.unanswered_older]
        return data


def _brief(question: Question) -> dict[str, Any]:
    return {
        "id": question.id,
        "text": question.text,
        "asked_at": question.asked_at,
        "url": question.url,
        "state": question.state.value,
    }


def compute_stats(
    questions: Sequence[Question], *, now: datetime, older_than_days: int = 7, top: int = 10
) -> QuestionStats:
    """Stats over questions loaded *with* their answers. Deleted questions count like others."""
    by_state = {state.value: 0 for state in QuestionState}
    for question in questions:
        by_state[question.state.value] += 1
    answered = [q for q in questions if q.answer_count > 0]
    waits = [t.total_seconds() for q in answered if (t := time_to_first_answer(q)) is not None]
    all_answers = [a for q in questions for a in q.answers]
    answerers = tally_answerers(all_answers)
    cutoff = now - timedelta(days=older_than_days)
    stale = tuple(
        q
        for q in questions
        if q.answer_count == 0
        and q.state is QuestionState.OPEN
        and (asked := from_iso(q.asked_at)) is not None
        and asked < cutoff
    )
    return QuestionStats(
        questions=len(questions),
        by_state=by_state,
        answered=len(answered),
        answer_rate=round(len(answered) / len(questions), 3) if questions else 0.0,
        answers=len(all_answers),
        network_answers=sum(1 for a in all_answers if a.person_id is not None),
        median_time_to_first_answer=_median(waits),
        top_answerers=tuple(answerers[:top]),
        unanswered_older=tuple(sorted(stale, key=lambda q: q.asked_at)),
        older_than_days=older_than_days,
        suggestions=tuple(a for a in answerers if not a.in_network),
    )


def with_answers(question: Question, answers: Sequence[Answer]) -> Question:
    """The question with its answers (boosts apart, in ``shared_by``) and the counts derived
    from the answers alone."""
    accepted = question.resolved_answer_id
    marked = tuple(
        dataclasses.replace(a, accepted=a.id == accepted) for a in answers if a.kind != "boost"
    )
    times = [a.answered_at for a in marked if a.answered_at]
    return dataclasses.replace(
        question,
        answers=marked,
        shared_by=tuple(a for a in answers if a.kind == "boost"),
        answer_count=len(marked),
        network_answer_count=sum(1 for a in marked if a.in_network),
        first_answer_at=min(times) if times else None,
    )


def iso(text: Any) -> str | None:
    """Any ISO-8601 timestamp (Mastodon's ``Z``/ms or ``+00:00``/µs) -> plnctl's form."""
    try:
        return to_iso(from_iso(str(text))) if text else None
    except ValueError:
        return None


def _median(values: list[float]) -> float | None:
    if not values:
        return None
    import statistics  # here: its import costs ~5 ms of every command that imports this module

    return statistics.median(values)
