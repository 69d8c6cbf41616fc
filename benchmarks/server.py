"""Loopback feed server for the benchmarks, meant to run in its own process.

    python benchmarks/server.py --feeds 1000 [--port 0] [--seed 0] [--hosts 50 --latency-ms 150]

prints one line ``READY <port> <entries>`` on stdout once every body is rendered and gzipped, then
serves ``http://127.0.0.1:PORT/feeds/N.xml`` (N = 0 .. feeds-1) until killed or stdin closes.

- ``--hosts H`` (H > 1): a network of H servers, on 127.0.0.2 ... 127.0.0.(H+1) (all loopback on
  Linux), one port; feed N lives on host ``2 + N % H`` and its links name that host. The
  control endpoints answer on every host.
- ``--latency-ms M``: every feed response (200 or 304) waits a log-normal time first, median M
  ms, ``--latency-sigma`` (default 0.5; capped at 20x the median), drawn from a generator
  seeded by ``--seed``, the feed and its request count: the same run gets the same delays.

- bodies are pre-rendered and pre-gzipped in memory; ``Content-Encoding: gzip`` when accepted;
- ``ETag`` + ``Last-Modified``; ``304`` on a matching ``If-None-Match`` (or, when the client sent
  no ``If-None-Match``, on ``If-Modified-Since`` >= ``Last-Modified``);
- no ``Cache-Control``/``Expires``, so every tool re-fetches on every sync;
- threading server, HTTP/1.1 keep-alive, no per-request logging.

Control endpoint (JSON answers):

- ``POST /_control/state?step=K`` switches to "step K": step 0 is the initial state, step K
  applies ``feedgen.change_feeds(..., fraction, step=1..K)`` (``&fraction=0.1`` by default);
  answers ``{"step", "entries", "changed"}``; ``entries`` is what a tool must have stored.
- ``GET /_control/stats`` request counters since the last ``POST /_control/stats/reset``:
  ``{"requests", "200", "304", "404", "bytes"}``.

``ServerProcess`` starts and stops it from another Python process (context manager).
"""

from __future__ import annotations

import argparse
import contextlib
import gzip
import json
import math
import os
import random
import subprocess
import sys
import threading
import time
import urllib.request
from datetime import datetime
from email.utils import parsedate_to_datetime
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from urllib.parse import parse_qs, urlsplit

HERE = Path(__file__).resolve().parent
sys.path.insert(0, str(HERE))

import feedgen  # noqa: E402


class Body:
    __slots__ = ("etag", "gzipped", "last_modified", "mtime", "plain")

    def __init__(self, feed: feedgen.Feed, base_url: str) -> None:
        self.plain = feedgen.render(feed, base_url)
        self.gzipped = gzip.compress(self.plain, compresslevel=6, mtime=0)
        self.etag = feed.etag
        self.last_modified = feed.last_modified
        self.mtime = feed.updated


def host_of(index: int, hosts: int) -> str:
    """The loopback address feed ``index`` is served on (127.0.0.1 with one host)."""
    return "127.0.0.1" if hosts <= 1 else f"127.0.0.{2 + index % hosts}"


class Latency:
    """Seeded log-normal delays: the same (feed, n-th request) always waits the same time."""

    def __init__(self, median_ms: float, sigma: float, seed: int) -> None:
        self.median = median_ms / 1000
        self.sigma = sigma
        self.seed = seed

    def seconds(self, index: int, nth: int) -> float:
        if self.median <= 0:
            return 0.0
        rng = random.Random(self.seed * 1_000_003 + index * 7_919 + nth)
        return min(rng.lognormvariate(math.log(self.median), self.sigma), 20 * self.median)


