"""One topic's live update and ``topic rebuild`` (the index marks where the rules' words occur;
only changed tags are written) leave exactly the tags, origins and reasons the plain matcher
gives each post from its whole text.

A varied corpus: stemmed and exact keywords, phrases, hyphens and punctuation ("micro:bit"),
hashtags as tags and in the text, categories, excludes, accents and other non-ASCII text,
typographic quotes, hostile control characters (the marks the index uses), posts opted out of
the index, deleted posts, manual and blocked tags, and a person's topics (a hint, never a tag).
"""

from __future__ import annotations

import os
import random
import subprocess
import sys
import threading

import pytest

from plnctl.api import Pln
from plnctl.api.topic_match import _match
from plnctl.api.topics import _apply
from plnctl.models import RuleKind
from plnctl.store import post_tags
from plnctl.store import topics as topics_db
from plnctl.tagging import can_mark
from tests.topics.conftest import AddPosts
from tests.topics.helpers import post

WORDS = [
    *("hinge", "question", "questions", "Questioning", "Hinge-questions", "rubric", "rubrics"),
    *("assessment", "assessments", "formative", "Formative", "feedback", "risk", "grading"),
    *("graded", "micro:bit", "micro", "bit", "c++", "Évaluation", "evaluation", "naïve"),
    *("children’s", "children's", "books", "picture", "#EdChat", "#afl", "#mathschat", "the"),
    *("and", "of", "-", ",", ".", "low-stakes", "quiz", "quizzes", "reading", "Reading"),
    *("final", "x_y", "x", "y", "\x01", "\x02", "rubric\x01s"),
]
CATEGORIES = ["Assessment", "Grading", "Reading", "EdTech", "Évaluation"]
HASHTAGS = ["edchat", "afl", "mathschat", "assessment"]


def _text(rng: random.Random, size: int) -> str:
    return " ".join(rng.choice(WORDS) for _ in range(rng.randint(0, size)))


def _corpus(pln: Pln, add_posts: AddPosts, seed: int) -> list[int]:
    rng = random.Random(seed)
    ids: list[int] = []
    for person in ("Ana", "Ben", "Cat"):
        posts = [
            post(
                f"{person}-{i}",
                _text(rng, 6) if rng.random() < 0.8 else None,
                _text(rng, 40) if rng.random() < 0.9 else None,
                categories=tuple(rng.sample(CATEGORIES, rng.randint(0, 2))),
                hashtags=tuple(rng.sample(HASHTAGS, rng.randint(0, 2))),
            )
            for i in range(60)
        ]
        ids += add_posts(person, *posts[:50])
        ids += add_posts(person, *posts[50:], indexed=False)  # opted out of the index
    pln.store.conn.execute(  # soft-deleted: no longer live, as a vanished feed entry
        f"UPDATE posts SET deleted_at = '2026-01-02T00:00:00Z' WHERE id IN ({ids[3]}, {ids[77]})"
    )
    return ids


def _tags(pln: Pln) -> set[tuple[int, int, str, str]]:
    """(post, topic id, origin, reason) of every tag."""
    sql = "SELECT post_id, topic_id, origin, reason FROM post_topics"
    return {(r[0], r[1], r[2], r[3]) for r in pln.store.conn.execute(sql)}


def _expected(pln: Pln) -> set[tuple[int, int, str, str]]:
    """The tags the plain matcher gives every live post, each from its whole text (no index),
    with the user's own tags (manual, blocked) kept as they are."""
    held = {t for t in _tags(pln) if t[2] != "rule"}
    taken = {(p, topic) for p, topic, _o, _r in held}
    matched = _apply(pln.topics.matcher(), topics_db.iter_post_facts(pln.store))
    return held | {(p, t, "rule", r) for p, t, r in matched if (p, t) not in taken}


def _rule_tags(tags: set[tuple[int, int, str, str]], topic_id: int) -> set[int]:
    return {p for p, topic, origin, _reason in tags if topic == topic_id and origin == "rule"}


