"""The public facade: ``open_pln()`` wires settings, store and services together.

Services are namespaced by noun (``pln.people``, ``pln.sources``, ``pln.posts``, ``pln.topics``,
``pln.questions``, ``pln.share``, ``pln.insights``, ``pln.mastodon``, ``pln.notes``,
``pln.pd``, ``pln.shareback``) and imported on first use,
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
    from plnctl.api.bluesky import BlueskyService
    from plnctl.api.insights import InsightsService
    from plnctl.api.mastodon import MastodonService
    from plnctl.api.notes import NotesService
    from plnctl.api.pd import PdService
    from plnctl.api.people import PeopleService
    from plnctl.api.posts import PostsService
    from plnctl.api.questions import QuestionsService
    from plnctl.api.reading import ReadingService
    from plnctl.api.share import ShareService
    from plnctl.api.shareback import ShareBackService
    from plnctl.api.sources import SourcesService
    from plnctl.api.tags import TagsService
    from plnctl.api.topics import TopicsService
    from plnctl.identity import Me
    from plnctl.models import FullTextReport, SourceResult, SyncSummary


class Pln:
    """One open plnctl database and everything you can do with it."""

    def __init__(self, store: Store, settings: Settings):
        self.store = store
        self.settings = settings
        self.created = False  # this open made a new database file

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

    def take_notices(self) -> list[str]:
        """What plnctl did on its own that the user should hear of once (issue 12: the
        duplicates a migration merged); each notice is returned by one call only."""
        from plnctl.store.identity import pending_notices, shown_notices

        notices = pending_notices(self.store.conn)  # no write (and no lock) when none
        if notices:
            with self.store.transaction() as conn:
                shown_notices(conn, notices[-1][0])
        return [text for _, text in notices]

    @cached_property
    def me(self) -> Me:
        """The user's own identities: ``[me]`` in config.toml and the logged-in Mastodon and
        Bluesky accounts (read from the credentials files; an unreadable one is not counted)."""
        import os

        from plnctl.identity import Me

        me = self.settings.me
        handles = list(me.mastodon)
        login = None
        # Not logged in (no token file, no token variable): no need to import the Mastodon
        # client (httpx and all: a third of a digest's start-up). Names as in mastodon_auth.
        if (self.settings.credentials_dir / "mastodon.json").exists() or os.environ.get(
            "PLNCTL_MASTODON_TOKEN"
        ):
            try:
                from plnctl.mastodon_auth import current_login

                login = current_login(self.settings)
            except PlnError:
                login = None
        if login is not None and login.acct:
            handles.append(login.acct)
        return Me.of(me.names, handles, [*me.sites, *self._bluesky_me()])

    def _bluesky_me(self) -> list[str]:
        """The logged-in Bluesky account as profile addresses (by DID and by handle): its
        posts' and replies' URLs are below them, so ``is_me`` knows them."""
        from plnctl import bluesky_auth

        try:
            current = bluesky_auth.load(self.settings)
        except PlnError:
            current = None
        if current is None:
            return []
        from plnctl.fetchers.bluesky.addresses import profile_url

        return [profile_url(current.did), profile_url(current.handle)]

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

    @cached_property
    def tags(self) -> TagsService:
        from plnctl.api.tags import TagsService

        return TagsService(self)

    @cached_property
    def bluesky(self) -> BlueskyService:
        from plnctl.api.bluesky import BlueskyService

        return BlueskyService(self)

    @cached_property
    def notes(self) -> NotesService:
        from plnctl.api.notes import NotesService

        return NotesService(self)

    @cached_property
    def pd(self) -> PdService:
        from plnctl.api.pd import PdService

        return PdService(self)

    @cached_property
    def shareback(self) -> ShareBackService:
        from plnctl.api.shareback import ShareBackService

        return ShareBackService(self)

    @cached_property
    def reading(self) -> ReadingService:
        """The interactive reader's queries (``plnctl read``)."""
        from plnctl.api.reading import ReadingService

        return ReadingService(self)

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

    def fetch_full_text(self) -> FullTextReport:
        """Fetch the article pages of new posts of full-text sources (see plnctl.fulltext)."""
        from plnctl.fulltext import fetch_pages

        return fetch_pages(self.store, self.settings)


def translate_error(error: BaseException, pln: Pln | None = None) -> PlnError | None:
    """The plnctl error for a low-level failure (a damaged or locked database), if it is one."""
    from plnctl.store.connection import translate_error as from_store

    return from_store(error, pln.store.path if pln is not None else None)


def open_pln(
    db: str | Path | None = None,
    *,
    settings: Settings | None = None,
    create: bool = True,
    progress: Callable[[str, int, int], None] | None = None,
) -> Pln:
    """Open the user's plnctl database (``--db`` > ``PLNCTL_DB`` > ``PLNCTL_HOME`` > default).

    With ``create=False`` a database path given explicitly (``db`` or ``PLNCTL_DB``) that does
    not exist is an error (exit 5) instead of a new, empty network: a typo must not look like
    an empty network. ``pln.created`` says whether this call made a new database file.
    ``progress(label, done, total)`` hears from a long migration (re-indexing every post)."""
    import os

    from plnctl.timeutil import set_display_zone

    settings = settings or load_settings(db)
    set_display_zone(settings.display.timezone)  # a bad name fails here, before any work
    path = settings.db_path
    explicit = db is not None or bool(os.environ.get("PLNCTL_DB"))
    exists = str(path) == ":memory:" or path.exists()
    if not exists and explicit and not create:
        from plnctl.errors import StorageError

        raise StorageError(
            f"no plnctl database at {path} (check --db or PLNCTL_DB; `plnctl person add`, "
            "`plnctl import opml` or `plnctl topic init` create one there)"
        )
    pln = Pln(open_store(path, progress=progress), settings)
    pln.created = not exists
    return pln
