"""Errors say what happened in the user's words and what to do next: never SQLite's
(`UNIQUE constraint failed: sources.kind, sources.url`), whichever path hits a constraint."""

from __future__ import annotations

import sqlite3

import pytest

from plnctl.errors import AlreadyExists, ExitCode
from plnctl.store.connection import translate_error
from tests.conftest import Cli, CliResult
from tests.servers.feed_server import FeedServer
from tests.servers.feeds import html_page, rss_feed

SQL_WORDS = ("constraint", "UNIQUE", "sources.", "topics.", "questions.", "INSERT", "sqlite")


def _refused(result: CliResult) -> str:
    assert result.exit_code == int(ExitCode.USAGE), result.stderr
    assert result.stderr.startswith("Error: ") and result.stderr.count("\n") == 1
    assert not [w for w in SQL_WORDS if w in result.stderr], result.stderr
    return result.stderr


@pytest.fixture
def maria(cli: Cli, feed_server: FeedServer) -> str:
    url = feed_server.add_feed("/maria.xml", rss_feed(2))
    assert cli("person", "add", "Maria Rivera", "--feed", url).exit_code == 0
    return url


def test_a_feed_someone_already_follows(cli: Cli, maria: str) -> None:
    expected = (
        f"Error: Maria Rivera already follows {maria} (source 1); nothing was added "
        "(see: plnctl person show 1)\n"
    )
    assert _refused(cli("person", "add", "Sam Okafor", "--feed", maria)) == expected
    assert _refused(cli("source", "add", "Maria", maria)) == expected
    assert [p["name"] for p in cli("person", "list", "--json").json()] == ["Maria Rivera"]  # type: ignore[union-attr]


def test_moving_a_feed_onto_one_already_followed(
    cli: Cli, maria: str, feed_server: FeedServer
) -> None:
    other = feed_server.add_feed("/sam.xml", rss_feed(1))
    assert cli("person", "add", "Sam Okafor", "--feed", other).exit_code == 0
    message = _refused(cli("source", "edit", "2", "--url", maria))
    assert message.startswith(f"Error: Maria Rivera already follows {maria} (source 1)")
    assert message.rstrip().endswith("to keep only one, remove the other: plnctl source remove 1")


def test_topic_names(cli: Cli) -> None:
    assert cli("topic", "add", "Assessment").exit_code == 0
    assert cli("topic", "add", "feedback").exit_code == 0
    for args in (
        ("topic", "add", "assessment"),
        ("topic", "edit", "feedback", "--name", "ASSESSMENT"),
    ):
        message = _refused(cli(*args))
        assert "already exists" in message and "choose another name" in message


def test_a_question_tracked_twice(cli: Cli, feed_server: FeedServer) -> None:
    url = feed_server.add_page("/q", html_page("How do you teach fractions?"))
    first = cli("question", "track", url, "--text", "How do you teach fractions?")
    assert first.exit_code == 0, first.stderr
    again = cli("question", "track", url, "--text", "How do you teach fractions?")
    assert again.exit_code == 0 and "UNIQUE" not in again.stderr  # issue 12: not an error
    assert "Already tracked as question 1; nothing changed." in again.stderr


def test_sqlite_wording_never_reaches_a_message() -> None:
    try:
        con = sqlite3.connect(":memory:")
        con.execute("CREATE TABLE t (x UNIQUE)")
        con.execute("INSERT INTO t VALUES (1)")
        con.execute("INSERT INTO t VALUES (1)")
    except sqlite3.IntegrityError as e:
        wrapped = AlreadyExists("that is already stored")
        wrapped.__cause__ = e
        assert str(wrapped) == "that is already stored"
        translated = str(translate_error(e, None))
        assert "UNIQUE" not in translated and "t.x" not in translated
        assert "-vv" in translated  # what to do next
