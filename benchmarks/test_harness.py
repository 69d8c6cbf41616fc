"""Self-tests of the benchmark harness (not part of the product suite):

python -m pytest benchmarks/test_harness.py -q
"""

from __future__ import annotations

import gzip
import sys
import urllib.error
import urllib.parse
import urllib.request
from pathlib import Path

import pytest

sys.path.insert(0, str(Path(__file__).resolve().parent))

import feedgen
import run
from harness import md_table, measure
from server import ServerProcess


def test_feeds_are_deterministic_and_parse() -> None:
    lxml = pytest.importorskip("lxml.etree")
    a, b = feedgen.generate(4), feedgen.generate(4)
    assert [feedgen.render(f) for f in a] == [feedgen.render(f) for f in b]
    assert [f.kind for f in a] == ["rss", "atom", "rss", "atom"]
    for f in a:
        body = feedgen.render(f)
        root = lxml.fromstring(body)
        items = root.findall("channel/item") or root.findall("{http://www.w3.org/2005/Atom}entry")
        assert len(items) == feedgen.ENTRIES_PER_FEED
        assert 40_000 < len(body) < 130_000
    sizes = [len(feedgen.entry_html(a[0], e)) for e in range(20)]
    assert min(sizes) >= 1000 and max(sizes) <= 5600


def test_change_feeds_adds_entries_to_ten_percent() -> None:
    feeds = feedgen.generate(100)
    changed = feedgen.change_feeds(feeds, 0.1, step=1)
    idx = feedgen.changed_indexes(feeds, changed)
    assert len(idx) == 10
    assert 2010 <= feedgen.total_entries(changed) <= 2020
    assert idx == feedgen.changed_indexes(feeds, feedgen.change_feeds(feeds, 0.1, step=1))
    for i in idx:
        assert changed[i].etag != feeds[i].etag
        assert changed[i].last_modified != feeds[i].last_modified
        assert changed[i].entries[: len(feeds[i].entries)] == feeds[i].entries


def _get(url: str, **headers: str) -> tuple[int, dict, bytes]:
    req = urllib.request.Request(url, headers=headers)
    try:
        with urllib.request.urlopen(req, timeout=10) as r:
            return r.status, dict(r.headers), r.read()
    except urllib.error.HTTPError as e:
        return e.code, dict(e.headers), e.read()


def test_server_gzip_validators_and_states() -> None:
    with ServerProcess(4) as srv:
        assert srv.entries == 80
        url = srv.urls()[1]
        status, headers, body = _get(url, **{"Accept-Encoding": "gzip"})
        assert status == 200 and headers["Content-Encoding"] == "gzip"
        assert "Cache-Control" not in headers
        assert b"<feed" in gzip.decompress(body)
        status, _, plain = _get(url)
        assert status == 200 and plain == gzip.decompress(body)
        assert _get(url, **{"If-None-Match": headers["ETag"]})[0] == 304
        assert _get(url, **{"If-Modified-Since": headers["Last-Modified"]})[0] == 304
        assert _get(srv.base_url + "/feeds/99.xml")[0] == 404
        assert srv.stats()["304"] == 2
        info = srv.set_step(1)
        assert info["changed"] == 1 and info["entries"] > 80
        assert srv.set_step(0)["entries"] == 80
        assert srv.cpu() > 0
        proc = srv.proc
    assert proc is not None and proc.poll() is not None


def test_server_many_hosts_with_latency() -> None:
    with ServerProcess(6, hosts=3, latency_ms=30) as srv:
        urls = srv.urls()
        hosts = {urllib.parse.urlsplit(u).hostname for u in urls}
        assert hosts == {"127.0.0.2", "127.0.0.3", "127.0.0.4"}
        for url in urls:
            status, headers, body = _get(url)
            assert status == 200 and urllib.parse.urlsplit(url).hostname.encode() in body
            assert _get(url, **{"If-None-Match": headers["ETag"]})[0] == 304
        assert srv.stats()["200"] == 6 and srv.stats()["304"] == 6
        assert srv.set_step(0)["hosts"] == 3


def test_latency_is_seeded_log_normal() -> None:
    import statistics

    from server import Latency

    a, b = Latency(150, 0.5, seed=1), Latency(150, 0.5, seed=1)
    draws = [a.seconds(i, n) for i in range(200) for n in range(3)]
    assert draws == [b.seconds(i, n) for i in range(200) for n in range(3)]
    assert 0.12 < statistics.median(draws) < 0.18 and max(draws) <= 3.0
    assert draws != [Latency(150, 0.5, seed=2).seconds(i, n) for i in range(200) for n in range(3)]
    assert Latency(0, 0.5, seed=1).seconds(0, 0) == 0.0


def test_cli_builds_both_networks() -> None:
    args, _ = run.parse_args(["sync", "--feeds", "300", "--hosts", "5", "--latency-ms", "20"])
    assert args.cases == [run.Case(300), run.Case(500, 5, 20.0)]
    args, _ = run.parse_args(["sync", "--quick", "--net-feeds", "0"])
    assert args.cases == [run.Case(200)]


def test_measure_reports_exit_timeout_and_rss() -> None:
    m = measure([sys.executable, "-c", "import sys; print('hi'); sys.exit(3)"])
    assert m.returncode == 3 and m.stdout.strip() == "hi" and not m.ok
    touch_80mb = "b = bytearray(80 * 2**20); b[::4096] = b'x' * len(b[::4096])"
    m = measure([sys.executable, "-c", touch_80mb])
    assert m.ok and m.maxrss_mb > 80
    m = measure(["sleep", "10"], timeout=0.5)
    assert m.timed_out and m.wall < 5 and not m.ok


def test_md_table_escapes_pipes() -> None:
    assert md_table(["a"], [["x|y"]]).splitlines()[-1] == "| x\\|y |"


def test_cli_parses_quick_and_rejects_unknown() -> None:
    args, extra = run.parse_args(["sync", "--quick", "--extra-opt"])
    assert args.feeds == [200] and args.runs == 1 and extra == ["--extra-opt"]
    with pytest.raises(SystemExit):
        run.parse_args(["no-such-benchmark"])
