"""Digests never drop a post (``--per-person``: the rest by title and link, in every format, and
the watermark never passes a post that was not shown), ``--mark-read`` only after delivery, and
one meaning of ``--since`` (arrival) in the digest, ``post list``, search and the week chart,
answered by an index (no full scan of posts)."""

from __future__ import annotations

import io
import json
import re
import sqlite3
from datetime import timedelta
from pathlib import Path

import pytest

from plnctl.api import Pln
from plnctl.errors import DeliveryError
from plnctl.models import SourceKind
from plnctl.render.digest import render_digest
from plnctl.render.html import digest_html
from plnctl.store import share as share_db
from tests.conftest import Cli
from tests.share.conftest import NOW, SmtpServer, add_person, add_post, write_smtp_config
from tests.share.test_delivery import PASSWORD, _closed_port

FORMATS = ("text", "md", "html", "json", "atom")


def _busy_week(pln: Pln, count: int = 9) -> list[str]:
    """Sam posts ``count`` times about assessment in the day before NOW; Ada once."""
    sam = add_person(pln, "Sam Okafor", SourceKind.FEED, "https://sam.example.org/feed")
    ada = add_person(pln, "Ada Byron", SourceKind.FEED, "https://ada.example.org/feed")
    urls = []
    for n in range(count):
        url = f"https://sam.example.org/2026/post-{n}"
        add_post(
            pln, sam, fetched_at=f"2026-11-27T{10 + n:02d}:00:00Z", topics=("assessment",),
            url=url, title=f"Sam's note {n}", published_at=f"2026-11-27T{9 + n:02d}:30:00Z",
            content_text=f"Thoughts number {n}.",
        )  # fmt: skip
        urls.append(url)
    add_post(
        pln, ada, fetched_at="2026-11-27T12:00:00Z", topics=("assessment",),
        url="https://ada.example.org/one", title="Ada's one post",
        published_at="2026-11-27T11:00:00Z", content_text="Just one.",
    )  # fmt: skip
    return [*urls, "https://ada.example.org/one"]


@pytest.mark.parametrize("fmt", FORMATS)
def test_every_post_reaches_every_format_past_the_per_person_cap(pln: Pln, fmt: str) -> None:
    urls = _busy_week(pln)
    digest = pln.share.build_digest(since="24h", now=NOW, per_person=3)
    text = render_digest(digest, fmt, now=NOW)
    for url in urls:
        assert url in text, f"{url} missing from the {fmt} digest"
    assert digest.post_count == 10
    if fmt == "text":
        # three in full (with their excerpt), six listed compactly, nothing "... and 6 more"
        assert text.count("Thoughts number") == 3
        assert "6 more from Sam Okafor:" in text and "... and" not in text
        assert "    - Sam's note 0 (27 Nov 2026) https://sam.example.org/2026/post-0" in text


def test_the_default_cap_is_generous_and_documented(pln: Pln, cli: Cli) -> None:
    _busy_week(pln)
    digest = pln.share.build_digest(since="24h", now=NOW)
    text = render_digest(digest, "text", now=NOW)
    assert text.count("Thoughts number") == 9  # all nine in full by default (cap 20)
    help_text = cli("digest", "--help").stdout
    assert "--per-person" in help_text
    assert "none is left out" in " ".join(help_text.split())
    result = cli("digest", "--per-person", "0")
    assert result.exit_code == 2


