"""Full-text search through the API: ranking, snippets, syntax, filters, suggestions."""

from __future__ import annotations

import pytest

from plnctl.api import Pln
from plnctl.api.search import snippet_parts
from plnctl.errors import InvalidInput, NotFound
from plnctl.store.search import fts_query
from tests.topics.conftest import AddPosts
from tests.topics.helpers import post


@pytest.fixture
def corpus(pln: Pln, add_posts: AddPosts) -> dict[str, int]:
    ana = add_posts(
        "Ana",
        post(
            "a1",
            "Formative assessment in maths",
            "Exit tickets as formative assessment.",
            published_at="2026-11-20T09:00:00Z",
        ),
        post(
            "a2",
            "Weekend reading",
            "A note on assessment and formative ideas.",
            published_at="2026-11-01T09:00:00Z",
        ),
        post(
            "a3",
            "Évaluation des élèves",
            "Une évaluation formative en classe.",
            published_at="2026-11-21T09:00:00Z",
        ),
    )
    ben = add_posts(
        "Ben",
        post(
            "b1",
            "micro:bit club",
            "Kids built rubric-free robots with the micro:bit.",
            published_at="2026-11-22T09:00:00Z",
        ),
        post(
            "b2",
            "Rubrics, again",
            "Why rubrics help feedback.",
            published_at="2026-11-23T09:00:00Z",
        ),
    )
    hidden = add_posts("Cleo", post("c1", "Assessment notes", "assessment"), indexed=False)
    return {"a1": ana[0], "a2": ana[1], "a3": ana[2], "b1": ben[0], "b2": ben[1], "c1": hidden[0]}


def ids(hits) -> list[int]:  # type: ignore[no-untyped-def]
    return [h.id for h in hits]


def test_ranking_and_snippet(pln: Pln, corpus: dict[str, int]) -> None:
    hits = pln.topics.search("formative assessment")
    assert ids(hits) == [corpus["a1"], corpus["a2"]]  # a title match ranks first
    first = hits[0]
    assert (first.rank, first.person, first.published_at) == (1, "Ana", "2026-11-20T09:00:00Z")
    assert first.score >= hits[1].score
    assert "**formative**" in first.snippet.lower() or "**Formative**" in first.snippet
    assert ("assessment", True) in first.parts or ("Assessment", True) in first.parts
    assert set(first.to_dict()) == {
        "id",
        "title",
        "url",
        "person",
        "person_id",
        "published_at",
        "snippet",
        "score",
        "rank",
    }


def test_phrase_prefix_accents_and_punctuation(pln: Pln, corpus: dict[str, int]) -> None:
    assert ids(pln.topics.search('"formative assessment"')) == [corpus["a1"]]
    assert set(ids(pln.topics.search("rubric*"))) == {corpus["b1"], corpus["b2"]}
    assert ids(pln.topics.search("evaluation")) == [corpus["a3"]]
    assert ids(pln.topics.search("ÉVALUATION formative")) == [corpus["a3"]]
    assert ids(pln.topics.search("micro:bit")) == [corpus["b1"]]
    assert ids(pln.topics.search("title:rubrics")) == [corpus["b2"]]
    assert set(ids(pln.topics.search("robots OR feedback"))) == {corpus["b1"], corpus["b2"]}
    # stemmed: "rubrics" also finds "rubric-free"; --exact finds the words as written only
    assert ids(pln.topics.search("rubrics NOT feedback")) == [corpus["b1"]]
    assert ids(pln.topics.search("rubrics NOT feedback", exact=True)) == []


def test_unindexed_and_deleted_posts_are_not_found(pln: Pln, corpus: dict[str, int]) -> None:
    assert corpus["c1"] not in ids(pln.topics.search("assessment"))
    pln.store.conn.execute(
        "UPDATE posts SET deleted_at = '2026-11-25T00:00:00Z' WHERE id = ?", (corpus["a1"],)
    )
    assert set(ids(pln.topics.search("formative"))) == {corpus["a2"], corpus["a3"]}


