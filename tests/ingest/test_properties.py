"""Property: whatever a feed or an instance sends, what ingest lets into the database never makes
a read command fail. Hostile JSON Feed items, RSS items and Mastodon statuses (random Unicode
with controls, lone surrogates and terminal escapes; huge and odd dates; odd URLs; values of
the wrong type) go through the real mappers and ``ingest`` into a real database; then every
read command runs (post list/show, search, person list/show, digest and every export format,
reading-list, stats, topic list, question list): each exits 0 and its JSON/XML/CSV parses."""

from __future__ import annotations

import json
import os
import re
import tempfile
from datetime import UTC, datetime, timedelta, timezone
from functools import partial
from pathlib import Path
from typing import Any
from xml.sax.saxutils import escape

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from plnctl import ingest
from plnctl.api import open_pln
from plnctl.fetchers.feed import parse_feed
from plnctl.fetchers.mastodon import parse_address, status_to_post
from plnctl.models import NewPost, SourceKind
from plnctl.store import people as people_db
from plnctl.store import posts as posts_db
from plnctl.timeutil import now_iso
from tests.conftest import Cli
from tests.ingest.readers import run_every_read_command

ESCAPES = [
    "\x1b[2J", "\x1b]0;pwned\x07", "\x1b]8;;http://evil.example/\x1b\\link\x1b]8;;\x1b\\",
    "\x1b]52;c;ZXZpbA==\x07", "\x9b6n", "\x07", "\x00", "\r", "\r\n", "\t", "\u202e", "\ufeff",
    "\ufffe", "\ud800", "\udfff", "\u2028", "[bold]x[/bold]", "[link=file:///etc/passwd]x[/]",
    '=HYPERLINK("http://x","y")', "+cmd|' /C calc'!A0", "<script>alert(1)</script>", "]]>",
    "<![CDATA[", "&#x1b;", "&amp;", "#edtech", "\u0085", "%s%n", "{0}", "\\", '"', "'",
]  # fmt: skip
URLS = [
    "https://ok.example/post", "http://127.0.0.1/x", "javascript:alert(1)", "file:///etc/passwd",
    "ftp://files.example/x", "data:text/html,<b>x</b>", "http://[zz/x", "http://a:99999/",
    "http://169.254.169.254/latest/meta-data/", " https://spaces.example/a b ", "//no-scheme",
    "mailto:a@b.example", "https://ok.example/\x1b[2J", "http://" + "a" * 5000 + ".example/",
    "relative/path", "",
]  # fmt: skip

text = st.one_of(
    st.text(st.characters(exclude_categories=()), max_size=40),  # every code point, surrogates
    st.lists(st.sampled_from(ESCAPES) | st.text(max_size=5), max_size=6).map("".join),
)
urls = st.sampled_from(URLS) | text
moments = st.datetimes(
    min_value=datetime(1, 1, 2), max_value=datetime(9999, 12, 30),
    timezones=st.sampled_from([UTC, timezone(timedelta(hours=14)), timezone(-timedelta(hours=12))]),
)  # fmt: skip
dates = st.one_of(
    moments.map(lambda d: d.isoformat()),
    st.sampled_from(
        ["0001-01-01T00:00:00Z", "9999-12-31T23:59:59-23:59", "1-01-01T00:00:00Z", "NaN",
         "2026-02-30T00:00:00Z", "", "1969-12-31T23:59:59Z", "99999-01-01T00:00:00Z"]
    ),
    text,
)  # fmt: skip
scalars = st.one_of(st.none(), st.booleans(), st.integers(), st.floats(), text)
anything = st.recursive(
    scalars, lambda inner: st.lists(inner, max_size=3) | st.dictionaries(text, inner, max_size=3),
    max_leaves=6,
)  # fmt: skip


def maybe(strategy: st.SearchStrategy[Any]) -> st.SearchStrategy[Any]:
    return st.one_of(strategy, anything)


json_items = st.one_of(
    st.fixed_dictionaries(
        {"id": maybe(text)},
        optional={
            "url": maybe(urls), "title": maybe(text), "content_html": maybe(text),
            "content_text": maybe(text), "summary": maybe(text), "date_published": maybe(dates),
            "date_modified": maybe(dates), "tags": maybe(st.lists(text, max_size=4)),
            "authors": maybe(st.lists(st.fixed_dictionaries({"name": maybe(text)}), max_size=2)),
            "language": maybe(text),
        },
    ),
    anything,
)  # fmt: skip

rss_items = st.fixed_dictionaries(
    {"title": text, "link": urls, "guid": text, "description": text,
     "pubDate": st.sampled_from(["01 Jan 0001", "Fri, 31 Dec 9999 23:59:59 GMT",
                                 "Sun, 01 Nov 2026 09:00:00 GMT", "not a date", ""]) | text},
)  # fmt: skip

statuses = st.fixed_dictionaries(
    {"id": st.integers(1, 10**6).map(str)},
    optional={
        "url": maybe(urls), "uri": maybe(urls), "content": maybe(text),
        "spoiler_text": maybe(text), "created_at": maybe(dates), "edited_at": maybe(dates),
        "language": maybe(text),
        "tags": maybe(st.lists(st.fixed_dictionaries({"name": maybe(text), "url": maybe(urls)}))),
        "mentions": maybe(st.lists(st.fixed_dictionaries({"acct": maybe(text)}), max_size=2)),
        "media_attachments": maybe(
            st.lists(st.fixed_dictionaries({"url": maybe(urls), "type": maybe(text),
                                            "description": maybe(text)}), max_size=2)
        ),
        "account": maybe(st.fixed_dictionaries({"acct": maybe(text),
                                                "display_name": maybe(text)})),
        "in_reply_to_id": maybe(text), "reblog": st.none() | anything,
    },
)  # fmt: skip


