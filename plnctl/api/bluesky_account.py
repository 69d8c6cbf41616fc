"""The user's own Bluesky account (``pln.bluesky.account``): log in with an app password, see
who is logged in, log out, and post (questions and shares go through ``post``).

The session (access and refresh tokens, DID, handle) lives in ``credentials/bluesky.json``,
mode 0600, written atomically; the app password is sent once to ``[bluesky] service`` and never
stored. The logged-in account is one of the user's identities (``Pln.me``).
"""

from __future__ import annotations

import os
import re
from datetime import UTC, datetime
from typing import TYPE_CHECKING, Any

from plnctl.api.sources import http_settings, run
from plnctl.errors import AuthError, FetchError, InvalidInput, NotFound, ParseError

if TYPE_CHECKING:
    from plnctl.api import Pln
    from plnctl.bluesky_auth import Session

PASSWORD_ENV = "PLNCTL_BLUESKY_APP_PASSWORD"
APP_PASSWORD = re.compile(r"^[a-z0-9]{4}-[a-z0-9]{4}-[a-z0-9]{4}-[a-z0-9]{4}$")


def looks_like_app_password(password: str) -> bool:
    """Bluesky's app passwords read ``xxxx-xxxx-xxxx-xxxx``; the account password works too,
    but gives full control of the account to whoever reads it."""
    return bool(APP_PASSWORD.match(password.strip()))


def stamp() -> str:
    """A record's ``createdAt``: UTC with milliseconds, as Bluesky's own clients write it."""
    moment = datetime.now(UTC)
    return moment.strftime("%Y-%m-%dT%H:%M:%S.") + f"{moment.microsecond // 1000:03d}Z"


class BlueskyAccount:
    def __init__(self, pln: Pln):
        self.pln = pln
        self.settings = pln.settings

    # --- the session ---------------------------------------------------------------------

    def login(self, handle: str, password: str | None = None) -> dict[str, Any]:
        """Create a session (``password``, else ``$PLNCTL_BLUESKY_APP_PASSWORD``) and store
        it; returns ``{handle, did, service}``."""
        from plnctl import bluesky_auth
        from plnctl.fetchers.bluesky import normalize_actor
        from plnctl.fetchers.bluesky import session as pds

        password = password if password is not None else os.environ.get(PASSWORD_ENV, "")
        if not password.strip():
            raise InvalidInput(f"no app password given (type it when asked, or set {PASSWORD_ENV})")
        identifier = normalize_actor(handle)
        session = run(pds.login(self.settings.bluesky.service, identifier, password.strip()))
        bluesky_auth.save(self.settings, session)
        return self._summary(session)

    def current(self) -> Session | None:
        from plnctl import bluesky_auth

        return bluesky_auth.load(self.settings)

    def require(self) -> Session:
        session = self.current()
        if session is None:
            raise AuthError("not logged in to Bluesky; run: plnctl bluesky login HANDLE")
        return session

    def status(self, *, check: bool = True) -> dict[str, Any]:
        """Who is logged in (checked with the server, which refreshes an expired session);
        ``{"logged_in": False}`` when nobody is."""
        from plnctl import bluesky_auth
        from plnctl.fetchers.bluesky import session as pds

        session = self.current()
        if session is None:
            return {
                "logged_in": False,
                "session_file": str(bluesky_auth.session_file(self.settings)),
            }
        if check:
            session = run(pds.check(session, self._store))
        return {"logged_in": True, **self._summary(session), "checked": check}

    def logout(self) -> str | None:
        """Revoke the session on the server (best effort) and delete the session file;
        returns the handle that was logged in."""
        from plnctl import bluesky_auth
        from plnctl.fetchers.bluesky import session as pds

        session = self.current()
        if session is None:
            return None
        run(pds.end(session))
        bluesky_auth.forget(self.settings)
        return session.handle

    # --- posting -------------------------------------------------------------------------

    def post(self, text: str, *, what: str = "the post") -> dict[str, Any]:
        """Post ``text`` from the logged-in account, with facets for its links, mentions
        (resolved to DIDs) and hashtags; the length is checked before anything is sent.
        Returns ``{uri, cid, url, created_at, record}``."""
        from plnctl.fetchers.bluesky import post_url, richtext
        from plnctl.fetchers.bluesky import session as pds

        text = text.strip()
        if not text:
            raise InvalidInput(f"{what} is empty")
        richtext.check_length(text, what=what)
        session = self.require()
        dids = run(self._resolve(richtext.mentioned_handles(text)))
        record = richtext.post_record(
            text, created_at=stamp(), dids=dids, lang=self.settings.bluesky.lang or None
        )
        created = run(pds.create_record(session, "app.bsky.feed.post", record, self._store))
        rkey = created["uri"].rsplit("/", 1)[-1]
        current = self.current() or session
        return {
            **created,
            "url": post_url(current.handle, rkey),
            "created_at": record["createdAt"],
            "record": record,
        }

    async def _resolve(self, handles: list[str]) -> dict[str, str]:
        """Mentioned handles -> DIDs through the public AppView; an unknown one is skipped
        (it stays plain text, as in Bluesky's own app)."""
        from plnctl.fetchers.bluesky import resolve_handle
        from plnctl.fetchers.http import HttpClient

        found: dict[str, str] = {}
        if not handles:
            return found
        async with HttpClient(http_settings(self.pln)) as client:
            for handle in handles:
                try:
                    found[handle] = await resolve_handle(
                        client, self.settings.bluesky.appview, handle
                    )
                except (NotFound, ParseError):
                    continue  # no such account: the mention stays plain text
                except FetchError as e:
                    if e.status != 400:  # the AppView could not be asked: post nothing yet
                        raise
                    continue  # 400 "Unable to resolve handle"
        return found

    def _store(self, session: Session) -> None:
        from plnctl import bluesky_auth

        bluesky_auth.save(self.settings, session)

    @staticmethod
    def _summary(session: Session) -> dict[str, Any]:
        return {"handle": "@" + session.handle, "did": session.did, "service": session.service}
