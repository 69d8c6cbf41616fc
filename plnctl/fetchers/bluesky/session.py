"""The logged-in Bluesky account: an app-password session on the user's PDS (or the entryway
that fronts it, ``[bluesky] service``), XRPC procedures over httpx (no SDK), and the session
file.

- ``async login(service, identifier, password) -> Session``: ``com.atproto.server.createSession``.
- ``async create_record(session, collection, record, on_refresh) -> {uri, cid}``:
  ``com.atproto.repo.createRecord``; an expired access token is refreshed once
  (``com.atproto.server.refreshSession``) and ``on_refresh`` stores the new tokens.
- ``async check(session, on_refresh) -> Session``: ``com.atproto.server.getSession``.
- ``async end(session)``: ``com.atproto.server.deleteSession`` (best effort).
The session file itself (``Session``, load/save/forget) is ``plnctl.bluesky_auth``.

The password is sent once and never stored. Tokens are never printed, logged (``Session``
hides them from ``repr``) or put in an error message.
"""

from __future__ import annotations

import contextlib
import json
from collections.abc import Callable
from dataclasses import replace
from typing import Any
from urllib.parse import urlsplit

from plnctl.bluesky_auth import Session
from plnctl.errors import AuthError, FetchError, InvalidInput, LoginError

TIMEOUT = 30.0
MAX_ANSWER = 1_000_000  # bytes: a session or a created record's answer is small
# The session is over: refreshing cannot help (the refresh token expired or was revoked).
_DEAD = {"ExpiredToken", "InvalidToken", "AuthenticationRequired", "AccountTakedown"}


def service_base(service: str) -> str:
    """``bsky.social`` or ``https://bsky.social/`` -> ``https://bsky.social``."""
    text = service.strip().rstrip("/")
    if "://" not in text:
        text = "https://" + text
    parts = urlsplit(text)
    if parts.scheme not in ("http", "https") or not parts.hostname:
        raise InvalidInput(f"[bluesky] service must be an http(s) address, not {service!r}")
    return f"{parts.scheme}://{parts.netloc}"


async def _call(
    service: str, nsid: str, *, token: str | None = None, body: dict[str, Any] | None = None,
    get: bool = False,
) -> tuple[int, dict[str, Any]]:  # fmt: skip
    """One XRPC procedure or query with JSON in and out (``HttpClient`` only GETs), on the
    same guarded transport; (status, decoded JSON object). Only transport trouble raises."""
    import httpx

    from plnctl.fetchers.http import DEFAULT_USER_AGENT, check_url
    from plnctl.fetchers.netguard_httpcore import guard

    headers = {"User-Agent": DEFAULT_USER_AGENT, "Accept": "application/json"}
    if token:
        headers["Authorization"] = f"Bearer {token}"
    host = urlsplit(service).netloc
    url = check_url(f"{service}/xrpc/{nsid}")  # netguard: the URL here, addresses at connect
    try:
        async with httpx.AsyncClient(
            transport=guard(httpx.AsyncHTTPTransport()), timeout=TIMEOUT, follow_redirects=False
        ) as client:
            if get:
                response = await client.get(url, headers=headers)
            else:
                response = await client.post(url, headers=headers, json=body or {})
    except httpx.TimeoutException:
        raise FetchError(f"{host} did not answer within {TIMEOUT:g} s") from None
    except httpx.HTTPError:
        raise FetchError(f"could not reach {host}") from None
    content = response.content[:MAX_ANSWER]
    try:
        document = json.loads(content) if content else {}
    except (ValueError, UnicodeDecodeError):
        document = {}
    return response.status_code, document if isinstance(document, dict) else {}


def _problem(document: dict[str, Any]) -> tuple[str, str]:
    name, message = document.get("error"), document.get("message")
    return (
        name if isinstance(name, str) else "",
        message[:200] if isinstance(message, str) else "",
    )


