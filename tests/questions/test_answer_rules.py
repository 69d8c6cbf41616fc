"""The pure answer rules: share or answer, names that are one person, one answerer per person."""

from __future__ import annotations

import pytest
from hypothesis import given
from hypothesis import strategies as st

from plnctl.answer_rules import (
    BOOST_MAX_WORDS,
    is_share,
    match_person,
    names_match,
    own_words,
    tally_answerers,
)
from plnctl.models import Answer

Q = "https://rivera.example/2026/11/marking/"


@pytest.mark.parametrize(
    ("text", "share"),
    [
        (f"help her out: {Q}", True),
        (f"{Q}", True),
        (f"@alice@edu.social @bob #edchat #ukedchat {Q}", True),
        (f"Can anyone help her out? {Q}", True),  # five words of its own
        (f"Anyone in #mathchat know the answer? {Q}", True),
        ("http://RIVERA.example/2026/11/marking help her out", True),  # scheme, case, slash
        ("rivera.example/2026/11/marking/ help", True),  # shown without its scheme
        (f"Comparative judgement saved my weekends, see {Q}", False),  # six words: an answer
        ("help her out", False),  # no link to the question: a (poor) answer
        ("help her out: https://rivera.example/2026/11/other/", False),  # another post
        ("help: https://rivera.example.evil/2026/11/marking/", False),  # another host
        ("", False),
        (f"{Q}?utm_source=mastodon&utm_medium=social", True),  # tracking parameters
    ],
)
def test_is_share(text: str, share: bool) -> None:
    assert is_share(text, Q) is share


def test_a_query_that_names_the_post_is_part_of_the_link() -> None:
    # WordPress without pretty permalinks: ?p=12 and ?p=13 are two posts
    question = "https://rivera.example/?p=12"
    assert is_share("help her out https://rivera.example/?p=12", question)
    assert not is_share("help her out https://rivera.example/?p=13", question)


def test_a_post_known_to_link_the_question_needs_no_link_in_its_text() -> None:
    assert is_share("Help her out #edchat", Q, links_question=True)
    assert not is_share("My answer: retrieval practice, twice a week", Q, links_question=True)
    assert not is_share(f"help: {Q}", None)  # an offline question has no link to share


@given(st.lists(st.sampled_from(["please", "help", "boost", "RT", "thanks", "🙏"]), max_size=8))
def test_share_is_decided_by_the_count_of_own_words(words: list[str]) -> None:
    text = " ".join([*words, Q])
    assert is_share(text, Q) is (len(own_words(text)) <= BOOST_MAX_WORDS)


@pytest.mark.parametrize(
    ("a", "b", "same"),
    [
        ("Priya", "Priya Natarajan", True),
        ("priya natarajan", "Priya  Natarajan", True),
        ("Dr. Priya", "Dr Priya Natarajan", True),
        ("Priya N.", "Priya Natarajan", False),
        ("A.", "A. Reader", False),  # an initial is not a first name
        ("Sam", "Samira Khan", False),
        ("", "Sam", False),
    ],
)
def test_names_match(a: str, b: str, same: bool) -> None:
    assert names_match(a, b) is same and names_match(b, a) is same


def test_match_person_only_when_one_person_matches() -> None:
    people = [(1, "Priya Natarajan"), (2, "Sam Okafor"), (3, "Sam Smith"), (4, "Sam")]
    assert match_person("Priya", people) == 1
    assert match_person("sam", people) == 4  # the exact name wins over the two near ones
    assert match_person("Sam O", people) == 4  # "O" is not "Okafor"; the Sam known by first name
    assert match_person("Sam O", people[:3]) is None
    assert match_person("Kim", people) is None
    assert match_person("Sam", [(2, "Sam Okafor"), (3, "Sam Smith")]) is None  # two: nobody


def _answer(id: int, **fields: object) -> Answer:
    base: dict[str, object] = dict(
        id=id, question_id=1, author_name=None, author_handle=None, author_url=None,
        person_id=None, text=None, url=None, answered_at=None, found_via="mastodon",
    )  # fmt: skip
    base.update(fields)
    return Answer(**base)  # type: ignore[arg-type]


def test_tally_merges_by_canonical_handle_keeping_the_port() -> None:
    answers = [
        _answer(1, author_name="Sam", author_handle="sam@127.0.0.1:3111"),
        _answer(2, author_name="SAM", author_handle="@SAM@127.0.0.1:3111", found_via="manual"),
        _answer(3, author_name="Sam", author_handle="sam@127.0.0.1"),  # another server
    ]
    tally = tally_answerers(answers)
    assert [(a.handle, a.answers) for a in tally] == [
        ("sam@127.0.0.1:3111", 2),
        ("sam@127.0.0.1", 1),
    ]
    assert tally[0].follow_hint == 'plnctl person add "Sam" --mastodon @sam@127.0.0.1:3111'


def test_tally_merges_a_name_into_the_one_person_in_the_network() -> None:
    answers = [
        _answer(1, author_name="Priya Natarajan", author_handle="priya.bsky.social",
                person_id=7, person_name="Priya", found_via="bluesky"),
        _answer(2, author_name="Priya", found_via="comments"),  # no handle: joins person 7
        _answer(3, author_name="Priya", author_handle="priya@far.example"),  # an account: apart
    ]  # fmt: skip
    tally = tally_answerers(answers)
    assert [(a.name, a.answers, a.in_network, a.person_id) for a in tally] == [
        ("Priya", 2, True, 7),
        ("Priya", 1, False, None),
    ]
    assert tally[0].follow_hint is None
