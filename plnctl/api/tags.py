"""Followed hashtags: a tag on one Mastodon instance is a source that belongs to no person;
its posts come from many authors (``plnctl.fetchers.mastodon.tags``)."""

from __future__ import annotations

import builtins
from dataclasses import dataclass
from typing import TYPE_CHECKING

from plnctl.api.sources import http_settings, run
from plnctl.errors import AlreadyExists, FetchError, NotFound
from plnctl.models import Source, SourceKind, _Model
from plnctl.store import people as db
from plnctl.store import posts as posts_db

if TYPE_CHECKING:
    from plnctl.api import Pln


@dataclass(frozen=True)
class FollowedTag(_Model):
    source_id: int
    tag: str  # without '#'
    instance: str
    url: str
    posts: int
    last_fetched_at: str | None
    last_error: str | None
    via_rss: bool


def _tag(source: Source) -> FollowedTag:
    from plnctl.fetchers.mastodon.tags import parse_tag_url

    address, name = parse_tag_url(source.url)
    return FollowedTag(source.id, name, address.host, source.url, 0, source.last_fetched_at,
                       source.last_error, source.via_rss)  # fmt: skip


class TagsService:
    def __init__(self, pln: Pln):
        self.pln = pln
        self.store = pln.store

    def follow(self, tag: str, *, instance: str, check: bool = True) -> FollowedTag:
        """Follow ``#tag`` on ``instance``. With ``check``, its timeline (or RSS) is read once
        now, so a typo in the instance fails here rather than at every sync."""
        from plnctl.fetchers.mastodon.tags import normalize_tag, tag_url

        name = normalize_tag(tag)
        url = tag_url(name, instance)
        if db.find_source(self.store, url) is not None:
            raise AlreadyExists(f"#{name} on {instance} is already followed (see: plnctl tag list)")
        if check:
            self._check(url)
        with self.store.transaction():
            host = url.split("://", 1)[1].split("/", 1)[0]
            source_id = db.insert_source(
                self.store, None, SourceKind.TAG, url, title=f"#{name} on {host}"
            )
        return self.list(source_ids=(source_id,))[0]

    def _check(self, url: str) -> None:
        from plnctl.fetchers.http import HttpClient
        from plnctl.fetchers.mastodon.tags import fetch_tag

        async def probe() -> str | None:
            async with HttpClient(http_settings(self.pln)) as client:
                probe_source = Source(id=0, person_id=None, kind=SourceKind.TAG, url=url)
                outcome = await fetch_tag(probe_source, client, self.pln.settings)
            return outcome.error if outcome.status != "ok" else None

        error = run(probe())
        if error:
            raise FetchError(f"cannot read {url}: {error} (check the instance name)")

    def list(self, *, source_ids: tuple[int, ...] = ()) -> builtins.list[FollowedTag]:
        sources = [s for s in db.list_sources(self.store, kind=SourceKind.TAG)
                   if not source_ids or s.id in source_ids]  # fmt: skip
        counts = posts_db.count_by_source(self.store, [s.id for s in sources])
        tags = [_tag(s) for s in sources]
        return [FollowedTag(**{**t.to_dict(), "posts": counts.get(t.source_id, 0)}) for t in tags]

    def resolve(self, tag: str, *, instance: str | None = None) -> builtins.list[FollowedTag]:
        """The followed sources of ``tag`` (on ``instance``, or on every instance)."""
        from plnctl.fetchers.mastodon.tags import normalize_tag

        name = normalize_tag(tag)
        found = [t for t in self.list() if t.tag == name]
        if instance is not None:
            found = [t for t in found if t.instance == instance.strip().lower()]
        if not found:
            where = f" on {instance}" if instance else ""
            raise NotFound(f"you do not follow #{name}{where} (see: plnctl tag list)")
        return found

    def unfollow(self, tag: str, *, instance: str | None = None) -> tuple[int, int]:
        """Stop following; the tag's posts go too, except those on your reading list.
        Returns (sources removed, posts removed)."""
        found = self.resolve(tag, instance=instance)
        removed = 0
        with self.store.transaction():
            for followed in found:
                removed += posts_db.delete_unsaved_source_posts(self.store, followed.source_id)
                db.delete_source(self.store, followed.source_id)
        return len(found), removed
