"""A real Mastodon-API server for the tests: ``mastodon_mock`` (FastAPI, pinned 0.6.1) served by
uvicorn on a thread, on 127.0.0.1 with a free port, one per session, reset between tests.

The socket is bound before the app is built so the mock's ``domain`` is ``127.0.0.1:<port>`` and
every URL in its JSON points back at it (``url_scheme = "http"``). The mock has no per-user RSS
route; ``/@<user>.rss`` is added here for the RSS-fallback tests.

Seeded accounts (any seeded token works as a bearer token):
alice (``alice_token``), bob (``bob_token``), carol (``carol_token``, a bot),
dana (``dana_token``, ``#nobot`` in her bio). alice follows bob, carol and dana.
"""

from __future__ import annotations

import socket
import tempfile
import threading
import time
from collections.abc import Iterator
from email.utils import format_datetime
from typing import Any
from xml.sax.saxutils import escape

import httpx
import pytest

SEED: dict[str, Any] = {
    "accounts": [
        {"username": "alice", "display_name": "Alice Teacher", "access_token": "alice_token"},
        {"username": "bob", "display_name": "Bob Librarian", "access_token": "bob_token"},
        {"username": "carol", "display_name": "Carol Bot", "bot": True,
         "access_token": "carol_token"},
        {"username": "dana", "display_name": "Dana", "note": "<p>Teacher. #nobot please</p>",
         "access_token": "dana_token"},
    ],
    "follows": [
        {"follower": "alice", "following": "bob"},
        {"follower": "alice", "following": "carol"},
        {"follower": "alice", "following": "dana"},
    ],
    "statuses": [
        {"account": "bob", "text": "Hello #EdTech world"},
        {"account": "bob", "text": "Second post about #OER"},
        {"account": "dana", "text": "Dana's first post"},
    ],
}  # fmt: skip


class MastodonMock:
    """Handle on the running mock plus small helpers that drive it through its real API."""

    def __init__(self) -> None:
        from mastodon_mock.app import create_app
        from mastodon_mock.config import (
            DatabaseConfig,
            MastodonMockConfig,
            SeedConfig,
            StreamingConfig,
        )

        self._socket = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
        self._socket.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        self._socket.bind(("127.0.0.1", 0))
        self.port = self._socket.getsockname()[1]
        self.host = f"127.0.0.1:{self.port}"
        self.base_url = f"http://{self.host}"
        self._media = tempfile.TemporaryDirectory(prefix="plnctl-mastodon-mock-")
        config = MastodonMockConfig(
            domain=self.host,
            url_scheme="http",
            database=DatabaseConfig(path=":memory:"),
            seed=SeedConfig.model_validate(SEED),
            streaming=StreamingConfig(enabled=False),
            media_storage_path=self._media.name,
        )
        self.app = create_app(config)
        _add_rss_route(self.app, self.base_url)
        self.http = httpx.Client(base_url=self.base_url, timeout=10)
        self._server: Any = None
        self._thread: threading.Thread | None = None

    def start(self) -> MastodonMock:
        import uvicorn

        self._server = uvicorn.Server(uvicorn.Config(self.app, log_level="warning", lifespan="off"))
        self._thread = threading.Thread(
            target=self._server.run, kwargs={"sockets": [self._socket]}, daemon=True
        )
        self._thread.start()
        deadline = time.monotonic() + 15
        while not self._server.started:
            if time.monotonic() > deadline or not self._thread.is_alive():
                raise RuntimeError("mastodon_mock did not start")
            time.sleep(0.02)
        return self

    def stop(self) -> None:
        self.http.close()
        if self._server is not None:
            self._server.should_exit = True
        if self._thread is not None:
            self._thread.join(timeout=5)
        self._socket.close()
        self._media.cleanup()

    # --- helpers ---------------------------------------------------------------------------

    def handle(self, username: str) -> str:
        return f"@{username}@{self.host}"

    def reset(self) -> None:
        self.http.post("/api/v1/_mock/reset").raise_for_status()

    def _auth(self, user: str) -> dict[str, str]:
        return {"Authorization": f"Bearer {user}_token"}

    def post(self, user: str, text: str, **fields: Any) -> dict[str, Any]:
        response = self.http.post(
            "/api/v1/statuses", json={"status": text, **fields}, headers=self._auth(user)
        )
        response.raise_for_status()
        return dict(response.json())

    def upload(
        self, user: str, filename: str, data: bytes, mime: str, *, description: str | None = None
    ) -> dict[str, Any]:
        """``POST /api/v2/media``: a MediaAttachment to pass as ``media_ids`` to ``post``."""
        response = self.http.post(
            "/api/v2/media",
            files={"file": (filename, data, mime)},
            data={"description": description} if description else {},
            headers=self._auth(user),
        )
        response.raise_for_status()
        return dict(response.json())

    def edit(self, user: str, status_id: str, text: str) -> dict[str, Any]:
        response = self.http.put(
            f"/api/v1/statuses/{status_id}", json={"status": text}, headers=self._auth(user)
        )
        response.raise_for_status()
        return dict(response.json())

    def boost(self, user: str, status_id: str) -> dict[str, Any]:
        response = self.http.post(f"/api/v1/statuses/{status_id}/reblog", headers=self._auth(user))
        response.raise_for_status()
        return dict(response.json())

    def delete(self, user: str, status_id: str) -> None:
        self.http.delete(f"/api/v1/statuses/{status_id}", headers=self._auth(user))

    def fault(self, path: str, effect: dict[str, Any], *, count: int | None = 1) -> None:
        rule: dict[str, Any] = {"match": {"path": path, "methods": ["GET"]}, "effect": effect}
        if count is not None:
            rule["count"] = count
        self.http.post("/api/v1/_mock/faults", json=rule).raise_for_status()

    def account_id(self, username: str) -> str:
        response = self.http.get("/api/v1/accounts/lookup", params={"acct": username})
        response.raise_for_status()
        return str(response.json()["id"])


