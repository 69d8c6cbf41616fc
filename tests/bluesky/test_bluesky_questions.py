"""Questions asked on Bluesky: tracked by URL, answered by the thread's replies."""

from __future__ import annotations

from plnctl.api import Pln
from tests.conftest import Cli
from tests.servers.appview import NO_UNAUTH, AppView


def test_track_and_check_a_bluesky_question(appview: AppView, pln: Pln, cli: Cli) -> None:
    me = appview.add_account("teacher.bsky.social", "Ms Rivera")
    priya = appview.add_account("priya.bsky.social", "Priya Natarajan")
    stranger = appview.add_account("stranger.bsky.social", "A Stranger")
    quiet = appview.add_account("quiet.bsky.social", "Quiet", labels=[NO_UNAUTH])
    question = appview.add_post(me, "Best picture books about empathy for Year 2?")
    answer = appview.add_post(priya, "The Invisible Boy, every time", reply_to=question)
    appview.add_post(me, "Thanks Priya! Any more?", reply_to=answer)  # the asker: not an answer
    appview.add_post(stranger, "Last Stop on Market Street", reply_to=question)
    appview.add_post(quiet, "hidden reply", reply_to=question)
    pln.people.add("Priya", bluesky=["@priya.bsky.social"])
    priya.handle = "priya.school.example"  # changed handle: still credited by DID
    rkey = question.rsplit("/", 1)[1]
    tracked = cli(
        "question", "track", f"https://bsky.app/profile/teacher.bsky.social/post/{rkey}", "--json"
    )
    assert tracked.exit_code == 0, tracked.stderr
    data = tracked.json()
    assert data["kind"] == "bluesky"  # type: ignore[index]
    assert data["text"] == "Best picture books about empathy for Year 2?"  # type: ignore[index]
    checked = cli("question", "check", "--json")
    assert checked.exit_code == 0, checked.stderr
    assert checked.json()[0]["new_answers"] == 2  # type: ignore[index]
    (q,) = pln.questions.list()
    answers = pln.questions.get(q.id).answers
    by_name = {a.author_name: a for a in answers}
    assert set(by_name) == {"Priya Natarajan", "A Stranger"}
    assert by_name["Priya Natarajan"].in_network
    assert not by_name["A Stranger"].in_network
    assert by_name["Priya Natarajan"].found_via == "bluesky"
    assert pln.questions.get(q.id).state == "answered"
    # Checking again finds nothing new; a new reply arrives through plnctl sync.
    assert cli("question", "check", "--json").json()[0]["new_answers"] == 0  # type: ignore[index]
    appview.add_post(stranger, "And Each Kindness", reply_to=question)
    synced = cli("sync", "--json")
    assert synced.exit_code == 0, synced.stderr
    assert len(pln.questions.get(q.id).answers) == 3


def test_a_deleted_question_is_marked_deleted(appview: AppView, pln: Pln) -> None:
    me = appview.add_account("teacher.bsky.social")
    question = appview.add_post(me, "Anyone tried hinge questions?")
    tracked = pln.questions.track(
        f"https://bsky.app/profile/{me.did}/post/{question.rsplit('/', 1)[1]}"
    )
    appview.delete_post(question)
    (result,) = pln.questions.check(tracked.id)
    assert result.status == "deleted"


def test_an_unknown_post_is_a_clear_error(appview: AppView, cli: Cli) -> None:
    appview.add_account("teacher.bsky.social")
    result = cli("question", "track", "https://bsky.app/profile/teacher.bsky.social/post/3nothere")
    assert result.exit_code == 4
    assert result.stderr.startswith("Error:") and "Traceback" not in result.stderr
