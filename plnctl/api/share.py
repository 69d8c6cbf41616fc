"""Share: digests (with per-name watermarks) and the reading list, rendered and delivered.

Watermarks: ``--since last`` covers posts *stored* (``fetched_at``) after the name's watermark
and up to the moment the digest was built, read while no sync is writing. The
watermark moves to that moment only after the digest was written (stdout or file) and, if
asked, emailed: a failed run leaves it, so the next run covers the same posts again; a repeated
run finds nothing new. Runs with a duration or a date (``--since 24h``) never move a watermark.
"""

from __future__ import annotations

import time
from collections.abc import Iterator, Sequence
from contextlib import contextmanager
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from pathlib import Path
from typing import TYPE_CHECKING, TextIO

from plnctl import deliver
from plnctl.errors import InvalidInput, NotFound
from plnctl.models import Post, Question, _Model
from plnctl.render import digest as render
from plnctl.render.model import (
    DIGEST_FORMATS,
    EXPORT_FORMATS,
    Digest,
    QuietPerson,
    ShareItem,
    Suggestion,
)
from plnctl.render.sanitize import excerpt, safe_url
from plnctl.store import people as people_db
from plnctl.store import share as db
from plnctl.timeutil import from_iso, parse_since, to_iso
from plnctl.timeutil import now as clock

if TYPE_CHECKING:
    from plnctl.api import Pln

DEFAULT_NAME = "default"
FIRST_RUN = timedelta(days=7)  # what a first `--since last` covers
QUIET_LIMIT = 10  # people gone quiet listed in one digest
SUGGESTION_LIMIT = 3  # from the insights service, after this window's outside answerers


@dataclass(frozen=True)
class DigestRun(_Model):
    """What one ``digest()`` call did."""

    name: str
    since: str
    until: str
    post_count: int
    empty: bool
    output: str | None = None  # the file written, if any
    emailed_to: tuple[str, ...] = ()  # empty when nothing was sent
    skipped_email: bool = False  # an empty digest and no send_empty
    watermark: str | None = None  # the new watermark, when this run moved it
    text: str = field(default="", repr=False)  # the rendered digest

    def to_dict(self) -> dict[str, object]:
        data = super().to_dict()
        data.pop("text")
        return data