def _session(service: str, document: dict[str, Any]) -> Session:
    values = [document.get(k) for k in ("did", "handle", "accessJwt", "refreshJwt")]
    if not all(isinstance(v, str) and v for v in values):
        raise FetchError(f"{urlsplit(service).netloc} sent an incomplete session")
    did, handle, access, refresh = (str(v) for v in values)
    return Session(service, did, handle, access, refresh)


async def login(service: str, identifier: str, password: str) -> Session:
    service = service_base(service)
    host = urlsplit(service).netloc
    status, document = await _call(
        service, "com.atproto.server.createSession",
        body={"identifier": identifier, "password": password},
    )  # fmt: skip
    if status == 200:
        return _session(service, document)
    name, message = _problem(document)
    if name == "AuthFactorTokenRequired":
        raise LoginError(
            f"{host} asks for a sign-in code sent by email: log in with an app password "
            "instead (Bluesky: Settings > Privacy and security > App passwords)"
        )
    if name == "AccountTakedown":
        raise LoginError(f"{host}: that account was taken down")
    if status in (400, 401):
        raise LoginError(
            f"{host} did not accept that handle and app password"
            + (f" ({message})" if message else "")
        )
    raise FetchError(f"{host} answered the login with HTTP {status}", status=status)


async def _refresh(session: Session) -> Session:
    status, document = await _call(
        session.service, "com.atproto.server.refreshSession", token=session.refresh_jwt
    )
    if status == 200:
        return _session(session.service, document)
    name, _ = _problem(document)
    if status in (400, 401) and (name in _DEAD or status == 401):
        raise _expired(session)
    raise FetchError(
        f"{urlsplit(session.service).netloc} answered the session refresh with HTTP {status}",
        status=status,
    )


def _expired(session: Session) -> AuthError:
    return AuthError(
        f"the Bluesky session for @{session.handle} has expired or was revoked; log in again: "
        f"plnctl bluesky login {session.handle}"
    )


async def _authorized(
    session: Session,
    nsid: str,
    on_refresh: Callable[[Session], None],
    *,
    body: dict[str, Any] | None = None,
    get: bool = False,
) -> tuple[Session, dict[str, Any]]:
    """An authenticated call; on ExpiredToken the session is refreshed (and stored through
    ``on_refresh``) and the call made once more."""
    host = urlsplit(session.service).netloc
    for attempt in (1, 2):
        status, document = await _call(
            session.service, nsid, token=session.access_jwt, body=body, get=get
        )
        if status == 200:
            return session, document
        name, message = _problem(document)
        if attempt == 1 and name == "ExpiredToken":
            session = await _refresh(session)
            on_refresh(session)
            continue
        if status == 401 or name in _DEAD:
            raise _expired(session)
        if status == 400:
            raise InvalidInput(f"{host} refused it: {name or 'InvalidRequest'} {message}".strip())
        break
    raise FetchError(f"{host} answered {nsid} with HTTP {status}", status=status)


async def check(session: Session, on_refresh: Callable[[Session], None]) -> Session:
    """The session as the server sees it now (its handle may have changed)."""
    session, document = await _authorized(
        session, "com.atproto.server.getSession", on_refresh, get=True
    )
    handle = document.get("handle")
    if isinstance(handle, str) and handle and handle != session.handle:
        session = replace(session, handle=handle)
        on_refresh(session)
    return session


async def create_record(
    session: Session,
    collection: str,
    record: dict[str, Any],
    on_refresh: Callable[[Session], None],
) -> dict[str, str]:
    body = {"repo": session.did, "collection": collection, "record": record}
    _, document = await _authorized(session, "com.atproto.repo.createRecord", on_refresh, body=body)
    uri, cid = document.get("uri"), document.get("cid")
    if not isinstance(uri, str) or not uri.startswith(f"at://{session.did}/"):
        raise FetchError(f"{urlsplit(session.service).netloc} did not say where the post went")
    return {"uri": uri, "cid": str(cid or "")}


async def end(session: Session) -> None:
    """Revoke the refresh token on the server (best effort: forgetting it locally matters)."""
    with contextlib.suppress(FetchError):
        await _call(session.service, "com.atproto.server.deleteSession", token=session.refresh_jwt)