def test_email_text_and_html_list_the_hidden_posts(
    pln: Pln, smtp_server: SmtpServer, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("PLNCTL_SMTP_PASSWORD", PASSWORD)
    from tests.share.conftest import Sample
    from tests.share.test_delivery import _use_smtp

    urls = _busy_week(pln)
    _use_smtp(Sample(pln), smtp_server)
    pln.share.digest(since="last", email=["me@example.org"], per_person=2, now=NOW)
    (message,) = smtp_server.messages
    plain = message.get_body(("plain",)).get_content()
    html = message.get_body(("html",)).get_content()
    for url in urls:
        assert url in plain and url.replace("&", "&amp;") in html


def test_since_last_never_moves_past_a_post_not_shown(pln: Pln) -> None:
    """Every post stored before the watermark was in a delivered digest, in some form."""
    _busy_week(pln, count=12)
    delivered: set[str] = set()
    moments = [NOW, NOW + timedelta(hours=1)]
    for n, moment in enumerate(moments):
        if n == 1:  # more posts arrive between the runs
            sam = (1, 1)
            add_post(pln, sam, fetched_at="2026-11-28T07:30:00Z", url="https://sam.example.org/x",
                     title="Late", published_at="2026-10-01T00:00:00Z")  # fmt: skip
        stream = io.StringIO()
        pln.share.digest(since="last", per_person=1, stream=stream, now=moment)
        delivered |= set(re.findall(r"https://\S+", stream.getvalue()))
    mark = share_db.get_watermark(pln.store, "default")
    stored = {
        row[0]
        for row in pln.store.conn.execute("SELECT url FROM posts WHERE fetched_at <= ?", (mark,))
    }
    assert stored and stored <= delivered


# --- --mark-read ---------------------------------------------------------------------------------


def _unread(pln: Pln) -> int:
    return int(
        pln.store.conn.execute("SELECT count(*) FROM posts WHERE read_at IS NULL").fetchone()[0]
    )


def test_mark_read_after_a_written_digest(pln: Pln, tmp_path: Path) -> None:
    _busy_week(pln)
    old = add_post(pln, (1, 1), fetched_at="2026-11-01T00:00:00Z", url="https://sam.example.org/o",
                   title="Outside the window")  # fmt: skip
    run = pln.share.digest(since="24h", output=tmp_path / "d.md", fmt="md", mark_read=True, now=NOW)
    assert run.marked_read == 10
    assert _unread(pln) == 1 and pln.posts.get(old).read_at is None
    # a post already read keeps its first read time; a second run marks nothing new
    assert (
        pln.share.digest(since="24h", output=tmp_path / "d.md", mark_read=True, now=NOW).marked_read
        == 0
    )


def test_mark_read_never_marks_an_undelivered_digest(
    pln: Pln, smtp_server: SmtpServer, monkeypatch: pytest.MonkeyPatch, tmp_path: Path
) -> None:
    monkeypatch.setenv("PLNCTL_SMTP_PASSWORD", PASSWORD)
    from tests.share.conftest import Sample
    from tests.share.test_delivery import _use_smtp

    _busy_week(pln)
    _use_smtp(Sample(pln), smtp_server, port=_closed_port())
    with pytest.raises(DeliveryError):
        pln.share.digest(since="last", email=["me@example.org"], mark_read=True, now=NOW)
    assert _unread(pln) == 10
    with pytest.raises(DeliveryError):  # a directory cannot be written as a file
        pln.share.digest(since="24h", output=tmp_path, mark_read=True, now=NOW)
    assert _unread(pln) == 10
    _use_smtp(Sample(pln), smtp_server)
    run = pln.share.digest(since="last", email=["me@example.org"], mark_read=True, now=NOW)
    assert run.marked_read == 10 and _unread(pln) == 0


def test_cli_mark_read(
    cli: Cli, isolated_home: Path, smtp_server: SmtpServer, monkeypatch: pytest.MonkeyPatch
) -> None:
    from plnctl.api import open_pln
    from plnctl.timeutil import now_iso

    with open_pln(isolated_home / "plnctl.db") as pln:
        add_post(pln, add_person(pln, "Sam", SourceKind.FEED, "https://s.example/feed"),
                 fetched_at=now_iso(), url="https://s.example/1", title="Just arrived",
                 published_at="2026-01-05T00:00:00Z")  # fmt: skip
    monkeypatch.setenv("PLNCTL_SMTP_PASSWORD", PASSWORD)
    write_smtp_config(isolated_home, smtp_server.port)
    result = cli("digest", "--since", "1h", "--email", "me@example.org", "--mark-read")
    assert result.exit_code == 0, result.stderr
    assert len(smtp_server.messages) == 1
    assert "Just arrived" in smtp_server.messages[0].get_body(("plain",)).get_content()
    listed = cli("post", "list", "--unread", "--json").json()
    assert listed == []


# --- one meaning of --since: arrival ------------------------------------------------------------


def _arrivals(pln: Pln) -> dict[str, int]:
    """A post published weeks ago that arrived yesterday (a feed that was down), and one that
    was published and arrived three days ago."""
    sam = add_person(pln, "Sam Okafor", SourceKind.FEED, "https://sam.example.org/feed")
    late = add_post(pln, sam, fetched_at="2026-11-27T20:00:00Z", url="https://sam.example.org/late",
                    title="Rubrics revisited", published_at="2026-10-02T08:00:00Z",
                    content_text="rubrics again")  # fmt: skip
    old = add_post(pln, sam, fetched_at="2026-11-25T08:00:00Z", url="https://sam.example.org/old",
                   title="Rubrics at the start", published_at="2026-11-25T07:00:00Z",
                   content_text="rubrics first")  # fmt: skip
    return {"late": late, "old": old}


def test_since_is_arrival_in_digest_post_list_search_and_chart(
    pln: Pln, monkeypatch: pytest.MonkeyPatch
) -> None:
    ids = _arrivals(pln)
    monkeypatch.setattr("plnctl.timeutil.now", lambda: NOW)
    since = "2026-11-27T07:00:00Z"
    digest = pln.share.build_digest(since=since, now=NOW)
    assert [i.id for i in digest.items] == [ids["late"]]
    assert [p.id for p in pln.posts.list(since=since)] == [ids["late"]]
    assert [h.id for h in pln.topics.search("rubrics", since=since)] == [ids["late"]]
    # the digest's chart counts what arrived per day, like the list under it
    assert dict(digest.week)["2026-11-27"] == 1 and dict(digest.week)["2026-11-25"] == 1
    # the header names the rule, and the post shows when it was published
    text = render_digest(digest, "text", now=NOW)
    assert "(arrived 27 Nov 2026 07:00 UTC to 28 Nov 2026 07:00 UTC;" in text
    assert "Rubrics revisited  [feed, 2 Oct 2026]" in text
    assert "arrived" in digest_html(digest, now=NOW)


def test_post_list_since_24h_from_the_cli_counts_arrivals(cli: Cli, isolated_home: Path) -> None:
    from plnctl.api import open_pln
    from plnctl.timeutil import now_iso

    with open_pln(isolated_home / "plnctl.db") as pln:
        sam = add_person(pln, "Sam", SourceKind.FEED, "https://s.example/feed")
        add_post(pln, sam, fetched_at=now_iso(), url="https://s.example/a", title="Arrived now",
                 published_at="2026-01-05T00:00:00Z")  # fmt: skip
    result = cli("post", "list", "--since", "24h", "--json")
    assert [p["title"] for p in result.json()] == ["Arrived now"]  # type: ignore[union-attr]


def _plans(pln: Pln, run: object) -> list[tuple[str, list[str]]]:
    """Run ``run()`` and EXPLAIN QUERY PLAN every SELECT on posts it executed."""
    statements: list[str] = []
    conn: sqlite3.Connection = pln.store.conn
    conn.set_trace_callback(statements.append)
    try:
        run()  # type: ignore[operator]
    finally:
        conn.set_trace_callback(None)
    plans = []
    for sql in statements:
        if sql.lstrip().upper().startswith(("SELECT", "WITH")) and "fetched_at" in sql:
            details = [row[3] for row in conn.execute("EXPLAIN QUERY PLAN " + sql)]
            plans.append((sql, details))
    return plans


@pytest.mark.parametrize(
    "what",
    ["digest", "post list", "search", "chart", "reading list --all", "topic suggest"],
)
def test_since_filters_never_scan_the_posts_table(pln: Pln, what: str) -> None:
    _busy_week(pln, count=20)
    runs = {
        "digest": lambda: pln.share.build_digest(since="24h", now=NOW),
        "post list": lambda: pln.posts.list(since="2026-11-27"),
        "search": lambda: pln.topics.search("thoughts", since="2026-11-27"),
        "chart": lambda: pln.insights.posts_by_day(now=NOW, arrived=True),
        "reading list --all": lambda: pln.share.reading_list(since="2026-11-27", saved=False),
        "topic suggest": lambda: pln.topics.suggest(since="30d"),
    }
    plans = _plans(pln, runs[what])
    assert plans, "no query on fetched_at ran"
    for sql, details in plans:
        scans = [d for d in details if re.match(r"SCAN (p|posts|bs|r)\b", d)]
        assert not scans, f"{what}: full scan of posts in {details} for {sql}"


def test_the_arrival_index_exists(pln: Pln) -> None:
    row = pln.store.conn.execute(
        "SELECT sql FROM sqlite_master WHERE type = 'index' AND name = 'posts_arrived_cover'"
    ).fetchone()
    assert row is not None and "(fetched_at," in row[0]


def test_json_digest_carries_every_post_and_the_cap(pln: Pln) -> None:
    _busy_week(pln)
    data = json.loads(
        render_digest(pln.share.build_digest(since="24h", now=NOW, per_person=2), "json", now=NOW)
    )
    assert data["per_person"] == 2 and data["post_count"] == 10
    sam = data["groups"][0]["people"][0]
    assert len(sam["items"]) == 9
