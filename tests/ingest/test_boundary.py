"""The ingest boundary's own rules, table by table, and the sync engine's use of it."""

from __future__ import annotations

from datetime import UTC, datetime

import pytest

from plnctl import ingest
from plnctl.api import Pln
from plnctl.models import FetchOutcome, NewPost
from tests.ingest.test_hostile_feeds import item, json_feed, rss
from tests.servers.feed_server import FeedServer

LATEST = ingest.latest_date(datetime(2026, 12, 1, 12, 0, tzinfo=UTC))


@pytest.mark.parametrize(
    ("raw", "text", "line"),
    [
        ("plain", "plain", "plain"),
        ("a\tb\nc", "a\tb\nc", "a b c"),
        ("crlf\r\nline\rend", "crlf\nline\nend", "crlf line end"),
        ("\x1b[2Jclear\x1b]0;title\x07", "clear", "clear"),  # whole sequences go
        ("nul\x00 del\x7f c1\x85\x9b", "nul del c1", "nul del c1"),
        ("half \ud800 pair \udfff", "half \ufffd pair \ufffd", "half \ufffd pair \ufffd"),
        ("non\ufffechar\uffff", "nonchar", "nonchar"),
        ("line\u2028sep", "line\u2028sep", "line sep"),
        ("  édu  ", "  édu  ", "édu"),
        ("", None, None),
        ("\x00\x01", None, None),
        (42, None, None),
        (None, None, None),
        (["a"], None, None),
    ],
)
def test_text(raw: object, text: str | None, line: str | None) -> None:
    assert ingest.clean_text(raw) == text
    assert ingest.clean_line(raw) == line


def test_text_is_capped() -> None:
    assert len(ingest.clean_line("x" * 5000, limit=1000) or "") == 1000
    assert (ingest.clean_line("x" * 5000, limit=10) or "").endswith("…")
    html = "<p>" + "a" * (ingest.MAX_HTML + 100) + "</p><p>tail</p>"
    capped = ingest.clean_html(html) or ""
    assert len(capped) <= ingest.MAX_HTML and not capped.endswith("<")


@pytest.mark.parametrize(
    ("raw", "clean"),
    [
        ("https://ok.example/a?b=c#d", "https://ok.example/a?b=c#d"),
        ("  http://ok.example/  ", "http://ok.example/"),
        ("HTTPS://OK.EXAMPLE/", "HTTPS://OK.EXAMPLE/"),
        ("http://[::1]:8080/x", "http://[::1]:8080/x"),
        ("https://user@ok.example/", "https://user@ok.example/"),
        ("https://école.example/é", "https://école.example/é"),
        ("javascript:alert(1)", None),
        ("file:///etc/passwd", None),
        ("ftp://files.example/x", None),
        ("data:text/html,x", None),
        ("mailto:a@b.example", None),
        ("//ok.example/x", None),
        ("/relative", None),
        ("http://[zz/x", None),
        ("http://ok.example:99999/", None),
        ("http:///no-host", None),
        ("http://ok.example/a b", None),
        ("http://ok.example/\x1b[2J", None),
        ("http://ok.example/\ud800", None),
        ("http://" + "a" * 5000 + ".example/", None),
        (5, None),
    ],
)
def test_urls(raw: object, clean: str | None) -> None:
    assert ingest.clean_url(raw) == clean


@pytest.mark.parametrize(
    ("raw", "clean"),
    [
        ("2026-11-28T16:42:53Z", "2026-11-28T16:42:53Z"),
        ("1970-01-01T00:00:00Z", "1970-01-01T00:00:00Z"),
        ("2026-12-02T12:00:00Z", "2026-12-02T12:00:00Z"),  # now + 1 day: still allowed
        ("2026-12-02T12:00:01Z", None),
        ("1969-12-31T23:59:59Z", None),
        ("1-01-01T00:00:00Z", None),
        ("0001-01-01T00:00:00Z", None),
        ("9999-12-31T00:00:00Z", None),
        ("2026-11-28T16:42:53+00:00", None),  # not the stored form: mappers produce that
        ("yesterday", None),
        (None, None),
        (1700000000, None),
    ],
)
def test_dates(raw: object, clean: str | None) -> None:
    assert ingest.clean_date(raw, LATEST) == clean