class ShareService:
    def __init__(self, pln: Pln):
        self.pln = pln
        self.store = pln.store

    # --- digests ------------------------------------------------------------------------

    def build_digest(
        self,
        *,
        since: str = "24h",
        name: str = DEFAULT_NAME,
        topics: Sequence[str] = (),
        now: datetime | None = None,
    ) -> Digest:
        """The digest data (nothing rendered, nothing moved). ``since``: a duration (24h, 7d),
        a date, or ``last`` (the name's watermark; the last 7 days the first time)."""
        until = now or clock()
        after = self._window_start(since, name, until)
        until_iso, after_iso = to_iso(until) or "", to_iso(after) or ""
        ids = self._topic_ids(topics)
        posts = db.window_posts(self.store, after=after_iso, until=until_iso, topic_ids=ids)
        weeks = self.pln.settings.quiet_weeks
        quiet = db.quiet_people(self.store, before=to_iso(until - timedelta(weeks=weeks)) or "")
        answered, unanswered = self._questions(after_iso, until_iso)
        return Digest(
            name=name,
            since=after_iso,
            until=until_iso,
            topics_filter=tuple(topics),
            groups=render.group_items(self._items(posts), prefer=topics),
            answered=tuple(answered),
            unanswered=tuple(unanswered),
            quiet=tuple(
                QuietPerson(person_id=i, name=n, last_post_at=at)
                for i, n, at in quiet[:QUIET_LIMIT]
            ),
            suggestions=tuple(self._suggestions(after_iso, until_iso)),
            quiet_weeks=weeks,
            week=tuple(self.pln.insights.posts_by_day(days=7, now=until).items()),
        )

    def digest(
        self,
        *,
        since: str = "24h",
        name: str = DEFAULT_NAME,
        topics: Sequence[str] = (),
        fmt: str = "text",
        output: Path | None = None,
        email: Sequence[str] = (),
        send_empty: bool = False,
        stream: TextIO | None = None,
        now: datetime | None = None,
    ) -> DigestRun:
        """Build, render and deliver a digest: to ``output`` (atomically), by ``email``
        (multipart text + HTML), else to ``stream``. Raises DeliveryError on failure, leaving
        the watermark where it was; with ``since="last"`` moves it only after success."""
        if fmt not in DIGEST_FORMATS:
            raise InvalidInput(f"unknown format {fmt!r}: use one of {', '.join(DIGEST_FORMATS)}")
        if email:  # fail on bad settings (or an unreadable password file) before any work
            deliver.check_smtp(self.pln.settings.smtp)
            if self.pln.settings.smtp.user:
                deliver.smtp_password(self.pln.settings.smtp)
        with self._settled(since, clock_given=now is not None):
            now = now or clock()
            built = self.build_digest(since=since, name=name, topics=topics, now=now)
        text = render.render_digest(built, fmt, now=now)
        if output is not None:
            deliver.write_atomic(output, text)
        elif stream is not None and not email:
            deliver.write_stream(stream, text)
        sent: tuple[str, ...] = ()
        skipped = bool(email) and built.empty and not send_empty
        if email and not skipped:
            deliver.send_mail(self.pln.settings.smtp, self._mail(built, email, now=now))
            sent = tuple(email)
        watermark = None
        if since.strip().lower() == "last":
            with self.store.transaction():
                db.set_watermark(self.store, name, built.until)
            watermark = built.until
        return DigestRun(
            name=name, since=built.since, until=built.until, post_count=built.post_count,
            empty=built.empty, output=str(output) if output else None, emailed_to=sent,
            skipped_email=skipped, watermark=watermark, text=text,
        )  # fmt: skip

    @contextmanager
    def _settled(self, since: str, *, clock_given: bool) -> Iterator[None]:
        """For ``--since last``: build the digest while no sync is writing (waiting for a
        running one up to ``sync.lock_wait`` seconds, else Busy), and hold the sync lock until
        the clock has left the digest's last second. Every post a sync stored before is then
        at or before the digest's end, and every post stored after it is later: timestamps
        have one-second resolution, and this is what keeps a post stored in the same second
        from being skipped or sent twice."""
        if since.strip().lower() != "last":
            yield
            return
        from plnctl.sync_lock import lock_path, sync_lock

        with sync_lock(lock_path(self.store), wait=self.pln.settings.sync.lock_wait):
            started = int(time.time())
            yield
            while not clock_given and int(time.time()) <= started:
                time.sleep(0.05)

    def watermarks(self) -> list[tuple[str, str, str]]:
        """(name, until_at, updated_at) of every named digest."""
        return db.list_watermarks(self.store)

    def _mail(self, built: Digest, to: Sequence[str], *, now: datetime) -> deliver.Mail:
        from plnctl.render.html import digest_html

        return deliver.Mail(
            to=tuple(to),
            subject=render.subject(built, now=now),
            text=render.render_digest(built, "text", now=now),
            html=digest_html(built, now=now),
        )

    def _window_start(self, since: str, name: str, until: datetime) -> datetime:
        if not name.strip():
            raise InvalidInput("a digest name cannot be empty")
        if since.strip().lower() != "last":
            return parse_since(since, reference=until)
        mark = from_iso(db.get_watermark(self.store, name))
        return mark if mark is not None else until - FIRST_RUN

    def _topic_ids(self, topics: Sequence[str]) -> list[int]:
        found = db.topic_ids(self.store, topics)
        missing = [t for t in topics if t not in found]
        if missing:
            raise NotFound(f"no topic named {missing[0]!r} (see: plnctl topic list)")
        return sorted(set(found.values()))

    def _items(self, posts: Sequence[Post], *, notes: bool = False) -> list[ShareItem]:
        kinds = db.source_kinds(self.store, [p.source_id for p in posts if p.source_id])
        hints = people_db.topics_of_people(self.store, {p.person_id for p in posts if p.person_id})
        return [
            to_item(p, kinds, notes=notes, person_topics=hints.get(p.person_id or 0, ()))
            for p in posts
        ]

    def _questions(self, after: str, until: str) -> tuple[list[Question], list[Question]]:
        """Questions with answers stored in the window (only those answers), and open
        questions nobody has answered yet, oldest first (from the questions service)."""
        answered = db.questions_with_new_answers(self.store, after=after, until=until)
        if not _has_service("questions"):
            return answered, db.unanswered_questions(self.store)
        open_ = self.pln.questions.list(states=["open"])
        unanswered = [q for q in open_ if q.answer_count == 0 and not q.deleted]
        return answered, sorted(unanswered, key=lambda q: (q.asked_at, q.id))

    def _suggestions(self, after: str, until: str) -> list[Suggestion]:
        """People outside the network who answered a question in the window, then the best of
        the insights service's suggestions (boosts, mentions, links), without duplicates."""
        found = [
            Suggestion(
                name=name, handle=handle, reason=f'answered your question "{excerpt(text, 60)}"'
            )
            for name, handle, text in db.outside_answerers(self.store, after=after, until=until)
        ]
        if _has_service("insights"):
            seen = {(s.handle or s.name).lower().lstrip("@") for s in found}
            for other in self.pln.insights.suggest(limit=SUGGESTION_LIMIT):
                if other.target.lower().lstrip("@") in seen:
                    continue
                reason = "; ".join(other.evidence[:2]) or "active around your network"
                found.append(
                    Suggestion(name=other.name, handle=other.target, reason=reason,
                               command=other.command)
                )  # fmt: skip
        return found[: SUGGESTION_LIMIT + 3]

    # --- reading list -------------------------------------------------------------------

    def reading_list(
        self,
        *,
        topic: str | None = None,
        since: str | None = None,
        saved: bool = True,
        include_notes: bool = True,
    ) -> list[ShareItem]:
        """Saved posts, most recently saved first (``saved=False``: every post, newest
        first). ``since`` is a duration or a date."""
        topic_id = self._topic_ids([topic])[0] if topic else None
        posts = db.reading_list(
            self.store,
            saved=saved,
            topic_id=topic_id,
            since=to_iso(parse_since(since)) if since else None,
        )
        return self._items(posts, notes=include_notes)

    def export_reading_list(
        self,
        fmt: str,
        *,
        topic: str | None = None,
        since: str | None = None,
        saved: bool = True,
        include_notes: bool = False,
        output: Path | None = None,
        now: datetime | None = None,
    ) -> str:
        """The reading list in one of EXPORT_FORMATS; written atomically to ``output`` if
        given. Private notes are left out unless ``include_notes``."""
        from plnctl.render.exports import render_reading_list

        if fmt not in EXPORT_FORMATS:
            raise InvalidInput(f"unknown format {fmt!r}: use one of {', '.join(EXPORT_FORMATS)}")
        items = self.reading_list(
            topic=topic, since=since, saved=saved, include_notes=include_notes
        )
        title = "Reading list" + (f": {topic}" if topic else "")
        text = render_reading_list(
            items, fmt, now=now or clock(), include_notes=include_notes, title=title
        )
        if output is not None:
            deliver.write_atomic(output, text)
        return text


def to_item(
    post: Post,
    kinds: dict[int, str],
    *,
    notes: bool = False,
    person_topics: tuple[str, ...] = (),
) -> ShareItem:
    """A post as the share renderers want it."""
    text = post.content_text or ""
    kind = kinds.get(post.source_id or 0) or ("mastodon" if post.kind == "status" else "feed")
    return ShareItem(
        id=post.id,
        title=post.title or excerpt(text, 90) or post.url or "(untitled)",
        url=safe_url(post.url),
        excerpt=excerpt(text, 400),
        person=post.person_name or post.author or post.source_label or "someone",
        source_kind=kind,
        published_at=post.published_at,
        fetched_at=post.fetched_at,
        topics=tuple(t.topic for t in post.tags),
        content_html=post.content_html,
        boost_of=post.boost_of_handle,
        saved_at=post.saved_at,
        read=post.read_at is not None,
        note=post.save_note if notes else None,
        person_topics=person_topics,
    )


def _has_service(name: str) -> bool:
    """Whether plnctl.api.<name> is installed: share works without questions or insights."""
    from importlib.util import find_spec

    return find_spec(f"plnctl.api.{name}") is not None
