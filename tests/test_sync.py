"""The sync engine end to end: a real loopback feed server and a temp database file."""

from __future__ import annotations

import contextlib
import multiprocessing
import os
import signal
import subprocess
import sys
import textwrap
import time
from dataclasses import replace
from datetime import timedelta
from pathlib import Path

import pytest

from plnctl import parse_pool, sync
from plnctl.config import Settings
from plnctl.errors import Busy
from plnctl.models import SourceKind, SourceResult, SourceState
from plnctl.store import Store, open_store
from plnctl.store import people as people_db
from plnctl.store import posts as posts_db
from plnctl.timeutil import from_iso, now
from tests.servers.feeds import atom_feed, html_page, rss_feed

LM = "Sun, 01 Nov 2026 09:00:00 GMT"


@pytest.fixture
def settings(pln) -> Settings:
    fast = replace(
        pln.settings.sync, deadline=2.0, read_timeout=1.0, max_bytes=1_000_000, lock_wait=0.3
    )
    return replace(pln.settings, sync=fast)


@pytest.fixture
def store(pln) -> Store:
    return pln.store


def add_feed(store: Store, url: str, person: str = "Ada Rivera") -> int:
    with store.transaction():
        found = people_db.find_people(store, person)
        person_id = found[0].id if found else people_db.insert_person(store, person)
        return people_db.insert_source(store, person_id, SourceKind.FEED, url)


def run(store: Store, settings: Settings, **kwargs: object) -> dict[int, SourceResult]:
    results = list(sync.sync_iter(store, settings, force=True, **kwargs))  # type: ignore[arg-type]
    by_id = {r.source_id: r for r in results}
    assert len(by_id) == len(results), "one result per source"
    return by_id


def source(store: Store, source_id: int):
    found = people_db.get_source(store, source_id)
    assert found is not None
    return found


def test_new_posts_are_stored(store, settings, feed_server):
    rss = add_feed(store, feed_server.add_feed("/rivera.xml", rss_feed(3)))
    atom = add_feed(store, feed_server.add_feed("/okafor.xml", atom_feed(2)), person="Chidi Okafor")
    started = []
    results = run(store, settings, on_start=started.append)
    assert started == [2]
    assert (results[rss].status, results[rss].new_posts) == ("new", 3)
    assert (results[atom].status, results[atom].new_posts) == ("new", 2)
    assert results[atom].person == "Chidi Okafor"
    assert posts_db.count_posts(store) == 5
    stored = source(store, rss)
    assert stored.title == "Ms. Rivera Teaches"
    assert stored.site_url == "https://rivera.example.edu/"
    assert stored.error_count == 0 and stored.last_status == 200
    titles = [p.title for p in posts_db.list_posts(store, limit=None)]
    assert "Feedback that students actually read (2)" in titles


def test_resync_is_conditional_and_stores_no_duplicates(store, settings, feed_server):
    url = feed_server.add_feed("/f.xml", rss_feed(3), etag='"v1"', last_modified=LM)
    plain = add_feed(store, feed_server.add_feed("/plain.xml", atom_feed(2)))  # no validators
    with_etag = add_feed(store, url)
    run(store, settings)
    assert source(store, with_etag).etag == '"v1"'
    results = run(store, settings)
    sent = feed_server.requests_for("/f.xml")[-1].headers
    assert sent["if-none-match"] == '"v1"'
    assert sent["if-modified-since"] == LM
    assert (results[with_etag].status, results[with_etag].http_status) == ("unchanged", 304)
    assert (results[plain].status, results[plain].new_posts) == ("unchanged", 0)
    assert posts_db.count_posts(store) == 5


def test_changed_feed_stores_only_the_new_entries(store, settings, feed_server):
    source_id = add_feed(store, feed_server.add_feed("/f.xml", rss_feed(3), etag='"v1"'))
    run(store, settings)
    feed_server.add_feed("/f.xml", rss_feed(5), etag='"v2"')
    result = run(store, settings)[source_id]
    assert (result.status, result.new_posts) == ("new", 2)
    assert source(store, source_id).etag == '"v2"'
    assert posts_db.count_posts(store) == 5


