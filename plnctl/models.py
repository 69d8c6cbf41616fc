"""Frozen dataclasses for everything plnctl stores or returns, and the enums they use.

Every model has ``to_dict()``, the shape of ``--json`` output. Secrets never appear in a model.
``@frozen`` is ``@dataclass(frozen=True)`` made on first use (plnctl.frozen): every command
imports this module and uses few of its classes.
"""

from __future__ import annotations

import dataclasses
from collections.abc import Iterable
from dataclasses import field
from enum import StrEnum
from typing import Any

from plnctl.errors import one_line
from plnctl.frozen import LazyData, frozen

ERROR_LIMIT = 1000  # characters of a stored error or warning


class _Model(LazyData):
    def to_dict(self) -> dict[str, Any]:
        return dataclasses.asdict(self)  # type: ignore[call-overload, no-any-return]


class SourceKind(StrEnum):
    FEED = "feed"
    MASTODON = "mastodon"
    BLUESKY = "bluesky"
    TAG = "tag"  # a followed hashtag: belongs to no person, posts come from many authors


class SourceState(StrEnum):
    ACTIVE = "active"
    GONE = "gone"  # 410 Gone, or a deleted account: never fetched again unless re-enabled
    MOVED = "moved"  # a Mastodon account that moved; see Source.moved_to


class QuestionState(StrEnum):
    OPEN = "open"
    ANSWERED = "answered"
    RESOLVED = "resolved"
    CLOSED = "closed"


class TagOrigin(StrEnum):
    RULE = "rule"
    MANUAL = "manual"
    BLOCKED = "blocked"  # the user removed a rule-made tag by hand; rebuilds respect it


class RuleKind(StrEnum):
    KEYWORD = "keyword"
    HASHTAG = "hashtag"
    CATEGORY = "category"
    EXCLUDE = "exclude"
    PERSON = "person"


@frozen
class Person(_Model):
    id: int
    name: str
    note: str | None = None
    topics: tuple[str, ...] = ()
    index_override: bool = False  # index their posts even if an account opted out
    created_at: str | None = None
    updated_at: str | None = None


@frozen
class Source(_Model):
    id: int
    person_id: int | None  # None: a followed hashtag, which belongs to no person
    kind: SourceKind
    url: str
    handle: str | None = None  # @user@host for Mastodon
    title: str | None = None
    site_url: str | None = None
    state: SourceState = SourceState.ACTIVE
    etag: str | None = None
    last_modified: str | None = None
    last_fetched_at: str | None = None
    last_ok_at: str | None = None
    last_status: int | None = None
    last_error: str | None = None
    error_count: int = 0
    next_due_at: str | None = None
    # Mastodon
    remote_id: str | None = None
    display_name: str | None = None
    avatar_url: str | None = None
    profile_fields: tuple[dict[str, Any], ...] = ()
    bot: bool = False
    noindex: bool = False
    moved_to: str | None = None
    via_rss: bool = False  # the instance refused the API; we read its public RSS
    cursor: str | None = None  # newest status id seen (since_id); Bluesky: newest item time
    created_at: str | None = None
    # Bluesky: the author's !no-unauthenticated self-label; none of their posts are kept
    withheld: bool = False
    # Fetch each new post's article page for its full text: None follows [sync] full_text
    full_text: bool | None = None

    @property
    def label(self) -> str:
        return self.handle or self.url


@frozen
class PostTag(_Model):
    topic: str
    origin: TagOrigin
    reason: str


# --- sense and share (issue 16): private notes, shares, the professional-learning log --------


@frozen
class Note(_Model):
    """A dated private reflection on a post or a question. ``number`` is its place among that
    post's (or question's) notes, oldest first: what ``--edit N`` / ``--remove N`` take."""

    id: int
    number: int
    text: str
    created_at: str
    updated_at: str
    post_id: int | None = None
    question_id: int | None = None


@frozen
class Share(_Model):
    """A post shared back to a network (or a thank-you reply to a question's answerers)."""

    id: int
    network: str  # mastodon
    text: str
    shared_at: str
    url: str | None = None
    remote_id: str | None = None
    post_id: int | None = None
    question_id: int | None = None


def _without_empty(data: dict[str, Any], *keys: str) -> dict[str, Any]:
    """Leave out issue-16 fields that are empty, so JSON without notes or shares is unchanged."""
    for key in keys:
        if not data.get(key):
            data.pop(key, None)
    return data


PD_TYPES = (
    "reading", "network", "course", "conference", "webinar", "collaboration", "observation",
    "research", "other",
)  # fmt: skip


@frozen
class PdEntry(_Model):
    """One professional-learning log entry. ``date`` is a day (YYYY-MM-DD); time in minutes."""

    id: int
    title: str
    date: str
    minutes: int
    type: str
    standards: tuple[str, ...] = ()
    provider: str | None = None
    priority: str | None = None
    reflection: str | None = None
    impact: str | None = None
    evidence: tuple[str, ...] = ()
    post_id: int | None = None
    question_id: int | None = None
    suggestion_key: str | None = None
    created_at: str | None = None
    updated_at: str | None = None

    @property
    def hours(self) -> float:
        return self.minutes / 60

    def to_dict(self) -> dict[str, Any]:
        data = super().to_dict()
        data["hours"] = round(self.hours, 2)
        return data


