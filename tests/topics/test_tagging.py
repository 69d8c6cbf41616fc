"""The pure rule matcher: table-driven cases and properties."""

from __future__ import annotations

import pytest
from hypothesis import given
from hypothesis import strategies as st

from plnctl.tagging import Matcher, TopicRules, covered_terms, fold, term_counts, words

ASSESS = TopicRules(
    1,
    "assessment",
    keywords=(
        "formative assessment",
        "rubric",
        "évaluation",
        "micro:bit",
        "c++",
        "AI",
        "children's books",
    ),
    hashtags=("#Assessment", "edchat"),
    categories=("Assessment & Grading",),
    excludes=("risk assessment",),
)


def reasons(title=None, text=None, hashtags=(), categories=(), person_id=None, topic=ASSESS):
    found = Matcher([topic]).match(
        title=title, text=text, hashtags=hashtags, categories=categories, person_id=person_id
    )
    return [m.reason for m in found]


@pytest.mark.parametrize(
    ("title", "text", "expected"),
    [
        # phrases match across any whitespace, case-insensitively
        ("Formative Assessment today", None, ['keyword "formative assessment" in title']),
        (None, "on formative\n  assessment.", ['keyword "formative assessment" in text']),
        ("formative-assessment", None, []),
        # whole words only
        ("Rubrics", None, []),
        ("a rubric!", None, ['keyword "rubric" in title']),
        ("prerubric", None, []),
        ("rubric_v2", None, []),
        ("said nothing", "the maintainer paid", []),
        ("AI in class", None, ['keyword "AI" in title']),
        # accents folded both ways
        ("Evaluation", None, ['keyword "évaluation" in title']),
        ("ÉVALUATION", None, ['keyword "évaluation" in title']),
        # punctuation inside a keyword
        ("micro:bit club", None, ['keyword "micro:bit" in title']),
        ("microbit club", None, []),
        ("micro bit", None, []),
        ("learning c++ fast", None, ['keyword "c++" in title']),
        ("learning c fast", None, []),
        # typographic quotes and dashes are their ASCII twins
        ("Children’s books—and more", None, ['keyword "children\'s books" in title']),
        # both title and text
        (
            "A rubric",
            "and formative assessment",
            ['keyword "rubric" in title; keyword "formative assessment" in text'],
        ),
        # exclude vetoes the topic, whole words only
        ("rubric for the risk assessment", None, []),
        ("rubric", "about risk  Assessment", []),
        ("rubric", "risk assessments", ['keyword "rubric" in title']),
        (None, None, []),
        ("", "", []),
    ],
)
def test_keywords(title: str | None, text: str | None, expected: list[str]) -> None:
    assert reasons(title, text) == expected


@pytest.mark.parametrize(
    ("kwargs", "expected"),
    [
        ({"hashtags": ["assessment"]}, ["hashtag #assessment"]),
        ({"hashtags": ["#EdChat"]}, ["hashtag #edchat"]),
        ({"text": "join us at #EdChat tonight"}, ["hashtag #edchat"]),
        ({"text": "join us at #EdChats tonight"}, []),
        ({"text": "edchat without the hash"}, []),
        ({"categories": ["assessment & grading"]}, ['category "assessment & grading"']),
        ({"categories": ["  Assessment  &  Grading "]}, ['category "  Assessment  &  Grading "']),
        ({"categories": ["Assessment"]}, []),
        ({"hashtags": ["edchat"], "text": "a risk assessment"}, []),
    ],
)
def test_hashtags_and_categories(kwargs: dict, expected: list[str]) -> None:
    assert reasons(**kwargs) == expected


PEOPLE = TopicRules(2, "maths", keywords=("numeracy",), people={7: "Ana"}, excludes=("fractions",))


@pytest.mark.parametrize(
    ("weight", "person_id", "text", "expected"),
    [
        (1.0, 7, "anything", ["author Ana is linked to this topic"]),
        (1.0, 8, "anything", []),
        (0.5, 7, "anything", []),  # the link alone is not enough below 1
        (0.5, 7, "numeracy", ['keyword "numeracy" in text; author Ana is linked to this topic']),
        (0.0, 7, "anything", []),
        (0.0, 7, "numeracy", ['keyword "numeracy" in text']),
        (2.0, 7, "fractions", []),  # excludes win over people too
    ],
)
def test_person_weight(weight: float, person_id: int, text: str, expected: list[str]) -> None:
    topic = TopicRules(**{**PEOPLE.__dict__, "person_weight": weight})
    assert reasons(text=text, person_id=person_id, topic=topic) == expected


def test_several_topics_each_with_its_reason() -> None:
    other = TopicRules(3, "stem", keywords=("robotics",), hashtags=("stem",))
    found = Matcher([ASSESS, other]).match(title="Robotics rubric", text="#STEM", hashtags=())
    assert [(m.topic, m.reason) for m in found] == [
        ("assessment", 'keyword "rubric" in title'),
        ("stem", 'keyword "robotics" in title; hashtag #stem'),
    ]


def test_longest_phrase_is_reported() -> None:
    topic = TopicRules(1, "t", keywords=("assessment", "formative assessment"))
    assert reasons(title="Formative assessment", topic=topic) == [
        'keyword "formative assessment" in title'
    ]


def test_topic_without_rules_matches_nothing() -> None:
    assert reasons(title="anything", text="#edchat", topic=TopicRules(9, "empty")) == []


def test_fold_and_words() -> None:
    assert fold("Évaluation ÇA Straße ﬁle") == "evaluation ca strasse file"
    assert words("Don't stop: micro:bit!") == ["don", "t", "stop", "micro", "bit"]


def test_covered_terms_and_counts() -> None:
    covered = covered_terms([ASSESS])
    assert {"assessment", "formative assessment", "formative", "edchat", "rubric"} <= covered
    counts = term_counts(
        ["Cognitive load theory", "cognitive load again", "the theory"], skip={"again", "the"}
    )
    assert counts["cognitive load"] == 2
    assert counts["cognitive"] == 2
    assert counts["theory"] == 2
    assert "again" not in counts


# --- properties ---------------------------------------------------------------------------

PIECES = [
    "rubric",
    "Rubric",
    "formative",
    "assessment",
    "Évaluation",
    "risk",
    "#edchat",
    "c++",
    "micro:bit",
    "ai",
    "numeracy",
    "fractions",
    "-",
    ":",
    "\n",
    "é",
    "x",
]
texts = st.lists(st.sampled_from(PIECES), max_size=12).map(" ".join)


@given(title=texts, text=texts, tags=st.lists(st.sampled_from(["edchat", "x", "Assessment"])))
def test_matching_is_deterministic_and_idempotent(title: str, text: str, tags: list[str]) -> None:
    matcher = Matcher([ASSESS, PEOPLE])
    first = matcher.match(title=title, text=text, hashtags=tags, person_id=7)
    again = matcher.match(title=title, text=text, hashtags=tags, person_id=7)
    fresh = Matcher([ASSESS, PEOPLE]).match(title=title, text=text, hashtags=tags, person_id=7)
    assert first == again == fresh


@given(title=texts, text=texts)
def test_case_and_accents_do_not_matter(title: str, text: str) -> None:
    matcher = Matcher([ASSESS])
    plain = matcher.match(title=fold(title), text=fold(text))
    loud = matcher.match(title=title.upper(), text=text.upper())
    assert [m.topic_id for m in plain] == [m.topic_id for m in loud]


@given(st.text(max_size=40))
def test_fold_is_idempotent(text: str) -> None:
    assert fold(fold(text)) == fold(text)