STEPS: list[tuple[str, dict[str, object]]] = [
    ("add", {"name": "assess", "keywords": ["formative assessment", "rubric", "hinge question"],
             "hashtags": ["afl"], "categories": ["Assessment"], "excludes": ["risk"]}),
    ("add", {"name": "tech", "keywords": ["micro:bit", "c++", "x_y"], "hashtags": ["edchat"]}),
    ("add", {"name": "reading", "keywords": ["children's books", "picture books", "reading"],
             "categories": ["Reading"], "exact": True}),
    ("add", {"name": "eval", "keywords": ["evaluation", "naive", "final"]}),
    ("add", {"name": "hashtags only", "hashtags": ["mathschat", "assessment"]}),
    ("add", {"name": "nothing"}),
    ("add", {"name": "q", "keywords": ["hinge", "questions", "hinge question", "x y"]}),
    ("edit", {"name": "assess", "add": {RuleKind.KEYWORD: ["assessment", "grading"]}}),
    ("edit", {"name": "assess", "remove": {RuleKind.KEYWORD: ["rubric"]}}),
    ("edit", {"name": "assess", "add": {RuleKind.EXCLUDE: ["low-stakes quiz"]}}),
    ("edit", {"name": "assess", "remove": {RuleKind.EXCLUDE: ["risk"]}}),
    ("edit", {"name": "assess", "remove": {RuleKind.HASHTAG: ["afl"]}}),
    ("edit", {"name": "assess", "remove": {RuleKind.CATEGORY: ["Assessment"]}}),
    ("edit", {"name": "assess", "exact": True}),
    ("edit", {"name": "assess", "exact": True}),  # unchanged: nothing to re-run
    ("edit", {"name": "reading", "exact": False, "rename": "reading & books"}),
    ("edit", {"name": "tech",
              "add": {RuleKind.KEYWORD: ["quizzes"], RuleKind.CATEGORY: ["EdTech"]}}),
    ("edit", {"name": "eval", "add": {RuleKind.EXCLUDE: ["évaluation"]}}),
    ("edit", {"name": "nothing", "add": {RuleKind.KEYWORD: ["questions"]}}),
    ("remove", {"name": "tech"}),
]  # fmt: skip


@pytest.mark.parametrize("seed", [1, 2, 3])
def test_each_live_change_leaves_what_a_rebuild_leaves(
    pln: Pln, add_posts: AddPosts, seed: int
) -> None:
    ids = _corpus(pln, add_posts, seed)
    people = pln.people.list()
    for step, (kind, args) in enumerate(STEPS):
        before = _tags(pln)
        args = dict(args)
        name = str(args.pop("name"))
        if kind == "add":
            change = pln.topics.add(name, **args)  # type: ignore[arg-type]
        elif kind == "edit":
            change = pln.topics.edit(name, **args)  # type: ignore[arg-type]
        else:
            pln.topics.remove(name)
            continue
        live = _tags(pln)
        topic = change.topic.id
        assert change.tagged == len(_rule_tags(live, topic) - _rule_tags(before, topic)), step
        assert change.untagged == len(_rule_tags(before, topic) - _rule_tags(live, topic)), step
        assert live == _expected(pln), (step, kind, args)
        pln.topics.rebuild()
        assert _tags(pln) == live, (step, kind, args)
        if step == 2:  # the user's own tags, and a person's topics, from here on
            rng = random.Random(seed)
            rule_tagged = sorted(_rule_tags(live, pln.topics.resolve("assess").id))
            pln.topics.untag_post(rng.choice(rule_tagged), "assess")  # -> blocked
            pln.topics.tag_post(rng.choice(ids[:40]), "assess")
            pln.topics.tag_post(rng.choice(ids[:40]), "tech")
            pln.topics.edit("assess", add={RuleKind.PERSON: [people[0].name]})
    assert any(origin == "blocked" for _p, _t, origin, _r in _tags(pln))
    assert any(origin == "manual" for _p, _t, origin, _r in _tags(pln))
    reasons = {reason for _p, _t, origin, reason in _tags(pln) if origin == "rule"}
    assert any(' as "' in reason for reason in reasons)  # a stemmed form was found
    assert any("hashtag #" in reason for reason in reasons)
    assert any("category" in reason for reason in reasons)


