"""A loopback Bluesky AppView for tests and benchmarks, written from the published lexicons
(bluesky-social/atproto: lexicons/app/bsky/{actor,feed,graph,embed,richtext} and
lexicons/com/atproto/identity). It answers the read-only XRPC queries plnctl uses, from an
in-memory model that tests build:

    view = AppView().start()
    amara = view.add_account("amara.bsky.social", "Amara Okafor")
    text = "Exit tickets #edusky"
    view.add_post(amara, text, facets=[view.tag_facet(text, "#edusky")])
    os.environ["PLNCTL_BLUESKY_APPVIEW"] = view.url

Errors follow XRPC: HTTP 400 with ``{"error": NAME, "message": ...}``; ``rate_limit_once()``
makes the next request a 429 with ``RateLimit-*`` headers (reset in epoch seconds).
"""

from __future__ import annotations

import itertools
import json
import threading
import time
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any
from urllib.parse import parse_qs, urlsplit

from tests.servers.feed_server import Gauge

NO_UNAUTH = {"val": "!no-unauthenticated"}
_TID = itertools.count(1)


def _stamp(moment: datetime) -> str:
    return (
        moment.astimezone(UTC).strftime("%Y-%m-%dT%H:%M:%S.") + f"{moment.microsecond // 1000:03d}Z"
    )


@dataclass
class Account:
    did: str
    handle: str
    display_name: str | None = None
    description: str = ""
    labels: list[dict[str, Any]] = field(default_factory=list)
    website: str | None = None

    def basic(self) -> dict[str, Any]:
        view: dict[str, Any] = {"did": self.did, "handle": self.handle, "labels": self.labels}
        if self.display_name is not None:
            view["displayName"] = self.display_name
        view["avatar"] = f"https://cdn.bsky.example/avatar/{self.did}.jpg"
        return view

    def detailed(self, posts: int) -> dict[str, Any]:
        view = {**self.basic(), "description": self.description, "postsCount": posts}
        if self.website:
            view["website"] = self.website
        return view


@dataclass
class FeedItem:
    """One entry of an author feed: a post by the author, or their repost of someone's post."""

    post_uri: str
    by: str  # the DID whose feed it is in
    sort_at: datetime
    repost_uri: str | None = None


