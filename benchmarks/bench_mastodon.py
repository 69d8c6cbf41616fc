"""Mastodon sync speed: ``plnctl sync`` of 300 accounts with a few new posts each, against a floor
of plain concurrent HTTP GETs + JSON decode of the same pages; plus Mastodon.py's cost per page.

    python benchmarks/run.py mastodon [--accounts 300] [--instances 15] [--new 3] [--runs 3]
    python benchmarks/bench_mastodon.py --accounts 300

A child process serves realistic Mastodon 4.x status pages (40 statuses of ~2.5 KB JSON each,
account embedded) for ``--accounts`` accounts spread over ``--instances`` loopback "instances"
(one port each, so per-instance limits apply as they would in real life). The database is filled
by one cold ``plnctl sync``; each measured run first adds ``--new`` statuses to every account.
Both sides run as child processes (interpreter start-up included) with plnctl's limits:
16 requests in flight, 4 per instance.

Target (issue 3): the incremental sync within 2x of the floor.
"""

from __future__ import annotations

import argparse
import asyncio
import json
import os
import subprocess
import sys
import time
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from threading import Thread
from urllib.parse import parse_qs, urlsplit

HERE = Path(__file__).resolve().parent
sys.path.insert(0, str(HERE))
sys.path.insert(0, str(HERE.parent))

from harness import BIN, fmt_ratio, fmt_s, log, md_table, measure, median, temp_dir  # noqa: E402

TARGET = 2.0
BASE_ID = 110_000_000_000_000_000
PAGE = 40


# --- the server (child process) ---------------------------------------------------------------


def _account(i: int, host: str) -> dict:
    return {
        "id": str(1000 + i), "username": f"user{i}", "acct": f"user{i}",
        "display_name": f"Educator {i}", "locked": False, "bot": False, "discoverable": True,
        "indexable": True, "group": False, "created_at": "2022-11-05T00:00:00.000Z",
        "note": "<p>Teacher, #EdTech and #OER. Views my own. Learning in public.</p>",
        "url": f"http://{host}/@user{i}", "uri": f"http://{host}/users/user{i}",
        "avatar": f"http://{host}/avatars/{i}.png", "avatar_static": f"http://{host}/a/{i}.png",
        "header": f"http://{host}/h/{i}.png", "header_static": f"http://{host}/h/{i}.png",
        "followers_count": 812, "following_count": 403, "statuses_count": 2311,
        "last_status_at": "2024-03-05", "hide_collections": False, "noindex": False,
        "emojis": [], "roles": [],
        "fields": [{"name": "Blog", "value": f'<a href="https://blog{i}.example/" rel="me">'
                    f"blog{i}.example</a>", "verified_at": "2024-01-01T00:00:00.000Z"}],
    }  # fmt: skip


def _status(i: int, n: int, host: str, account: dict) -> bytes:
    sid = str(BASE_ID + i * 100_000 + n)
    url = f"http://{host}/@user{i}/{sid}"
    status = {
        "id": sid, "created_at": f"2024-03-{1 + n % 28:02d}T{n % 24:02d}:00:00.000Z",
        "in_reply_to_id": None, "in_reply_to_account_id": None, "sensitive": False,
        "spoiler_text": "", "visibility": "public", "language": "en",
        "uri": f"http://{host}/users/user{i}/statuses/{sid}", "url": url,
        "replies_count": 2, "reblogs_count": 5, "favourites_count": 11, "edited_at": None,
        "content": f'<p>Post {n}: notes on formative assessment, see <a href="https://ex.org/{n}"'
        f' rel="nofollow noopener" target="_blank">ex.org/{n}</a> — thanks <span class="h-card">'
        f'<a href="http://{host}/@friend" class="u-url mention">@<span>friend</span></a></span> '
        f'<a href="http://{host}/tags/EdTech" class="mention hashtag" rel="tag">#<span>EdTech'
        "</span></a></p>",
        "reblog": None, "application": {"name": "Web", "website": None}, "account": account,
        "media_attachments": [], "mentions": [{"id": "9", "username": "friend",
                                               "url": f"http://{host}/@friend", "acct": "friend"}],
        "tags": [{"name": "edtech", "url": f"http://{host}/tags/edtech"}], "emojis": [],
        "card": None, "poll": None, "filtered": [],
    }  # fmt: skip
    return json.dumps(status).encode()