class State:
    def __init__(
        self, n: int, seed: int, port: int, base: datetime, hosts: int = 1,
        latency: Latency | None = None,
    ) -> None:  # fmt: skip
        self.port = port
        self.hosts = hosts
        self.latency = latency or Latency(0, 0, seed)
        self.sent = [0] * n  # feed responses per feed so far (the latency draw's counter)
        self.lock = threading.Lock()
        self.initial = feedgen.generate(n, seed, base=base)
        self.initial_bodies = [Body(f, self.base_url_of(f.index)) for f in self.initial]
        self.feeds = self.initial
        self.bodies = list(self.initial_bodies)
        self.step = 0
        self.changed: list[int] = []
        self.stats = {"requests": 0, "200": 0, "304": 0, "404": 0, "bytes": 0}

    def set_step(self, step: int, fraction: float) -> dict:
        feeds = self.initial
        for k in range(1, step + 1):
            feeds = feedgen.change_feeds(feeds, fraction, step=k)
        bodies = [
            old if f.version == 0 else Body(f, self.base_url_of(f.index))
            for f, old in zip(feeds, self.initial_bodies, strict=True)
        ]
        changed = [f.index for f in feeds if f.version]
        with self.lock:
            self.feeds, self.bodies, self.step, self.changed = feeds, bodies, step, changed
        return self.describe()

    def base_url_of(self, index: int) -> str:
        return f"http://{host_of(index, self.hosts)}:{self.port}"

    def delay(self, index: int) -> float:
        with self.lock:
            nth = self.sent[index]
            self.sent[index] += 1
        return self.latency.seconds(index, nth)

    def describe(self) -> dict:
        return {
            "step": self.step,
            "feeds": len(self.feeds),
            "hosts": self.hosts,
            "latency_ms": self.latency.median * 1000,
            "entries": feedgen.total_entries(self.feeds),
            "changed": len(self.changed),
            "plain_bytes": sum(len(b.plain) for b in self.bodies),
            "gzip_bytes": sum(len(b.gzipped) for b in self.bodies),
        }

    def count(self, key: str, nbytes: int = 0) -> None:
        with self.lock:
            self.stats["requests"] += 1
            self.stats[key] += 1
            self.stats["bytes"] += nbytes


def make_handler(state: State) -> type[BaseHTTPRequestHandler]:
    class Handler(BaseHTTPRequestHandler):
        protocol_version = "HTTP/1.1"
        # Headers and body go out in separate writes; with Nagle on, the body's last segment
        # waits for the client's delayed ACK (~40 ms per response on loopback). Real servers
        # set TCP_NODELAY; without it a client with few connections per host measures the stall.
        disable_nagle_algorithm = True
        server_version = "plnctl-bench/1"

        def log_message(self, format: str, *args: object) -> None:
            pass

        def _send(self, code: int, body: bytes, ctype: str, extra: dict | None = None) -> None:
            self.send_response(code)
            self.send_header("Content-Type", ctype)
            self.send_header("Content-Length", str(len(body)))
            for k, v in (extra or {}).items():
                self.send_header(k, v)
            self.end_headers()
            if self.command != "HEAD":
                self.wfile.write(body)

        def _json(self, obj: dict) -> None:
            self._send(200, json.dumps(obj).encode(), "application/json")

        def do_GET(self) -> None:
            path = urlsplit(self.path).path
            if path.startswith("/feeds/") and path.endswith(".xml"):
                self._feed(path)
            elif path == "/_control/stats":
                with state.lock:
                    self._json(dict(state.stats))
            elif path == "/_control/state":
                self._json(state.describe())
            else:
                state.count("404")
                self._send(404, b"not found\n", "text/plain")

        do_HEAD = do_GET

        def do_POST(self) -> None:
            length = int(self.headers.get("Content-Length") or 0)
            if length:
                self.rfile.read(length)
            url = urlsplit(self.path)
            query = {k: v[-1] for k, v in parse_qs(url.query).items()}
            if url.path == "/_control/state":
                step = int(query.get("step", "0"))
                fraction = float(query.get("fraction", "0.1"))
                self._json(state.set_step(step, fraction))
            elif url.path == "/_control/stats/reset":
                with state.lock:
                    for k in state.stats:
                        state.stats[k] = 0
                    self._json(dict(state.stats))
            else:
                self._send(404, b"not found\n", "text/plain")

        def _feed(self, path: str) -> None:
            try:
                index = int(path[len("/feeds/") : -len(".xml")])
                body = state.bodies[index] if index >= 0 else None
            except (ValueError, IndexError):
                body = None
            if body is None:
                state.count("404")
                self._send(404, b"no such feed\n", "text/plain")
                return
            wait = state.delay(index)
            if wait:
                time.sleep(wait)
            validators = {"ETag": body.etag, "Last-Modified": body.last_modified}
            if self._not_modified(body):
                state.count("304")
                self.send_response(304)
                for k, v in validators.items():
                    self.send_header(k, v)
                self.end_headers()
                return
            accept = self.headers.get("Accept-Encoding", "")
            extra = dict(validators, Vary="Accept-Encoding")
            ctype = "application/rss+xml" if index % 2 == 0 else "application/atom+xml"
            ctype += "; charset=utf-8"
            if "gzip" in accept.lower():
                extra["Content-Encoding"] = "gzip"
                payload = body.gzipped
            else:
                payload = body.plain
            state.count("200", len(payload))
            self._send(200, payload, ctype, extra)

        def _not_modified(self, body: Body) -> bool:
            inm = self.headers.get("If-None-Match")
            if inm is not None:
                tags = [t.strip() for t in inm.split(",")]
                # weak comparison: W/"x" matches "x"
                tags = [t[2:] if t.startswith("W/") else t for t in tags]
                return "*" in tags or body.etag in tags
            ims = self.headers.get("If-Modified-Since")
            if ims:
                try:
                    return parsedate_to_datetime(ims) >= body.mtime
                except (TypeError, ValueError):
                    return False
            return False

    return Handler


