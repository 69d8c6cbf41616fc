"""Sources: feeds and Mastodon accounts belonging to people."""

from __future__ import annotations

import re
from collections.abc import Coroutine
from dataclasses import field
from typing import TYPE_CHECKING, Any, TypeVar
from urllib.parse import urlsplit

from plnctl.errors import AlreadyExists, InvalidInput, NotFound
from plnctl.frozen import LazyData, frozen
from plnctl.models import Person, Source, SourceKind
from plnctl.store import people as db
from plnctl.urlkey import unwrap_feed_scheme

if TYPE_CHECKING:
    from plnctl.api import Pln
    from plnctl.fetchers.http import HttpSettings

T = TypeVar("T")

_HANDLE = re.compile(r"^@?[A-Za-z0-9_.-]+@[A-Za-z0-9.-]+\.[A-Za-z0-9:.-]+$")
_PROFILE_URL = re.compile(r"^https?://[^/]+/@[A-Za-z0-9_.-]+/?$")


@frozen
class SourcePlan(LazyData):
    """A source checked and ready to store (network work already done)."""

    kind: SourceKind
    url: str
    fields: dict[str, Any] = field(default_factory=dict)


def looks_like_mastodon(target: str) -> bool:
    return bool(_HANDLE.match(target.strip()) or _PROFILE_URL.match(target.strip()))


def check_http_url(url: str) -> str:
    """A web address the user typed (or a file gave), or InvalidInput saying what is wrong.
    A ``feed://`` (or ``feed:https://``) link is the http(s) address it wraps."""
    url = unwrap_feed_scheme(url)
    try:
        parts = urlsplit(url)
        parts.port  # noqa: B018  (raises ValueError for a port out of 0-65535)
    except ValueError as e:
        raise InvalidInput(
            f"not a valid web address: {url!r} ({e}); check it, e.g. https://example.org/feed"
        ) from None
    if parts.scheme not in ("http", "https") or not parts.hostname:
        raise InvalidInput(f"not a web address: {url!r} (expected http:// or https://...)")
    return url


def run(coro: Coroutine[Any, Any, T]) -> T:
    import asyncio

    return asyncio.run(coro)


def http_settings(pln: Pln) -> HttpSettings:
    from plnctl.fetchers.http import HttpSettings

    return HttpSettings.from_settings(pln.settings.sync)


