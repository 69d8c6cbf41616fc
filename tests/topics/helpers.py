"""Small helpers for the topic tests."""

from __future__ import annotations

from collections.abc import Sequence

from plnctl.api import Pln
from plnctl.models import NewPost


def post(guid: str, title: str | None = None, text: str | None = None, **fields: object) -> NewPost:
    return NewPost(guid=guid, title=title, content_text=text, **fields)  # type: ignore[arg-type]


def tags_of(pln: Pln, post_id: int) -> dict[str, tuple[str, str]]:
    """topic -> (origin, reason) of one post."""
    return {t.topic: (t.origin.value, t.reason) for t in pln.posts.get(post_id).tags}


def topic_names(pln: Pln, post_ids: Sequence[int]) -> list[set[str]]:
    return [
        {t.topic for t in pln.posts.get(i).tags if t.origin.value != "blocked"} for i in post_ids
    ]
