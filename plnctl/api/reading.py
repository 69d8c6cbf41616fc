"""What the interactive reader (``plnctl read``) asks of the database, reached as
``pln.reading``: pages of a list, unread first, through a keyset cursor (never the whole
table), the sidebar's unread counts, and marking a whole view read.
"""

from __future__ import annotations

from dataclasses import dataclass, replace
from typing import TYPE_CHECKING

from plnctl.errors import InvalidInput
from plnctl.models import Post, Question, QuestionState, _Model
from plnctl.store import posts as posts_db
from plnctl.store import reading as db
from plnctl.timeutil import now_iso

if TYPE_CHECKING:
    from plnctl.api import Pln

# Search results shown in the reader: the best this many (bm25), as `plnctl search` ranks them.
SEARCH_LIMIT = 200


@dataclass(frozen=True)
class ReaderView(_Model):
    """One list: ``kind`` is all | saved | topic | person | search | question; ``ref`` the
    topic, person or question id; ``query`` the search."""

    kind: str = "all"
    ref: int | None = None
    label: str = "All unread"
    query: str | None = None
    unread_only: bool = False
    oldest: bool = False


@dataclass(frozen=True)
class PageCursor(_Model):
    """Where the next page starts: in the unread part of the list or the read part, after the
    post whose (when, id) is ``after``."""

    unread: bool = True
    after: tuple[str, int] | None = None


@dataclass(frozen=True)
class Page(_Model):
    posts: tuple[Post, ...]
    next: PageCursor | None  # None: that was the end of the list


@dataclass(frozen=True)
class SidebarEntry(_Model):
    view: ReaderView
    unread: int = 0


@dataclass(frozen=True)
class Sidebar(_Model):
    fixed: tuple[SidebarEntry, ...]  # All unread, Saved
    topics: tuple[SidebarEntry, ...]
    people: tuple[SidebarEntry, ...]
    questions: tuple[SidebarEntry, ...]  # open and answered (not yet resolved) questions


class ReadingService:
    def __init__(self, pln: Pln):
        self.pln = pln
        self.store = pln.store

    def _filter(self, view: ReaderView) -> posts_db.PostFilter:
        if view.kind == "all":
            return posts_db.PostFilter()
        if view.kind == "saved":
            return posts_db.PostFilter(saved=True)
        if view.kind == "topic" and view.ref is not None:
            return posts_db.PostFilter(topic_id=view.ref)
        if view.kind == "person" and view.ref is not None:
            return posts_db.PostFilter(person_id=view.ref)
        if view.kind == "search" and view.query:
            hits = self.pln.topics.search(view.query, limit=SEARCH_LIMIT)
            return posts_db.PostFilter(ids=tuple(h.id for h in hits) or (0,))
        raise InvalidInput(f"the reader cannot list {view.kind!r}")

    def page(self, view: ReaderView, cursor: PageCursor | None = None, *, limit: int = 50) -> Page:
        """The next ``limit`` posts of ``view``: its unread posts first, then (unless
        ``view.unread_only``) its read ones; each part newest first (``view.oldest``: oldest
        first). Search results keep their rank instead."""
        if view.kind == "question":
            return Page((), None)
        if view.kind == "search":
            return self._search_page(view)
        base = self._filter(view)
        cursor = cursor or PageCursor()
        found: list[Post] = []
        while True:
            part = replace(base, unread=cursor.unread, read=not cursor.unread)
            got = db.page_posts(
                self.store,
                part,
                after=cursor.after,
                oldest_first=view.oldest,
                limit=limit - len(found),
            )
            found.extend(got)
            if len(found) >= limit:
                last = found[-1]
                return Page(tuple(found), PageCursor(cursor.unread, (_when(last), last.id)))
            if not cursor.unread or view.unread_only:
                return Page(tuple(found), None)
            cursor = PageCursor(unread=False)

    def _search_page(self, view: ReaderView) -> Page:
        hits = self.pln.topics.search(view.query or "", limit=SEARCH_LIMIT)
        f = posts_db.PostFilter(ids=tuple(h.id for h in hits) or (0,), unread=view.unread_only)
        by_id = {p.id: p for p in db.page_posts(self.store, f, limit=SEARCH_LIMIT)}
        return Page(tuple(by_id[h.id] for h in hits if h.id in by_id), None)

    def unread_count(self, view: ReaderView) -> int:
        if view.kind == "question":
            return 0
        return db.count_posts(self.store, replace(self._filter(view), unread=True))

    def mark_view_read(self, view: ReaderView) -> int:
        """Mark every post of ``view`` read; returns how many changed."""
        if view.kind == "question":
            return 0
        with self.store.transaction():
            return posts_db.set_read_where(self.store, self._filter(view), now_iso())

    def sidebar(self, *, topic_counts: bool = True) -> Sidebar:
        """The lists and their unread counts. ``topic_counts=False`` leaves the topics' at 0:
        with every post unread they read each post's tags (~0.3 s on 100,000 posts), so the
        reader shows its first screen first and fills them from ``unread_by_topic()``."""
        by_person = db.unread_by_person(self.store)
        by_topic = self.unread_by_topic() if topic_counts else {}
        used = db.topics_with_posts(self.store)
        total = db.count_posts(self.store, posts_db.PostFilter(unread=True))
        saved = db.count_posts(self.store, posts_db.PostFilter(saved=True, unread=True))
        return Sidebar(
            fixed=(
                SidebarEntry(ReaderView(), total),
                SidebarEntry(ReaderView("saved", label="Saved"), saved),
            ),
            # Topics that tag nothing yet (most of a fresh starter taxonomy) are left out.
            topics=tuple(
                SidebarEntry(ReaderView("topic", i, name), by_topic.get(i, 0))
                for i, name in db.names(self.store, "topics")
                if i in used
            ),
            people=tuple(
                SidebarEntry(ReaderView("person", i, name), by_person.get(i, 0))
                for i, name in db.names(self.store, "people")
            ),
            questions=tuple(
                SidebarEntry(ReaderView("question", q.id, q.text), q.answer_count)
                for q in self.open_questions()
            ),
        )

    def unread_by_topic(self) -> dict[int, int]:
        """Topic id -> its unread posts."""
        return db.unread_by_topic(self.store)

    def open_questions(self) -> list[Question]:
        return self.pln.questions.list(states=[QuestionState.OPEN, QuestionState.ANSWERED])


def _when(post: Post) -> str:
    return post.published_at if post.published_at is not None else post.fetched_at
