"""Share back to Mastodon and thank a question's answerers, against the loopback mastodon_mock
(OAuth codes are ``mockcode_<username>``): the exact text, what the server stored, and the
record on the post that pd suggest offers as network evidence."""

from __future__ import annotations

import re
from datetime import timedelta
from pathlib import Path

import pytest

from plnctl.api import Pln
from plnctl.models import SourceKind
from plnctl.render.shares import mastodon_length, share_text
from plnctl.store import people as people_db
from plnctl.timeutil import now
from tests.conftest import Cli
from tests.pdlog.conftest import on_a_terminal
from tests.servers.mastodon_server import MastodonMock
from tests.share.conftest import add_answer, add_post


@pytest.fixture
def logged_in(cli: Cli, mastodon: MastodonMock) -> MastodonMock:
    result = cli("mastodon", "login", mastodon.host, "--no-browser", input="mockcode_alice\n")
    assert result.exit_code == 0, result.stderr
    return mastodon


def _person(pln: Pln, name: str, kind: SourceKind, url: str, **fields: str) -> tuple[int, int]:
    with pln.store.transaction():
        person = people_db.insert_person(pln.store, name)
        source = people_db.insert_source(pln.store, person, kind, url, **fields)
    return person, source


def _blog_post(pln: Pln, *, with_handle: str | None = None) -> int:
    rivera = _person(
        pln,
        "Ms. Rivera",
        SourceKind.FEED,
        "https://rivera.example.edu/feed",
        title="Rivera Teaches Science",
    )
    if with_handle:
        with pln.store.transaction():
            people_db.insert_source(
                pln.store,
                rivera[0],
                SourceKind.MASTODON,
                f"http://{with_handle.split('@')[1]}/@rivera",
                handle=with_handle,
            )
    return add_post(
        pln,
        rivera,
        fetched_at="2026-11-27T09:00:00Z",
        url="https://rivera.example.edu/2026/retrieval",
        title="Retrieval practice in Year 9 science",
        content_text="We tried quizzes.",
    )


def _status_text(mastodon: MastodonMock, status_id: str) -> str:
    html = mastodon.http.get(f"/api/v1/statuses/{status_id}").json()["content"]
    return re.sub(r"<[^>]+>", "", html.replace("<br />", "\n").replace("</p><p>", "\n\n"))


def test_share_a_blog_post_credits_the_blog(cli: Cli, pln: Pln, logged_in: MastodonMock) -> None:
    post = _blog_post(pln)
    expected = (
        "Useful for our Year 9 team\n\n"
        "Retrieval practice in Year 9 science\n"
        "https://rivera.example.edu/2026/retrieval\n"
        "via Rivera Teaches Science"
    )
    dry = cli(
        "share",
        str(post),
        "--to",
        "mastodon",
        "--comment",
        "Useful for our Year 9 team",
        "--dry-run",
    )
    assert dry.exit_code == 0 and dry.stdout == expected + "\n"
    assert pln.posts.get(post).shares == ()  # a dry run posts and records nothing
    shared = cli("share", str(post), "--comment", "Useful for our Year 9 team", "--json")
    assert shared.exit_code == 0, shared.stderr
    record = shared.json()
    assert record["url"].startswith(f"{logged_in.base_url}/@alice/")  # type: ignore[index]
    assert _status_text(logged_in, record["remote_id"]) == expected  # type: ignore[index]
    (share,) = pln.posts.get(post).shares
    assert share.text == expected and share.network == "mastodon" and share.url == record["url"]  # type: ignore[index]
    # pd suggest offers it as network evidence
    found = {s.key: s for s in pln.pd.suggest(since="1d", at=now() + timedelta(minutes=1))}
    day = share.shared_at[:10]
    assert found[f"shares:{day}"].evidence[0] == share.url
    assert "Shared to mastodon" in cli("post", "show", str(post)).stdout


def test_share_credits_the_authors_handle(cli: Cli, pln: Pln, logged_in: MastodonMock) -> None:
    post = _blog_post(pln, with_handle="rivera@science.example")
    text = cli("share", str(post), "--dry-run").stdout
    assert text == (
        "Retrieval practice in Year 9 science\n"
        "https://rivera.example.edu/2026/retrieval\nvia @rivera@science.example\n"
    )
    bob = _person(
        pln,
        "Bob",
        SourceKind.MASTODON,
        f"{logged_in.base_url}/@bob",
        handle=f"bob@{logged_in.host}",
    )
    status = add_post(
        pln,
        bob,
        fetched_at="2026-11-27T09:00:00Z",
        kind="status",
        url=f"{logged_in.base_url}/@bob/1",
        content_text="Spacing beats cramming.",
    )
    shared = cli("share", str(status), "--json").json()
    # a local account is mentioned as @bob, so the instance notifies them
    assert shared["text"].endswith("\nvia @bob")  # type: ignore[index]
    mentions = logged_in.http.get(f"/api/v1/statuses/{shared['remote_id']}").json()["mentions"]  # type: ignore[index]
    assert [m["username"] for m in mentions] == ["bob"]


