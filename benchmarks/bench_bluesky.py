"""Bluesky sync speed: ``plnctl sync`` of 300 accounts against a loopback AppView, first sync
(100 posts each) and incremental (a few new posts each), the incremental run side by side with a
floor of plain concurrent GETs + ``json.loads`` of the same author-feed pages.

    python benchmarks/run.py bluesky [--accounts 300] [--posts 100] [--new 3] [--runs 3]
    python benchmarks/bench_bluesky.py --accounts 300

A child process serves ``app.bsky.feed.getAuthorFeed`` pages shaped like the public AppView's
(postView with author, record with facets and langs, every fourth post with a link card, every
tenth a repost), ~1.4 KB of JSON per post. The AppView is one host, so plnctl's per-host limit
(4) applies on both sides, as against public.api.bsky.app.

Targets (issue 15): incremental <= 1.5x the floor; first sync of 300 x 100 posts < 30 s.
"""

from __future__ import annotations

import argparse
import asyncio
import json
import os
import subprocess
import sys
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from threading import Thread
from urllib.parse import parse_qs, urlsplit

HERE = Path(__file__).resolve().parent
sys.path.insert(0, str(HERE))
sys.path.insert(0, str(HERE.parent))

from harness import BIN, fmt_ratio, fmt_s, log, md_table, measure, median, temp_dir  # noqa: E402

TARGET, FIRST_TARGET = 1.5, 30.0
PAGE = 100


def _did(i: int) -> str:
    alphabet, digits = "abcdefghijklmnopqrstuvwxyz234567", []
    for _ in range(24):  # a did:plc is 24 base32 characters
        i, digit = divmod(i, 32)
        digits.append(alphabet[digit])
    return "did:plc:" + "".join(reversed(digits))


def _item(i: int, n: int) -> bytes:
    did, handle = _did(i), f"educator{i}.bsky.social"
    text = (f"Post {n}: notes on retrieval practice and exit tickets, thanks @friend.bsky.social "
            f"see rubric.example/{n} #EduSky")  # fmt: skip
    data = text.encode()

    def span(part: str) -> dict[str, int]:
        start = data.index(part.encode())
        return {"byteStart": start, "byteEnd": start + len(part.encode())}

    record = {
        "$type": "app.bsky.feed.post", "text": text, "langs": ["en"],
        "createdAt": f"2026-{1 + n // 600 % 12:02d}-{1 + n // 24 % 28:02d}T{n % 24:02d}:00:00.000Z",
        "facets": [
            {"index": span("@friend.bsky.social"), "features": [
                {"$type": "app.bsky.richtext.facet#mention", "did": _did(10**6)}]},
            {"index": span(f"rubric.example/{n}"), "features": [
                {"$type": "app.bsky.richtext.facet#link", "uri": f"https://rubric.example/{n}"}]},
            {"index": span("#EduSky"), "features": [
                {"$type": "app.bsky.richtext.facet#tag", "tag": "EduSky"}]},
        ],
    }  # fmt: skip
    author = {"did": did, "handle": handle, "displayName": f"Educator {i}", "labels": [],
              "avatar": f"https://cdn.bsky.example/avatar/{did}.jpg",
              "createdAt": "2024-11-20T00:00:00.000Z"}  # fmt: skip
    post = {"uri": f"at://{did}/app.bsky.feed.post/3k{n:011d}", "cid": f"bafyrei{i:06d}{n:08d}",
            "author": author, "record": record, "replyCount": 2, "repostCount": 5, "likeCount": 11,
            "quoteCount": 0, "indexedAt": record["createdAt"], "labels": []}  # fmt: skip
    if n % 4 == 0:
        post["embed"] = {"$type": "app.bsky.embed.external#view", "external": {
            "uri": f"https://blog{i}.example/{n}", "title": f"Exit tickets, part {n}",
            "description": "Five prompts that tell you what to teach tomorrow.",
            "thumb": f"https://cdn.bsky.example/thumb/{n}.jpg"}}  # fmt: skip
    item: dict[str, object] = {"post": post}
    if n % 10 == 0:
        item["reason"] = {"$type": "app.bsky.feed.defs#reasonRepost", "by": author,
                          "uri": f"at://{did}/app.bsky.feed.repost/3r{n:011d}",
                          "indexedAt": record["createdAt"]}  # fmt: skip
    return json.dumps(item).encode()


