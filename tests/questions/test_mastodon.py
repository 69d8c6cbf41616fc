"""Mastodon questions against a real Mastodon-API server (mastodon_mock on 127.0.0.1): ask as one
account, reply from others (one in the network, one not, a nested reply, the asker's own
follow-up), check, and look at answers, credit, states and time to first answer; a deleted
question; a question on an unreachable instance."""

from __future__ import annotations

from datetime import timedelta

from plnctl.api import Pln
from plnctl.models import QuestionState
from plnctl.questions import time_to_first_answer
from plnctl.store import questions as db
from plnctl.timeutil import now, to_iso
from tests.conftest import Cli
from tests.servers.mastodon_server import MastodonMock


def test_ask_then_collect_answers(pln: Pln, cli: Cli, alice: MastodonMock) -> None:
    bob = pln.people.add("Bob Librarian", mastodon=[alice.handle("bob")])
    question = pln.questions.ask("How do you run retrieval practice with Year 7?", topics=["rp"])
    assert (question.kind, question.state, question.instance) == ("mastodon", "open", alice.host)
    assert question.url == f"{alice.base_url}/@alice/{question.remote_id}"
    posted = alice.http.get(f"/api/v1/statuses/{question.remote_id}").json()
    assert "retrieval practice" in posted["content"] and posted["visibility"] == "public"

    first = alice.post(
        "bob", "@alice Low-stakes quizzes at the start", in_reply_to_id=question.remote_id
    )
    alice.post("alice", "Thanks! Anyone else?", in_reply_to_id=question.remote_id)  # not an answer
    alice.post("dana", "@alice Brain dumps", in_reply_to_id=question.remote_id)
    alice.post("carol", "@bob seconded", in_reply_to_id=first["id"])  # a reply to a reply
    with pln.store.transaction():  # asked two hours ago
        db.update_question(pln.store, question.id, asked_at=to_iso(now() - timedelta(hours=2)))

    [result] = pln.questions.check()
    assert (result.status, result.new_answers, result.state) == ("new", 3, QuestionState.ANSWERED)
    checked = pln.questions.get(question.id)
    by_handle = {a.author_handle: a for a in checked.answers}
    assert set(by_handle) == {f"{u}@{alice.host}" for u in ("bob", "dana", "carol")}
    assert (
        by_handle[f"bob@{alice.host}"].person_id,
        by_handle[f"bob@{alice.host}"].in_network,
    ) == (bob.id, True)
    assert by_handle[f"dana@{alice.host}"].in_network is False
    assert by_handle[f"bob@{alice.host}"].author_name == "Bob Librarian"
    assert "Low-stakes quizzes" in (by_handle[f"bob@{alice.host}"].text or "")
    assert by_handle[f"bob@{alice.host}"].url == first["url"]
    assert (checked.answer_count, checked.network_answer_count) == (3, 1)
    wait = time_to_first_answer(checked)
    assert wait is not None and 7000 < wait.total_seconds() < 7400

    assert pln.questions.check()[0].status == "unchanged"  # nothing stored twice

    stats = pln.questions.stats()
    hints = {a.handle: a.follow_hint for a in stats.suggestions}
    assert hints[f"dana@{alice.host}"] == f'plnctl person add "Dana" --mastodon @dana@{alice.host}'
    assert f"bob@{alice.host}" not in hints
    shown = cli("question", "show", str(question.id))
    assert "Bob Librarian" in shown.stdout and "in your network" in shown.stdout
    assert "Thanks! Anyone else?" not in shown.stdout


def test_following_an_answerer_later_credits_their_answer(pln: Pln, alice: MastodonMock) -> None:
    question = pln.questions.ask("Favourite plenary?")
    alice.post("dana", "Exit tickets", in_reply_to_id=question.remote_id)
    pln.questions.check()
    assert pln.questions.get(question.id).network_answer_count == 0
    dana = pln.people.add("Dana", mastodon=[alice.handle("dana")])
    pln.questions.check()
    [answer] = pln.questions.get(question.id).answers
    assert (answer.person_id, answer.in_network) == (dana.id, True)


def test_ask_unlisted_from_the_cli(cli: Cli, alice: MastodonMock) -> None:
    result = cli("question", "ask", "Quiet question?", "--visibility", "unlisted", "--json")
    assert result.exit_code == 0, result.stderr
    status_id = result.json()["remote_id"]  # type: ignore[index]
    assert alice.http.get(f"/api/v1/statuses/{status_id}").json()["visibility"] == "unlisted"
    bad = cli("question", "ask", "Loud?", "--visibility", "direct")
    assert bad.exit_code == 2 and "--visibility" in bad.stderr


def test_track_a_status_url(pln: Pln, mastodon: MastodonMock) -> None:
    status = mastodon.post("alice", "Who uses knowledge organisers? #edchat")
    question = pln.questions.track(status["url"])
    assert question.text == "Who uses knowledge organisers? #edchat"
    assert (question.kind, question.instance, question.remote_id) == (
        "mastodon",
        mastodon.host,
        str(status["id"]),
    )
    mastodon.post("bob", "Me!", in_reply_to_id=status["id"])
    assert pln.questions.check()[0].new_answers == 1


def test_a_deleted_question_keeps_its_answers(pln: Pln, cli: Cli, alice: MastodonMock) -> None:
    question = pln.questions.ask("Soon deleted?")
    alice.post("bob", "An answer", in_reply_to_id=question.remote_id)
    assert pln.questions.check()[0].new_answers == 1
    alice.delete("alice", question.remote_id or "")

    [result] = pln.questions.check()
    assert result.status == "deleted"
    deleted = pln.questions.get(question.id)
    assert deleted.deleted and deleted.answer_count == 1 and deleted.state is QuestionState.ANSWERED
    assert pln.questions.check() == []  # no longer checked
    [skipped] = pln.questions.check(question.id)
    assert skipped.status == "skipped" and "deleted" in (skipped.reason or "")
    listed = cli("question", "list").stdout
    assert "answered (deleted)" in listed


def test_an_unreachable_instance_fails_alone(pln: Pln, cli: Cli, alice: MastodonMock) -> None:
    good = pln.questions.ask("Reachable?")
    alice.post("bob", "Yes", in_reply_to_id=good.remote_id)
    far = pln.questions.track("http://127.0.0.1:1/@sam/109", text="Far away?")
    assert far.check_error and "127.0.0.1:1" in far.check_error

    result = cli("question", "check")
    assert result.exit_code == 3
    assert f"[{far.id}] Far away?: " in result.stderr and "could not connect" in result.stderr
    assert f"[{good.id}] Reachable?: 1 new answer(s), answered" in result.stderr
    assert result.stdout == ""
    failed = pln.questions.get(far.id)
    assert failed.state is QuestionState.OPEN and "could not connect" in (failed.check_error or "")
    assert failed.last_checked_at is not None


def test_a_rate_limited_instance_is_reported(pln: Pln, alice: MastodonMock) -> None:
    question = pln.questions.ask("Limited?")
    alice.fault("/api/v1/statuses/*", {"type": "ratelimit"}, count=1)
    [result] = pln.questions.check()
    assert result.status == "failed" and "rate limit" in (result.error or "")
    [retry] = pln.questions.check()  # a fresh run: the limit was one response
    assert retry.status in ("unchanged", "new") and question.id == retry.question_id
