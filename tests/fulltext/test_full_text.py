"""Full text, politely: `source edit --full-text` / `[sync] full_text` fetch each new post's
article page through the sync's HTTP client, keep its main text for search and the reader, and
leave digests with the author's own summary. Pages and feeds come from a loopback server."""

from __future__ import annotations

import json

import pytest

from plnctl.render.readable import post_view
from tests.fulltext.pages import ARTICLE_ONLY, SIDEBAR, article_page, teaser_feed
from tests.servers.feed_server import Route


def _follow(cli, feed_server, *, pages: int = 2, full_text: bool = True) -> str:
    base = feed_server.url("")
    feed = feed_server.add_feed("/feed.xml", teaser_feed(base, pages))
    for i in range(pages):
        feed_server.add_page(f"/post/{i}", article_page(f"Spacing post {i}"))
    assert cli("person", "add", "Maria Rivera", "--feed", feed).exit_code == 0
    if full_text:
        edited = cli("source", "edit", "1", "--full-text")
        assert edited.exit_code == 0, edited.stderr
        assert "Full text for source 1 is on" in edited.stderr
    return base


def _page_requests(feed_server) -> list[str]:
    return [r.path for r in feed_server.requests if r.path.startswith("/post/")]


def test_full_text_is_searchable_shown_and_kept_out_of_digests(cli, feed_server) -> None:
    _follow(cli, feed_server)
    synced = cli("sync")
    assert synced.exit_code == 0, synced.stderr
    assert "Full text: 2 article(s) stored." in synced.stderr

    found = cli("search", "interleaved spacing", "--json").json()
    assert sorted(hit["title"] for hit in found) == ["Spacing post 0", "Spacing post 1"]
    # a stemmed form finds it too, as for the feed's own text
    assert cli("search", "rehearsals", "--json").json()

    shown = cli("post", "show", "1")
    assert "Full text, from the article page:" in shown.stdout
    assert ARTICLE_ONLY in " ".join(shown.stdout.split())
    assert SIDEBAR not in shown.stdout and "All rights reserved" not in shown.stdout
    as_json = cli("post", "show", "1", "--json").json()
    assert ARTICLE_ONLY in as_json["full_text"]

    digest = cli("digest", "--since", "1d")
    assert "Only the first sentence." in digest.stdout
    assert ARTICLE_ONLY not in " ".join(digest.stdout.split())
    # lists stay light: no article text in `post list --json`
    assert all("full_text" not in p for p in cli("post", "list", "--json").json())


def test_the_reader_shows_the_full_text(pln, cli, feed_server) -> None:
    _follow(cli, feed_server, pages=1)
    assert cli("sync").exit_code == 0
    view = post_view(pln.posts.get(1), width=80)
    text = " ".join(view.lines)
    assert "(full text, from the article page)" in text
    assert ARTICLE_ONLY in " ".join(text.split())


def test_off_by_default(cli, feed_server) -> None:
    _follow(cli, feed_server, full_text=False)
    synced = cli("sync", "--json")
    assert synced.exit_code == 0
    assert _page_requests(feed_server) == []
    assert synced.json()["full_text"]["fetched"] == 0
    assert cli("search", "interleaved spacing", "--json").json() == []


def test_config_turns_it_on_per_kind(cli, feed_server, isolated_home) -> None:
    _follow(cli, feed_server, full_text=False)
    (isolated_home / "config.toml").write_text('[sync]\nfull_text = ["feed"]\n')
    assert "Full text: 2 article(s) stored." in cli("sync").stderr


def test_a_platform_kind_only_matches_its_hosts(cli, feed_server, monkeypatch) -> None:
    _follow(cli, feed_server, full_text=False)
    monkeypatch.setenv("PLNCTL_SYNC_FULL_TEXT", "substack,medium")
    assert cli("sync").exit_code == 0
    assert _page_requests(feed_server) == []  # 127.0.0.1 is neither Substack nor Medium