class _State:
    def __init__(self, accounts: int, posts: int) -> None:
        self.count = {_did(i): posts for i in range(accounts)}
        self.index = {_did(i): i for i in range(accounts)}
        self.cache: dict[tuple[int, int], bytes] = {}

    def page(self, did: str, cursor: str | None, limit: int) -> bytes:
        i, top = self.index[did], self.count[did]
        if cursor:
            top = min(top, int(cursor))
        items = []
        for n in range(top, max(0, top - limit), -1):
            if (i, n) not in self.cache:
                self.cache[(i, n)] = _item(i, n)
            items.append(self.cache[(i, n)])
        rest = top - limit
        tail = f',"cursor":"{rest}"' if rest > 0 else ""
        return b'{"feed":[' + b",".join(items) + b"]" + tail.encode() + b"}"


def _handler(state: _State) -> type[BaseHTTPRequestHandler]:
    class Handler(BaseHTTPRequestHandler):
        protocol_version = "HTTP/1.1"

        def log_message(self, *args: object) -> None:
            pass

        def do_POST(self) -> None:  # /_advance?n=3
            n = int(parse_qs(urlsplit(self.path).query).get("n", ["3"])[0])
            for did in state.count:
                state.count[did] += n
            self._send(b"{}")

        def do_GET(self) -> None:
            parts = urlsplit(self.path)
            query = parse_qs(parts.query)
            if parts.path != "/xrpc/app.bsky.feed.getAuthorFeed":
                self._send(b'{"error":"MethodNotImplemented"}', 400)
                return
            limit = min(int(query.get("limit", [PAGE])[0]), PAGE)
            self._send(state.page(query["actor"][0], query.get("cursor", [None])[0], limit))

        def _send(self, body: bytes, status: int = 200) -> None:
            self.send_response(status)
            self.send_header("Content-Type", "application/json; charset=utf-8")
            self.send_header("Content-Length", str(len(body)))
            self.send_header("RateLimit-Limit", "3000")
            self.send_header("RateLimit-Remaining", "2999")
            self.end_headers()
            self.wfile.write(body)

    return Handler


def serve(accounts: int, posts: int) -> None:
    server = ThreadingHTTPServer(("127.0.0.1", 0), _handler(_State(accounts, posts)))
    server.daemon_threads = True
    Thread(target=server.serve_forever, daemon=True).start()
    print(json.dumps({"port": server.server_address[1]}), flush=True)
    sys.stdin.read()  # until the parent closes our stdin


async def _floor(urls: list[str]) -> int:
    """The same pages with plnctl's limits (16 in flight, 4 per host), decoded, nothing else."""
    import httpx

    limit_all, per_host = asyncio.Semaphore(16), asyncio.Semaphore(4)
    async with httpx.AsyncClient(limits=httpx.Limits(max_connections=16)) as client:

        async def one(url: str) -> int:
            async with limit_all, per_host:
                return len(json.loads((await client.get(url)).content)["feed"])

        return sum(await asyncio.gather(*(one(u) for u in urls)))


def _urls(port: int, accounts: int) -> list[str]:
    return [f"http://127.0.0.1:{port}/xrpc/app.bsky.feed.getAuthorFeed?actor={_did(i)}"
            f"&filter=posts_and_author_threads&limit={PAGE}" for i in range(accounts)]  # fmt: skip


def _make_db(db: Path, accounts: int) -> None:
    from plnctl.api import open_pln
    from plnctl.models import SourceKind
    from plnctl.store import people as store

    with open_pln(db) as pln, pln.store.transaction():
        for i in range(accounts):
            person = store.insert_person(pln.store, f"Educator {i}")
            store.insert_source(pln.store, person, SourceKind.BLUESKY,
                                f"https://bsky.app/profile/{_did(i)}", remote_id=_did(i),
                                handle=f"@educator{i}.bsky.social")  # fmt: skip


def _posts(db: Path) -> int:
    import sqlite3

    with sqlite3.connect(db) as conn:
        return int(conn.execute("SELECT count(*) FROM posts").fetchone()[0])


def _advance(port: int, n: int) -> None:
    import urllib.request

    request = urllib.request.Request(f"http://127.0.0.1:{port}/_advance?n={n}", method="POST")
    urllib.request.urlopen(request, timeout=10).read()


def run(args: argparse.Namespace) -> str:
    server = subprocess.Popen(
        [sys.executable, __file__, "--serve", "--accounts", str(args.accounts),
         "--posts", str(args.posts)],
        stdin=subprocess.PIPE, stdout=subprocess.PIPE, text=True,
    )  # fmt: skip
    try:
        port = json.loads(server.stdout.readline())["port"]  # type: ignore[union-attr]
        with temp_dir("bluesky") as work:
            return _measure_all(args, port, Path(work))
    finally:
        server.stdin.close()  # type: ignore[union-attr]
        server.wait(timeout=10)