class Server(ThreadingHTTPServer):
    daemon_threads = True
    request_queue_size = 256


def bind(hosts: int, port: int, attempts: int = 20) -> list[Server]:
    """One server per host address, all on one port (the first free one all of them get)."""
    addresses = [host_of(i, hosts) for i in range(max(1, hosts))]
    for _ in range(attempts):
        servers: list[Server] = []
        try:
            for address in addresses:
                chosen = servers[0].server_address[1] if servers else port
                servers.append(Server((address, chosen), BaseHTTPRequestHandler))
            return servers
        except OSError:
            for server in servers:
                server.server_close()
            if port:
                raise
    raise OSError(f"no port free on all of {addresses[0]} ... {addresses[-1]}")


def serve(
    n: int, port: int, seed: int, base: datetime, hosts: int = 1, latency: Latency | None = None
) -> None:
    servers = bind(hosts, port)  # handler set once rendered
    actual_port = servers[0].server_address[1]
    state = State(n, seed, actual_port, base, hosts, latency)
    for httpd in servers:
        httpd.RequestHandlerClass = make_handler(state)
    print(f"READY {actual_port} {feedgen.total_entries(state.feeds)}", flush=True)

    def stop_all() -> None:
        for httpd in servers:
            httpd.shutdown()

    def watch_stdin() -> None:  # parent died or closed our stdin: stop
        try:
            sys.stdin.read()
        finally:
            stop_all()

    if not sys.stdin.isatty():
        threading.Thread(target=watch_stdin, daemon=True).start()
    threads = [
        threading.Thread(target=httpd.serve_forever, kwargs={"poll_interval": 0.2}, daemon=True)
        for httpd in servers[1:]
    ]
    for thread in threads:
        thread.start()
    try:
        servers[0].serve_forever(poll_interval=0.2)
    finally:
        stop_all()
        for thread in threads:
            thread.join(5)
        for httpd in servers:
            httpd.server_close()


