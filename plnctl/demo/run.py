"""Run the demo: sample people -> loopback feeds -> sync -> what a user sees."""

from __future__ import annotations

from collections.abc import Callable, Iterator
from dataclasses import replace
from pathlib import Path

from plnctl.api import Pln, open_pln
from plnctl.config import load_settings
from plnctl.demo import social
from plnctl.demo.data import PEOPLE, render_feed
from plnctl.demo.server import DemoServer
from plnctl.timeutil import now

Say = Callable[[str], None]


def run_demo(db_path: Path, *, say: Say, with_social: bool = True) -> Pln:
    """Build a sample network in ``db_path`` (created if needed), serve its feeds on 127.0.0.1,
    sync twice (the second is all 304s), and narrate each step through ``say``.
    Returns the open Pln so the caller can render views of the result; close it after."""
    with DemoServer() as server:
        loaded = replace(load_settings(db_path), db_path=db_path)
        # The demo's Bluesky educator is served by the demo server, not the public AppView.
        settings = replace(loaded, bluesky=replace(loaded.bluesky, appview=server.base_url))
        pln = Pln(open_pln(db_path, settings=settings).store, settings)
        moment = now()
        for person in PEOPLE:
            server.pages[person.path] = render_feed(person, base_url=server.base_url, now=moment)
        server.pages.update(social.pages(server.base_url, moment))
        for step in _steps(pln, server, with_social=with_social):
            say(step)
    return pln


def _steps(pln: Pln, server: DemoServer, *, with_social: bool = True) -> Iterator[str]:
    count = pln.topics.install_starter_taxonomy(region="uk")
    yield f"$ plnctl topic init       -> {count} starter topics for educators"
    existing = {s.url.split("/", 3)[-1]: s for s in pln.sources.list()}  # path -> source
    added = 0
    for person in PEOPLE:
        url = server.base_url + person.path
        known = existing.get(person.path.lstrip("/"))
        if known is not None:  # a kept demo database: this run serves on another port
            pln.sources.edit(known.id, url=url)
            continue
        pln.people.add(
            person.name, feeds=[url], topics=person.topics, note=person.note, check=False
        )
        added += 1
    yield f"$ plnctl person add ...   -> {added} sample educators, feeds on {server.base_url}"
    if with_social:  # a Bluesky educator and a hashtag
        yield from _social(pln, server)
    summary = pln.sync(force=True)
    yield (
        f"$ plnctl sync            -> {summary.sources} sources: {summary.new_posts} new "
        f"posts, {summary.failed} failed"
    )
    for result in summary.results:
        if result.warning:
            yield f"    note: {result.label}: {result.warning}"
        if result.error:
            yield f"    failed: {result.label}: {result.error}"
    again = pln.sync(force=True)
    yield (
        f"$ plnctl sync --force    -> {again.unchanged} unchanged (the server answered "
        f"304 Not Modified to conditional GETs), {again.new_posts} new"
    )
    yield from _question(pln)
    hits = pln.topics.search("assessment", limit=3)
    yield f"$ plnctl search assessment -> {len(hits)} hit(s): " + "; ".join(
        f"{h.title}" for h in hits
    )


def _social(pln: Pln, server: DemoServer) -> Iterator[str]:
    """A Bluesky educator (through the demo's AppView) and the #edchat hashtag."""
    if not any(s.remote_id == social.BLUESKY_DID for s in pln.sources.list()):
        pln.people.add(social.BLUESKY_NAME, bluesky=[social.BLUESKY_HANDLE], topics=["literacy"])
    yield f'$ plnctl person add "{social.BLUESKY_NAME}" --bluesky @{social.BLUESKY_HANDLE}'
    host = server.base_url.split("://", 1)[1]
    for followed in pln.tags.list():  # a kept demo database: last run's server is gone
        if followed.tag == social.TAG and followed.instance != host:
            pln.tags.unfollow(social.TAG, instance=followed.instance)
    if not pln.tags.list():
        pln.tags.follow(social.TAG, instance=host, check=False)
    yield f"$ plnctl tag follow '#{social.TAG}' --on {host}"


def _question(pln: Pln) -> Iterator[str]:
    text = "Which picture books help Year 2 talk about empathy?"
    if not any(q.text == text for q in pln.questions.list()):
        question = pln.questions.add(text, topics=["literacy & picture books"])
        pln.questions.answer(
            question.id,
            from_="Library Lab",
            text="Start with 'The Invisible String' and 'Last Stop on Market "
            "Street'; my full list is on the blog.",
        )
    yield (
        f'$ plnctl question add "{text}"\n'
        f'$ plnctl question answer 1 --from "Library Lab" --text ...   -> answered'
    )
