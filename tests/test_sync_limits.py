"""How much a sync has in flight: polite per host, wide across hosts, bounded in memory.

Real servers on several loopback addresses (127.0.0.2 ... 127.0.0.9 are distinct hosts to the
client), a shared gauge counting the requests being answered at once across all of them."""

from __future__ import annotations

import asyncio
import logging
import queue
import re
import threading
from collections.abc import Iterator
from dataclasses import replace

import pytest

from plnctl import sync
from plnctl.config import Settings
from plnctl.store import Store
from plnctl.sync_limits import hand_over
from tests.servers.feed_server import FeedServer, Gauge
from tests.servers.feeds import rss_feed
from tests.test_sync import add_feed, run

HOSTS = [f"127.0.0.{i}" for i in range(2, 10)]


@pytest.fixture
def store(pln) -> Store:
    return pln.store


@pytest.fixture
def settings(pln) -> Settings:
    return pln.settings


@pytest.fixture
def hosts() -> Iterator[tuple[Gauge, list[FeedServer]]]:
    gauge = Gauge()
    servers = [FeedServer(host, gauge).start() for host in HOSTS]
    try:
        yield gauge, servers
    finally:
        for server in servers:
            server.stop()


def limited(settings: Settings, **sync: object) -> Settings:
    fast = replace(settings.sync, deadline=20.0, read_timeout=10.0, lock_wait=0.3, **sync)
    return replace(settings, sync=fast)  # type: ignore[arg-type]


def serve(
    store: Store, server: FeedServer, count: int, *, latency: float = 0.0, items: int = 2
) -> list[int]:
    ids = []
    for i in range(count):
        body = rss_feed(items, base=f"http://{server.host}/{i}")
        url = server.add_feed(f"/{i}.xml", body, latency=latency)
        ids.append(add_feed(store, url, person=f"Blogger at {server.host}"))
    return ids


def test_per_host_limit_holds_while_many_hosts_are_in_flight(store, settings, hosts):
    gauge, servers = hosts
    ids = [i for server in servers for i in serve(store, server, 6, latency=0.3)]
    results = run(store, limited(settings, per_host=2))
    assert [results[i].status for i in ids] == ["new"] * len(ids)  # every host was fetched
    assert {len(s.requests) for s in servers} == {6}
    assert max(s.max_active for s in servers) <= 2  # polite: never more than per_host at once
    assert gauge.peak >= 8  # yet across hosts far more than one host's share was in flight


def test_a_slow_host_does_not_hold_up_the_others(store, settings, hosts):
    """The slow host's queued sources wait for its own slot, holding no shared one: every
    other host is served while the slow one answers its first requests."""
    gauge, (slow, *fast) = hosts
    serve(store, slow, 9, latency=0.4)  # first in line, more than twice the shared slots
    fast_ids = [i for server in fast for i in serve(store, server, 3)]
    results = run(store, limited(settings, per_host=1, concurrency=4))
    assert [results[i].status for i in fast_ids] == ["new"] * len(fast_ids)
    arrivals = gauge.arrivals
    slow_turns = [n for n, host in enumerate(arrivals) if host == slow.host]
    last_fast = max(n for n, host in enumerate(arrivals) if host != slow.host)
    assert len(slow_turns) == 9
    assert last_fast < slow_turns[2], arrivals


def _backlog_peak(caplog: pytest.LogCaptureFixture) -> int:
    found = [re.search(r"fetch backlog peak: (\d+) bodies", r.getMessage()) for r in caplog.records]
    peaks = [int(m.group(1)) for m in found if m]
    assert len(peaks) == 1, "one backlog report per sync"
    return peaks[0]


def test_bodies_waiting_for_the_parser_are_capped(store, settings, hosts, caplog):
    """Loopback fetching outruns one parser process; with a small backlog cap new fetches wait
    for the parser instead of piling bodies up in memory, and everything is still stored."""
    caplog.set_level(logging.DEBUG, logger="plnctl.sync_limits")
    _, servers = hosts
    ids = [i for server in servers for i in serve(store, server, 5, items=40)]
    common = {"parse_workers": 1, "concurrency": 2, "per_host": 2}

    results = run(store, limited(settings, backlog_bytes=1, **common))
    assert [results[i].status for i in ids] == ["new"] * len(ids)
    assert _backlog_peak(caplog) <= 2  # the bodies of the requests already under way, no more

    caplog.clear()
    for server in servers:  # new bodies, so the next sync parses everything again
        for i in range(5):
            server.add_feed(f"/{i}.xml", rss_feed(40, start=40, base=f"http://{server.host}/{i}"))
    results = run(store, limited(settings, **common))  # the default cap: 8 MB
    assert [results[i].status for i in ids] == ["new"] * len(ids)
    assert _backlog_peak(caplog) > 2  # what the cap prevents: the parser falls behind


def test_outcomes_with_posts_wait_for_room_in_the_writers_queue_others_do_not():
    """Parsed feeds waiting for the writer are bounded (memory); a 304 or a failure is a few
    hundred bytes and never waits behind them."""
    waiting: queue.Queue[str] = queue.Queue()
    room = threading.Semaphore(1)

    async def main() -> None:
        await hand_over(waiting, "parsed feed 1", room)  # takes the only place
        unchanged = asyncio.create_task(hand_over(waiting, "304"))
        second = asyncio.create_task(hand_over(waiting, "parsed feed 2", room))
        await asyncio.sleep(0.05)
        assert unchanged.done() and not second.done()
        room.release()  # the writer took the first one
        await asyncio.wait_for(second, 5)

    asyncio.run(main())
    assert list(waiting.queue) == ["parsed feed 1", "304", "parsed feed 2"]


def test_a_queue_of_one_parsed_feed_still_stores_everything(store, settings, hosts, monkeypatch):
    """The writer gives each place back as it takes an outcome: with room for one parsed feed,
    a sync of many changed and unchanged feeds neither stalls nor loses one."""
    monkeypatch.setattr(sync, "QUEUE_SIZE", 1)
    _, servers = hosts
    ids = [i for server in servers[:3] for i in serve(store, server, 6, items=5)]
    first = run(store, limited(settings, parse_workers=1))
    assert [first[i].status for i in ids] == ["new"] * len(ids)
    for i in range(0, 6, 2):  # a third of the feeds change; the rest answer 304
        servers[0].add_feed(f"/{i}.xml", rss_feed(5, start=5, base=f"http://{servers[0].host}/{i}"))
    again = run(store, limited(settings, parse_workers=1))
    statuses = sorted(again[i].status for i in ids)
    assert statuses == sorted(["new"] * 3 + ["unchanged"] * (len(ids) - 3))
