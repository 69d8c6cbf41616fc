"""The pure suggestion logic: contrast with older posts, coverage, overlaps, authors' hints."""

from __future__ import annotations

from plnctl.tagging import TopicRules
from plnctl.taxonomy import STOPWORDS
from plnctl.topic_suggest import PostText, log_likelihood, suggest_topics


def posts(text: str, n: int, **kw: object) -> list[PostText]:
    return [PostText(f"{text} {i}", text, **kw) for i in range(n)]  # type: ignore[arg-type]


def test_log_likelihood_grows_with_contrast() -> None:
    same = log_likelihood(5, 50, 50, 500)
    more = log_likelihood(5, 50, 5, 500)
    most = log_likelihood(5, 50, 0, 500)
    assert 0 <= same < 0.01 < more < most


def test_new_phrase_beats_everyday_phrase() -> None:
    recent = posts("dual coding diagrams every day", 4) + posts("parents evening tonight", 4)
    older = posts("parents evening tonight", 40) + posts("lunch queue", 20)
    found = suggest_topics(recent, older, [], stopwords=STOPWORDS, min_posts=3)
    terms = [s.term for s in found]
    assert terms[0] == "dual coding diagrams"  # more specific than its parts, same posts
    assert "dual coding" not in terms and "coding diagrams" not in terms
    assert not any("parents evening" in t for t in terms)  # as common before as now
    assert found[0].before == 0 and len(found[0].examples) == 2


def test_covered_and_overlapping_phrases_are_left_out() -> None:
    recent = posts("dual coding diagrams", 5)
    topics = [TopicRules(1, "cognitive science", keywords=("dual coding",))]
    found = suggest_topics(recent, [], topics, stopwords=STOPWORDS, min_posts=3)
    terms = {s.term for s in found}
    assert "dual coding" not in terms and "dual coding diagrams" not in terms
    assert terms == {"coding diagrams"} or terms == set()  # never two overlapping phrases


def test_authors_topic_turns_the_suggestion_into_an_edit() -> None:
    recent = posts("dual coding diagrams", 3, person_topics=("cognitive science",))
    recent += posts("dual coding in maths", 1)
    (best, *_rest) = suggest_topics(recent, [], [], stopwords=STOPWORDS, min_posts=3)
    assert best.topic == "cognitive science"
    assert best.command == "plnctl topic edit 'cognitive science' --keyword 'dual coding'"