@frozen
class Media(_Model):
    """An enclosure or attachment of a post: a podcast episode's audio, a video, an image.

    ``length`` is the size in bytes the feed announced; ``duration`` is in seconds."""

    url: str
    type: str | None = None  # MIME type, e.g. audio/mpeg
    medium: str | None = None  # audio | video | image | other
    length: int | None = None
    duration: int | None = None
    title: str | None = None  # an attachment's description, a media:title
    image: str | None = None  # a thumbnail or episode artwork


@frozen
class Also(_Model):
    """Another post of the same idea (issue 12): the toot or Bluesky post that links an
    article, or, seen from such a post, the article itself. ``key`` is the canonical link
    (plnctl.urlkey) they share."""

    post_id: int
    network: str  # Mastodon | Bluesky | blog
    url: str | None = None
    boosts: int | None = None
    replies: int | None = None
    handle: str | None = None  # @user@host of the account, or the source's label
    lead: bool = False  # the article the group is shown as
    key: str | None = None


@frozen
class Post(_Model):
    id: int
    source_id: int | None
    person_id: int | None
    guid: str
    url: str | None
    title: str | None
    author: str | None
    published_at: str | None
    updated_at: str | None
    content_html: str | None
    content_text: str | None
    fetched_at: str
    kind: str = "article"  # article | status
    language: str | None = None
    categories: tuple[str, ...] = ()
    hashtags: tuple[str, ...] = ()
    in_reply_to: str | None = None
    boost_of_url: str | None = None
    boost_of_handle: str | None = None
    read_at: str | None = None
    saved_at: str | None = None
    save_note: str | None = None
    person_name: str | None = None
    source_label: str | None = None
    tags: tuple[PostTag, ...] = ()
    media: tuple[Media, ...] = ()
    content_warning: str | None = None  # shown as a warning; the text stays folded
    in_reply_to_handle: str | None = None  # @user@host of the account replied to
    boost_of_person: str | None = None  # the boosted author's name, when in the network
    in_reply_to_title: str | None = None  # the post replied to, when it is stored too
    notes: tuple[Note, ...] = ()  # private reflections (filled by PostsService.get)
    shares: tuple[Share, ...] = ()  # where the user shared it back
    # The article page's main text, for full-text sources (filled by PostsService.get)
    full_text: str | None = None
    # One item per idea (issue 12): the lead post's id when grouped (the lead's own id for
    # the lead), the status counts, and the group's other posts (filled by the store).
    group_id: int | None = None
    boosts: int | None = None
    replies: int | None = None
    also: tuple[Also, ...] = ()

    def to_dict(self) -> dict[str, Any]:
        data = _without_empty(super().to_dict(), "notes", "shares", "full_text")
        return _without_empty(data, "group_id", "boosts", "replies")


@frozen
class NewPost(_Model):
    """What a fetcher hands to the store: plain data, no ids."""

    guid: str
    url: str | None = None
    title: str | None = None
    author: str | None = None
    published_at: str | None = None
    updated_at: str | None = None
    content_html: str | None = None  # already sanitized
    content_text: str | None = None
    kind: str = "article"
    language: str | None = None
    categories: tuple[str, ...] = ()
    hashtags: tuple[str, ...] = ()  # lower case, without '#'
    links: tuple[str, ...] = ()  # outbound links in the content
    mentions: tuple[str, ...] = ()  # user@host handles
    in_reply_to: str | None = None
    boost_of_url: str | None = None
    boost_of_handle: str | None = None
    edited_at: str | None = None
    media: tuple[Media, ...] = ()  # enclosures and attachments
    content_warning: str | None = None
    in_reply_to_handle: str | None = None
    author_url: str | None = None  # the entry author's page (per-entry author of a group blog)
    link_key: str | None = None  # identity of ``url`` (plnctl.urlkey), set by plnctl.ingest
    # What a status points to: its link card, else its one link (not a mention, tag or media)
    points_to: str | None = None
    points_to_key: str | None = None  # url_key of points_to, set by plnctl.ingest
    boosts: int | None = None  # reblogs_count / repostCount
    replies: int | None = None  # replies_count / replyCount


@frozen
class TopicRule(_Model):
    id: int
    kind: RuleKind
    value: str


@frozen
class Topic(_Model):
    id: int
    name: str
    description: str | None = None
    exact: bool = False  # keywords matched as written (no stemming)
    rules: tuple[TopicRule, ...] = ()
    post_count: int = 0
    people: tuple[str, ...] = ()