def _measure_all(args: argparse.Namespace, port: int, work: Path) -> str:
    db = work / "pln.db"
    home = work / "home"
    home.mkdir()
    (home / "config.toml").write_text(f"[bluesky]\nhistory_depth = {args.posts}\n")
    env = {**os.environ, "PLNCTL_HOME": str(home),
           "PLNCTL_BLUESKY_APPVIEW": f"http://127.0.0.1:{port}"}  # fmt: skip
    # Measure plnctl as installed: pip writes bytecode for a real install, but an editable
    # checkout under PYTHONDONTWRITEBYTECODE=1 recompiles ~60 modules on every run (~0.15 s of
    # CPU that no user pays). The first sync writes the bytecode into the work directory.
    env.pop("PYTHONDONTWRITEBYTECODE", None)
    env["PYTHONPYCACHEPREFIX"] = str(work / "pycache")
    urls_file = work / "urls.json"
    urls_file.write_text(json.dumps(_urls(port, args.accounts)))
    _make_db(db, args.accounts)
    sync = [str(BIN / "plnctl"), "--db", str(db), "sync", "--force", "--quiet"]
    floor_cmd = [sys.executable, __file__, "--floor", str(urls_file)]
    log(f"bluesky: first sync of {args.accounts} accounts x {args.posts} posts ...")
    first = measure(sync, env=env)
    stored = _posts(db)
    rows, ours, floors, cpus, floor_cpus = [], [], [], [], []
    for run_no in range(args.runs):
        _advance(port, args.new)
        before = _posts(db)
        mine = measure(sync, env=env)
        new = _posts(db) - before
        floor = measure(floor_cmd, env=env)
        ours.append(mine.wall)
        floors.append(floor.wall)
        cpus.append(mine.cpu)
        floor_cpus.append(floor.cpu)
        ok = "ok" if mine.ok and new == args.new * args.accounts else mine.error_tail()
        rows.append([run_no + 1, fmt_s(mine.wall), fmt_s(mine.cpu), fmt_s(floor.wall),
                     fmt_s(floor.cpu), new, ok])  # fmt: skip
    ratio = median(ours) / median(floors)  # type: ignore[operator]
    cpu_ratio = median(cpus) / median(floor_cpus)  # type: ignore[operator]
    first_ok = "ok" if first.ok and stored == args.accounts * args.posts else first.error_tail()
    # fmt: off
    return "\n".join([
        "## Bluesky sync", "",
        f"{args.accounts} accounts on one loopback AppView; first sync reads {args.posts} posts "
        f"each ({PAGE} per page); each measured run adds {args.new} posts to every account.",
        f"**First sync: {fmt_s(first.wall)} wall** ({fmt_s(first.cpu)} CPU), {stored} posts "
        f"stored ({first_ok}) — target < {FIRST_TARGET:g} s: "
        f"{'meets' if first.wall < FIRST_TARGET else 'MISSES'}.", "",
        md_table(["run", "plnctl sync wall", "CPU", "floor wall", "floor CPU", "new posts",
                  "check"], rows),
        "",
        f"**Incremental sync / floor (median wall): {fmt_ratio(ratio)}** — target <= "
        f"{TARGET:g}x: {'meets' if ratio <= TARGET else 'MISSES'}. CPU ratio "
        f"{fmt_ratio(cpu_ratio)} (plnctl also maps, stores, tags and indexes the new posts). "
        f"Load average when done: {os.getloadavg()[0]:.1f}.", "",
    ])
    # fmt: on


def main(argv: list[str]) -> str:
    parser = argparse.ArgumentParser(prog="bench_bluesky")
    parser.add_argument("--accounts", type=int, default=300)
    parser.add_argument("--posts", type=int, default=100)
    parser.add_argument("--new", type=int, default=3)
    parser.add_argument("--runs", type=int, default=3)
    parser.add_argument("--quick", action="store_true")
    args, _ = parser.parse_known_args(argv)
    if args.quick:
        args.accounts, args.runs = min(args.accounts, 60), 1
    return run(args)


if __name__ == "__main__":
    if "--serve" in sys.argv:
        parser = argparse.ArgumentParser()
        parser.add_argument("--accounts", type=int)
        parser.add_argument("--posts", type=int)
        opts, _ = parser.parse_known_args(sys.argv[1:])
        serve(opts.accounts, opts.posts)
    elif "--floor" in sys.argv:
        urls = json.loads(Path(sys.argv[sys.argv.index("--floor") + 1]).read_text())
        print(asyncio.run(_floor(urls)))
    else:
        print(main(sys.argv[1:]))