class AppView:
    def __init__(self, host: str = "127.0.0.1") -> None:
        self.accounts: dict[str, Account] = {}
        self.posts: dict[str, dict[str, Any]] = {}  # uri -> postView
        self.items: list[FeedItem] = []
        self.follows: dict[str, list[str]] = {}
        self.lists: dict[str, list[str]] = {}  # list uri -> member DIDs
        self.starter_packs: dict[str, dict[str, Any]] = {}
        self.requests: list[tuple[str, dict[str, list[str]]]] = []
        self.clock = datetime(2026, 11, 30, 8, 0, tzinfo=UTC)
        self._rate_limited = 0
        self.latency = 0.0  # seconds each answer waits (to see how many requests overlap)
        self.gauge = Gauge()  # requests being answered at once
        self._lock = threading.Lock()
        self._httpd = ThreadingHTTPServer((host, 0), _Handler)
        self._httpd.daemon_threads = True
        self._httpd.appview = self  # type: ignore[attr-defined]
        self.url = f"http://{host}:{self._httpd.server_address[1]}"
        self._thread = threading.Thread(target=self._httpd.serve_forever, daemon=True)

    def start(self) -> AppView:
        self._thread.start()
        return self

    def stop(self) -> None:
        self._httpd.shutdown()
        self._httpd.server_close()

    # -- building the model ----------------------------------------------------------------
    def add_account(self, handle: str, name: str | None = None, **fields: Any) -> Account:
        alphabet, n, digits = "abcdefghijklmnopqrstuvwxyz234567", len(self.accounts), []
        for _ in range(24):  # a did:plc is 24 base32 characters
            n, digit = divmod(n, 32)
            digits.append(alphabet[digit])
        did = "did:plc:" + "".join(reversed(digits))
        account = Account(did=did, handle=handle, display_name=name, **fields)
        self.accounts[did] = account
        return account

    def tick(self, minutes: int = 1) -> datetime:
        self.clock += timedelta(minutes=minutes)
        return self.clock

    def add_post(
        self,
        author: Account,
        text: str,
        *,
        facets: list[dict[str, Any]] | None = None,
        embed: dict[str, Any] | None = None,
        reply_to: str | None = None,
        langs: list[str] | None = None,
        tags: list[str] | None = None,
        created: datetime | None = None,
    ) -> str:
        created = created or self.tick()
        uri = f"at://{author.did}/app.bsky.feed.post/3l{next(_TID):011d}"
        record: dict[str, Any] = {
            "$type": "app.bsky.feed.post",
            "text": text,
            "createdAt": _stamp(created),
        }
        if facets:
            record["facets"] = facets
        if langs:
            record["langs"] = langs
        if tags:
            record["tags"] = tags
        if reply_to:
            parent = self.posts[reply_to]
            root = parent["record"].get("reply", {}).get("root") or {
                "uri": reply_to,
                "cid": parent["cid"],
            }
            record["reply"] = {"root": root, "parent": {"uri": reply_to, "cid": parent["cid"]}}
        view: dict[str, Any] = {
            "uri": uri,
            "cid": f"bafy{len(self.posts):08d}",
            "author": author.basic(),
            "record": record,
            "replyCount": 0,
            "repostCount": 0,
            "likeCount": 0,
            "quoteCount": 0,
            "indexedAt": _stamp(created),
            "labels": [],
        }
        if embed is not None:
            view["embed"] = embed
        self.posts[uri] = view
        if reply_to:
            self.posts[reply_to]["replyCount"] += 1
        self.items.append(FeedItem(uri, author.did, created))
        return uri

    def repost(self, by: Account, uri: str) -> str:
        moment = self.tick()
        repost_uri = f"at://{by.did}/app.bsky.feed.repost/3r{next(_TID):011d}"
        self.items.append(FeedItem(uri, by.did, moment, repost_uri))
        self.posts[uri]["repostCount"] += 1
        return repost_uri

    def delete_post(self, uri: str) -> None:
        self.posts.pop(uri, None)
        self.items = [i for i in self.items if i.post_uri != uri]

    def follow(self, who: Account, *targets: Account) -> None:
        self.follows.setdefault(who.did, []).extend(t.did for t in targets)

    def add_starter_pack(self, creator: Account, name: str, members: list[Account]) -> str:
        rkey = f"3s{next(_TID):011d}"
        list_uri = f"at://{creator.did}/app.bsky.graph.list/{rkey}"
        self.lists[list_uri] = [m.did for m in members]
        uri = f"at://{creator.did}/app.bsky.graph.starterpack/{rkey}"
        self.starter_packs[uri] = {"creator": creator.did, "list": list_uri, "name": name}
        return uri

    def rate_limit_once(self, count: int = 1) -> None:
        self._rate_limited = count

    # -- facets and embeds, as the lexicons define them -------------------------------------
    @staticmethod
    def _slice(text: str, part: str) -> dict[str, int]:
        start = text.encode().index(part.encode())
        return {"byteStart": start, "byteEnd": start + len(part.encode())}

    def link_facet(self, text: str, part: str, uri: str) -> dict[str, Any]:
        return {
            "index": self._slice(text, part),
            "features": [{"$type": "app.bsky.richtext.facet#link", "uri": uri}],
        }

    def mention_facet(self, text: str, part: str, did: str) -> dict[str, Any]:
        return {
            "index": self._slice(text, part),
            "features": [{"$type": "app.bsky.richtext.facet#mention", "did": did}],
        }

    def tag_facet(self, text: str, part: str) -> dict[str, Any]:
        tag = part.lstrip("#")
        return {
            "index": self._slice(text, part),
            "features": [{"$type": "app.bsky.richtext.facet#tag", "tag": tag}],
        }

    @staticmethod
    def external(uri: str, title: str, description: str = "") -> dict[str, Any]:
        return {
            "$type": "app.bsky.embed.external#view",
            "external": {"uri": uri, "title": title, "description": description},
        }

    @staticmethod
    def images(*alts: str) -> dict[str, Any]:
        return {
            "$type": "app.bsky.embed.images#view",
            "images": [
                {
                    "thumb": f"https://cdn.bsky.example/t/{i}.jpg",
                    "fullsize": f"https://cdn.bsky.example/f/{i}.jpg",
                    "alt": alt,
                }
                for i, alt in enumerate(alts)
            ],
        }

    def quote(self, uri: str | None, *, state: str = "record") -> dict[str, Any]:
        """state: record | notFound | blocked | detached."""
        if state != "record" or uri is None:
            target = uri or "at://did:plc:aaaaaaaaaaaaaaaaaaaaaaaa/app.bsky.feed.post/3gone"
            extra = {
                "notFound": {"notFound": True},
                "blocked": {"blocked": True, "author": {"did": "did:plc:x"}},
                "detached": {"detached": True},
            }[state]
            kind = {
                "notFound": "viewNotFound",
                "blocked": "viewBlocked",
                "detached": "viewDetached",
            }[state]
            return {
                "$type": "app.bsky.embed.record#view",
                "record": {"$type": f"app.bsky.embed.record#{kind}", "uri": target, **extra},
            }
        post = self.posts[uri]
        return {
            "$type": "app.bsky.embed.record#view",
            "record": {
                "$type": "app.bsky.embed.record#viewRecord",
                "uri": uri,
                "cid": post["cid"],
                "author": post["author"],
                "value": post["record"],
                "indexedAt": post["indexedAt"],
            },
        }

    # -- the queries -------------------------------------------------------------------------
    def _account(self, actor: str) -> Account | None:
        if actor in self.accounts:
            return self.accounts[actor]
        return next((a for a in self.accounts.values() if a.handle == actor.lower()), None)

    def _view(self, uri: str) -> dict[str, Any]:
        post = dict(self.posts[uri])
        account = self.accounts[post["author"]["did"]]
        post["author"] = account.basic()  # the author's current handle and labels
        return post

    def answer(self, nsid: str, q: dict[str, list[str]]) -> tuple[int, dict[str, Any]]:
        one = {k: v[0] for k, v in q.items()}
        if nsid == "com.atproto.identity.resolveHandle":
            account = self._account(one.get("handle", ""))
            return (
                (200, {"did": account.did})
                if account
                else _err("InvalidRequest", "Unable to resolve handle")
            )
        if nsid == "app.bsky.actor.getProfile":
            account = self._account(one.get("actor", ""))
            if account is None:
                return _err("InvalidRequest", "Profile not found")
            return 200, account.detailed(sum(1 for i in self.items if i.by == account.did))
        if nsid == "app.bsky.actor.getProfiles":
            found = [self._account(a) for a in q.get("actors", [])[:25]]
            return 200, {"profiles": [a.detailed(0) for a in found if a]}
        if nsid == "app.bsky.feed.getAuthorFeed":
            return self._author_feed(one)
        if nsid == "app.bsky.feed.getPostThread":
            return self._post_thread(one)
        if nsid == "app.bsky.graph.getFollows":
            account = self._account(one.get("actor", ""))
            if account is None:
                return _err("InvalidRequest", "Profile not found")
            dids = self.follows.get(account.did, [])
            page, cursor = _page(dids, one)
            return 200, {
                "subject": account.basic(),
                "follows": [self.accounts[d].basic() for d in page],
                **cursor,
            }
        if nsid == "app.bsky.graph.getStarterPack":
            pack = self.starter_packs.get(one.get("starterPack", ""))
            if pack is None:
                return _err("InvalidRequest", "Starter pack not found")
            creator = self.accounts[pack["creator"]]
            return 200, {
                "starterPack": {
                    "uri": one["starterPack"],
                    "cid": "bafysp",
                    "creator": creator.basic(),
                    "record": {
                        "$type": "app.bsky.graph.starterpack",
                        "name": pack["name"],
                        "list": pack["list"],
                        "createdAt": _stamp(self.clock),
                    },
                    "list": {
                        "uri": pack["list"],
                        "cid": "bafyl",
                        "name": pack["name"],
                        "purpose": "app.bsky.graph.defs#referencelist",
                        "indexedAt": _stamp(self.clock),
                    },
                    "indexedAt": _stamp(self.clock),
                }
            }
        if nsid == "app.bsky.graph.getList":
            members = self.lists.get(one.get("list", ""))
            if members is None:
                return _err("InvalidRequest", "List not found")
            page, cursor = _page(members, one)
            items = [
                {"uri": f"{one['list']}/item{i}", "subject": self.accounts[d].basic()}
                for i, d in enumerate(page)
            ]
            return 200, {"list": {"uri": one["list"], "name": "list"}, "items": items, **cursor}
        return 400, {"error": "MethodNotImplemented", "message": f"{nsid} is not served here"}

    def _author_feed(self, one: dict[str, str]) -> tuple[int, dict[str, Any]]:
        account = self._account(one.get("actor", ""))
        if account is None:
            return _err("InvalidRequest", "Profile not found")
        mine = sorted(
            (i for i in self.items if i.by == account.did), key=lambda i: i.sort_at, reverse=True
        )
        if one.get("filter") == "posts_and_author_threads":
            mine = [i for i in mine if i.repost_uri or self._own_thread(i.post_uri, account.did)]
        page, cursor = _page(mine, one, default=50, most=100)
        feed = []
        for item in page:
            entry: dict[str, Any] = {"post": self._view(item.post_uri)}
            parent_uri = (
                self.posts[item.post_uri]["record"].get("reply", {}).get("parent", {}).get("uri")
            )
            if parent_uri and not item.repost_uri:
                parent = (
                    self._view(parent_uri)
                    if parent_uri in self.posts
                    else {
                        "$type": "app.bsky.feed.defs#notFoundPost",
                        "uri": parent_uri,
                        "notFound": True,
                    }
                )
                entry["reply"] = {"root": parent, "parent": parent}
            if item.repost_uri:
                entry["reason"] = {
                    "$type": "app.bsky.feed.defs#reasonRepost",
                    "by": account.basic(),
                    "uri": item.repost_uri,
                    "indexedAt": _stamp(item.sort_at),
                }
            feed.append(entry)
        return 200, {"feed": feed, **cursor}

    def _own_thread(self, uri: str, did: str) -> bool:
        """A post counts for posts_and_author_threads unless it replies to someone else."""
        parent = self.posts[uri]["record"].get("reply", {}).get("parent", {}).get("uri")
        while parent and parent in self.posts:
            if self.posts[parent]["author"]["did"] != did:
                return False
            parent = self.posts[parent]["record"].get("reply", {}).get("parent", {}).get("uri")
        return True

    def _post_thread(self, one: dict[str, str]) -> tuple[int, dict[str, Any]]:
        uri = one.get("uri", "")
        if uri not in self.posts:
            return 200, {
                "thread": {"$type": "app.bsky.feed.defs#notFoundPost", "uri": uri, "notFound": True}
            }
        depth = int(one.get("depth", "6"))

        def node(at: str, level: int) -> dict[str, Any]:
            children = [
                u
                for u, p in self.posts.items()
                if p["record"].get("reply", {}).get("parent", {}).get("uri") == at
            ]
            replies = [node(c, level + 1) for c in children] if level < depth else []
            return {
                "$type": "app.bsky.feed.defs#threadViewPost",
                "post": self._view(at),
                "replies": replies,
            }

        return 200, {"thread": node(uri, 0)}

    def take_rate_limit(self) -> bool:
        with self._lock:
            if self._rate_limited > 0:
                self._rate_limited -= 1
                return True
            return False