def _xml_text(value: str) -> str:
    """Hostile text as a feed would carry it: markup escaped, every control character as a
    character reference (which XML forbids, so feedparser falls back to its loose parser)."""
    value = value.encode("utf-8", "replace").decode("utf-8")
    return re.sub(r"[\x00-\x1f\x7f-\x9f]", lambda m: f"&#x{ord(m.group()):x};", escape(value))


def rss_body(items: list[dict[str, str]]) -> bytes:
    parts = [
        f"<item><title>{_xml_text(i['title'])}</title><link>{_xml_text(i['link'])}</link>"
        f"<guid>{_xml_text(i['guid'])}</guid><pubDate>{_xml_text(i['pubDate'])}</pubDate>"
        f"<description>{_xml_text(i['description'])}</description></item>"
        for i in items
    ]
    return (
        '<?xml version="1.0" encoding="utf-8"?><rss version="2.0"><channel><title>t</title>'
        + "".join(parts)
        + "</channel></rss>"
    ).encode()


def ingested(rss: list, items: list, toots: list) -> list[NewPost]:
    """The posts each real mapper + ingest make of the hostile input (bad ones skipped)."""
    posts = list(parse_feed(rss_body(rss), url="https://blog.example/feed").entries)
    doc = {"version": "https://jsonfeed.org/version/1.1", "items": items}
    body = json.dumps(doc).encode()  # NaN/Infinity and lone surrogates as JSON allows
    posts += parse_feed(body, url="https://blog.example/feed.json").entries
    address = parse_address("@bob@social.example")
    batch = ingest.Batch()
    for status in toots:
        batch.add(status, partial(status_to_post, status, address))
    return posts + list(batch.entries)


def store_and_read(db: Path, posts: list[NewPost]) -> None:
    with open_pln(db) as pln:
        with pln.store.transaction():
            person = people_db.insert_person(pln.store, "Hana Hostile")
            feed = people_db.insert_source(
                pln.store, person, SourceKind.FEED, "https://b.example/f"
            )
            posts_db.upsert_posts(pln.store, feed, person, posts, fetched_at=now_iso())
        pln.topics.add("edtech", keywords=["the"], hashtags=["edtech"])
        pln.topics.rebuild()
        ids = [p.id for p in pln.posts.list(limit=None)]
        for post_id in ids[:3]:
            pln.posts.save(post_id, note="keep")
    run_every_read_command(Cli(), ids[:4], ["Hana Hostile"])


@settings(
    max_examples=int(os.environ.get("PLNCTL_PROPERTY_EXAMPLES", "5")),
    deadline=None,
    suppress_health_check=[HealthCheck.too_slow, HealthCheck.function_scoped_fixture],
)
@given(
    rss=st.lists(rss_items, min_size=1, max_size=4),
    items=st.lists(json_items, min_size=1, max_size=5),
    toots=st.lists(statuses, min_size=1, max_size=5),
)
def test_nothing_ingest_stores_makes_a_read_command_fail(
    rss: list, items: list, toots: list, monkeypatch
) -> None:
    posts = ingested(rss, items, toots)
    for post in posts:
        assert ingest.normalize_post(post) == post  # what is stored is already normal
    with tempfile.TemporaryDirectory(prefix="plnctl-prop-") as home, monkeypatch.context() as env:
        env.setenv("PLNCTL_HOME", home)
        store_and_read(Path(home) / "plnctl.db", posts)


@settings(max_examples=300, deadline=None)
@given(
    post=st.builds(
        NewPost, guid=maybe(text), url=maybe(urls), title=maybe(text), author=maybe(text),
        published_at=maybe(dates), updated_at=maybe(dates), content_html=maybe(text),
        content_text=maybe(text), language=maybe(text), categories=maybe(st.lists(text)),
        hashtags=maybe(st.lists(text)), links=maybe(st.lists(urls)), mentions=maybe(st.lists(text)),
        in_reply_to=maybe(urls), boost_of_url=maybe(urls), boost_of_handle=maybe(text),
        edited_at=maybe(dates),
    )
)  # fmt: skip
def test_normalised_posts_hold_only_safe_values(post: NewPost) -> None:
    """The boundary's own promise, field by field, for any NewPost a mapper could make."""
    try:
        clean = ingest.normalize_post(post)
    except ingest.BadEntry:
        return
    latest = ingest.latest_date()
    bad = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\x7f-\x9f\ud800-\udfff\ufffe\uffff]")
    for value in (clean.title, clean.author, clean.content_text, clean.content_html, clean.guid):
        assert value is None or (isinstance(value, str) and not bad.search(value))
    assert clean.title is None or ("\n" not in clean.title and len(clean.title) <= 1000)
    for value in (clean.published_at, clean.updated_at, clean.edited_at):
        assert value is None or ingest.EARLIEST <= value <= latest
    for url in (clean.url, clean.in_reply_to, clean.boost_of_url, *clean.links):
        assert url is None or url.lower().startswith(("http://", "https://"))
    for values in (clean.categories, clean.hashtags, clean.links, clean.mentions):
        assert isinstance(values, tuple) and len(values) <= ingest.MAX_ITEMS
    assert ingest.normalize_post(clean) == clean  # idempotent
