"""Offline questions and answers recorded by hand, through the API and the CLI."""

from __future__ import annotations

import pytest

from plnctl.api import Pln
from plnctl.errors import Ambiguous, InvalidInput, NotFound
from plnctl.models import QuestionState
from tests.conftest import Cli


def test_offline_question_answered_by_hand(pln: Pln) -> None:
    pln.people.add("Doug Belshaw")
    question = pln.questions.add("Who has tried whole-class feedback?", topics=["feedback"])
    assert (question.kind, question.state, question.topics) == ("offline", "open", ("feedback",))

    doug = pln.questions.answer(question.id, from_="Doug", text="Every Friday")
    stranger = pln.questions.answer(question.id, from_="Sam at TeachMeet")
    handle = pln.questions.answer(
        question.id, from_="@Kim@Teach.Example", url="https://teach.example/@kim/1"
    )

    assert (doug.author_name, doug.in_network, doug.found_via) == ("Doug Belshaw", True, "manual")
    assert (stranger.author_name, stranger.in_network) == ("Sam at TeachMeet", False)
    assert (handle.author_name, handle.author_handle) == ("Kim", "Kim@teach.example")
    shown = pln.questions.get(question.id)
    assert shown.state is QuestionState.ANSWERED
    assert (shown.answer_count, shown.network_answer_count) == (3, 1)
    assert [a.id for a in shown.answers] == [doug.id, stranger.id, handle.id]


def test_answer_from_a_followed_handle_is_credited_to_the_person(pln: Pln) -> None:
    from plnctl.models import SourceKind
    from plnctl.store import people as people_db

    person = pln.people.add("Kim Lee")
    with pln.store.transaction():
        people_db.insert_source(
            pln.store,
            person.id,
            SourceKind.MASTODON,
            "https://teach.example/@kim",
            handle="@kim@teach.example",
        )
    question = pln.questions.add("Best book on formative assessment?")
    answer = pln.questions.answer(question.id, from_="@KIM@teach.example")
    assert (answer.person_id, answer.in_network) == (person.id, True)


def test_answer_errors(pln: Pln) -> None:
    question = pln.questions.add("A question?")
    with pytest.raises(NotFound):
        pln.questions.answer(question.id, from_="42")  # an id that is nobody
    with pytest.raises(NotFound):
        pln.questions.answer(999, from_="Sam")
    with pytest.raises(InvalidInput):
        pln.questions.answer(question.id, from_="  ")
    pln.people.add("Sam One")
    pln.people.add("Sam Two")
    with pytest.raises(Ambiguous):
        pln.questions.answer(question.id, from_="Sam")
    pln.questions.answer(question.id, from_="Kim", url="https://x.example/a")
    with pytest.raises(InvalidInput, match="already has an answer"):
        pln.questions.answer(question.id, from_="Kim", url="https://x.example/a")
    with pytest.raises(InvalidInput):
        pln.questions.add("   ")


def test_resolve_close_reopen(pln: Pln) -> None:
    question = pln.questions.add("Which quiz tool?")
    only = pln.questions.answer(question.id, from_="Sam")
    resolved = pln.questions.resolve(question.id)
    assert resolved.state is QuestionState.RESOLVED
    assert resolved.resolved_answer_id == only.id  # the only answer is accepted by default
    assert [a.accepted for a in resolved.answers] == [True]

    other = pln.questions.answer(question.id, from_="Kim")
    assert pln.questions.get(question.id).state is QuestionState.RESOLVED  # answers don't move it
    assert pln.questions.resolve(question.id, answer=other.id).resolved_answer_id == other.id
    with pytest.raises(NotFound):
        pln.questions.resolve(question.id, answer=12345)

    closed = pln.questions.close(question.id)
    assert closed.state is QuestionState.CLOSED and closed.closed_at
    with pytest.raises(InvalidInput, match="reopen"):
        pln.questions.resolve(question.id)
    reopened = pln.questions.reopen(question.id)
    assert (reopened.state, reopened.resolved_answer_id, reopened.closed_at) == (
        QuestionState.ANSWERED,
        None,
        None,
    )
    with pytest.raises(InvalidInput, match="already answered"):
        pln.questions.reopen(question.id)


