"""Turning a topic's stemming off and on again (``topic edit --exact`` / ``--stem``) re-tags its
posts at once with exactly the tags, origins and reasons that ``topic rebuild`` (and the plain
matcher, reading each post's whole text) gives; the user's own tags stay.

A live update of an exact topic marks the places its words occur with the unstemmed index and
looks for its terms there only (``MarkedField.written``), so the corpus is hostile to that:
punctuation next to and inside terms (".NET", "c++", "micro:bit", "(assessment)", "x_y"),
underscores that join words, hyphens, straight and typographic apostrophes, ellipses (one
character folded to three), line breaks and non-breaking spaces between the words of a phrase,
accents and other non-ASCII text (matched from the whole text), and words run together
without a space. (Not ligatures: Python folds "ﬁ" to "fi", the index keeps it; see
``plnctl.folding``.)
"""

from __future__ import annotations

import dataclasses
import random
from xml.sax.saxutils import escape

import pytest

from plnctl.api import Pln
from plnctl.api.topic_match import Plan, _markable, _match
from plnctl.api.topic_tags import candidate_posts
from plnctl.models import RuleKind
from plnctl.store import post_tags
from plnctl.tagging import Matcher, TopicRules
from tests.servers.feed_server import FeedServer
from tests.topics.conftest import AddPosts
from tests.topics.helpers import post
from tests.topics.test_live_vs_rebuild import _expected, _tags

PIECES = [
    *("assessment", "Assessments", "assessed", "assessment_2", "self-assessment", "(assessment)"),
    *("e-assessment", "E-Assessment", "“assessment”", "assessment…", "…assessment", "assessment."),
    *("formative", "Formative", "hinge", "Hinge,", "question", "questions", "Hinge-questions"),
    *("children's", "children’s", "Children’S", "childrens", "books", "book", "picture"),
    *(".NET", ".net", "net", "dot.net", "c++", "C++", "c", "c#", "micro:bit", "micro", "bit"),
    *(":bit", "micro::bit", "x_y", "x", "y", "_x_y_", "risk", "risk-assessment", "quiz"),
    *("quizzes", "low-stakes", "naive", "evaluation", "final", "report", "cards", "report-cards"),
    *("#afl", "#EdChat", "-", ",", ".", "—", "'", "’", '"', "and", "the", "of", "reading"),
]
# Text the index may split or fold unlike plnctl.folding: such a post is matched from its
# whole text (a few per post, so that most posts are matched at the marked places)
NON_ASCII = ["low\u2011stakes", "naïve", "Évaluation", "évaluation", "Straße", "日本語", "🙂"]
SEPARATORS = [" ", " ", " ", " ", "", "  ", "\n", " - ", "\t", "\u00a0", "…"]

KEYWORDS = [
    *("assessment", "formative assessment", "hinge question", "e-assessment", ".net", "c++"),
    *("children's books", "report cards", "micro:bit", "x_y", "naive", "évaluation", "final"),
    *("(assessment)", "dot.net", "c#", "picture book", "formative", "question"),
]
EXCLUDES = ["risk assessment", "quizzes"]


def _text(rng: random.Random, size: int) -> str:
    parts = []
    for _ in range(rng.randint(0, size)):
        piece = rng.choice(NON_ASCII if rng.random() < 0.02 else PIECES)
        parts += [piece, rng.choice(SEPARATORS)]
    return "".join(parts)


def _rss(rng: random.Random, person: str, count: int) -> str:
    items = []
    for i in range(count):
        paragraphs = [_text(rng, 12) for _ in range(rng.randint(1, 3))]
        html = "".join(f"<p>{escape(p)}</p>" for p in paragraphs)  # paragraphs: line breaks
        category = rng.choice(["Grading", "Reading", "EdTech", ""])
        items.append(
            f"<item><title>{escape(_text(rng, 5))}</title>"
            f"<link>https://{person}.example/{i}</link><guid>{person}-{i}</guid>"
            + (f"<category>{category}</category>" if category else "")
            + f"<description>{escape(html)}</description></item>"
        )
    return (
        '<?xml version="1.0" encoding="utf-8"?><rss version="2.0"><channel><title>Blog</title>'
        f"<link>https://{person}.example/</link>{''.join(items)}</channel></rss>"
    )


def _sync_corpus(pln: Pln, server: FeedServer, seed: int) -> None:
    rng = random.Random(seed)
    for person in ("ana", "ben", "cat"):
        url = server.add_feed(f"/{person}.xml", _rss(rng, person, 70))
        pln.people.add(person.title(), feeds=[url])
    summary = pln.sync()
    assert summary.new_posts >= 200, summary