def test_a_source_can_opt_out_of_the_kind(cli, feed_server, isolated_home) -> None:
    _follow(cli, feed_server, full_text=False)
    (isolated_home / "config.toml").write_text('[sync]\nfull_text = ["feed"]\n')
    assert cli("source", "edit", "1", "--no-full-text").exit_code == 0
    assert cli("sync").exit_code == 0
    assert _page_requests(feed_server) == []


def test_never_for_mastodon_in_config(cli, isolated_home) -> None:
    (isolated_home / "config.toml").write_text('[sync]\nfull_text = ["mastodon"]\n')
    result = cli("person", "list")
    assert result.exit_code == 5
    assert "full_text" in result.stderr and '"substack"' in result.stderr
    assert "Traceback" not in result.stderr


def test_skipped_with_person_or_source_filters(cli, feed_server) -> None:
    _follow(cli, feed_server)
    assert cli("sync", "--source", "1").exit_code == 0
    assert _page_requests(feed_server) == []
    assert cli("sync", "--force").exit_code == 0
    assert len(_page_requests(feed_server)) == 2


@pytest.mark.parametrize(
    ("how", "reason"),
    [
        ("meta", "asking not to be indexed"),
        ("header", "asking not to be indexed"),
    ],
)
def test_noindex_pages_keep_no_text(cli, feed_server, how, reason) -> None:
    base = feed_server.url("")
    feed = feed_server.add_feed("/feed.xml", teaser_feed(base, 1))
    if how == "meta":
        page = article_page("Spacing post 0", extra_head='<meta name="robots" content="NOINDEX">')
        feed_server.add_page("/post/0", page)
    else:
        feed_server.add_feed(
            "/post/0",
            article_page("Spacing post 0"),
            content_type="text/html",
            headers={"X-Robots-Tag": "noarchive, noindex"},
        )
    cli("person", "add", "Maria Rivera", "--feed", feed)
    cli("source", "edit", "1", "--full-text")
    synced = cli("sync")
    assert f"skipped 1 {reason}" in synced.stderr
    assert cli("search", "interleaved spacing", "--json").json() == []
    assert "Full text" not in cli("post", "show", "1").stdout


def test_robots_txt_is_honoured(cli, feed_server) -> None:
    _follow(cli, feed_server)
    feed_server.add_feed(
        "/robots.txt", "User-agent: plnctl\nDisallow: /post/1\n", content_type="text/plain"
    )
    synced = cli("sync")
    assert "skipped 1 refused by robots.txt" in synced.stderr
    assert _page_requests(feed_server) == ["/post/0"]
    assert [r.path for r in feed_server.requests].count("/robots.txt") == 1  # once per host


def test_a_changed_post_is_fetched_again_conditionally(cli, feed_server) -> None:
    base = feed_server.url("")
    feed_server.add_feed("/feed.xml", teaser_feed(base, 1))
    feed_server.add_feed(
        "/post/0", article_page("Spacing post 0"), content_type="text/html", etag='"a1"'
    )
    cli("person", "add", "Maria Rivera", "--feed", feed_server.url("/feed.xml"))
    cli("source", "edit", "1", "--full-text")
    assert cli("sync").exit_code == 0
    assert cli("sync", "--force").exit_code == 0
    assert _page_requests(feed_server) == ["/post/0"]  # an unchanged post is not fetched again

    feed_server.add_feed("/feed.xml", teaser_feed(base, 1, text="A corrected first sentence."))
    assert cli("sync", "--force").exit_code == 0
    again = [r for r in feed_server.requests if r.path == "/post/0"]
    assert len(again) == 2 and again[-1].headers.get("if-none-match") == '"a1"'
    # the 304 kept the text
    assert cli("search", "interleaved spacing", "--json").json()