def _err(name: str, message: str) -> tuple[int, dict[str, Any]]:
    return 400, {"error": name, "message": message}


def _page(
    items: list[Any], one: dict[str, str], *, default: int = 50, most: int = 100
) -> tuple[list[Any], dict[str, str]]:
    start = int(one.get("cursor") or 0)
    limit = max(1, min(int(one.get("limit") or default), most))
    page = items[start : start + limit]
    return page, ({"cursor": str(start + limit)} if start + limit < len(items) else {})


class _Handler(BaseHTTPRequestHandler):
    protocol_version = "HTTP/1.1"

    def log_message(self, *args: Any) -> None:
        pass

    def do_GET(self) -> None:
        view: AppView = self.server.appview  # type: ignore[attr-defined]
        view.gauge.up("appview")
        try:
            if view.latency:
                time.sleep(view.latency)
            self._answer(view)
        finally:
            view.gauge.down()

    def _answer(self, view: AppView) -> None:
        parts = urlsplit(self.path)
        query = parse_qs(parts.query)
        view.requests.append((parts.path, query))
        if view.take_rate_limit():
            self._send(
                429,
                {"error": "RateLimitExceeded", "message": "Rate Limit Exceeded"},
                {
                    "RateLimit-Limit": "3000",
                    "RateLimit-Remaining": "0",
                    "RateLimit-Reset": str(int(time.time()) + 120),
                    "RateLimit-Policy": "3000;w=300",
                },
            )
            return
        if not parts.path.startswith("/xrpc/"):
            self._send(404, {"error": "NotFound", "message": "no such route"})
            return
        status, body = view.answer(parts.path.removeprefix("/xrpc/"), query)
        self._send(status, body)

    def _send(
        self, status: int, body: dict[str, Any], headers: dict[str, str] | None = None
    ) -> None:
        data = json.dumps(body).encode()
        self.send_response(status)
        self.send_header("Content-Type", "application/json; charset=utf-8")
        self.send_header("Content-Length", str(len(data)))
        for name, value in (headers or {}).items():
            self.send_header(name, value)
        self.end_headers()
        self.wfile.write(data)