def test_guids() -> None:
    assert ingest.clean_guid(" https://b.example/?p=1 ") == "https://b.example/?p=1"
    assert ingest.clean_guid(12345) == "12345"
    long = ingest.clean_guid("x" * 5000) or ""
    assert long.startswith("sha256:") and long == ingest.clean_guid("x" * 5000)
    assert ingest.clean_guid("\x00") is None and ingest.clean_guid(True) is None


def test_a_batch_names_what_it_skipped() -> None:
    batch = ingest.Batch()

    def broken() -> NewPost:
        raise TypeError("unsupported operand")

    assert batch.add({"id": "ok"}, lambda: NewPost(guid="ok")) is not None
    assert batch.add({"id": "ok"}, lambda: NewPost(guid="ok")) is None  # duplicate guid
    batch.add({"id": "7\x1b[2J"}, broken)
    batch.add({"title": ["odd"]}, lambda: NewPost(guid=""))
    assert batch.add({"id": "pinned"}, lambda: None) is None  # left out by the fetcher: no warning
    assert [p.guid for p in batch.entries] == ["ok"]
    assert batch.warning("broken feed") == (
        "broken feed; skipped 2 bad entries: '7' (its fields have unexpected types or "
        "values (TypeError)); entry 4 (it has no id, link or content to identify it)"
    )
    for _ in range(12):
        batch.add({}, broken)
    assert (batch.warning() or "").endswith("; and 4 more")


def test_posts_from_any_fetcher_are_normalised_by_the_sync_engine() -> None:
    """A fetcher that builds posts without a Batch (a new network, a fallback path) still has
    them normalised before they are stored; a Batch's posts are not normalised twice."""
    raw = (
        NewPost(guid="a", title="t\x1b[2J", url="javascript:x", published_at="1-01-01T00:00:00Z"),
        NewPost(guid=""),
    )
    outcome = ingest.clean_outcome(FetchOutcome("ok", posts=raw, warning="note"))
    (post,) = outcome.posts
    assert (post.title, post.url, post.published_at) == ("t", None, None)
    assert outcome.warning == "note; skipped 1 bad entry: entry 2 (it has no id, link or content" \
        " to identify it)"  # fmt: skip
    entries = ingest.map_entries([1], lambda _: NewPost(guid="b")).entries
    assert ingest.clean_outcome(FetchOutcome("ok", posts=entries)).posts is entries


def test_source_updates_are_cleaned() -> None:
    updates = ingest.clean_source_updates(
        {
            "title": "Blog\x1b]0;x\x07\n", "site_url": "file:///etc/", "avatar_url": "http://a/b.png",
            "url": "ftp://x/", "cursor": "123", "profile_fields": [
                {"name": "Site\x00", "value": "v", "url": "javascript:x",
                 "verified_at": "0001-01-01T00:00:00Z"},
                "junk",
            ],
        }
    )  # fmt: skip
    assert updates == {
        "title": "Blog", "site_url": None, "avatar_url": "http://a/b.png", "cursor": "123",
        "profile_fields": [{"name": "Site", "value": "v", "url": None, "verified_at": None}],
    }  # fmt: skip


def test_hostile_feeds_through_the_parser_processes(pln: Pln, feed_server: FeedServer) -> None:
    """With 8+ feeds the sync parses in worker processes: the boundary holds there too."""
    body = rss(item(1), item(2, date="01 Jan 0001"), item(3, body="<p>\x1b[31mred</p>"))
    urls = [feed_server.add_feed(f"/f{n}.xml", body) for n in range(9)]
    pln.people.add("Many Feeds", feeds=urls)
    bad = json_feed({"id": "good", "content_text": "fine"}, "not an item")
    pln.people.add("Jay Son", feeds=[feed_server.add_feed("/j.json", bad)])
    summary = pln.sync(force=True)
    assert summary.failed == 0 and summary.new_posts == 9 * 3 + 1
    (warned,) = [r for r in summary.results if "skipped" in (r.warning or "")]
    assert warned.warning == "skipped 1 bad entry: entry 2 (it is not a JSON object)"
    posts = pln.posts.list(limit=None)
    assert sum(p.published_at is None for p in posts) == 9 + 1  # year 1, and the JSON item
    assert not any("\x1b" in (p.content_text or "") for p in posts)
