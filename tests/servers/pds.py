"""A loopback Bluesky PDS (the entryway a user logs in to) for tests, written from the published
lexicons in bluesky-social/atproto: com.atproto.server.{createSession, refreshSession,
getSession, deleteSession} and com.atproto.repo.createRecord.

A created ``app.bsky.feed.post`` record is also published on the given ``AppView`` (as the
network would index it), so ``question check`` then reads its replies there:

    view = AppView().start()
    pds = Pds(view).start()
    me = view.add_account("teacher.bsky.social", "Ms Rivera")
    pds.add_password(me, "abcd-efgh-ijkl-mnop")
    os.environ["PLNCTL_BLUESKY_SERVICE"] = pds.url

``expire_access()`` makes every access token answer ``ExpiredToken`` (the refresh token still
works); ``expire_refresh()`` makes refreshing fail too. ``requests`` keeps each call's path,
Authorization header and body for assertions.
"""

from __future__ import annotations

import json
import secrets
import threading
from datetime import UTC, datetime
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any

from tests.servers.appview import Account, AppView


class Pds:
    def __init__(self, appview: AppView, host: str = "127.0.0.1") -> None:
        self.appview = appview
        self.passwords: dict[str, str] = {}  # did -> app password
        self.access: dict[str, str] = {}  # token -> did
        self.refresh: dict[str, str] = {}  # token -> did
        self.expired_access: set[str] = set()
        self.records: list[dict[str, Any]] = []  # {repo, collection, record, uri}
        self.requests: list[tuple[str, str | None, dict[str, Any]]] = []
        self.faults: list[tuple[int, bytes]] = []  # raw (status, body) answers to send next
        self._lock = threading.RLock()
        self._httpd = ThreadingHTTPServer((host, 0), _Handler)
        self._httpd.daemon_threads = True
        self._httpd.pds = self  # type: ignore[attr-defined]
        self.url = f"http://{host}:{self._httpd.server_address[1]}"
        self._thread = threading.Thread(target=self._httpd.serve_forever, daemon=True)

    def start(self) -> Pds:
        self._thread.start()
        return self

    def stop(self) -> None:
        self._httpd.shutdown()
        self._httpd.server_close()

    def add_password(self, account: Account, password: str) -> None:
        self.passwords[account.did] = password

    def fail_next(self, status: int, body: bytes) -> None:
        """The next call is answered with this raw status and body (hostile or broken)."""
        self.faults.append((status, body))

    def expire_access(self) -> None:
        with self._lock:
            self.expired_access.update(self.access)

    def expire_refresh(self) -> None:
        with self._lock:
            self.expire_access()
            self.refresh.clear()

    # -- the procedures ----------------------------------------------------------------------
    def _new_session(self, did: str) -> dict[str, Any]:
        access, refresh = "acc-" + secrets.token_hex(16), "ref-" + secrets.token_hex(16)
        self.access[access] = did
        self.refresh[refresh] = did
        account = self.appview.accounts[did]
        return {
            "accessJwt": access,
            "refreshJwt": refresh,
            "handle": account.handle,
            "did": did,
            "active": True,
        }

    def answer(
        self, nsid: str, token: str | None, body: dict[str, Any]
    ) -> tuple[int, dict[str, Any]]:
        with self._lock:
            if nsid == "com.atproto.server.createSession":
                account = self.appview._account(str(body.get("identifier") or ""))
                password = body.get("password")
                if account is None or self.passwords.get(account.did) != password:
                    return 401, _err("AuthenticationRequired", "Invalid identifier or password")
                return 200, self._new_session(account.did)
            if nsid == "com.atproto.server.refreshSession":
                did = self.refresh.pop(token or "", None)
                if did is None:
                    return 400, _err("ExpiredToken", "Token has expired")
                return 200, self._new_session(did)
            if nsid == "com.atproto.server.deleteSession":
                self.refresh.pop(token or "", None)
                return 200, {}
            did = self.access.get(token or "")
            if did is None:
                return 401, _err("AuthenticationRequired", "Invalid token")
            if token in self.expired_access:
                return 400, _err("ExpiredToken", "Token has expired")
            if nsid == "com.atproto.server.getSession":
                return 200, {"handle": self.appview.accounts[did].handle, "did": did}
            if nsid == "com.atproto.repo.createRecord":
                return self._create_record(did, body)
        return 400, _err("MethodNotImplemented", f"{nsid} is not served here")

    def _create_record(self, did: str, body: dict[str, Any]) -> tuple[int, dict[str, Any]]:
        record = body.get("record")
        if body.get("repo") != did:
            return 400, _err("InvalidRequest", "Input/repo must be the session's DID")
        if body.get("collection") != "app.bsky.feed.post" or not isinstance(record, dict):
            return 400, _err("InvalidRequest", "only app.bsky.feed.post records are served here")
        text, created = record.get("text"), record.get("createdAt")
        if not isinstance(text, str) or not isinstance(created, str):
            return 400, _err("InvalidRequest", "Record/text and Record/createdAt are required")
        moment = datetime.strptime(created, "%Y-%m-%dT%H:%M:%S.%fZ").replace(tzinfo=UTC)
        uri = self.appview.add_post(
            self.appview.accounts[did], text, facets=record.get("facets"),
            langs=record.get("langs"), created=moment,
        )  # fmt: skip
        self.records.append({"repo": did, "collection": body["collection"], "record": record,
                             "uri": uri})  # fmt: skip
        return 200, {"uri": uri, "cid": self.appview.posts[uri]["cid"]}


def _err(name: str, message: str) -> dict[str, Any]:
    return {"error": name, "message": message}


class _Handler(BaseHTTPRequestHandler):
    protocol_version = "HTTP/1.1"

    def log_message(self, *args: Any) -> None:
        pass

    def do_GET(self) -> None:
        self._handle({})

    def do_POST(self) -> None:
        size = int(self.headers.get("Content-Length") or 0)
        raw = self.rfile.read(size) if size else b""
        try:
            body = json.loads(raw) if raw else {}
        except ValueError:
            self._send(400, _err("InvalidRequest", "bad JSON"))
            return
        self._handle(body if isinstance(body, dict) else {})

    def _handle(self, body: dict[str, Any]) -> None:
        pds: Pds = self.server.pds  # type: ignore[attr-defined]
        path = self.path.split("?", 1)[0]
        auth = self.headers.get("Authorization")
        pds.requests.append((path, auth, body))
        if not path.startswith("/xrpc/"):
            self._send(404, _err("NotFound", "no such route"))
            return
        if pds.faults:
            status, raw = pds.faults.pop(0)
            self._send_raw(status, raw)
            return
        token = auth.removeprefix("Bearer ") if auth and auth.startswith("Bearer ") else None
        status, answer = pds.answer(path.removeprefix("/xrpc/"), token, body)
        self._send(status, answer)

    def _send(self, status: int, body: dict[str, Any]) -> None:
        self._send_raw(status, json.dumps(body).encode())

    def _send_raw(self, status: int, data: bytes) -> None:
        self.send_response(status)
        self.send_header("Content-Type", "application/json; charset=utf-8")
        self.send_header("Content-Length", str(len(data)))
        self.end_headers()
        self.wfile.write(data)
