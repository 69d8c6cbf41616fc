"""Bluesky: resolve accounts for sources and import who someone follows or a starter pack.

``BlueskyService.plan_source`` is what ``pln.people.add(..., bluesky=[...])`` and
``pln.sources.add(person, "@name.bsky.social")`` call. Network work lives in
``plnctl.fetchers.bluesky`` (the public AppView over async httpx). The DID is the identity
stored (``sources.remote_id``, and the source URL ``https://bsky.app/profile/DID``), so a
handle change is followed.
"""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from functools import cached_property
from typing import TYPE_CHECKING, Any

from plnctl.api.sources import SourcePlan, http_settings, run
from plnctl.api.transfer import ImportReport
from plnctl.errors import NotFound, ParseError
from plnctl.models import SourceKind
from plnctl.store import people as db

if TYPE_CHECKING:
    from plnctl.api import Pln
    from plnctl.api.bluesky_account import BlueskyAccount
    from plnctl.fetchers.http import HttpClient

MOST_IMPORTED = 10_000  # accounts read from one follows list or starter pack


def looks_like_bluesky(target: str) -> bool:
    from plnctl.fetchers.bluesky.addresses import looks_like_bluesky as check

    return check(target)


class BlueskyService:
    def __init__(self, pln: Pln):
        self.pln = pln
        self.store = pln.store

    @cached_property
    def account(self) -> BlueskyAccount:
        """The user's own account: login, status, logout, posting."""
        from plnctl.api.bluesky_account import BlueskyAccount

        return BlueskyAccount(self.pln)

    @property
    def appview(self) -> str:
        return self.pln.settings.bluesky.appview

    def plan_source(self, actor: str) -> SourcePlan:
        """A handle, DID or bsky.app profile URL -> a source, resolved on the AppView now (a
        typo fails here, before anything is stored)."""
        from plnctl.fetchers.bluesky import (
            get_profile,
            normalize_actor,
            profile_fields,
            profile_url,
        )
        from plnctl.fetchers.http import HttpClient

        wanted = normalize_actor(actor)

        async def resolve() -> dict[str, Any]:
            async with HttpClient(http_settings(self.pln)) as client:
                return await get_profile(client, self.appview, wanted)

        fields = profile_fields(run(resolve()))
        did = fields["remote_id"]
        return SourcePlan(SourceKind.BLUESKY, profile_url(did), fields)

    # --- imports ---------------------------------------------------------------------------

    def import_follows(self, actor: str) -> ImportReport:
        """Everyone ``actor`` follows (their public follows): one person per account, merged
        with the person who already has that DID."""
        from plnctl.fetchers.bluesky import normalize_actor, paged

        wanted = normalize_actor(actor)

        async def follows(client: HttpClient) -> list[Any]:
            try:
                params = {"actor": wanted, "limit": 100}
                nsid = "app.bsky.graph.getFollows"
                return await paged(
                    client, self.appview, nsid, params, "follows", most=MOST_IMPORTED
                )
            except NotFound:
                raise NotFound(f"no Bluesky account {wanted}") from None

        return self._store_profiles(self._fetch(follows))

    def import_starter_pack(self, ref: str) -> ImportReport:
        """A starter pack (``https://bsky.app/starter-pack/HANDLE/RKEY`` or its at-URI): every
        member of its list."""
        from plnctl.fetchers.bluesky import (
            is_did,
            paged,
            parse_web_record,
            resolve_handle,
            xrpc_get,
        )

        uri = parse_web_record(ref, "starter-pack", "app.bsky.graph.starterpack")

        async def members(client: HttpClient) -> list[Any]:
            repo = (
                uri.repo
                if is_did(uri.repo)
                else await resolve_handle(client, self.appview, uri.repo)
            )
            at_uri = f"at://{repo}/{uri.collection}/{uri.rkey}"
            try:
                pack = await xrpc_get(client, self.appview, "app.bsky.graph.getStarterPack",
                                      {"starterPack": at_uri})  # fmt: skip
            except NotFound:
                raise NotFound(f"no Bluesky starter pack {ref}") from None
            view = pack.get("starterPack")
            view = view if isinstance(view, dict) else {}
            listed, record = view.get("list"), view.get("record")
            list_uri = (listed.get("uri") if isinstance(listed, dict) else None) or (
                record.get("list") if isinstance(record, dict) else None
            )
            if not isinstance(list_uri, str):
                raise ParseError(f"the starter pack {ref} has no member list")
            params = {"list": list_uri, "limit": 100}
            nsid = "app.bsky.graph.getList"
            items = await paged(client, self.appview, nsid, params, "items", most=MOST_IMPORTED)
            return [item.get("subject") for item in items if isinstance(item, dict)]

        return self._store_profiles(self._fetch(members))

    def _fetch(self, job: Callable[[HttpClient], Awaitable[list[Any]]]) -> list[Any]:
        from plnctl.fetchers.http import HttpClient

        async def main() -> list[Any]:
            async with HttpClient(http_settings(self.pln)) as client:
                return await job(client)

        return run(main())

    def _store_profiles(self, profiles: list[Any]) -> ImportReport:
        from plnctl.fetchers.bluesky import profile_fields, profile_url

        created = merged = skipped = 0
        problems: list[str] = []
        seen: set[str] = set()
        with self.store.transaction():
            for profile in profiles:
                fields = profile_fields(profile) if isinstance(profile, dict) else {}
                did = fields.get("remote_id")
                if not did or not fields.get("handle"):
                    problems.append("skipped an account the AppView described incompletely")
                    continue
                if did in seen:
                    skipped += 1
                    continue
                seen.add(did)
                existing = db.find_source_by_remote_id(self.store, SourceKind.BLUESKY, did)
                if existing is not None:
                    fields.pop("title")  # the user may have named it
                    db.update_source(self.store, existing.id, **fields)
                    merged += 1
                    continue
                name = fields.get("display_name") or str(fields["handle"]).lstrip("@")
                person_id = db.person_id_for_name(self.store, name)
                db.insert_source(
                    self.store, person_id, SourceKind.BLUESKY, profile_url(did), **fields
                )
                created += 1
        return ImportReport(created, merged, skipped, tuple(problems))