@pytest.mark.parametrize("seed", [11, 12])
def test_exact_on_and_off_leaves_what_a_rebuild_leaves(
    pln: Pln, feed_server: FeedServer, seed: int
) -> None:
    _sync_corpus(pln, feed_server, seed)
    pln.topics.add(
        "assess",
        keywords=KEYWORDS,
        excludes=EXCLUDES,
        hashtags=["afl"],
        categories=["Grading"],
    )
    pln.topics.add("reading", keywords=["children’s books", "reading", "picture book"], exact=True)
    ids = [p.id for p in pln.posts.list(limit=1000)]
    rng = random.Random(seed)
    assess = pln.topics.resolve_id("assess")
    tagged = sorted(p for p, t, origin, _r in _tags(pln) if t == assess and origin == "rule")
    pln.topics.untag_post(rng.choice(tagged), "assess")  # blocked: stays removed
    pln.topics.tag_post(rng.choice([i for i in ids if i not in tagged]), "assess")  # manual
    assert _tags(pln) == _expected(pln)

    changed = 0
    for name, exact in (("assess", True), ("assess", False), ("reading", False), ("reading", True)):
        before = _tags(pln)
        change = pln.topics.edit(name, exact=exact)
        live = _tags(pln)
        assert change.topic.exact is exact
        assert live == _expected(pln), (name, exact)
        topic = change.topic.id
        rule = {(p, r) for p, t, origin, r in before if t == topic and origin == "rule"}
        now = {(p, r) for p, t, origin, r in live if t == topic and origin == "rule"}
        assert change.tagged == len({p for p, _ in now} - {p for p, _ in rule})
        assert change.untagged == len({p for p, _ in rule} - {p for p, _ in now})
        changed += len(rule ^ now)
        assert {t for t in live if t[2] != "rule"} == {t for t in before if t[2] != "rule"}
        pln.topics.rebuild()
        assert _tags(pln) == live, (name, exact)
    assert changed > 20  # the toggles changed tags and reasons, both ways


def test_terms_as_written_are_found_at_the_marked_places_as_in_the_whole_text(
    pln: Pln, add_posts: AddPosts
) -> None:
    """Post by post, an exact topic matched at the places either index marks gives the same
    topics and reasons as matched over the whole text; so do the as-written keywords of a
    stemmed topic ("micro:bit", "c++") at the places the stemmed index marks."""
    rng = random.Random(5)
    texts = [post(f"p{i}", _text(rng, 6), _text(rng, 30)) for i in range(400)]
    add_posts("Ana", *texts)
    exact = Matcher([TopicRules(1, "exact", keywords=tuple(KEYWORDS), excludes=tuple(EXCLUDES),
                                exact=True)])  # fmt: skip
    stemmed = Matcher([TopicRules(2, "stemmed", keywords=tuple(KEYWORDS), excludes=("quizzes",))])
    assert Plan.make(pln.store, exact).exact and not Plan.make(pln.store, stemmed).exact
    rows = [r for chunk in post_tags.live_post_chunks(pln.store, None) for r in chunk]
    ids = [r[0] for r in rows]
    compared = found = 0
    for matcher, tables in ((exact, (True, False)), (stemmed, (False,))):
        plan = Plan.make(pln.store, matcher)
        for in_exact_index in tables:
            marks = post_tags.marked_fields(pln.store, plan.query, ids, exact=in_exact_index)
            for row in rows:
                if not _markable(plan, row):
                    continue
                plain = [(m.topic_id, m.reason) for m in _match(matcher, row, None)]
                marked = _match(matcher, row, marks.get(row[0], (None, None)))
                assert [(m.topic_id, m.reason) for m in marked] == plain, row
                compared, found = compared + 1, found + bool(plain)
    assert compared > 900 and found > 500  # most posts went through the marked path
    reasons = {m.reason for row in rows for m in _match(exact, row, None)}
    for term in (".net", "c++", "micro:bit", "x_y", "(assessment)", "children's books"):
        assert any(f'"{term}"' in r for r in reasons), term  # each tricky term was found


def test_an_exact_topic_examines_only_the_posts_with_its_words_as_written(
    pln: Pln, add_posts: AddPosts
) -> None:
    """An exact topic's candidates come from the unstemmed index: "assessments" is not even
    looked at for the keyword "assessment"; and only "assessment" as written tags it, whether
    the keyword came with the topic or was added later."""
    ids = add_posts(
        "Ana",
        post("a", "Assessment tips", "one"),
        post("b", "Assessments galore", "two"),
        post("c", "Rubrics", "three"),
        post("d", "rubric", "four"),
    )
    rules = TopicRules(1, "grading", keywords=("assessment", "rubric"), exact=True)
    assert candidate_posts(pln.topics, rules) == {ids[0], ids[3]}
    assert candidate_posts(pln.topics, dataclasses.replace(rules, exact=False)) == set(ids)
    change = pln.topics.add("grading", keywords=["assessment"], exact=True)
    assert change.tagged == 1
    change = pln.topics.edit("grading", add={RuleKind.KEYWORD: ["rubric"]})
    assert change.tagged == 1
    tagged = {p for p, _t, _o, _r in _tags(pln)}
    assert tagged == {ids[0], ids[3]}
    change = pln.topics.edit("grading", exact=False)
    assert (change.tagged, change.untagged) == (2, 0)
    assert _tags(pln) == _expected(pln)
