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
from dataclasses import field, replace
from datetime import datetime, timedelta
from pathlib import Path
from typing import TYPE_CHECKING, Any, TextIO

from plnctl import deliver
from plnctl.errors import DeliveryError, InvalidInput, NotFound
from plnctl.frozen import frozen
from plnctl.identity import Me, is_me, is_me_target
from plnctl.models import Post, Question, _Model
from plnctl.render import digest as render
from plnctl.render.mailheaders import check_address, check_header
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
from plnctl.store import posts as posts_db
from plnctl.store import share as db
from plnctl.timeutil import from_iso, parse_since, to_iso
from plnctl.timeutil import now as clock

if TYPE_CHECKING:
    from plnctl.api import Pln

DEFAULT_NAME = "default"
EXCEL_BOM = "\ufeff"  # Excel takes a CSV file without it for the Windows code page
FIRST_RUN = timedelta(days=7)  # what a first `--since last` covers
QUIET_LIMIT = 10  # people gone quiet listed in one digest
SUGGESTION_LIMIT = 3  # from the insights service, after this window's outside answerers
SUGGESTION_WINDOW = timedelta(days=7)  # their signals: the digest's window, at least a week


@frozen
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
    marked_read: int = 0  # posts this run marked read (--mark-read)
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
        tags: Sequence[str] = (),
        now: datetime | None = None,
        include_notes: bool = False,
        start: datetime | None = None,
        per_person: int = render.PER_PERSON,
    ) -> Digest:
        """The digest data (nothing rendered, nothing moved). ``since``: a duration (24h, 7d),
        a date, or ``last`` (the name's watermark; the last 7 days the first time): the posts
        that *arrived* in that window, whenever they were published; ``start`` overrides it
        (one recipient's own mark). The user's own posts (``[me]``) are not news and are left
        out. Private notes (save notes, post and question notes) only with ``include_notes``."""
        if per_person < 1:
            raise InvalidInput("--per-person must be at least 1")
        until = now or clock()
        after = start or self._window_start(since, name, until)
        until_iso, after_iso = to_iso(until) or "", to_iso(after) or ""
        ids = self._topic_ids(topics)
        sources = [t.source_id for tag in tags for t in self.pln.tags.resolve(tag)]
        posts = db.window_posts(
            self.store, after=after_iso, until=until_iso, topic_ids=ids, source_ids=sources
        )
        weeks = self.pln.settings.quiet_weeks
        quiet = db.quiet_people(self.store, before=to_iso(until - timedelta(weeks=weeks)) or "")
        answered, unanswered = self._questions(after_iso, until_iso)
        if include_notes:
            answered, unanswered = self._with_notes(answered), self._with_notes(unanswered)
        return Digest(
            name=name,
            since=after_iso,
            until=until_iso,
            topics_filter=tuple(topics),
            groups=render.group_items(
                self._items(posts, notes=include_notes, skip_mine=True), prefer=topics
            ),
            answered=tuple(answered),
            unanswered=tuple(unanswered),
            quiet=tuple(
                QuietPerson(person_id=i, name=n, last_post_at=at)
                for i, n, at in quiet[:QUIET_LIMIT]
            ),
            suggestions=tuple(self._suggestions(after_iso, until_iso)),
            quiet_weeks=weeks,
            week=tuple(self.pln.insights.posts_by_day(days=7, now=until, arrived=True).items()),
            per_person=per_person,
        )

    def digest(
        self,
        *,
        since: str = "24h",
        name: str = DEFAULT_NAME,
        topics: Sequence[str] = (),
        tags: Sequence[str] = (),
        fmt: str = "text",
        output: Path | None = None,
        email: Sequence[str] = (),
        send_empty: bool = False,
        stream: TextIO | None = None,
        now: datetime | None = None,
        include_notes: bool = False,
        feed_url: str | None = None,
        per_person: int = render.PER_PERSON,
        mark_read: bool = False,
    ) -> DigestRun:
        """Build, render and deliver a digest: to ``output`` (atomically), by ``email``
        (multipart text + HTML), else to ``stream``. ``feed_url``: where an Atom digest is
        published (its ``rel="self"``; default: the output file's ``file:`` URL). Raises
        DeliveryError on failure, leaving the watermark (and, with ``mark_read``, the posts
        unread); with ``since="last"`` moves it only after success, and each recipient has its
        own mark: one the server refused is reported (DeliveryError, after the others were
        served) and gets the missed posts next run. Every post in the window is in the digest
        (past ``per_person``, by title and link), so none is skipped."""
        if fmt not in DIGEST_FORMATS:
            raise InvalidInput(f"unknown format {fmt!r}: use one of {', '.join(DIGEST_FORMATS)}")
        check_header("a digest --name", name)  # before any work: it goes into the subject
        if output is not None:
            output = deliver.check_target(output)
        recipients = tuple(dict.fromkeys(check_address(address) for address in email))
        if email:  # fail on bad settings (or an unreadable password file) before any work
            deliver.check_smtp(self.pln.settings.smtp)
            if self.pln.settings.smtp.user:
                deliver.smtp_password(self.pln.settings.smtp)
        last = since.strip().lower() == "last"
        with self._settled(since, clock_given=now is not None):
            now = now or clock()
            built = self.build_digest(
                since=since, name=name, topics=topics, tags=tags, now=now,
                include_notes=include_notes, per_person=per_person,
            )  # fmt: skip
            options = {"tags": tags, "include_notes": include_notes, "per_person": per_person}
            windows = (
                self._windows(built, recipients, topics, **options)
                if last
                else [(built, recipients)]
            )
        text = render.render_digest(built, fmt, now=now, self_url=self_link(feed_url, output))
        if output is not None:
            deliver.write_atomic(output, text)
        elif stream is not None and not email:
            deliver.write_stream(stream, text)
        sent, refused, skipped = self._send(windows, last=last, send_empty=send_empty, now=now)
        watermark = None
        if last and (not recipients or len(refused) < len(recipients)):
            with self.store.transaction():
                db.set_watermark(self.store, name, watermark := built.until)
        marked = 0
        if mark_read and not skipped and (not recipients or len(refused) < len(recipients)):
            marked = self._mark_read(built)
        if refused:
            smtp = self.pln.settings.smtp
            raise _refused_error(refused, sent, retried=last, where=f"{smtp.host}:{smtp.port}")
        return DigestRun(
            name=name, since=built.since, until=built.until, post_count=built.post_count,
            empty=built.empty, output=str(output) if output else None, emailed_to=sent,
            skipped_email=skipped, watermark=watermark, marked_read=marked, text=text,
        )  # fmt: skip

    def _windows(
        self, built: Digest, recipients: Sequence[str], topics: Sequence[str], **options: Any
    ) -> list[tuple[Digest, tuple[str, ...]]]:
        """One digest per distinct recipient mark: a recipient without a mark of its own gets
        the name's window (``built``), one that was refused before gets everything since."""
        marks = db.recipient_marks(self.store, built.name, recipients)
        groups: dict[str, list[str]] = {}
        for address in recipients:
            groups.setdefault(marks.get(address, built.since), []).append(address)
        until = from_iso(built.until)
        return [
            (
                built if since == built.since else self.build_digest(
                    name=built.name, topics=topics, now=until, start=from_iso(since), **options
                ),
                tuple(group),
            )
            for since, group in groups.items()
        ]  # fmt: skip

    def _send(
        self,
        windows: Sequence[tuple[Digest, tuple[str, ...]]],
        *,
        last: bool,
        send_empty: bool,
        now: datetime,
    ) -> tuple[tuple[str, ...], dict[str, str], bool]:
        """Mail each window to its recipients: (sent to, refused -> reply, skipped as empty).
        With ``last``, each recipient's mark is stored as soon as its message was accepted."""
        sent: list[str] = []
        refused: dict[str, str] = {}
        skipped = False
        settings = self.pln.settings
        for built, group in windows:
            if not group:
                continue
            if built.empty and not send_empty:
                skipped, failed = True, {}
            else:
                mail = self._mail(built, group, now=now)
                failed = deliver.send_mail(settings.smtp, mail, config_file=settings.config_file)
                sent += [a for a in group if a not in failed]
            refused.update(failed)
            if last:
                with self.store.transaction():
                    for address in group:
                        mark = built.since if address in failed else built.until
                        db.set_recipient_mark(
                            self.store, built.name, address, mark, error=failed.get(address)
                        )
        return tuple(sent), refused, skipped and not sent and not refused

    def _mark_read(self, built: Digest) -> int:
        """After a successful delivery: mark the digest's posts read (``--mark-read``); posts
        already read keep their first read time. Returns how many were marked."""
        delivered = [item.id for item in built.items]
        if not delivered:
            return 0
        with self.store.transaction():
            return posts_db.set_read(self.store, delivered, to_iso(clock()), only_unread=True)

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
            html=digest_html(built, now=now, email=True),
            list_name=built.name,
        )

    def _window_start(self, since: str, name: str, until: datetime) -> datetime:
        if not name.strip():
            raise InvalidInput("a digest name cannot be empty")
        check_header("a digest --name", name)
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

    def _items(
        self, posts: Sequence[Post], *, notes: bool = False, skip_mine: bool = False
    ) -> list[ShareItem]:
        sources = db.source_identities(self.store, [p.source_id for p in posts if p.source_id])
        kinds = {source_id: row[0] for source_id, row in sources.items()}
        me = self.pln.me
        if skip_mine and not me.empty:
            posts = [p for p in posts if not is_my_post(me, p, sources.get(p.source_id or 0))]
        if notes:
            found = self.pln.notes.for_posts([p.id for p in posts])
            posts = [replace(p, notes=found.get(p.id, ())) for p in posts]
        # A person's topics are a hint for posts without a topic; a boost's hint is the boosted
        # author's (Olu's topics when Sam boosts Olu), when that author is in the network.
        authors = {p.id: self._author_id(p) for p in posts}
        hints = people_db.topics_of_people(self.store, {a for a in authors.values() if a})
        return [
            to_item(p, kinds, notes=notes, person_topics=hints.get(authors[p.id] or 0, ()))
            for p in posts
        ]

    def _author_id(self, post: Post) -> int | None:
        if not post.boost_of_handle:
            return post.person_id
        source = people_db.find_source_by_handle(self.store, post.boost_of_handle)
        return source.person_id if source is not None else None

    def _questions(self, after: str, until: str) -> tuple[list[Question], list[Question]]:
        """Questions with answers stored in the window (only those answers), and open
        questions nobody has answered yet, oldest first (from the questions service)."""
        answered = db.questions_with_new_answers(self.store, after=after, until=until)
        if not _has_service("questions"):
            return answered, db.unanswered_questions(self.store)
        open_ = self.pln.questions.list(states=["open"])
        unanswered = [q for q in open_ if q.answer_count == 0 and not q.deleted]
        return answered, sorted(unanswered, key=lambda q: (q.asked_at, q.id))

    def _with_notes(self, questions: Sequence[Question]) -> list[Question]:
        found = self.pln.notes.for_questions([q.id for q in questions])
        return [replace(q, notes=found.get(q.id, ())) for q in questions]

    def _suggestions(self, after: str, until: str) -> list[Suggestion]:
        """People outside the network who answered a question in the window, then the best of
        the insights service's suggestions (boosts, mentions, links), without duplicates."""
        me = self.pln.me
        found = [
            Suggestion(
                name=name, handle=handle, reason=f'answered your question "{excerpt(text, 60)}"'
            )
            for name, handle, text in db.outside_answerers(self.store, after=after, until=until)
            if not is_me_target(me, handle or "", name=name)
        ]
        if _has_service("insights"):
            seen = {(s.handle or s.name).lower().lstrip("@") for s in found}
            # Signals of the window, and at least of the week before ``until``: not all of
            # history, which at 1,000,000 posts takes seconds (issue 14).
            week = to_iso((from_iso(until) or clock()) - SUGGESTION_WINDOW) or after
            recent = min(after, week)
            for other in self.pln.insights.suggest(limit=SUGGESTION_LIMIT, since=recent):
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
        feed_url: str | None = None,
        excel: bool = False,
    ) -> str:
        """The reading list in one of EXPORT_FORMATS; written atomically to ``output`` if
        given. Private notes are left out unless ``include_notes``. ``feed_url`` as for
        ``digest``. ``excel``: a UTF-8 byte order mark first, so Excel reads accents (csv
        only: Pocket's importers want plain UTF-8)."""
        from plnctl.render.exports import render_reading_list

        if fmt not in EXPORT_FORMATS:
            raise InvalidInput(f"unknown format {fmt!r}: use one of {', '.join(EXPORT_FORMATS)}")
        if excel and fmt != "csv":
            raise InvalidInput(f"--excel is for -f csv, not {fmt} (its importers want plain UTF-8)")
        if output is not None:
            output = deliver.check_target(output)
        items = self.reading_list(
            topic=topic, since=since, saved=saved, include_notes=include_notes
        )
        title = "Reading list" + (f": {topic}" if topic else "")
        text = render_reading_list(
            items, fmt, now=now or clock(), include_notes=include_notes, title=title,
            self_url=self_link(feed_url, output),
        )  # fmt: skip
        if excel:
            text = EXCEL_BOM + text
        if output is not None:
            deliver.write_atomic(output, text)
        return text