def test_filters(pln: Pln, corpus: dict[str, int]) -> None:
    assert ids(pln.topics.search("assessment", person="Ben")) == []
    assert set(ids(pln.topics.search("rubric*", person="ben"))) == {corpus["b1"], corpus["b2"]}
    # --since is arrival: a2, published on 1 Nov, arrived today, so it is new to you ...
    found = set(ids(pln.topics.search("assessment", since="2026-11-15")))
    assert found == {corpus["a1"], corpus["a2"]}
    # ... and once it arrived on the day it was published, it is not.
    with pln.store.transaction():
        pln.store.conn.execute(
            "UPDATE posts SET fetched_at = published_at WHERE id = ?", (corpus["a2"],)
        )
    assert ids(pln.topics.search("assessment", since="2026-11-15")) == [corpus["a1"]]
    pln.topics.tag_post(corpus["a2"], "reading")
    assert ids(pln.topics.search("assessment", topic="reading")) == [corpus["a2"]]
    assert len(pln.topics.search("assessment OR rubrics", limit=2)) == 2
    with pytest.raises(NotFound):
        pln.topics.search("x", topic="nope")
    with pytest.raises(InvalidInput, match="--since"):
        pln.topics.search("x", since="yesterday-ish")


@pytest.mark.parametrize(
    "query", ['"formative', "AND", "assessment OR", "(rubric", "NOT rubric", "  ", ""]
)
def test_invalid_queries_are_clear_errors(pln: Pln, corpus: dict[str, int], query: str) -> None:
    with pytest.raises(InvalidInput, match="search query"):
        pln.topics.search(query)


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("formative assessment", "formative assessment"),
        ('"formative assessment" rubric*', '"formative assessment" rubric*'),
        ("micro:bit", '"micro:bit"'),
        ("k-12 c++*", '"k-12" "c++"*'),
        ('say "hi', None),
        ("title:rubric text:feedback", "title:rubric {content_text full_text}:feedback"),
        ("a OR (b NOT c)", "a OR ( b NOT c )"),
        ("don't", '"don\'t"'),
    ],
)
def test_fts_query(text: str, expected: str | None) -> None:
    if expected is None:
        with pytest.raises(InvalidInput, match="not closed"):
            fts_query(text)
    else:
        assert fts_query(text) == expected


def test_snippet_parts() -> None:
    assert snippet_parts("a \x02b\x03 c\n d") == (("a ", False), ("b", True), (" c d", False))
    assert snippet_parts("**x** \x02y\x03") == (("**x** ", False), ("y", True))


def test_suggest(pln: Pln, add_posts: AddPosts) -> None:
    pln.topics.add("assessment", keywords=["assessment"], hashtags=["edchat"])
    add_posts(
        "Ana",
        *[
            post(
                f"{i}",
                f"Cognitive load theory note {i}",
                "Retrieval practice and assessment. #edchat #retrieval",
                hashtags=("edchat", "retrieval"),
            )
            for i in range(4)
        ],
        post("old", "Cognitive load", "old", published_at="2020-01-01T00:00:00Z"),
    )
    with pln.store.transaction():  # the old post also arrived long ago (--since is arrival)
        pln.store.conn.execute("UPDATE posts SET fetched_at = published_at WHERE guid = 'old'")
    found = {s.term: s for s in pln.topics.suggest(min_posts=3)}
    assert found["#retrieval"].posts == 4
    assert found["retrieval practice"].kind == "phrase"
    assert found["retrieval practice"].before == 0
    # "cognitive load" was used before as often as now: not new; its longer phrase is
    assert "cognitive load" not in found and found["cognitive load theory"].posts == 4
    assert "load theory note" not in found  # overlaps a better one
    # covered by a topic; single words: never
    assert "#edchat" not in found
    assert "cognitive" not in found and "retrieval" not in found
    assert pln.topics.suggest(min_posts=5) == []


def test_big_result_sets_rank_the_most_recent_matches(
    pln: Pln, add_posts: AddPosts, monkeypatch: pytest.MonkeyPatch
) -> None:
    import plnctl.store.search

    best, *newer = add_posts(
        "Ana",
        post("1", "Rubric rubric rubric", "rubric"),
        *[post(str(i), "Notes", f"one rubric among many words {i}") for i in range(2, 6)],
    )
    monkeypatch.setattr(plnctl.store.search, "RANK_WINDOW", 3)
    assert best not in ids(pln.topics.search("rubric"))
    assert set(ids(pln.topics.search("rubric"))) == set(newer[-3:])
    assert ids(pln.topics.search("rubric", exhaustive=True))[0] == best
