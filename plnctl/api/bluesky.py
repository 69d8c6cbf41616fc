"""Bluesky: resolve accounts for sources and import who someone follows or a starter pack.

``BlueskyService.plan_source`` is what ``pln.people.add(..., bluesky=[...])`` and
``pln.sources.add(person, "@name.bsky.social")`` call. Network work lives in
``plnctl.fetchers.bluesky`` (the public AppView over async httpx). The DID is the identity
stored (``sources.remote_id``, and the source URL ``https://bsky.app/profile/DID``), so a
handle change is followed.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from plnctl.api.sources import SourcePlan, http_settings, run
from plnctl.models import SourceKind

if TYPE_CHECKING:
    from plnctl.api import Pln


def looks_like_bluesky(target: str) -> bool:
    from plnctl.fetchers.bluesky.addresses import looks_like_bluesky as check

    return check(target)


class BlueskyService:
    def __init__(self, pln: Pln):
        self.pln = pln
        self.store = pln.store

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