def self_link(feed_url: str | None, output: Path | None) -> str | None:
    """An Atom feed's own address: the one given (http/https), else the file it is written
    to (a ``file:`` URL, which newsboat and other local readers subscribe to)."""
    if feed_url:
        url = safe_url(feed_url)
        if not url:
            raise InvalidInput(f"--feed-url must be an http(s) address, not {feed_url!r}")
        return url
    return Path(output).expanduser().resolve().as_uri() if output is not None else None


def _refused_error(
    refused: dict[str, str], sent: Sequence[str], *, retried: bool, where: str
) -> DeliveryError:
    who = "; ".join(f"{address} ({reply})" for address, reply in sorted(refused.items()))
    got = f"; sent to {', '.join(sent)}" if sent else ""
    later = (
        ": the next --since last run sends it to them (and only them) again"
        if retried
        else ": check the address given to --email"
    )
    return DeliveryError(f"the mail server {where} refused the recipient(s) {who}{got}{later}")


def to_item(
    post: Post,
    kinds: dict[int, str],
    *,
    notes: bool = False,
    person_topics: tuple[str, ...] = (),
) -> ShareItem:
    """A post as the share renderers want it: a boost under the boosted author (with who
    boosted it), a content warning instead of the text, a group blog's entry author."""
    cw = post.content_warning
    text = "" if cw else post.content_text or ""
    kind = kinds.get(post.source_id or 0) or ("mastodon" if post.kind == "status" else "feed")
    follower = post.person_name or post.source_label
    boosted = post.boost_of_handle is not None
    person = (
        (post.boost_of_person or post.author or post.boost_of_handle)
        if boosted
        else (post.person_name or post.author or post.source_label)
    ) or "someone"
    untitled = f"Content warning: {cw}" if cw else excerpt(text, 90) or post.url or "(untitled)"
    author = post.author if post.kind != "status" and not boosted else None
    if author and " ".join(author.split()).casefold() == person.casefold():
        author = None
    return ShareItem(
        id=post.id,
        title=post.title or untitled,
        url=safe_url(post.url),
        excerpt=excerpt(text, 400),
        person=person,
        source_kind=kind,
        published_at=post.published_at,
        fetched_at=post.fetched_at,
        topics=tuple(t.topic for t in post.tags),
        content_html=post.content_html,
        boost_of=post.boost_of_handle,
        saved_at=post.saved_at,
        read=post.read_at is not None,
        note=post.save_note if notes else None,
        notes=post.notes if notes else (),
        media=post.media,
        content_warning=cw,
        author=author,
        boosted_by=follower if boosted else None,
        in_reply_to=post.in_reply_to_handle or post.in_reply_to,
        person_topics=person_topics,
        also=post.also if post.group_id == post.id else (),
    )


def is_my_post(me: Me, post: Post, source: tuple[str, str | None, str, str | None] | None) -> bool:
    """The user's own post (not news): from a source of theirs, followed as a person of
    theirs, or theirs in content (a boost of their status, a group-blog entry they wrote)."""
    kind, handle, url, site = source or ("", None, "", None)
    return (
        is_me(me, name=post.person_name, handle=handle, url=url)
        or is_me(me, url=site)
        or is_me(me, handle=post.boost_of_handle, url=post.url)
        or (kind == "feed" and is_me(me, name=post.author))
    )


def _has_service(name: str) -> bool:
    """Whether plnctl.api.<name> is installed: share works without questions or insights."""
    from importlib.util import find_spec

    return find_spec(f"plnctl.api.{name}") is not None