class ServerProcess:
    """Start ``server.py`` in a separate process; ``with ServerProcess(1000) as srv: srv.url``."""

    def __init__(
        self, feeds: int, seed: int = 0, base: str = "recent", startup_timeout: float = 120.0,
        hosts: int = 1, latency_ms: float = 0.0,
    ) -> None:  # fmt: skip
        self.feeds = feeds
        self.base = base
        self.seed = seed
        self.hosts = hosts
        self.latency_ms = latency_ms
        self.startup_timeout = startup_timeout
        self.proc: subprocess.Popen | None = None
        self.port = 0
        self.entries = 0

    @property
    def base_url(self) -> str:
        """Where the control endpoints answer (the first host)."""
        return f"http://{host_of(0, self.hosts)}:{self.port}"

    def start(self) -> ServerProcess:
        cmd = [sys.executable, str(HERE / "server.py"), "--feeds", str(self.feeds)]
        cmd += ["--seed", str(self.seed), "--base", self.base]
        cmd += ["--hosts", str(self.hosts), "--latency-ms", str(self.latency_ms)]
        self.proc = subprocess.Popen(
            cmd, stdin=subprocess.PIPE, stdout=subprocess.PIPE, text=True, start_new_session=True
        )
        line: list[str] = []
        reader = threading.Thread(target=lambda: line.append(self.proc.stdout.readline()))
        reader.daemon = True
        reader.start()
        reader.join(self.startup_timeout)
        if not line or not line[0].startswith("READY"):
            self.stop()
            raise RuntimeError(f"feed server did not start: {line!r}")
        _, port, entries = line[0].split()
        self.port, self.entries = int(port), int(entries)
        return self

    def stop(self) -> None:
        proc, self.proc = self.proc, None
        if proc is None:
            return
        try:
            if proc.stdin:
                proc.stdin.close()
            proc.wait(timeout=5)
        except (subprocess.TimeoutExpired, OSError):
            with contextlib.suppress(ProcessLookupError):
                os.killpg(proc.pid, 9)
            proc.wait(timeout=5)
        finally:
            if proc.stdout:
                proc.stdout.close()

    def __enter__(self) -> ServerProcess:
        return self.start()

    def __exit__(self, *exc: object) -> None:
        self.stop()

    def _call(self, method: str, path: str) -> dict:
        data = b"" if method == "POST" else None
        req = urllib.request.Request(self.base_url + path, method=method, data=data)
        with urllib.request.urlopen(req, timeout=120) as resp:
            return json.loads(resp.read())

    def set_step(self, step: int, fraction: float = 0.1) -> dict:
        """Switch state (0 = initial); returns {"entries": expected stored entries, ...}."""
        return self._call("POST", f"/_control/state?step={step}&fraction={fraction}")

    def stats(self) -> dict:
        return self._call("GET", "/_control/stats")

    def reset_stats(self) -> dict:
        return self._call("POST", "/_control/stats/reset")

    def cpu(self) -> float:
        """CPU seconds (user + sys) the server process has used so far (Linux /proc)."""
        if self.proc is None:
            return 0.0
        try:
            fields = Path(f"/proc/{self.proc.pid}/stat").read_text().rsplit(")", 1)[1].split()
        except OSError:
            return 0.0
        return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")

    def urls(self) -> list[str]:
        return [
            f"http://{host_of(i, self.hosts)}:{self.port}/feeds/{i}.xml" for i in range(self.feeds)
        ]


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--feeds", type=int, default=200)
    parser.add_argument("--port", type=int, default=0)
    parser.add_argument("--seed", type=int, default=0)
    parser.add_argument(
        "--base",
        default="recent",
        help="date of the newest initial entry: 'recent' (midnight UTC two days ago, the "
        "default) or 'fixed' (feedgen.BASE_TIME, byte-identical bodies on any day)",
    )
    parser.add_argument("--hosts", type=int, default=1, help="loopback hosts (127.0.0.2 ...)")
    parser.add_argument("--latency-ms", type=float, default=0.0, help="median per response")
    parser.add_argument("--latency-sigma", type=float, default=0.5, help="log-normal sigma")
    args = parser.parse_args(argv)
    if not 1 <= args.hosts <= 250:
        parser.error("--hosts must be 1-250 (127.0.0.2 ... 127.0.0.251)")
    base = feedgen.BASE_TIME if args.base == "fixed" else feedgen.recent_base()
    latency = Latency(args.latency_ms, args.latency_sigma, args.seed)
    serve(args.feeds, args.port, args.seed, base, args.hosts, latency)


if __name__ == "__main__":
    main()
