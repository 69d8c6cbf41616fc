"""Posting from the logged-in Bluesky account, against the loopback PDS: `question ask --on
bluesky` (then answered through the thread) and `share --to bluesky` (recorded in the share
log). The record's text, facets (UTF-8 byte offsets, mentions as DIDs), langs and createdAt are
what Bluesky's lexicon asks for; the length is checked before anything is sent."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from typing import Any

import pytest

from plnctl.api import Pln
from tests.conftest import Cli
from tests.servers.appview import Account, AppView
from tests.servers.pds import Pds

PASSWORD = "abcd-efgh-ijkl-mnop"


@pytest.fixture
def teacher(appview: AppView, pds: Pds, cli: Cli) -> Account:
    account = appview.add_account("teacher.bsky.social", "Ms Rivera")
    pds.add_password(account, PASSWORD)
    cli("topic", "init", "--region", "au")
    logged = cli("bluesky", "login", "teacher.bsky.social", input=PASSWORD + "\n")
    assert logged.exit_code == 0, logged.stderr
    return account


def _facet_texts(record: dict[str, Any]) -> list[tuple[str, dict[str, Any]]]:
    data = record["text"].encode("utf-8")
    return [
        (data[f["index"]["byteStart"] : f["index"]["byteEnd"]].decode("utf-8"), f["features"][0])
        for f in record.get("facets", [])
    ]


def test_ask_on_bluesky_posts_a_faithful_record_and_collects_the_replies(
    appview: AppView, pds: Pds, teacher: Account, cli: Cli, pln: Pln
) -> None:
    priya = appview.add_account("priya.bsky.social", "Priya Natarajan")
    pln.people.add("Priya", bluesky=["@priya.bsky.social"])
    text = ("👩‍🏫 Café question for @priya.bsky.social: how do you run exit tickets? "
            "Notes: https://rivera.example/exit-tickets. #EduSky #mathschat")  # fmt: skip
    before = datetime.now(UTC) - timedelta(seconds=1)
    asked = cli("question", "ask", text, "--on", "bluesky", "--topic", "assessment", "--json")
    assert asked.exit_code == 0, asked.stderr
    (created,) = pds.records
    record = created["record"]
    assert record["$type"] == "app.bsky.feed.post" and record["text"] == text
    assert record["langs"] == ["en"]
    moment = datetime.strptime(record["createdAt"], "%Y-%m-%dT%H:%M:%S.%fZ").replace(tzinfo=UTC)
    assert before <= moment <= datetime.now(UTC)
    assert _facet_texts(record) == [
        ("@priya.bsky.social", {"$type": "app.bsky.richtext.facet#mention", "did": priya.did}),
        ("https://rivera.example/exit-tickets",
         {"$type": "app.bsky.richtext.facet#link", "uri": "https://rivera.example/exit-tickets"}),
        ("#EduSky", {"$type": "app.bsky.richtext.facet#tag", "tag": "EduSky"}),
        ("#mathschat", {"$type": "app.bsky.richtext.facet#tag", "tag": "mathschat"}),
    ]  # fmt: skip
    question = asked.json()
    rkey = created["uri"].rsplit("/", 1)[1]
    assert question["kind"] == "bluesky"  # type: ignore[index]
    assert question["url"] == f"https://bsky.app/profile/teacher.bsky.social/post/{rkey}"  # type: ignore[index]
    appview.add_post(
        priya, "Three questions on a sticky note, every lesson", reply_to=created["uri"]
    )
    appview.add_post(teacher, "Thanks Priya!", reply_to=created["uri"])  # my own: not an answer
    checked = cli("question", "check", "--json")
    assert checked.exit_code == 0, checked.stderr
    assert checked.json()[0]["new_answers"] == 1  # type: ignore[index]
    (answer,) = pln.questions.get(question["id"]).answers  # type: ignore[index]
    assert answer.author_name == "Priya Natarajan" and answer.in_network


def test_length_is_counted_in_graphemes_before_sending(
    pds: Pds, teacher: Account, cli: Cli, pln: Pln
) -> None:
    combining = "e\u0301" * 300  # 600 code points, 300 graphemes: allowed
    assert cli("question", "ask", combining, "--on", "bluesky").exit_code == 0
    too_long = "👩‍🏫" * 150 + "x" * 151  # 301 graphemes
    refused = cli("question", "ask", too_long, "--on", "bluesky")
    assert refused.exit_code == 2
    assert "301 characters long; Bluesky allows 300: shorten it by 1" in refused.stderr
    assert len(pds.records) == 1  # nothing sent for the refused one
    assert len(pln.questions.list()) == 1


def test_a_mention_that_does_not_resolve_stays_plain_text(
    pds: Pds, teacher: Account, cli: Cli
) -> None:
    result = cli("question", "ask", "Any ideas @nobody.bsky.social? a@b.org #edchat", "--on",
                 "bluesky")  # fmt: skip
    assert result.exit_code == 0, result.stderr
    (created,) = pds.records
    assert [t for t, _ in _facet_texts(created["record"])] == ["#edchat"]


def test_an_expired_session_is_refreshed_and_posts_once(
    pds: Pds, teacher: Account, cli: Cli
) -> None:
    pds.expire_access()
    result = cli("question", "ask", "Retrieval practice starters?", "--on", "bluesky")
    assert result.exit_code == 0, result.stderr
    assert len(pds.records) == 1
    creates = [p for p, _, _ in pds.requests if p.endswith("createRecord")]
    assert len(creates) == 2  # refused as expired, then sent once more after the refresh


def test_asking_on_bluesky_needs_a_login(appview: AppView, pds: Pds, cli: Cli, pln: Pln) -> None:
    cli("topic", "init", "--region", "au")
    result = cli("question", "ask", "Hello?", "--on", "bluesky")
    assert result.exit_code == 2
    assert "not logged in to Bluesky; run: plnctl bluesky login HANDLE" in result.stderr
    assert pln.questions.list() == [] and pds.records == []
    assert cli("question", "ask", "Hello?", "--on", "myspace").exit_code == 2


def test_share_to_bluesky_credits_the_author_and_is_recorded(
    appview: AppView, pds: Pds, teacher: Account, cli: Cli, pln: Pln
) -> None:
    amara = appview.add_account("amara.bsky.social", "Amara Okafor")
    appview.add_post(amara, "Exit tickets that tell you what to teach tomorrow")
    pln.people.add("Amara", bluesky=["@amara.bsky.social"])
    pln.sync(force=True)
    (post,) = pln.posts.list()
    draft = cli(
        "share", str(post.id), "--to", "bluesky", "--comment", "For our Y9 team", "--dry-run"
    )
    assert draft.exit_code == 0, draft.stderr
    assert draft.stdout.rstrip("\n").endswith(f"{post.url}\nvia @amara.bsky.social")
    assert pds.records == []  # a dry run sends nothing
    shared = cli("share", str(post.id), "--to", "bluesky", "--comment", "For our Y9 team", "--json")
    assert shared.exit_code == 0, shared.stderr
    (created,) = pds.records
    assert created["record"]["text"] == draft.stdout.rstrip("\n")
    features = dict(_facet_texts(created["record"]))
    assert features["@amara.bsky.social"]["did"] == amara.did
    assert features[post.url]["uri"] == post.url
    data = shared.json()
    assert data["network"] == "bluesky" and data["remote_id"] == created["uri"]  # type: ignore[index]
    (logged,) = pln.posts.get(post.id).shares
    assert (logged.network, logged.url) == ("bluesky", data["url"])  # type: ignore[index]
