"""Posts with known words, stored through the real store functions (as a sync would)."""

from __future__ import annotations

from collections.abc import Callable

import pytest

from plnctl.api import Pln
from plnctl.models import NewPost, SourceKind
from plnctl.store import people as people_db
from plnctl.store import posts as posts_db
from plnctl.timeutil import now_iso

AddPosts = Callable[..., list[int]]


@pytest.fixture
def add_posts(pln: Pln) -> AddPosts:
    """``add_posts("Ana", NewPost(...), ...)`` -> new post ids; the person and a feed are
    created on first use. Posts are stored like a sync stores them, without tagging."""
    people: dict[str, tuple[int, int]] = {}

    def add(person: str, *posts: NewPost, indexed: bool = True) -> list[int]:
        with pln.store.transaction():
            if person not in people:
                person_id = people_db.insert_person(pln.store, person)
                source_id = people_db.insert_source(
                    pln.store, person_id, SourceKind.FEED, f"https://{person.lower()}.example/f"
                )
                people[person] = (person_id, source_id)
            person_id, source_id = people[person]
            result = posts_db.upsert_posts(
                pln.store, source_id, person_id, posts, fetched_at=now_iso(), indexed=indexed
            )
        return list(result.new_ids + result.updated_ids)

    return add
