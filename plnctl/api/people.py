"""People: add, find, edit, remove."""

from __future__ import annotations

from collections.abc import Sequence
from typing import TYPE_CHECKING

from plnctl.errors import Ambiguous, InvalidInput, NotFound
from plnctl.frozen import frozen
from plnctl.models import Person, _Model
from plnctl.store import identity
from plnctl.store import people as db

if TYPE_CHECKING:
    from plnctl.api import Pln


class PeopleService:
    def __init__(self, pln: Pln):
        self.pln = pln
        self.store = pln.store

    def resolve(self, ref: str | int) -> Person:
        """A person by id or by an unambiguous (case-insensitive, or partial) name."""
        if isinstance(ref, int) or str(ref).strip().isdigit():
            person = db.get_person(self.store, int(ref))
            if person is None:
                raise NotFound(f"no person with id {ref} (see: plnctl person list)")
            return person
        matches = db.find_people(self.store, str(ref).strip())
        if not matches:
            raise NotFound(f"no person named {ref!r} (see: plnctl person list)")
        if len(matches) > 1:
            listed = ", ".join(f"{p.id} {p.name}" for p in matches[:10])
            raise Ambiguous(f"{ref!r} matches {len(matches)} people: {listed}; use the id")
        return matches[0]

    def add(
        self,
        name: str,
        *,
        feeds: Sequence[str] = (),
        sites: Sequence[str] = (),
        mastodon: Sequence[str] = (),
        bluesky: Sequence[str] = (),
        topics: Sequence[str] = (),
        note: str | None = None,
        check: bool = True,
        join: bool = False,
    ) -> Person:
        """Add a person with their sources. Feeds are fetched once and must be feeds (unless
        not ``check``), sites are resolved to feeds and Mastodon and Bluesky handles to accounts
        *before* anything is stored: if one fails, nothing is stored.

        Names are unique, ignoring case: when ``name`` is taken, NameTaken (exit 1), or with
        ``join`` the sources and topics go to that person (who must then be given a source)."""
        name = name.strip()
        if not name:
            raise InvalidInput("a person needs a name")
        holder = self.named(name)
        if holder is not None and not (join and (feeds or sites or mastodon or bluesky)):
            raise identity.name_taken(self.store.conn, name)
        sources = self.pln.sources
        planned = [sources.plan_feed(url, check=check) for url in feeds]
        planned += [sources.plan_site(url) for url in sites]
        planned += [sources.plan_mastodon(handle) for handle in mastodon]
        planned += [sources.plan_bluesky(handle) for handle in bluesky]
        with self.store.transaction():
            if holder is None:
                person_id = db.insert_person(self.store, name, note=note)
            else:
                person_id = holder.id
                if note and not holder.note:
                    db.update_person(self.store, person_id, note=note)
            for topic in topics:
                db.add_person_topic(self.store, person_id, topic.strip())
            for plan in planned:
                sources.store_plan(person_id, plan)
        return self.get(person_id)

    def named(self, name: str) -> Person | None:
        """The person with exactly this name, ignoring case (names are unique), if any."""
        holder = identity.name_holder(self.store.conn, name)
        return db.get_person(self.store, holder[0]) if holder else None

    def get(self, person_id: int) -> Person:
        person = db.get_person(self.store, person_id)
        if person is None:
            raise NotFound(f"no person with id {person_id} (see: plnctl person list)")
        return person

    def list(self, *, topic: str | None = None) -> list[Person]:
        return db.list_people(self.store, topic=topic)

    def source_counts(self) -> dict[int, int]:
        """person id -> how many sources they have (people without any are left out)."""
        return db.source_counts(self.store)

    def edit(
        self,
        ref: str | int,
        *,
        name: str | None = None,
        note: str | None = None,
        add_topics: Sequence[str] = (),
        remove_topics: Sequence[str] = (),
        index_override: bool | None = None,
    ) -> Person:
        person = self.resolve(ref)
        changes: dict[str, object] = {}
        if name is not None:
            if not name.strip():
                raise InvalidInput("a person needs a name")
            changes["name"] = name.strip()
        if note is not None:
            changes["note"] = note or None
        if index_override is not None:
            changes["index_override"] = int(index_override)
        with self.store.transaction():
            db.update_person(self.store, person.id, **changes)
            for topic in add_topics:
                db.add_person_topic(self.store, person.id, topic.strip())
            for topic in remove_topics:
                db.remove_person_topic(self.store, person.id, topic.strip())
            if index_override is not None:
                self.pln.sources.reapply_index_policy(person.id)
        return self.get(person.id)

    def remove(
        self,
        ref: str | int,
        *,
        purge: bool = False,
        include_saved: bool = False,
        dry_run: bool = False,
    ) -> Removal:
        """Remove a person and their sources; with ``purge`` also their posts, except saved
        ones (the reading list and its private notes) unless ``include_saved``. ``dry_run``
        only says what would happen (for a confirmation)."""
        person = self.resolve(ref)
        posts, saved, notes = db.person_post_counts(self.store, person.id)
        sources = len(db.list_sources(self.store, person_id=person.id))
        deleted = (posts if include_saved else posts - saved) if purge else 0
        if not dry_run:
            with self.store.transaction():
                deleted = db.delete_person(
                    self.store, person.id, purge=purge, include_saved=include_saved
                )
        return Removal(
            person=person, sources=sources, posts_deleted=deleted,
            posts_kept=posts - deleted, saved_kept=saved if not (purge and include_saved) else 0,
            notes_kept=notes if not (purge and include_saved) else 0, done=not dry_run,
        )  # fmt: skip


@frozen
class Removal(_Model):
    """What ``person remove`` deletes and keeps."""

    person: Person
    sources: int
    posts_deleted: int
    posts_kept: int  # unlinked from the person, still in lists and search
    saved_kept: int  # of those, saved in the reading list
    notes_kept: int  # saved posts with a private note
    done: bool = True
