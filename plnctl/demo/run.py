"""Run the demo: sample people -> loopback feeds -> sync -> what a user sees."""

from __future__ import annotations

from collections.abc import Callable, Iterator
from dataclasses import replace
from pathlib import Path

from plnctl.api import Pln, open_pln
from plnctl.config import load_settings
from plnctl.demo.data import PEOPLE, render_feed
from plnctl.demo.server import DemoServer
from plnctl.timeutil import now

Say = Callable[[str], None]


def run_demo(db_path: Path, *, say: Say) -> Pln:
    """Build a sample network in ``db_path`` (created if needed), serve its feeds on 127.0.0.1,
    sync twice (the second is all 304s), and narrate each step through ``say``.
    Returns the open Pln so the caller can render views of the result; close it after."""
    settings = replace(load_settings(db_path), db_path=db_path)
    pln = Pln(open_pln(db_path, settings=settings).store, settings)
    with DemoServer() as server:
        moment = now()
        for person in PEOPLE:
            server.pages[person.path] = render_feed(person, base_url=server.base_url, now=moment)
        for step in _steps(pln, server):
            say(step)
    return pln


def _steps(pln: Pln, server: DemoServer) -> Iterator[str]:
    existing = {s.url for s in pln.sources.list()}
    added = 0
    for person in PEOPLE:
        url = server.base_url + person.path
        if any(u.endswith(person.path) for u in existing):
            continue
        pln.people.add(person.name, feeds=[url], topics=person.topics, note=person.note)
        added += 1
    yield f"$ plnctl person add ...   ({added} sample educators, feeds on {server.base_url})"
    yield from _install_topics(pln)
    summary = pln.sync(force=True)
    yield (f"$ plnctl sync            -> {summary.sources} sources: {summary.new_posts} new "
           f"posts, {summary.failed} failed")
    for result in summary.results:
        if result.warning:
            yield f"    note: {result.label}: {result.warning}"
        if result.error:
            yield f"    failed: {result.label}: {result.error}"
    again = pln.sync(force=True)
    yield (f"$ plnctl sync --force    -> {again.unchanged} unchanged (conditional GET: the "
           f"server answered 304 Not Modified), {again.new_posts} new")


def _install_topics(pln: Pln) -> Iterator[str]:
    topics = pln.topics
    count = topics.install_starter_taxonomy()
    yield f"$ plnctl topic init       -> {count} starter topics for educators"