class _State:
    def __init__(self, accounts: int, ports: list[int]) -> None:
        self.ports = ports
        self.count = {i: PAGE for i in range(accounts)}
        self.cache: dict[tuple[int, int], bytes] = {}
        self.accounts = {i: _account(i, self.host(i)) for i in range(accounts)}

    def host(self, i: int) -> str:
        return f"127.0.0.1:{self.ports[i % len(self.ports)]}"

    def page(self, i: int, max_id: str | None, limit: int) -> bytes:
        top = self.count[i]
        if max_id:
            top = min(top, int(max_id) - BASE_ID - i * 100_000 - 1)
        items = []
        for n in range(top, max(0, top - limit), -1):
            if (i, n) not in self.cache:
                self.cache[(i, n)] = _status(i, n, self.host(i), self.accounts[i])
            items.append(self.cache[(i, n)])
        return b"[" + b",".join(items) + b"]"


def _handler(state: _State) -> type[BaseHTTPRequestHandler]:
    class Handler(BaseHTTPRequestHandler):
        protocol_version = "HTTP/1.1"

        def log_message(self, *args: object) -> None:
            pass

        def do_POST(self) -> None:  # /_advance?n=3
            n = int(parse_qs(urlsplit(self.path).query).get("n", ["3"])[0])
            for i in state.count:
                state.count[i] += n
            self._send(b"{}")

        def do_GET(self) -> None:
            parts = urlsplit(self.path)
            pieces = parts.path.strip("/").split("/")
            if len(pieces) != 5 or pieces[-1] != "statuses":
                self._send(b'{"error":"Record not found"}', 404)
                return
            query = parse_qs(parts.query)
            i = int(pieces[3]) - 1000
            limit = min(int(query.get("limit", [PAGE])[0]), PAGE)
            self._send(state.page(i, query.get("max_id", [None])[0], limit))

        def _send(self, body: bytes, status: int = 200) -> None:
            self.send_response(status)
            self.send_header("Content-Type", "application/json; charset=utf-8")
            self.send_header("Content-Length", str(len(body)))
            self.send_header("X-RateLimit-Limit", "300")
            self.send_header("X-RateLimit-Remaining", "299")
            self.end_headers()
            self.wfile.write(body)

    return Handler


def serve(accounts: int, instances: int) -> None:
    servers = [ThreadingHTTPServer(("127.0.0.1", 0), BaseHTTPRequestHandler)
               for _ in range(instances)]  # fmt: skip
    state = _State(accounts, [s.server_address[1] for s in servers])
    for server in servers:
        server.RequestHandlerClass = _handler(state)
        server.daemon_threads = True
        Thread(target=server.serve_forever, daemon=True).start()
    print(json.dumps({"ports": state.ports}), flush=True)
    sys.stdin.read()  # until the parent closes our stdin


# --- the floor (child process) ----------------------------------------------------------------


async def _floor(urls: list[str]) -> int:
    import httpx

    limit_all, per_host = asyncio.Semaphore(16), {}
    async with httpx.AsyncClient(limits=httpx.Limits(max_connections=16)) as client:

        async def one(url: str) -> int:
            host = urlsplit(url).netloc
            per = per_host.setdefault(host, asyncio.Semaphore(4))
            async with limit_all, per:
                response = await client.get(url)
                return len(json.loads(response.content))

        return sum(await asyncio.gather(*(one(u) for u in urls)))


# --- the parent ---------------------------------------------------------------------------------


def _urls(ports: list[int], accounts: int) -> list[str]:
    return [f"http://127.0.0.1:{ports[i % len(ports)]}/api/v1/accounts/{1000 + i}/statuses"
            f"?limit={PAGE}" for i in range(accounts)]  # fmt: skip


def _make_db(db: Path, ports: list[int], accounts: int) -> None:
    from plnctl.api import open_pln
    from plnctl.models import SourceKind
    from plnctl.store import people as store

    with open_pln(db) as pln, pln.store.transaction():
        for i in range(accounts):
            host = f"127.0.0.1:{ports[i % len(ports)]}"
            person = store.insert_person(pln.store, f"Educator {i}")
            store.insert_source(pln.store, person, SourceKind.MASTODON, f"http://{host}/@user{i}",
                                handle=f"@user{i}@{host}", remote_id=str(1000 + i))  # fmt: skip


def _posts(db: Path) -> int:
    import sqlite3

    with sqlite3.connect(db) as conn:
        return int(conn.execute("SELECT count(*) FROM posts").fetchone()[0])


def _mastodon_py_cpu(ports: list[int], sample: int) -> tuple[float, float]:
    """CPU seconds per page: Mastodon.py's account_statuses vs httpx GET + json.loads."""
    import httpx
    from mastodon import Mastodon

    apis = {p: Mastodon(api_base_url=f"http://127.0.0.1:{p}", version_check_mode="none")
            for p in ports}  # fmt: skip
    started = time.process_time()
    for i in range(sample):
        apis[ports[i % len(ports)]].account_statuses(str(1000 + i), limit=PAGE)
    mpy = (time.process_time() - started) / sample
    with httpx.Client() as client:
        started = time.process_time()
        for url in _urls(ports, sample):
            json.loads(client.get(url).content)
        plain = (time.process_time() - started) / sample
    return mpy, plain