def test_the_index_marks_the_words_the_matcher_would_find(pln: Pln, add_posts: AddPosts) -> None:
    """The marked path and the plain matcher agree post by post, reason by reason."""

    _corpus(pln, add_posts, 7)
    pln.topics.add("a", keywords=["formative assessment", "assessment", "hinge question"])
    pln.topics.add("b", keywords=["micro:bit", "children's books"], excludes=["risk"])
    matcher = pln.topics.matcher()
    phrases = matcher.marked_terms()
    assert phrases is not None
    query = " OR ".join('"' + " ".join(p) + '"' for p in phrases)
    rows = [r for chunk in post_tags.live_post_chunks(pln.store, None) for r in chunk]
    marks = post_tags.marked_fields(pln.store, query, [r[0] for r in rows])
    assert marks, "the index marked nothing"
    compared = 0
    for row in rows:
        if row[0] in marks and can_mark(row[2]) and can_mark(row[3]):
            marked = [(t.topic_id, t.reason) for t in _match(matcher, row, marks[row[0]])]
            plain = [(p, t, r) for p, t, r in _apply(matcher, [row])]
            assert [(row[0], t, r) for t, r in marked] == plain, row
            compared += 1
    assert compared > 20


def _rerun_alone(test: str) -> bool:
    """Workers are forked only from a single-threaded process: where other tests left threads
    (loopback servers), run this test in a fresh pytest process instead (True: it passed)."""
    if threading.active_count() == 1:
        return False
    if os.environ.get("PLNCTL_TEST_ALONE"):
        pytest.fail(f"threads alive in a fresh process: {threading.enumerate()}")
    command = [
        sys.executable,
        "-m",
        "pytest",
        "-q",
        "-p",
        "no:cacheprovider",
        f"{__file__}::{test}",
    ]
    done = subprocess.run(
        command, env={**os.environ, "PLNCTL_TEST_ALONE": "1"}, capture_output=True, text=True
    )
    assert done.returncode == 0, done.stdout[-3000:]
    return True


def test_worker_processes_match_as_this_process_does(
    pln: Pln, add_posts: AddPosts, monkeypatch: pytest.MonkeyPatch
) -> None:
    """A big update is matched in worker processes too (each reads the database file on its
    own): the tags are the same, every chunk once, in order."""
    from plnctl.api import topic_match

    if _rerun_alone("test_worker_processes_match_as_this_process_does"):
        return

    _corpus(pln, add_posts, 5)
    pln.topics.add("a", keywords=["formative assessment", "rubric"], hashtags=["afl"])
    pln.topics.add("b", keywords=["micro:bit", "children's books"], categories=["Reading"])
    serial = _tags(pln)
    assert serial == _expected(pln)
    monkeypatch.setattr(topic_match, "PARALLEL_MIN", 1)
    monkeypatch.setattr(topic_match, "_JOB", 37)
    seen: list[list[int]] = []
    real = topic_match._in_workers

    def spy(*args):  # type: ignore[no-untyped-def]
        for chunk in real(*args):
            seen.append(chunk[0])
            yield chunk

    monkeypatch.setattr(topic_match, "_in_workers", spy)
    pln.store.conn.execute("DELETE FROM post_topics")
    report = pln.topics.rebuild()
    assert _tags(pln) == serial
    ids = [i for chunk in seen for i in chunk]
    assert len(seen) > 2 and ids == sorted(ids) and len(ids) == report.posts
    chunks = len(seen)
    pln.topics.edit("a", exact=True)
    assert _tags(pln) == _expected(pln)
    assert len(seen) > chunks  # the edit went through the workers too


def test_a_failing_worker_costs_speed_not_the_update(
    pln: Pln, add_posts: AddPosts, monkeypatch: pytest.MonkeyPatch, caplog: pytest.LogCaptureFixture
) -> None:
    """Workers that cannot read the database (here: cannot open it): this process matches
    every chunk itself, and the tags are right."""
    from plnctl.api import topic_match

    if _rerun_alone("test_a_failing_worker_costs_speed_not_the_update"):
        return

    _corpus(pln, add_posts, 6)
    monkeypatch.setattr(topic_match, "PARALLEL_MIN", 1)
    monkeypatch.setattr(topic_match, "_JOB", 40)

    def refuse(path: str) -> None:
        raise PermissionError(f"cannot open {path}")

    monkeypatch.setattr(post_tags, "open_reader", refuse)  # the forked workers inherit it
    change = pln.topics.add("a", keywords=["formative assessment", "rubric"], hashtags=["afl"])
    assert change.tagged > 0
    assert _tags(pln) == _expected(pln)
    assert "a worker failed" in caplog.text