def test_one_batch_of_mixed_outcomes_writes_each_sources_own_state(store, settings, feed_server):
    """Fetch states are written together once per batch (one statement per shape of update):
    each source still gets exactly its own, whatever the others' outcomes were."""
    same = add_feed(store, feed_server.add_feed("/same.xml", rss_feed(1), etag='"s1"'))
    changed = add_feed(store, feed_server.add_feed("/changed.xml", rss_feed(1), etag='"c1"'))
    failing = add_feed(store, feed_server.set_status("/down.xml", 500))
    feed_server.add_feed("/new.xml", rss_feed(1, start=50))
    moved = add_feed(store, feed_server.redirect("/old.xml", "/new.xml", code=301))
    run(store, settings)
    before = {i: source(store, i) for i in (same, changed, failing, moved)}
    feed_server.add_feed("/changed.xml", rss_feed(2), etag='"c2"', last_modified=LM)
    results = run(store, settings)
    assert {i: r.status for i, r in results.items()} == {
        same: "unchanged",
        changed: "new",
        failing: "failed",
        moved: "unchanged",
    }
    after = {i: source(store, i) for i in before}
    assert (after[same].etag, after[same].last_status, after[same].error_count) == ('"s1"', 304, 0)
    assert (after[changed].etag, after[changed].last_modified) == ('"c2"', LM)
    assert (after[failing].error_count, after[failing].last_status) == (2, 500)
    assert after[failing].last_error == "HTTP 500 Internal Server Error"
    assert after[moved].url == feed_server.url("/new.xml") and after[moved].error_count == 0
    assert (before[same].last_status, before[failing].error_count) == (200, 1)  # rewritten


def test_410_marks_the_source_gone_and_it_is_not_fetched_again(store, settings, feed_server):
    source_id = add_feed(store, feed_server.set_status("/gone.xml", 410))
    result = run(store, settings)[source_id]
    assert result.status == "gone"
    assert "410" in (result.error or "")
    assert source(store, source_id).state is SourceState.GONE
    assert run(store, settings) == {}
    assert len(feed_server.requests_for("/gone.xml")) == 1


def test_429_retry_after_pushes_the_next_fetch(store, settings, feed_server):
    url = feed_server.set_status("/busy.xml", 429, headers={"Retry-After": "7200"})
    source_id = add_feed(store, url)
    result = run(store, settings)[source_id]
    assert (result.status, result.http_status) == ("failed", 429)
    due = from_iso(source(store, source_id).next_due_at)
    assert due is not None and due - now() >= timedelta(hours=2) - timedelta(seconds=5)
    # Not due: a normal (not forced) sync leaves it alone.
    assert list(sync.sync_iter(store, settings)) == []


def test_500_backs_off_and_shows_in_the_results(store, settings, feed_server):
    source_id = add_feed(store, feed_server.set_status("/broken.xml", 500))
    first = run(store, settings)[source_id]
    assert first.status == "failed"
    assert first.error == "HTTP 500 Internal Server Error"
    assert first.http_status == 500
    run(store, settings)
    stored = source(store, source_id)
    assert stored.error_count == 2
    assert stored.last_error == "HTTP 500 Internal Server Error"
    wait = from_iso(stored.next_due_at) - now()  # type: ignore[operator]
    assert timedelta(minutes=29) <= wait <= timedelta(minutes=31)
    feed_server.add_feed("/broken.xml", rss_feed(1))
    assert run(store, settings)[source_id].status == "new"
    assert source(store, source_id).error_count == 0


def test_permanent_redirect_updates_the_url_temporary_does_not(store, settings, feed_server):
    feed_server.add_feed("/new.xml", rss_feed(1))
    feed_server.add_feed("/elsewhere.xml", atom_feed(1))
    moved = add_feed(store, feed_server.redirect("/old.xml", "/new.xml", code=301))
    visiting = add_feed(store, feed_server.redirect("/tmp.xml", "/elsewhere.xml", code=302))
    results = run(store, settings)
    assert results[moved].status == results[visiting].status == "new"
    assert source(store, moved).url == feed_server.url("/new.xml")
    assert source(store, visiting).url == feed_server.url("/tmp.xml")


