"""The rules matched over many posts, chunk by chunk: in this process, or, for a big update of
a database file, in worker processes as well (matching is pure Python: one core each).

Each chunk's posts are read with the places the search index finds the rules' words marked
(``highlight``; in the unstemmed index when every topic is exact), so the matcher stems those
places only and looks for terms as written around them only (``Matcher.match(marked=...)``);
posts the index cannot mark (opted out, or text it may split unlike ``plnctl.folding``) are
matched from their whole text. Workers only read (their own read-only connection: the caller's
transaction has changed rules, not posts, and the rules come compiled in the matcher they
inherit); the caller compares and writes.
"""

from __future__ import annotations

import json
import logging
import multiprocessing
import os
import threading
from collections.abc import Iterator, Sequence
from concurrent.futures import ProcessPoolExecutor
from dataclasses import dataclass

from plnctl.store import Store
from plnctl.store import post_tags as tags_db
from plnctl.store.topics import FactsRow
from plnctl.tagging import Match, Matcher, can_mark

logger = logging.getLogger(__name__)

PARALLEL_MIN = 40_000  # posts: below this, starting workers costs more than it saves
# Posts matched at once: one index query marks them all (2,000 at a time took 15 % less CPU
# than 500: the query's cost per call is for every phrase, not per post).
CHUNK = 2000
_JOB = 4 * CHUNK  # posts per job given to a worker
# Marking pays for a topic's few phrases (one topic's update: 1.3-1.5x less CPU per post),
# not for a whole taxonomy's hundreds (a rebuild of 23 topics: 7% more).
MARK_MAX_PHRASES = 64

Chunk = tuple[list[int], dict[tags_db.TagKey, str]]  # post ids, and their new rule tags


@dataclass(frozen=True)
class Plan:
    """What every chunk needs: the rules, and how the index marks their words."""

    matcher: Matcher
    query: str  # FTS5: every keyword and exclude as a phrase ("" when there are none)
    unmarked: frozenset[int] | None  # posts kept out of the index; None: mark none
    exact: bool = False  # mark in the unstemmed index: every topic matches as written

    @classmethod
    def make(cls, store: Store, matcher: Matcher) -> Plan:
        phrases = matcher.marked_terms()
        if phrases is None or len(phrases) > MARK_MAX_PHRASES:  # "++": the index cannot find it
            return cls(matcher, "", None)
        query = " OR ".join('"' + " ".join(p) + '"' for p in phrases)
        # Exact topics' words occur only where the unstemmed index finds them: fewer places
        # to mark ("assessments" is not "assessment"), and no stemming while marking.
        exact = all(topic.rules.exact for topic in matcher.topics)
        return cls(matcher, query, frozenset(tags_db.unindexed_post_ids(store)), exact)


def matched_chunks(store: Store, plan: Plan, post_ids: Sequence[int] | None) -> Iterator[Chunk]:
    """The new rule tags of the live posts ``post_ids`` (sorted; None: all), chunk by chunk
    in id order."""
    total = None if post_ids is None else len(post_ids)
    if store.path is not None and _can_fork() and (total is None or total >= PARALLEL_MIN):
        ids = tags_db.live_post_ids(store) if post_ids is None else post_ids
        if len(ids) >= PARALLEL_MIN:
            yield from _in_workers(store, plan, ids)
            return
    for chunk in tags_db.live_post_chunks(store, post_ids, size=CHUNK):
        yield match_chunk(store, plan, chunk)


def match_chunk(store: Store, plan: Plan, chunk: list[FactsRow]) -> Chunk:
    ids = [row[0] for row in chunk]
    marks = tags_db.marked_fields(store, plan.query, ids, exact=plan.exact) if plan.query else {}
    new: dict[tags_db.TagKey, str] = {}
    for row in chunk:
        marked = None
        if _markable(plan, row):
            marked = marks.get(row[0], (None, None))  # absent: none of the rules' words
        for match in _match(plan.matcher, row, marked):
            new[(row[0], match.topic_id)] = match.reason
    return ids, new


def _markable(plan: Plan, row: FactsRow) -> bool:
    unmarked = plan.unmarked
    return unmarked is not None and row[0] not in unmarked and can_mark(row[2]) and can_mark(row[3])


def _match(
    matcher: Matcher, row: FactsRow, marked: tuple[str | None, str | None] | None
) -> list[Match]:
    _post_id, _person_id, title, text, categories, hashtags = row
    return matcher.match(
        title=title,
        text=text,
        hashtags=hashtags.split() if hashtags else (),
        categories=json.loads(categories) if categories else (),
        marked=marked,
    )


def _can_fork() -> bool:
    """Fork only from a single-threaded process (a thread holding a lock would leave it held
    in the child), and only where there is a second core."""
    methods = multiprocessing.get_all_start_methods()
    return "fork" in methods and (os.cpu_count() or 1) > 1 and threading.active_count() == 1


def _in_workers(store: Store, plan: Plan, ids: Sequence[int]) -> Iterator[Chunk]:
    """The chunks of ``ids``, matched in worker processes, in order. A worker that fails
    (cannot open the file, killed) costs speed, not the update: this process matches the jobs
    not yet done."""
    jobs = [list(ids[i : i + _JOB]) for i in range(0, len(ids), _JOB)]
    done = 0
    context = multiprocessing.get_context("fork")
    try:
        with ProcessPoolExecutor(
            2, mp_context=context, initializer=_worker_init, initargs=(str(store.path), plan)
        ) as pool:
            for chunks in pool.map(_worker_job, jobs):
                done += 1
                yield from chunks
    except Exception as e:  # any failure of a worker: go on here
        logger.warning("topic matching goes on in one process: a worker failed (%s)", e)
    for job in jobs[done:]:
        for chunk in tags_db.live_post_chunks(store, job, size=CHUNK):
            yield match_chunk(store, plan, chunk)


_worker: tuple[Store, Plan] | None = None


def _worker_init(path: str, plan: Plan) -> None:
    global _worker
    _worker = (tags_db.open_reader(path), plan)


def _worker_job(ids: list[int]) -> list[Chunk]:
    assert _worker is not None
    store, plan = _worker
    return [
        match_chunk(store, plan, chunk)
        for chunk in tags_db.live_post_chunks(store, ids, size=CHUNK)
    ]
