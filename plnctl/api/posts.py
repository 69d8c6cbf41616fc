"""Posts: list, show, read state, the reading list."""

from __future__ import annotations

from collections.abc import Sequence
from typing import TYPE_CHECKING

from plnctl.errors import NotFound
from plnctl.models import Post
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
        unread: bool = False,
        saved: bool = False,
        limit: int | None = 50,
    ) -> list[Post]:
        """Newest first. ``since`` is a duration (``7d``) or a date."""
        person_id = self.pln.people.resolve(person).id if person is not None else None
        topic_id = self.pln.topics.resolve(topic).id if topic is not None else None
        return db.list_posts(
            self.store,
            since=to_iso(parse_since(since)) if since else None,
            person_id=person_id,
            topic_id=topic_id,
            unread=unread,
            saved=saved,
            limit=limit,
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
        """Put a post on the reading list (again: updates the note)."""
        post = self.get(post_id)
        with self.store.transaction():
            db.set_saved(self.store, post_id, post.saved_at or now_iso(), note or post.save_note)
        return self.get(post_id)

    def unsave(self, post_id: int) -> Post:
        self.get(post_id)
        with self.store.transaction():
            db.set_saved(self.store, post_id, None, None)
        return self.get(post_id)