def test_hostile_sources_do_not_stop_the_others(store, settings, feed_server):
    good = add_feed(store, feed_server.add_feed("/good.xml", rss_feed(2)))
    bad = {
        add_feed(store, feed_server.gzip_bomb("/bomb.xml", inflated_mb=512)): "too large",
        add_feed(store, feed_server.add_page("/page", html_page())): "HTML page",
        add_feed(store, feed_server.oversized("/huge.xml", 20)): "too large",
        add_feed(store, feed_server.slow("/slow.xml", delay=0.1)): "timed out",
        add_feed(store, feed_server.redirect("/loop", "/loop2")): "redirect",
        add_feed(store, "http://127.0.0.1:9/refused.xml"): "could not connect",
    }
    feed_server.redirect("/loop2", "/loop")
    results = run(store, settings)
    assert len(results) == 7
    assert (results[good].status, results[good].new_posts) == ("new", 2)
    for source_id, message in bad.items():
        assert results[source_id].status == "failed", results[source_id]
        assert message in (results[source_id].error or ""), results[source_id]
        assert source(store, source_id).error_count == 1


def test_broken_feed_is_stored_with_a_warning(store, settings, feed_server):
    body = rss_feed(3).replace("(1)</title>", "(1) & more</title>")
    source_id = add_feed(store, feed_server.add_feed("/broken.xml", body))
    result = run(store, settings)[source_id]
    assert (result.status, result.new_posts) == ("new", 3)
    assert result.warning and result.warning.startswith("broken feed, 3 entries recovered")


def test_many_feeds_parse_in_worker_processes(store, settings, feed_server):
    ids = [
        add_feed(store, feed_server.add_feed(f"/f{i}.xml", rss_feed(4, start=i * 10)))
        for i in range(sync.PARSE_POOL_MIN_FEEDS + 4)
    ]
    tagged: list[int] = []
    results = run(store, settings, on_new_posts=tagged.extend)
    assert all(results[i].new_posts == 4 for i in ids)
    assert len(tagged) == posts_db.count_posts(store) == 4 * len(ids)


@pytest.mark.skipif(not Path("/proc/self/fd").is_dir(), reason="needs Linux's /proc")
def test_parser_processes_start_only_when_a_feed_changed_and_hold_no_socket(
    store, settings, feed_server, monkeypatch
):
    """An unchanged re-sync (every feed answers 304) forks no parser process; when a body does
    arrive, the workers are forked then, without the sync's open connections (a worker's copy
    of a socket would keep a connection open after the sync closed it), and below the sync's
    priority (the sync's own work comes first when every core is busy)."""
    ids = [
        add_feed(
            store, feed_server.add_feed(f"/p{i}.xml", rss_feed(2, start=i * 10), etag=f'"{i}"')
        )
        for i in range(sync.PARSE_POOL_MIN_FEEDS + 2)
    ]
    started: list[object] = []
    make_pool = sync.make_parse_pool
    monkeypatch.setattr(sync, "make_parse_pool", lambda *a: started.append(a) or make_pool(*a))
    worker_sockets: list[str] = []
    niceness: set[int] = set()

    def look(result: SourceResult) -> None:
        for child in multiprocessing.active_children():
            fds = Path(f"/proc/{child.pid}/fd")
            with contextlib.suppress(OSError):  # a worker that exited meanwhile
                worker_sockets.extend(os.readlink(fd) for fd in fds.iterdir())
                niceness.add(os.getpriority(os.PRIO_PROCESS, child.pid))

    first = run(store, settings, on_result=look)
    assert [first[i].new_posts for i in ids] == [2] * len(ids)
    assert len(started) == 1 and worker_sockets, "parsed in worker processes"
    assert [fd for fd in worker_sockets if fd.startswith("socket:")] == []
    assert niceness == {min(19, os.getpriority(os.PRIO_PROCESS, 0) + parse_pool.NICENESS)}
    again = run(store, settings)
    assert [again[i].status for i in ids] == ["unchanged"] * len(ids)
    assert len(started) == 1, "no parser process for a sync where nothing changed"


def test_a_failing_tagging_hook_does_not_lose_posts(store, settings, feed_server):
    source_id = add_feed(store, feed_server.add_feed("/f.xml", rss_feed(2)))

    def broken_tagger(post_ids: list[int]) -> None:
        raise RuntimeError("tagger bug")

    assert run(store, settings, on_new_posts=broken_tagger)[source_id].new_posts == 2
    assert posts_db.count_posts(store) == 2


def test_a_second_sync_waits_then_gets_busy(store, settings, feed_server):
    add_feed(store, feed_server.add_feed("/f.xml", rss_feed(1)))
    lock_path = sync.lock_path(store)
    assert lock_path == store.path.parent / "plnctl.db.sync-lock"
    busy = rf"another plnctl sync is running \(pid {os.getpid()}\); try again later"
    with sync.sync_lock(lock_path, wait=0), pytest.raises(Busy, match=busy):
        list(sync.sync_iter(store, settings))
    assert len(run(store, settings)) == 1  # the lock is free again


