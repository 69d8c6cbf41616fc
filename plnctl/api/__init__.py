"""The public facade: ``open_pln()`` wires settings, store and services together.

Services are namespaced by noun (``pln.people``, ``pln.sources``, ``pln.posts``, ``pln.topics``,
``pln.questions``, ``pln.share``, ``pln.insights``, ``pln.mastodon``) and imported on first use,
so a command pays only for the parts it touches.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator
from functools import cached_property
from pathlib import Path
from types import TracebackType
from typing import TYPE_CHECKING

from plnctl.config import Settings, load_settings
from plnctl.errors import PlnError
from plnctl.store import Store, open_store

if TYPE_CHECKING:
    from plnctl.api.insights import InsightsService
    from plnctl.api.mastodon import MastodonService
    from plnctl.api.people import PeopleService
    from plnctl.api.posts import PostsService
    from plnctl.api.questions import QuestionsService
    from plnctl.api.share import ShareService
    from plnctl.api.sources import SourcesService
    from plnctl.api.topics import TopicsService
    from plnctl.models import SourceResult, SyncSummary


class Pln:
    """One open plnctl database and everything you can do with it."""

    def __init__(self, store: Store, settings: Settings):
        self.store = store
        self.settings = settings

    def __enter__(self) -> Pln:
        return self

    def __exit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        tb: TracebackType | None,
    ) -> None:
        self.close()

    def close(self) -> None:
        self.store.close()

    @cached_property
    def people(self) -> PeopleService:
        from plnctl.api.people import PeopleService

        return PeopleService(self)

    @cached_property
    def sources(self) -> SourcesService:
        from plnctl.api.sources import SourcesService

        return SourcesService(self)

    @cached_property
    def posts(self) -> PostsService:
        from plnctl.api.posts import PostsService

        return PostsService(self)

    @cached_property
    def topics(self) -> TopicsService:
        from plnctl.api.topics import TopicsService

        return TopicsService(self)

    @cached_property
    def questions(self) -> QuestionsService:
        from plnctl.api.questions import QuestionsService

        return QuestionsService(self)

    @cached_property
    def share(self) -> ShareService:
        from plnctl.api.share import ShareService

        return ShareService(self)

    @cached_property
    def insights(self) -> InsightsService:
        from plnctl.api.insights import InsightsService

        return InsightsService(self)

    @cached_property
    def mastodon(self) -> MastodonService:
        from plnctl.api.mastodon import MastodonService

        return MastodonService(self)

    def sync_iter(
        self,
        *,
        person: str | int | None = None,
        source: int | None = None,
        force: bool = False,
        on_start: Callable[[int], None] | None = None,
    ) -> Iterator[SourceResult]:
        """Fetch every due source; yields one result per source, failures included."""
        from plnctl.api.syncing import sync_iter

        return sync_iter(self, person=person, source=source, force=force, on_start=on_start)

    def sync(self, **kwargs: object) -> SyncSummary:
        from plnctl.api.syncing import sync_all

        return sync_all(self, **kwargs)  # type: ignore[arg-type]


def translate_error(error: BaseException, pln: Pln | None = None) -> PlnError | None:
    """The plnctl error for a low-level failure (a damaged or locked database), if it is one."""
    from plnctl.store.connection import translate_error as from_store

    return from_store(error, pln.store.path if pln is not None else None)


def open_pln(
    db: str | Path | None = None,
    *,
    settings: Settings | None = None,
    progress: Callable[[str, int, int], None] | None = None,
) -> Pln:
    """Open the user's plnctl database (``--db`` > ``PLNCTL_DB`` > ``PLNCTL_HOME`` > default).

    ``progress(label, done, total)`` hears from a long migration (re-indexing every post)."""
    settings = settings or load_settings(db)
    return Pln(open_store(settings.db_path, progress=progress), settings)