def test_share_refusals(cli: Cli, pln: Pln, mastodon: MastodonMock) -> None:
    post = _blog_post(pln)
    not_logged_in = cli("share", str(post))
    assert not_logged_in.exit_code == 2 and "plnctl mastodon login" in not_logged_in.stderr
    bluesky = cli("share", str(post), "--to", "bluesky")
    assert bluesky.exit_code == 2 and "Bluesky" in bluesky.stderr
    long = cli("share", str(post), "--comment", "x" * 480, "--dry-run")
    assert long.exit_code == 2 and "too long for Mastodon" in long.stderr
    assert cli("share", "999", "--dry-run").exit_code == 4


def test_a_hostile_title_mentions_nobody(cli: Cli, pln: Pln, logged_in: MastodonMock) -> None:
    blog = _person(pln, "@bob", SourceKind.FEED, "https://spam.example/feed", title="@carol")
    post = add_post(
        pln,
        blog,
        fetched_at="2026-11-27T09:00:00Z",
        url="https://spam.example/1",
        title="Read this @bob and @dana@" + logged_in.host + "\nnow",
        content_text="x",
    )
    shared = cli("share", str(post), "--json").json()
    status = logged_in.http.get(f"/api/v1/statuses/{shared['remote_id']}").json()  # type: ignore[index]
    assert status["mentions"] == []
    assert "\n" not in shared["text"].split("\n")[0] + "x"  # type: ignore[index]
    assert shared["text"].splitlines()[0].replace("\u2060", "") == (  # type: ignore[index]
        f"Read this @bob and @dana@{logged_in.host} now"
    )


def test_long_titles_fit_in_a_status() -> None:
    text = share_text("word " * 200, "https://example.org/" + "a" * 300, "via @x@y.z", "Nice")
    assert mastodon_length(text) <= 500 and text.endswith("\nvia @x@y.z")


def test_thank_the_answerers(cli: Cli, pln: Pln, logged_in: MastodonMock) -> None:
    asked = cli("question", "ask", "How do you run retrieval practice?", "--json").json()
    qid = asked["id"]  # type: ignore[index]
    for who, text in (("bob", "Three questions each lesson"), ("carol", "Spacing!")):
        add_answer(
            pln,
            qid,
            created_at="2026-11-27T10:00:00Z",
            author_name=who.title(),
            author_handle=f"{who}@{logged_in.host}",
            text=text,
            url=f"{logged_in.base_url}/@{who}/{who}",
        )
    add_answer(pln, qid, created_at="2026-11-27T11:00:00Z", author_name="Dr. Lee", text="Yes")
    add_answer(
        pln,
        qid,
        created_at="2026-11-27T12:00:00Z",
        author_name="Alice",
        author_handle=f"alice@{logged_in.host}",
        text="(my own reply)",
    )
    expected = "@bob @carol (and Dr. Lee) Thank you, I'll try these on Monday!"
    draft = cli("question", "thank", str(qid), "--comment", "Thank you, I'll try these on Monday!")
    assert draft.exit_code == 0 and draft.stdout == expected + "\n"
    assert "Not posted" in draft.stderr
    statuses = logged_in.http.get(f"/api/v1/statuses/{asked['remote_id']}/context").json()  # type: ignore[index]
    assert statuses["descendants"] == []
    posted = cli(
        "question", "thank", str(qid), "--comment", "Thank you, I'll try these on Monday!", "--yes"
    )
    assert posted.exit_code == 0, posted.stderr
    (reply,) = logged_in.http.get(f"/api/v1/statuses/{asked['remote_id']}/context").json()[
        "descendants"
    ]
    assert reply["in_reply_to_id"] == asked["remote_id"]  # type: ignore[index]
    assert sorted(m["username"] for m in reply["mentions"]) == ["bob", "carol"]
    assert _status_text(logged_in, reply["id"]) == expected


def test_thank_asks_on_a_terminal(
    cli: Cli, pln: Pln, logged_in: MastodonMock, isolated_home: Path
) -> None:
    asked = cli("question", "ask", "Picture books about empathy?", "--json").json()
    add_answer(
        pln,
        asked["id"],
        created_at="2026-11-27T10:00:00Z",
        author_name="Bob",  # type: ignore[index]
        author_handle=f"bob@{logged_in.host}",
        text="The Invisible Boy",
    )
    context = f"/api/v1/statuses/{asked['remote_id']}/context"  # type: ignore[index]
    declined = on_a_terminal(["question", "thank", str(asked["id"])], b"n\n", isolated_home)  # type: ignore[index]
    assert "@bob Thank you for your answers, they really helped!" in declined
    assert "Post this reply? [y/N]" in declined and "Not posted." in declined
    assert logged_in.http.get(context).json()["descendants"] == []
    posted = on_a_terminal(["question", "thank", str(asked["id"])], b"y\n", isolated_home)  # type: ignore[index]
    assert "Posted: " in posted
    (reply,) = logged_in.http.get(context).json()["descendants"]
    assert [m["username"] for m in reply["mentions"]] == ["bob"]


def test_thank_needs_answers(cli: Cli, pln: Pln, logged_in: MastodonMock) -> None:
    qid = cli("question", "add", "Anyone?", "--json").json()["id"]  # type: ignore[index]
    result = cli("question", "thank", str(qid), "--yes")
    assert result.exit_code == 2 and "nobody has answered" in result.stderr