SYNC_SCRIPT = textwrap.dedent(
    """
    import sys
    from dataclasses import replace
    from plnctl import sync
    from plnctl.config import load_settings
    from plnctl.store import open_store

    settings = load_settings(sys.argv[1])
    settings = replace(settings, sync=replace(settings.sync, deadline=60, read_timeout=30))
    store = open_store(settings.db_path)
    for result in sync.sync_iter(store, settings, force=True):
        print(result.status, result.label, flush=True)
    """
)


def test_kill_9_mid_sync_leaves_a_consistent_database(store, settings, feed_server, db_path):
    count = sync.PARSE_POOL_MIN_FEEDS + 2  # enough to use the parser processes too
    for i in range(count):
        add_feed(
            store, feed_server.add_feed(f"/f{i}.xml", rss_feed(3, start=i * 10), etag=f'"{i}"')
        )
    add_feed(store, feed_server.slow("/slow.xml", delay=0.5))
    child = subprocess.Popen(
        [sys.executable, "-c", SYNC_SCRIPT, str(db_path)],
        stdout=subprocess.PIPE,
        text=True,
        env=os.environ | {"PYTHONPATH": str(Path(__file__).parents[1])},
    )
    try:
        lines = [child.stdout.readline() for _ in range(count)]  # type: ignore[union-attr]
        assert all(line.startswith("new ") for line in lines), lines
        with pytest.raises(Busy, match=rf"\(pid {child.pid}\)"):
            list(sync.sync_iter(store, settings))
    finally:
        child.send_signal(signal.SIGKILL)
        child.wait()
    fresh = open_store(db_path)
    try:
        assert fresh.conn.execute("PRAGMA integrity_check").fetchone()[0] == "ok"
        stored_before = posts_db.count_posts(fresh)
        assert stored_before == 3 * count
        feed_server.slow("/slow.xml", delay=0)  # the slow one answers now (still not a feed)
        deadline = time.monotonic() + 5
        while True:  # the killed sync's parser processes notice and exit, freeing the lock
            try:
                results = list(sync.sync_iter(fresh, settings, force=True))
                break
            except Busy:
                assert time.monotonic() < deadline, "the lock stayed held after SIGKILL"
                time.sleep(0.2)
        assert len(results) == count + 1
        assert sum(r.new_posts for r in results) == 0
        assert posts_db.count_posts(fresh) == 3 * count
    finally:
        fresh.close()


def add_mastodon(store: Store, handle: str) -> int:
    with store.transaction():
        person_id = people_db.insert_person(store, handle)
        url = f"https://{handle.split('@')[-1]}/@{handle.split('@')[1]}"
        return people_db.insert_source(store, person_id, SourceKind.MASTODON, url, handle=handle)


def test_other_kinds_dispatch_through_the_fetcher_table(store, settings, feed_server, monkeypatch):
    from plnctl import fetchers
    from plnctl.models import FetchOutcome, NewPost

    async def fake_fetch_account(source, client, settings):
        if "broken" in (source.handle or ""):
            raise KeyError("bug in a fetcher")
        post = NewPost(guid="109", url="https://m.example/@ada/109", kind="status")
        return FetchOutcome("ok", 200, posts=(post,), source_updates={"cursor": "109"})

    monkeypatch.setitem(fetchers.FETCHERS, SourceKind.MASTODON, lambda: fake_fetch_account)
    good = add_mastodon(store, "@ada@m.example")
    bad = add_mastodon(store, "@broken@m.example")
    feed = add_feed(store, feed_server.add_feed("/f.xml", rss_feed(1)))
    results = run(store, settings)
    assert (results[good].status, results[good].new_posts) == ("new", 1)
    assert source(store, good).cursor == "109"
    assert results[bad].status == "failed"
    assert results[bad].error == "internal error: KeyError: 'bug in a fetcher'"
    assert results[feed].status == "new"


