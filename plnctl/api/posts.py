"""Posts: list, show, read state, the reading list."""

from __future__ import annotations

from collections.abc import Sequence
from typing import TYPE_CHECKING

from plnctl.errors import InvalidInput, NotFound
from plnctl.frozen import frozen
from plnctl.models import Post, _Model
from plnctl.store import posts as db
from plnctl.timeutil import now_iso, parse_since, to_iso

if TYPE_CHECKING:
    from plnctl.api import Pln
    from plnctl.store import Store


def with_notes(store: Store, post: Post) -> Post:
    """The post with its private notes and its shares (issue 16)."""
    from dataclasses import replace

    from plnctl.store import notes

    return replace(
        post,
        notes=notes.list_notes(store, "post_id", [post.id]).get(post.id, ()),
        shares=notes.post_shares(store, [post.id]).get(post.id, ()),
    )


@frozen
class OpenedLink(_Model):
    """``post open``: the link, and whether a browser took it (False: show the URL instead)."""

    post_id: int
    url: str
    opened: bool


class PostsService:
    def __init__(self, pln: Pln):
        self.pln = pln
        self.store = pln.store

    def list(
        self,
        *,
        since: str | None = None,
        person: str | int | None = None,
        topic: str | None = None,
        source: int | None = None,
        unread: bool = False,
        saved: bool = False,
        limit: int | None = 50,
        offset: int = 0,
        oldest: bool = False,
    ) -> list[Post]:
        """Newest first (``oldest``: oldest first), skipping ``offset`` posts. ``since`` is a
        duration (``7d``) or a date: posts that arrived since then. ``source``: a source id;
        ``saved``: only the reading list."""
        if offset < 0:
            raise InvalidInput("--offset must be 0 or more")
        person_id = self.pln.people.resolve(person).id if person is not None else None
        topic_id = self.pln.topics.resolve_id(topic) if topic is not None else None
        if source is not None:
            self.pln.sources.get(source)
        return db.list_posts(
            self.store,
            since=to_iso(parse_since(since)) if since else None,
            person_id=person_id,
            topic_id=topic_id,
            source_id=source,
            unread=unread,
            saved=saved,
            limit=limit,
            offset=offset,
            oldest_first=oldest,
        )

    def get(self, post_id: int) -> Post:
        post = db.get_post(self.store, post_id)
        if post is None:
            raise NotFound(f"no post with id {post_id} (see: plnctl post list)")
        return with_notes(self.store, post)

    def mark_read(self, post_ids: Sequence[int], *, read: bool = True) -> int:
        for post_id in post_ids:
            self.get(post_id)
        with self.store.transaction():
            return db.set_read(self.store, list(post_ids), now_iso() if read else None)

    def save(self, post_id: int, *, note: str | None = None) -> Post:
        """Put a post on the reading list (again: updates the note); a grouped post puts its
        group's lead there (one entry per idea)."""
        post = self._lead(post_id)
        post_id = post.id
        with self.store.transaction():
            db.set_saved(self.store, post_id, post.saved_at or now_iso(), note or post.save_note)
        return self.get(post_id)

    def _lead(self, post_id: int) -> Post:
        post = self.get(post_id)
        return self.get(post.group_id) if post.group_id not in (None, post.id) else post

    def unsave(self, post_id: int) -> Post:
        post_id = self._lead(post_id).id
        with self.store.transaction():
            db.set_saved(self.store, post_id, None, None)
        return self.get(post_id)

    def change_read(
        self,
        selection: Sequence[str] = (),
        *,
        every: bool = False,
        person: str | int | None = None,
        topic: str | None = None,
        source: int | None = None,
        before: str | None = None,
        since: str | None = None,
        read: bool = True,
    ) -> int:
        """Mark posts read (or unread, ``read=False``): those named by ``selection`` (``42``,
        ``4-8``, ``3,9,12``) and/or every post the filters cover (``every=True`` with no
        filter: all of them). Returns how many changed state. A single id that does not
        exist raises ``NotFound``; a range may have gaps."""
        from plnctl.api.selection import parse_selection

        ids, ranges = parse_selection(selection) if selection else ((), ())
        narrowed = any(x is not None for x in (person, topic, source, before, since))
        if not (ids or ranges or narrowed or every):
            raise InvalidInput("name the posts: ids or ranges (4-8, 3,9,12), a filter, or --all")
        for post_id in ids:
            self.get(post_id)
        if source is not None:
            self.pln.sources.get(source)
        f = db.PostFilter(
            since=to_iso(parse_since(since)) if since else None,
            until=to_iso(parse_since(before)) if before else None,
            person_id=self.pln.people.resolve(person).id if person is not None else None,
            topic_id=self.pln.topics.resolve_id(topic) if topic is not None else None,
            source_id=source,
            ids=ids,
            id_ranges=ranges,
        )
        with self.store.transaction():
            return db.set_read_where(self.store, f, now_iso() if read else None)

    def open(self, post_id: int, *, mark_read: bool = True) -> OpenedLink:
        """Open a post's link in the web browser (``webbrowser``: ``$BROWSER``, else the
        desktop's) and mark it read. ``opened`` is False when there is no browser to take it
        (the post is marked read all the same: its link is shown instead)."""
        import webbrowser

        post = self.get(post_id)
        if not post.url:
            raise InvalidInput(f"post {post_id} has no link")
        if not post.url.lower().startswith(("http://", "https://")):
            # A feed's file:, javascript: or "--option" link must not reach a browser command.
            raise InvalidInput(f"post {post_id}'s link is not a web address: {post.url[:80]!r}")
        setting = _browser_setting()
        try:
            try:
                browser = webbrowser.get(setting)
            except webbrowser.Error:
                if setting is None:
                    raise
                # What webbrowser itself does with a $BROWSER command it does not know.
                browser = webbrowser.GenericBrowser(setting)
            opened = bool(browser.open(post.url))
        except (webbrowser.Error, OSError):
            opened = False
        if mark_read and not post.read_at:
            self.mark_read([post_id])
        return OpenedLink(post_id, post.url, opened)


def _browser_setting() -> str | None:
    """``$BROWSER`` read now (``webbrowser`` reads it once per process): its first entry."""
    import os

    value = os.environ.get("BROWSER", "").split(os.pathsep)[0].strip()
    return value or None