def _add_rss_route(app: Any, base_url: str) -> None:
    """``GET /@<user>.rss``: the account's public statuses as RSS 2.0, like real Mastodon."""
    from fastapi import Response
    from mastodon_mock.db.models import Account, Status
    from sqlalchemy import select
    from starlette.routing import Route

    async def rss(request: Any) -> Response:
        username = request.path_params["name"]
        with app.state.session_factory() as db:
            account = db.scalar(
                select(Account).where(Account.username == username, Account.domain.is_(None))
            )
            if account is None:
                return Response("not found", status_code=404)
            statuses = db.scalars(
                select(Status)
                .where(Status.account_id == account.id, Status.visibility == "public")
                .where(Status.reblog_of_id.is_(None))
                .order_by(Status.id.desc())
            ).all()
            items = "".join(_rss_item(base_url, username, s) for s in statuses)
        body = (
            '<?xml version="1.0" encoding="UTF-8"?><rss version="2.0"><channel>'
            f"<title>{escape(account.display_name or username)}</title>"
            f"<link>{base_url}/@{username}</link>{items}</channel></rss>"
        )
        return Response(body, media_type="application/rss+xml; charset=utf-8")

    app.router.routes.insert(0, Route("/@{name}.rss", rss, methods=["GET"]))


def _rss_item(base_url: str, username: str, status: Any) -> str:
    url = f"{base_url}/@{username}/{status.id}"
    return (
        f'<item><guid isPermaLink="true">{url}</guid><link>{url}</link>'
        f"<pubDate>{format_datetime(status.created_at.replace(tzinfo=None), usegmt=False)}"
        f"</pubDate><description>{escape(status.content or '')}</description></item>"
    )


@pytest.fixture(scope="session")
def mastodon_session() -> Iterator[MastodonMock]:
    server = MastodonMock().start()
    try:
        yield server
    finally:
        server.stop()


@pytest.fixture
def mastodon(mastodon_session: MastodonMock) -> MastodonMock:
    """The session's mock, re-seeded (and faults cleared) for this test."""
    mastodon_session.reset()
    return mastodon_session