def _advance(ports: list[int], n: int) -> None:
    import urllib.request

    urllib.request.urlopen(urllib.request.Request(f"http://127.0.0.1:{ports[0]}/_advance?n={n}",
                                                  method="POST"), timeout=10).read()  # fmt: skip


def run(args: argparse.Namespace) -> str:
    server = subprocess.Popen(
        [sys.executable, __file__, "--serve", "--accounts", str(args.accounts),
         "--instances", str(args.instances)],
        stdin=subprocess.PIPE, stdout=subprocess.PIPE, text=True,
    )  # fmt: skip
    try:
        ports = json.loads(server.stdout.readline())["ports"]  # type: ignore[union-attr]
        with temp_dir("mastodon") as work:
            return _measure_all(args, ports, Path(work))
    finally:
        server.stdin.close()  # type: ignore[union-attr]
        server.wait(timeout=10)


def _measure_all(args: argparse.Namespace, ports: list[int], work: Path) -> str:
    db = work / "pln.db"
    env = {**os.environ, "PLNCTL_HOME": str(work / "home")}
    urls_file = work / "urls.json"
    urls_file.write_text(json.dumps(_urls(ports, args.accounts)))
    _make_db(db, ports, args.accounts)
    sync = [str(BIN / "plnctl"), "--db", str(db), "sync", "--force", "--quiet"]
    floor_cmd = [sys.executable, __file__, "--floor", str(urls_file)]
    log(f"mastodon: cold sync of {args.accounts} accounts ...")
    cold = measure(sync, env=env)
    stored = _posts(db)
    rows, ours, floors, cpus, floor_cpus = [], [], [], [], []
    for run_no in range(args.runs):
        _advance(ports, args.new)
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
    mpy, plain = _mastodon_py_cpu(ports, min(args.accounts, 60))
    ratio = median(ours) / median(floors)  # type: ignore[operator]
    verdict = "meets" if ratio <= TARGET else "MISSES"
    cpu_ratio = median(cpus) / median(floor_cpus)  # type: ignore[operator]
    # fmt: off
    return "\n".join([
        "## Mastodon sync", "",
        f"{args.accounts} accounts on {args.instances} loopback instances, {args.new} new "
        f"statuses each per run; newest page of {PAGE} statuses per account "
        f"(~{PAGE * 2.5:.0f} KB).",
        f"Cold sync (empty database): {fmt_s(cold.wall)} wall, {fmt_s(cold.cpu)} CPU, "
        f"{stored} posts stored ({'ok' if cold.ok else cold.error_tail()}).", "",
        md_table(["run", "plnctl sync wall", "CPU", "floor wall", "floor CPU", "new posts",
                  "check"], rows),
        "",
        f"**Incremental sync / floor (median wall): {fmt_ratio(ratio)}** — target <= "
        f"{TARGET:g}x: {verdict}. CPU ratio {fmt_ratio(cpu_ratio)} (plnctl also stores, tags "
        f"and indexes the new posts). Load average when done: {os.getloadavg()[0]:.1f}.", "",
        f"Mastodon.py `account_statuses`: {mpy * 1000:.0f} ms CPU per {PAGE}-status page, vs "
        f"{plain * 1000:.1f} ms for httpx GET + json.loads of the same page "
        f"({mpy * args.accounts:.1f} s of CPU for {args.accounts} accounts), which is why "
        "plnctl reads status pages on the async httpx path.", "",
    ])
    # fmt: on


def main(argv: list[str]) -> str:
    parser = argparse.ArgumentParser(prog="bench_mastodon")
    parser.add_argument("--accounts", type=int, default=300)
    parser.add_argument("--instances", type=int, default=15)
    parser.add_argument("--new", type=int, default=3)
    parser.add_argument("--runs", type=int, default=3)
    parser.add_argument("--quick", action="store_true")
    args, _ = parser.parse_known_args(argv)
    if args.quick:
        args.accounts, args.runs = min(args.accounts, 100), 1
    return run(args)


if __name__ == "__main__":
    if "--serve" in sys.argv:
        parser = argparse.ArgumentParser()
        parser.add_argument("--accounts", type=int)
        parser.add_argument("--instances", type=int)
        opts, _ = parser.parse_known_args(sys.argv[1:])
        serve(opts.accounts, opts.instances)
    elif "--floor" in sys.argv:
        urls = json.loads(Path(sys.argv[sys.argv.index("--floor") + 1]).read_text())
        total = asyncio.run(_floor(urls))
        print(total)
    else:
        print(main(sys.argv[1:]))