class SourcesService:
    def __init__(self, pln: Pln):
        self.pln = pln
        self.store = pln.store

    # --- planning: validate and resolve before storing -----------------------------------

    def plan_feed(self, url: str, *, check: bool = False) -> SourcePlan:
        """A feed URL: taken as given (checked at the next sync), or with ``check`` fetched
        once and refused unless it is a feed (an HTML page's linked feed is taken instead)."""
        url = check_http_url(url)
        if not check:
            return SourcePlan(SourceKind.FEED, url)
        from plnctl.errors import FetchError, ParseError
        from plnctl.fetchers.discover import check_feed
        from plnctl.fetchers.http import HttpClient

        async def fetch() -> str:
            async with HttpClient(http_settings(self.pln)) as client:
                return await check_feed(client, url)

        try:
            feed_url = run(fetch())
        except (FetchError, ParseError) as e:
            raise type(e)(f"{e} (to add it anyway: --no-check)") from None
        fields = {} if feed_url == url else {"site_url": url}
        return SourcePlan(SourceKind.FEED, feed_url, fields)

    def plan_site(self, url: str) -> SourcePlan:
        """A web page or feed URL: fetch it and find its feed by autodiscovery."""
        from plnctl.fetchers.discover import discover_feed
        from plnctl.fetchers.http import HttpClient

        url = check_http_url(url)

        async def discover() -> str:
            async with HttpClient(http_settings(self.pln)) as client:
                return await discover_feed(client, url)

        feed_url = run(discover())
        fields = {} if feed_url == url else {"site_url": url}
        return SourcePlan(SourceKind.FEED, feed_url, fields)

    def plan_mastodon(self, handle: str) -> SourcePlan:
        return self.pln.mastodon.plan_source(handle)

    def plan_bluesky(self, actor: str) -> SourcePlan:
        return self.pln.bluesky.plan_source(actor)

    def plan(self, target: str, *, check: bool = True, bluesky: bool = False) -> SourcePlan:
        """Detect the kind: a Bluesky handle, DID or bsky.app URL (a bare ``name.tld`` only with
        ``bluesky=True``, so a website is never taken for a handle), a Mastodon handle or
        profile URL, else a feed or a site (found by autodiscovery; without ``check`` a URL is
        taken as a feed, unfetched)."""
        from plnctl.api.bluesky import looks_like_bluesky

        if bluesky or looks_like_bluesky(target):
            return self.plan_bluesky(target)
        if looks_like_mastodon(target):
            return self.plan_mastodon(target)
        return self.plan_site(target) if check else self.plan_feed(target)

    def store_plan(self, person_id: int, plan: SourcePlan) -> Source:
        source_id = db.insert_source(self.store, person_id, plan.kind, plan.url, **plan.fields)
        source = self.get(source_id)
        return source

    # --- commands ------------------------------------------------------------------------

    def add(
        self, person: str | int, target: str, *, check: bool = True, bluesky: bool = False
    ) -> Source:
        owner = self.pln.people.resolve(person)
        plan = self.plan(target, check=check, bluesky=bluesky)
        with self.store.transaction():
            return self.store_plan(owner.id, plan)

    def get(self, source_id: int) -> Source:
        source = db.get_source(self.store, source_id)
        if source is None:
            raise NotFound(f"no source with id {source_id} (see: plnctl source list)")
        return source

    def resolve(self, ref: str | int) -> Source:
        """A source by id, URL, or Mastodon or Bluesky handle."""
        text = str(ref).strip()
        if text.isdigit():
            return self.get(int(text))
        source = db.find_source(self.store, text) or db.find_source_by_handle(
            self.store, "@" + text.lstrip("@")
        )
        if source is None:
            raise NotFound(f"no source {text!r} (see: plnctl source list)")
        return source

    def list(
        self,
        *,
        person: str | int | None = None,
        failing: bool = False,
        kind: SourceKind | None = None,
    ) -> list[Source]:
        person_id = self.pln.people.resolve(person).id if person is not None else None
        return db.list_sources(self.store, person_id=person_id, failing=failing, kind=kind)

    def owners(self) -> dict[int, Person]:
        return {p.id: p for p in db.list_people(self.store)}

    def remove(self, ref: str | int) -> Source:
        source = self.resolve(ref)
        with self.store.transaction():
            db.delete_source(self.store, source.id)
        return source

    def edit(
        self,
        ref: str | int,
        *,
        url: str | None = None,
        title: str | None = None,
        full_text: bool | None = None,
    ) -> Source:
        """Point a feed at a new address (a blog moved without a redirect), rename it, or turn
        fetching its posts' full text on or off. A new address starts fresh: no validators, no
        error streak, due now."""
        source = self.resolve(ref)
        changes: dict[str, object] = {}
        if full_text is not None:
            if source.kind is not SourceKind.FEED:
                raise InvalidInput(
                    f"full text is for feeds: a {source.kind.value.capitalize()} post is "
                    "already the whole post"
                )
            changes["full_text"] = full_text
        if title is not None:
            changes["title"] = title.strip() or None
        if url is not None:
            if source.kind is not SourceKind.FEED:
                raise InvalidInput(
                    "only a feed's address can be changed; add the new account "
                    "with plnctl source add and remove the old one"
                )
            new_url = check_http_url(url)
            if new_url != source.url:
                other = db.find_source(self.store, new_url)
                if other is not None and other.id != source.id:
                    raise AlreadyExists(
                        db.already_followed(self.store, other, new_url)
                        + f"; to keep only one, remove the other: plnctl source remove {other.id}"
                    )
                changes.update(
                    url=new_url,
                    etag=None,
                    last_modified=None,
                    error_count=0,
                    last_error=None,
                    next_due_at=None,
                    state="active",
                )
        with self.store.transaction():
            db.update_source(self.store, source.id, **changes)
        return self.get(source.id)

    def reset(self, ref: str | int) -> Source:
        """Make a gone or failing source due again with a clean error streak."""
        source = self.resolve(ref)
        with self.store.transaction():
            db.update_source(
                self.store,
                source.id,
                state="active",
                error_count=0,
                next_due_at=None,
                last_error=None,
            )
        return self.get(source.id)

    def should_index(self, source: Source) -> bool:
        """Opted-out accounts are not indexed for search unless the user overrides it."""
        return not source.noindex or db.wants_index(self.store, source.id)

    def reapply_index_policy(self, person_id: int) -> None:
        for source in db.list_sources(self.store, person_id=person_id):
            db.reindex_source(self.store, source.id)