def test_stopping_early_cancels_the_rest_and_frees_the_lock(store, settings, feed_server):
    add_feed(store, feed_server.add_feed("/fast.xml", rss_feed(1)))
    add_feed(store, feed_server.slow("/slow.xml", delay=0.5))
    started = time.monotonic()
    results = sync.sync_iter(store, settings, force=True)
    first = next(results)
    assert first.status == "new"
    results.close()  # e.g. the user pressed Ctrl-C in a progress bar
    assert time.monotonic() - started < 2
    assert len(run(store, settings)) == 2  # the lock is free, the slow one is still due


def test_a_second_sync_waits_for_a_short_first_one(store, settings, feed_server):
    import threading

    add_feed(store, feed_server.add_feed("/f.xml", rss_feed(1)))
    held, release = threading.Event(), threading.Event()

    def first_sync() -> None:
        with sync.sync_lock(sync.lock_path(store), wait=0):
            held.set()
            release.wait(5)

    holder = threading.Thread(target=first_sync)
    holder.start()
    held.wait(5)
    threading.Timer(0.3, release.set).start()
    patient = replace(settings, sync=replace(settings.sync, lock_wait=5.0))
    results = list(sync.sync_iter(store, patient))
    holder.join()
    assert [r.status for r in results] == ["new"]


def _tags(store: Store) -> set[tuple[int, int, str]]:
    rows = store.conn.execute(
        "SELECT post_id, topic_id, reason FROM post_topics WHERE origin = 'rule'"
    )
    return set(rows.fetchall())


@pytest.mark.parametrize("feeds", [2, sync.PARSE_POOL_MIN_FEEDS + 2])  # in-process, then pooled
def test_tags_computed_at_parse_time_equal_a_rebuild(pln, settings, feed_server, feeds):
    pln.topics.install_starter_taxonomy()
    for i in range(feeds):
        add_feed(pln.store, feed_server.add_feed(f"/t{i}.xml", rss_feed(3, start=i * 10)))
    pln.people.edit("Ada Rivera", add_topics=["social studies"])  # a hint: tags nothing
    hooked: list[int] = []
    results = list(sync.sync_iter(pln.store, settings, force=True, on_new_posts=hooked.extend,
                                  matcher=pln.topics.matcher()))  # fmt: skip
    assert sum(r.new_posts for r in results) == 3 * feeds
    assert hooked == []  # every feed post was tagged where it was parsed
    at_ingest = _tags(pln.store)
    social = pln.topics.resolve("social studies").id
    assert {post for post, topic, _ in at_ingest if topic == social} == set()
    assert at_ingest  # the starter topics did tag posts
    pln.topics.rebuild()
    assert _tags(pln.store) == at_ingest


def test_the_collector_is_tuned_during_a_sync_and_restored_after(store, settings, feed_server):
    """A sync freezes what exists and collects rarely (sync_gc); a program that embeds the
    API gets its own collector settings back, also when it stops reading results early."""
    import gc

    from plnctl.sync_gc import YOUNG

    add_feed(store, feed_server.add_feed("/one.xml", rss_feed(1)))
    add_feed(store, feed_server.slow("/slow.xml", delay=0.3))
    before = (gc.get_threshold(), gc.get_freeze_count())
    during: list[tuple[int, int]] = []
    run(store, settings, on_result=lambda _: during.append(
        (gc.get_threshold()[0], gc.get_freeze_count())))  # fmt: skip
    assert len(during) == 2 and all(t >= YOUNG and frozen > 0 for t, frozen in during)
    assert (gc.get_threshold(), gc.get_freeze_count()) == before
    results = sync.sync_iter(store, settings, force=True)
    next(results)
    results.close()
    assert (gc.get_threshold(), gc.get_freeze_count()) == before


def test_objects_a_program_froze_stay_frozen_and_overlapping_syncs_restore_once():
    import gc
    import threading

    from plnctl.sync_gc import YOUNG, collecting_less

    before = gc.get_threshold()
    gc.freeze()  # a program that froze its own objects (e.g. before forking workers)
    try:
        first_in, first_out = threading.Event(), threading.Event()

        def other_sync() -> None:
            with collecting_less():
                first_in.set()
                first_out.wait(5)

        thread = threading.Thread(target=other_sync)
        thread.start()
        first_in.wait(5)
        with collecting_less():
            first_out.set()  # the sync that started first ends first
            thread.join(5)
            assert gc.get_threshold()[0] >= YOUNG  # this one is still running
        assert gc.get_threshold() == before
        assert gc.get_freeze_count() > 0  # not unfrozen behind the program's back
    finally:
        gc.unfreeze()