@frozen
class Answer(_Model):
    id: int
    question_id: int
    author_name: str | None
    author_handle: str | None
    author_url: str | None
    person_id: int | None
    text: str | None
    url: str | None
    answered_at: str | None
    found_via: str  # mastodon | bluesky | comments | backlink | manual
    in_network: bool = False
    accepted: bool = False
    # Issue 12: 'answer', or 'boost' for a post that only shares the question's link (listed
    # as "Shared by", never counted); the name of the person in the network it is credited to.
    kind: str = "answer"
    person_name: str | None = None


@frozen
class Question(_Model):
    id: int
    text: str
    kind: str  # mastodon | bluesky | blog | offline
    state: QuestionState
    asked_at: str
    url: str | None = None
    remote_id: str | None = None
    topics: tuple[str, ...] = ()
    resolved_answer_id: int | None = None
    closed_at: str | None = None
    last_checked_at: str | None = None
    check_error: str | None = None
    deleted: bool = False
    answers: tuple[Answer, ...] = ()
    answer_count: int = 0
    network_answer_count: int = 0
    first_answer_at: str | None = None
    instance: str | None = None  # the Mastodon host the status lives on
    comment_feed_url: str | None = None  # a blog post's comment feed, when one was found
    resolved_at: str | None = None
    notes: tuple[Note, ...] = ()  # private reflections (filled by QuestionsService.get)
    shared_by: tuple[Answer, ...] = ()  # boosts: posts that only share its link (issue 12)

    def to_dict(self) -> dict[str, Any]:
        return _without_empty(super().to_dict(), "notes")


@frozen
class SourceResult(_Model):
    """One source's outcome in a sync: exactly one per source attempted, errors included."""

    source_id: int
    label: str
    person: str | None
    status: str  # new | unchanged | failed | skipped | gone
    new_posts: int = 0
    updated_posts: int = 0
    http_status: int | None = None
    error: str | None = None
    warning: str | None = None  # e.g. broken XML that was partly recovered
    next_due_at: str | None = None
    # A change the user must hear about once, even from a quiet cron sync: the source went
    # gone, moved, or has now failed FAILING_NOTICE times in a row.
    notice: str | None = None


@frozen
class FullTextReport(_Model):
    """What fetching article pages for full text did in one sync."""

    fetched: int = 0  # pages whose text was stored (or confirmed unchanged)
    skipped: dict[str, int] = field(default_factory=dict)  # reason -> pages without text
    failed: int = 0  # pages to try again next sync (network errors, 5xx, 429)
    errors: tuple[str, ...] = ()  # the first few failures, one line each

    @property
    def pages(self) -> int:
        return self.fetched + sum(self.skipped.values()) + self.failed


@frozen
class SyncSummary(_Model):
    started_at: str
    finished_at: str
    sources: int
    new_posts: int
    updated_posts: int
    unchanged: int
    failed: int
    results: tuple[SourceResult, ...] = field(default=())

    @classmethod
    def from_results(
        cls, results: Iterable[SourceResult], *, started_at: str, finished_at: str
    ) -> SyncSummary:
        done = tuple(results)
        return cls(
            started_at=started_at,
            finished_at=finished_at,
            sources=len(done),
            new_posts=sum(r.new_posts for r in done),
            updated_posts=sum(r.updated_posts for r in done),
            unchanged=sum(1 for r in done if r.status == "unchanged"),
            failed=sum(1 for r in done if r.status == "failed"),
            results=done,
        )


@frozen
class FetchOutcome(_Model):
    """What a fetcher returns for one source. The sync engine's pure decider turns it into the
    source's new state (due time, error streak) and the store writes it.

    status: ``ok`` (posts may be empty), ``not_modified`` (304), ``failed``, ``gone`` (410 or a
    deleted account).
    """

    status: str
    http_status: int | None = None
    posts: tuple[NewPost, ...] = ()
    deleted_guids: tuple[str, ...] = ()  # marked deleted in the store, never resurrected
    etag: str | None = None
    last_modified: str | None = None
    permanent_url: str | None = None  # a 301/308 chain ended here: store it as the new URL
    retry_after: float | None = None  # seconds, from Retry-After or a rate-limit reset
    max_age: int | None = None  # seconds, from Cache-Control
    error: str | None = None  # one line, for failed
    warning: str | None = None  # one line, e.g. "broken XML, 3 entries recovered"
    source_updates: dict[str, Any] = field(default_factory=dict)  # title, site_url, cursor, ...
    # The source listed *every* item it has published between these two times (inclusive),
    # with these guids: a stored item of that span that is not listed was deleted upstream.
    listed_span: tuple[str, str] | None = None
    listed_guids: tuple[str, ...] = ()
    # Topic tags already computed (in a parser process) for these posts: guid -> ((topic id,
    # reason), ...). None: not computed; the engine's tagging hook tags the stored posts.
    topics: dict[str, tuple[tuple[int, str], ...]] | None = None
    # Delete every stored post of the source (its author withdrew consent to be shown).
    purge_posts: bool = False

    def __post_init__(self) -> None:
        # The boundary where a fetch's error is stored and shown: never a traceback.
        for name in ("error", "warning"):
            value = getattr(self, name)
            if value is not None:
                object.__setattr__(self, name, one_line(value, limit=ERROR_LIMIT))
