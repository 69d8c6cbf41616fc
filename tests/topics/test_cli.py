"""The topic commands and `plnctl search` as a user runs them: exit codes, stdout vs stderr,
JSON that parses. One test syncs real feeds from a loopback server to check ingest tagging."""

from __future__ import annotations

from plnctl.api import Pln
from tests.conftest import Cli
from tests.servers.feed_server import FeedServer
from tests.servers.feeds import rss_feed
from tests.topics.conftest import AddPosts
from tests.topics.helpers import post


def test_topic_lifecycle(cli: Cli) -> None:
    empty = cli("topic", "list")
    assert empty.exit_code == 0 and empty.stdout == ""
    assert "plnctl topic init" in empty.stderr
    added = cli(
        "topic",
        "add",
        "assessment",
        "-k",
        "formative assessment",
        "--hashtag",
        "#AfL",
        "--exclude",
        "risk assessment",
        "--json",
    )
    assert added.exit_code == 0, added.stderr
    assert added.json()["topic"]["name"] == "assessment"
    assert (added.json()["tagged"], added.json()["untagged"]) == (0, 0)
    assert cli("topic", "add", "Assessment").exit_code == 2
    listed = cli("topic", "list", "--json")
    assert [t["name"] for t in listed.json()] == ["assessment"]
    plain = cli("topic", "list")
    assert plain.stdout.splitlines()[0].split("\t") == ["id", "topic", "posts", "rules", "people"]
    shown = cli("topic", "show", "assessment")
    assert "Keywords: formative assessment" in shown.stdout
    assert "Hashtags: #afl" in shown.stdout
    edited = cli(
        "topic",
        "edit",
        "assessment",
        "--name",
        "Assessment & feedback",
        "--keyword",
        "feedback",
        "--remove-hashtag",
        "afl",
        "--json",
    )
    assert edited.exit_code == 0, edited.stderr
    assert {r["value"] for r in edited.json()["topic"]["rules"]} == {
        "formative assessment",
        "feedback",
        "risk assessment",
    }
    assert "0 post(s) tagged, 0 untagged" in cli("topic", "edit", "assess", "-k", "rubric").stderr
    removed = cli("topic", "remove", "assessment & feedback", "--yes")
    assert removed.exit_code == 0 and "Removed topic" in removed.stderr
    missing = cli("topic", "show", "assessment")
    assert missing.exit_code == 4
    assert missing.stderr.startswith("Error: no topic named 'assessment'")


def test_init_rebuild_and_post_commands(cli: Cli, pln: Pln, add_posts: AddPosts) -> None:
    (post_id,) = add_posts("Ana", post("1", "Formative assessment with rubrics", "#edchat"))
    init = cli("topic", "init")
    assert init.exit_code == 0
    assert "Tagged 1 existing post(s): 2 tag(s)" in init.stderr
    shown = cli("post", "show", str(post_id), "--json").json()
    assert {(t["topic"], t["origin"]) for t in shown["tags"]} == {
        ("assessment & online testing", "rule"),
        ("education chat", "rule"),
    }
    assert cli("post", "untag", str(post_id), "education chat").exit_code == 0
    assert cli("post", "tag", str(post_id), "my list").exit_code == 0
    report = cli("topic", "rebuild", "--json").json()
    assert (report["rule_tags"], report["manual_tags"], report["blocked_tags"]) == (1, 1, 1)
    text = cli("post", "show", str(post_id)).stdout
    assert 'assessment & online testing (rule: keyword "formative assessment" in title' in text
    listed = cli("post", "list", "--topic", "my list", "--json").json()
    assert [p["id"] for p in listed] == [post_id]
    assert cli("topic", "rebuild", "assessment").exit_code == 0


def test_search_command(cli: Cli, add_posts: AddPosts) -> None:
    add_posts(
        "Ana",
        post("1", "Formative assessment", "Exit tickets", url="https://a.example/1"),
        post("2", "Other", "nothing here"),
    )
    found = cli("search", "formative", "--json")
    assert found.exit_code == 0, found.stderr
    (hit,) = found.json()
    assert hit["snippet"] == "**Formative** assessment"
    assert (hit["person"], hit["url"], hit["rank"]) == ("Ana", "https://a.example/1", 1)
    plain = cli("search", "formative", "--person", "Ana", "--since", "30d")
    assert plain.stdout.splitlines()[:3] == [
        f"[{hit['id']}] Formative assessment  — Ana",
        "    **Formative** assessment",
        "    https://a.example/1",
    ]
    none = cli("search", "zebra")
    assert none.exit_code == 0 and none.stdout == "" and "No posts match" in none.stderr
    bad = cli("search", '"formative')
    assert bad.exit_code == 2
    assert bad.stdout == ""
    assert bad.stderr.startswith("Error: invalid search query")
    assert "Traceback" not in bad.stderr
    assert cli("search", "AND").exit_code == 2
    assert cli("search", "x", "--topic", "nope").exit_code == 4


def test_suggest_command(cli: Cli, add_posts: AddPosts) -> None:
    assert "Nothing new" in cli("topic", "suggest").stderr
    add_posts(
        "Ana", *[post(str(i), "Retrieval practice", "x", hashtags=("retrieval",)) for i in range(3)]
    )
    found = {s["term"]: s for s in cli("topic", "suggest", "--json").json()}
    assert found["#retrieval"]["posts"] == 3
    assert found["retrieval practice"]["examples"] == ["Retrieval practice", "Retrieval practice"]
    assert found["retrieval practice"]["command"] == (
        "plnctl topic add 'retrieval practice' --keyword 'retrieval practice'"
    )
    text = cli("topic", "suggest").stdout
    assert "retrieval practice  (3 recent post(s), 0 before)" in text
    assert "    plnctl topic add 'retrieval practice' --keyword 'retrieval practice'" in text


def test_sync_tags_new_posts(cli: Cli, feed_server: FeedServer) -> None:
    feed_server.add_feed("/rivera.xml", rss_feed(6))
    cli("topic", "add", "retrieval", "--keyword", "retrieval practice")
    cli("topic", "add", "chat", "--hashtag", "ukedchat")
    cli("topic", "add", "literacy", "--category", "Literacy")
    assert (
        cli("person", "add", "Ms Rivera", "--feed", feed_server.url("/rivera.xml")).exit_code == 0
    )
    synced = cli("sync")
    assert synced.exit_code == 0, synced.stderr
    counts = {t["name"]: t["post_count"] for t in cli("topic", "list", "--json").json()}
    assert counts == {"retrieval": 1, "chat": 1, "literacy": 1}
    (post_row,) = cli("post", "list", "--topic", "literacy", "--json").json()
    tags = cli("post", "show", str(post_row["id"]), "--json").json()["tags"]
    assert tags == [{"topic": "literacy", "origin": "rule", "reason": 'category "literacy"'}]