def test_list_filters_by_state(pln: Pln) -> None:
    open_ = pln.questions.add("Open one?")
    answered = pln.questions.add("Answered one?")
    pln.questions.answer(answered.id, from_="Sam")
    closed = pln.questions.add("Closed one?")
    pln.questions.close(closed.id)
    assert {q.id for q in pln.questions.list()} == {open_.id, answered.id, closed.id}
    assert [q.id for q in pln.questions.list(states=["open"])] == [open_.id]
    assert [q.id for q in pln.questions.list(states=["answered", "closed"])] == [
        closed.id,
        answered.id,
    ]


def test_check_leaves_offline_questions_alone(pln: Pln) -> None:
    question = pln.questions.add("Offline?")
    [result] = pln.questions.check(question.id)
    assert result.status == "skipped" and "offline" in (result.reason or "")
    assert pln.questions.check() == []


def test_cli_round_trip(cli: Cli) -> None:
    added = cli(
        "question", "add", "Who has tried feedback sheets?", "--topic", "feedback", "--json"
    )
    assert added.exit_code == 0, added.stderr
    qid = str(added.json()["id"])  # type: ignore[index]
    assert cli("person", "add", "Doug Belshaw").exit_code == 0

    answer = cli("question", "answer", qid, "--from", "Doug", "--text", "Try it on Fridays")
    assert answer.exit_code == 0 and answer.stdout == ""
    assert "in your network" in answer.stderr
    cli("question", "answer", qid, "--from", "@kim@teach.example", "--text", "Me too")

    listed = cli("question", "list")
    assert listed.exit_code == 0
    header, row = listed.stdout.strip().splitlines()
    assert header.split("\t") == [
        "id",
        "state",
        "asked",
        "answers",
        "network/outside",
        "first answer",
        "question",
    ]
    assert row.split("\t")[1] == "answered" and row.split("\t")[3:5] == ["2", "1/1"]
    assert cli("question", "list", "--open").stdout.strip().count("\n") == 0  # header only

    shown = cli("question", "show", qid)
    assert "Doug Belshaw" in shown.stdout and "Try it on Fridays" in shown.stdout
    assert "kim@teach.example" in shown.stdout
    data = cli("question", "show", qid, "--json").json()
    assert [a["found_via"] for a in data["answers"]] == ["manual", "manual"]  # type: ignore[index]

    stats = cli("question", "stats", "--json").json()
    assert stats["answer_rate"] == 1.0  # type: ignore[index]
    hints = [s["follow_hint"] for s in stats["suggestions"]]  # type: ignore[index]
    assert hints == ['plnctl person add "kim" --mastodon @kim@teach.example']
    text = cli("question", "stats").stdout
    assert "plnctl person add" in text

    assert cli("question", "resolve", qid).exit_code == 0
    assert cli("question", "close", qid).exit_code == 0
    assert cli("question", "list", "--closed", "--json").json()[0]["state"] == "closed"  # type: ignore[index]
    refused = cli("question", "resolve", qid)
    assert refused.exit_code == 2 and refused.stderr.startswith("Error: ") and refused.stdout == ""
    assert cli("question", "reopen", qid).exit_code == 0


def test_cli_errors(cli: Cli) -> None:
    missing = cli("question", "show", "99")
    assert missing.exit_code == 4 and "no question with id 99" in missing.stderr
    assert cli("question", "track", "not a url").exit_code == 2
    assert cli("question", "list", "--json").json() == []
    assert cli("question", "check").exit_code == 0


def test_ask_needs_a_mastodon_login(cli: Cli) -> None:
    result = cli("question", "ask", "Anyone?")
    assert result.exit_code == 2
    assert "not logged in to Mastodon" in result.stderr and "plnctl mastodon login" in result.stderr