def test_bad_pages_are_skipped_and_nothing_is_lost(cli, feed_server) -> None:
    base = feed_server.url("")
    feed_server.add_feed("/feed.xml", teaser_feed(base, 5))
    feed_server.add_page("/post/0", article_page("Spacing post 0"))
    feed_server.add_feed("/post/1", b"%PDF-1.7 binary", content_type="application/pdf")
    feed_server.add_feed(
        "/post/2", b"\x00\xff\xfe<html>\x1b]8;;evil\x07" * 50, content_type="text/html"
    )
    feed_server.oversized("/post/3", 5, declare_length=True)
    feed_server.set_status("/post/4", 404)
    cli("person", "add", "Maria Rivera", "--feed", feed_server.url("/feed.xml"))
    cli("source", "edit", "1", "--full-text")
    synced = cli("sync", "--json")
    assert synced.exit_code == 0  # an article page is not a failed source
    report = synced.json()["full_text"]
    # the readable page, and whatever text the garbage page holds (without its escapes)
    assert report["fetched"] == 2
    assert report["skipped"].get("not_html") == 1
    assert report["failed"] == 2  # too large, 404
    assert any("too large" in line for line in report["errors"])
    assert len(cli("post", "list", "--json").json()) == 5  # every post kept its feed text
    for post_id in range(1, 6):
        shown = cli("post", "show", str(post_id), "--json").json()
        dumped = json.dumps(shown)
        assert "\\u001b" not in dumped and "\\u0007" not in dumped


def test_failing_pages_are_given_up_after_three_tries(cli, feed_server) -> None:
    base = feed_server.url("")
    feed_server.add_feed("/feed.xml", teaser_feed(base, 1))
    feed_server.set_status("/post/0", 503)
    cli("person", "add", "Maria Rivera", "--feed", feed_server.url("/feed.xml"))
    cli("source", "edit", "1", "--full-text")
    for _ in range(5):
        assert cli("sync", "--force").exit_code == 0
    assert len(_page_requests(feed_server)) == 3


def test_pages_share_the_per_host_limit(cli, feed_server, monkeypatch) -> None:
    base = feed_server.url("")
    feed_server.add_feed("/feed.xml", teaser_feed(base, 6))
    for i in range(6):
        html = article_page(f"Spacing post {i}").encode()
        feed_server.routes[f"/post/{i}"] = Route(
            200,
            headers={"Content-Type": "text/html"},
            chunks=lambda html=html: [html[:200], html[200:]],
            delay=0.05,
        )
    cli("person", "add", "Maria Rivera", "--feed", feed_server.url("/feed.xml"))
    cli("source", "edit", "1", "--full-text")
    monkeypatch.setenv("PLNCTL_SYNC_PER_HOST", "2")
    feed_server.max_active = 0
    assert "Full text: 6 article(s) stored." in cli("sync").stderr
    assert feed_server.max_active <= 2


def test_full_text_is_for_feeds_only(cli, mastodon) -> None:
    assert cli("person", "add", "Bob", "--mastodon", mastodon.handle("bob")).exit_code == 0
    result = cli("source", "edit", "1", "--full-text")
    assert result.exit_code == 2
    assert "full text is for feeds" in result.stderr and "Traceback" not in result.stderr


def test_topics_come_from_the_authors_text_not_the_page(cli, feed_server) -> None:
    _follow(cli, feed_server)
    assert cli("sync").exit_code == 0
    # "rehearsal" is only on the article page; "first sentence" is in the feed's own text
    page_only = cli("topic", "add", "rehearsal", "--keyword", "massed rehearsal", "--json")
    assert page_only.exit_code == 0, page_only.stderr
    authored = cli("topic", "add", "excerpts", "--keyword", "first sentence", "--json")
    assert authored.exit_code == 0
    assert cli("post", "list", "--topic", "rehearsal", "--json").json() == []
    assert len(cli("post", "list", "--topic", "excerpts", "--json").json()) == 2
    assert cli("topic", "rebuild").exit_code == 0
    assert cli("post", "list", "--topic", "rehearsal", "--json").json() == []


def test_every_platform_kind_the_config_accepts_has_its_hosts() -> None:
    from plnctl.config import FULL_TEXT_KINDS
    from plnctl.fulltext import PLATFORM_HOSTS

    assert {"feed", *PLATFORM_HOSTS} == set(FULL_TEXT_KINDS)
