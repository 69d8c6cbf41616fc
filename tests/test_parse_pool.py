"""The feed parser processes (``plnctl.parse_pool``): they parse what this process parses, a
job's error reaches its caller, a dead worker fails its job and every later one with
PoolBroken (and a sync then parses in its own process and stores everything), and nothing is
left running afterwards."""

from __future__ import annotations

import asyncio
import multiprocessing
import os
from collections.abc import Mapping
from dataclasses import replace
from typing import Any

import pytest

from plnctl import sync
from plnctl.config import Settings
from plnctl.fetchers.feed import ParsedFeed, ParseError
from plnctl.parse_pool import ParsePool, PoolBroken
from plnctl.store import posts as posts_db
from tests.servers.feeds import rss_feed
from tests.test_sync import add_feed, run

PARENT = os.getpid()
URL = "http://127.0.0.1/feed.xml"
HEADERS = {"content-type": "application/rss+xml"}
_parse = sync._parse_job  # the real one, whatever a test puts in its place


def _parse_or_die(body: bytes, url: str, headers: Mapping[str, str]) -> ParsedFeed:
    if url.endswith("/die.xml") and os.getpid() != PARENT:
        os._exit(3)  # as a worker killed by the OOM killer would end
    return _parse(body, url, headers)


def _with_pool(job: Any, steps: Any) -> Any:
    pool = ParsePool(2, job, None)
    try:
        return asyncio.run(steps(pool))
    finally:
        pool.shutdown()
        assert multiprocessing.active_children() == []


def _summary(parsed: ParsedFeed) -> list[tuple[object, ...]]:
    return [(p.guid, p.title, p.content_html, p.content_text) for p in parsed.entries]


def test_workers_parse_what_this_process_parses() -> None:
    bodies = [rss_feed(3, start=10 * i).encode() for i in range(7)]

    async def steps(pool: ParsePool) -> list[ParsedFeed]:
        return await asyncio.gather(*(pool.parse(b, URL, HEADERS) for b in bodies))

    parsed = _with_pool(sync._parse_job, steps)
    assert [_summary(p) for p in parsed] == [
        _summary(sync._parse_job(b, URL, HEADERS)) for b in bodies
    ]
    assert all(len(p.entries) == 3 for p in parsed)


def test_a_jobs_error_reaches_its_caller_and_the_workers_go_on() -> None:
    async def steps(pool: ParsePool) -> tuple[str, int]:
        with pytest.raises(ParseError) as error:
            await pool.parse(b"<html><body>not a feed</body></html>", URL, {})
        again = await pool.parse(rss_feed(2).encode(), URL, HEADERS)
        return str(error.value), len(again.entries)

    message, entries = _with_pool(sync._parse_job, steps)
    assert "not a feed" in message and entries == 2


def test_a_dead_worker_fails_its_job_and_every_later_one() -> None:
    async def steps(pool: ParsePool) -> list[str]:
        said = []
        for url in ("http://127.0.0.1/die.xml", URL, URL):
            with pytest.raises(PoolBroken) as error:
                await pool.parse(rss_feed(1).encode(), url, HEADERS)
            said.append(str(error.value))
        return said

    said = _with_pool(_parse_or_die, steps)
    assert said[0] == "a parser process died (exit code 3)"
    assert said[1:] == [said[0]] * 2  # no job goes to the pool once a worker died


def test_a_sync_whose_parser_process_dies_stores_every_post(
    pln, feed_server, monkeypatch: pytest.MonkeyPatch, caplog: pytest.LogCaptureFixture
) -> None:
    store = pln.store
    monkeypatch.setattr(sync, "_parse_job", _parse_or_die)
    paths = [f"/f{i}.xml" for i in range(sync.PARSE_POOL_MIN_FEEDS + 2)] + ["/die.xml"]
    ids = [
        add_feed(store, feed_server.add_feed(path, rss_feed(3, start=10 * n)))
        for n, path in enumerate(paths)
    ]
    fast: Settings = replace(pln.settings, sync=replace(pln.settings.sync, concurrency=4))
    results = run(store, fast)
    assert [results[i].new_posts for i in ids] == [3] * len(ids)
    assert posts_db.count_posts(store) == 3 * len(ids)
    assert "a parser process died (exit code 3); parsing in-process from now on" in caplog.text
    assert multiprocessing.active_children() == []


def _slow(body: bytes, url: str, headers: Mapping[str, str]) -> ParsedFeed:
    import time

    time.sleep(0.3)
    return _parse(body, url, headers)


def test_shutting_down_mid_job_leaves_nothing_running_and_does_not_wait_long() -> None:
    import time

    big = rss_feed(400).encode()  # a result bigger than a pipe holds: the worker is writing

    async def steps(pool: ParsePool) -> None:
        job = asyncio.ensure_future(pool.parse(big, URL, HEADERS))
        await asyncio.sleep(0.05)
        job.cancel()

    started = time.monotonic()
    _with_pool(_slow, steps)  # asserts that no worker is left
    assert time.monotonic() - started < 1.5
