"""Blog questions against the real loopback HTTP server: comment feeds (a comment feed the page
links, WordPress ``<post-url>/feed/``, ``wfw:commentRss`` in the synced blog feed) and posts from
the network that link to the question (backlinks)."""

from __future__ import annotations

from pathlib import Path
from xml.sax.saxutils import escape

from plnctl.api import Pln, open_pln
from plnctl.models import QuestionState
from plnctl.store import questions as db
from tests.conftest import Cli
from tests.servers.feed_server import FeedServer
from tests.servers.feeds import rss_feed


def comment_feed(post_url: str, comments: list[tuple[str, str, str]]) -> str:
    """An RSS comment feed as WordPress writes it: (comment id, author, text)."""
    items = "".join(
        f"<item><title>By: {escape(author)}</title><link>{post_url}#comment-{cid}</link>"
        f'<dc:creator>{escape(author)}</dc:creator><guid isPermaLink="false">{post_url}?c={cid}'
        f"</guid><pubDate>Mon, 02 Nov 2026 1{cid}:00:00 +0000</pubDate>"
        f"<description>{escape(text)}</description></item>"
        for cid, author, text in comments
    )
    return (
        '<?xml version="1.0"?><rss version="2.0" xmlns:dc="http://purl.org/dc/elements/1.1/">'
        f"<channel><title>Comments on: a post</title><link>{post_url}</link>{items}</channel></rss>"
    )


def post_page(title: str, links: str = "") -> str:
    return (
        f"<!doctype html><html><head><title>{escape(title)} – Ms. Rivera Teaches</title>"
        f'<meta property="og:title" content="{escape(title)}">{links}</head>'
        f"<body><h1>{escape(title)}</h1><p>Tell me in the comments!</p></body></html>"
    )


def test_blog_post_with_a_linked_comment_feed(pln: Pln, feed_server: FeedServer) -> None:
    post = feed_server.url("/2026/11/marking/")
    feed_server.add_page(
        "/2026/11/marking/",
        post_page(
            "How do you mark 150 essays?",
            (
                '<link rel="alternate" type="application/rss+xml" title="Blog" href="/feed/">'
                '<link rel="alternate" type="application/rss+xml" title="All comments" '
                'href="/comments/feed/">'
                '<link rel="alternate" type="application/rss+xml" title="Post comments" '
                'href="/2026/11/marking/feed/">'
            ),
        ),
    )
    feed_server.add_feed(
        "/2026/11/marking/feed/",
        comment_feed(
            post,
            [
                ("1", "Doug Belshaw", "Comparative judgement saved my weekends."),
                ("2", "A. Reader", "Mark a third, sample the rest."),
            ],
        ),
    )
    doug = pln.people.add("Doug Belshaw")

    question = pln.questions.track(post, topics=["assessment"])
    assert question.kind == "blog"
    assert question.text == "How do you mark 150 essays?"
    assert question.comment_feed_url == feed_server.url("/2026/11/marking/feed/")
    assert question.check_error is None

    [result] = pln.questions.check()
    assert (result.status, result.new_answers, result.state) == ("new", 2, QuestionState.ANSWERED)
    answers = pln.questions.get(question.id).answers
    assert [(a.author_name, a.person_id, a.found_via) for a in answers] == [
        ("Doug Belshaw", doug.id, "comments"),
        ("A. Reader", None, "comments"),
    ]
    assert answers[0].url == post + "#comment-1"
    assert answers[0].text == "Comparative judgement saved my weekends."
    assert answers[0].answered_at == "2026-11-02T11:00:00Z"

    [again] = pln.questions.check(question.id)
    assert (again.status, again.new_answers) == ("unchanged", 0)  # stored once
    assert pln.questions.get(question.id).answer_count == 2


def test_wordpress_feed_path_is_tried_when_the_page_links_none(
    pln: Pln, feed_server: FeedServer
) -> None:
    post = feed_server.url("/2026/11/phones/")
    feed_server.add_page("/2026/11/phones/", post_page("Phones in class: ban or teach?"))
    feed_server.add_feed("/2026/11/phones/feed/", comment_feed(post, [("3", "Kim", "Teach.")]))
    question = pln.questions.track(post)
    assert question.comment_feed_url == feed_server.url("/2026/11/phones/feed/")
    assert pln.questions.check()[0].new_answers == 1


def test_wfw_comment_rss_of_the_synced_blog(pln: Pln, feed_server: FeedServer) -> None:
    base = feed_server.url("/rivera")
    feed_server.add_feed("/rivera/feed", rss_feed(3, base=base, comments=True))
    feed_server.add_feed(
        "/rivera/1/comments/feed",
        comment_feed(
            f"{base}/1",
            [
                ("4", "Chidi Okafor", "Flipped worked for revision, not for new material."),
            ],
        ),
    )
    pln.people.add("Ms. Rivera", feeds=[feed_server.url("/rivera/feed")])
    pln.sync()

    # The post page itself is not served: title, time and comment feed come from the sync.
    question = pln.questions.track(f"{base}/1")
    assert question.text == "What I learned from a term of flipped lessons (1)"
    assert question.asked_at == "2026-11-02T09:00:00Z"
    assert question.comment_feed_url == f"{base}/1/comments/feed"
    [result] = pln.questions.check()
    assert result.new_answers == 1
    assert pln.questions.get(question.id).answers[0].author_name == "Chidi Okafor"


def test_a_network_post_linking_to_the_question_is_an_answer(
    pln: Pln, feed_server: FeedServer
) -> None:
    question_url = feed_server.url("/2026/11/homework/")
    feed_server.add_page("/2026/11/homework/", post_page("Is homework worth it?"))
    reply = (
        f'<p>My answer to <a href="{question_url}">Ms. Rivera\'s question</a>: '
        "yes, if it is retrieval practice.</p>"
    )
    feed_server.add_feed(
        "/okafor/feed",
        (
            '<?xml version="1.0"?><rss version="2.0"><channel><title>Okafor</title>'
            f"<link>{feed_server.url('/okafor/')}</link>"
            f"<item><title>On homework</title><link>{feed_server.url('/okafor/homework')}</link>"
            "<pubDate>Tue, 03 Nov 2026 08:00:00 +0000</pubDate>"
            f"<description>{escape(reply)}</description></item>"
            f"<item><title>Unrelated</title><link>{feed_server.url('/okafor/other')}</link>"
            "<description>&lt;p&gt;Nothing to see&lt;/p&gt;</description></item>"
            "</channel></rss>"
        ),
    )
    okafor = pln.people.add("Chidi Okafor", feeds=[feed_server.url("/okafor/feed")])
    question = pln.questions.track(question_url)
    assert question.comment_feed_url is None  # no comments: backlinks still count
    pln.sync()

    [result] = pln.questions.check()
    assert (result.status, result.new_answers) == ("new", 1)
    [answer] = pln.questions.get(question.id).answers
    assert (answer.found_via, answer.person_id, answer.in_network) == ("backlink", okafor.id, True)
    assert (answer.text, answer.url) == ("On homework", feed_server.url("/okafor/homework"))
    assert answer.answered_at == "2026-11-03T08:00:00Z"


def test_track_unreadable_page(pln: Pln, cli: Cli, feed_server: FeedServer) -> None:
    url = feed_server.set_status("/gone/", 404)
    result = cli("question", "track", url)
    assert result.exit_code == 7 and "--text" in result.stderr

    result = cli("question", "track", url, "--text", "Was this worth it?", "--json")
    assert result.exit_code == 0, result.stderr
    data = result.json()
    assert data["text"] == "Was this worth it?" and "HTTP 404" in data["check_error"]  # type: ignore[index]
    question_id = data["id"]  # type: ignore[index]
    again = cli("question", "track", url, "--text", "Was this worth it?")
    assert again.exit_code == 0, again.stderr
    assert f"Already tracked as question {question_id}" in again.stderr
    assert "UNIQUE" not in again.stderr


def test_a_failing_comment_feed_is_reported_and_others_still_checked(
    pln: Pln, cli: Cli, feed_server: FeedServer
) -> None:
    ok_post = feed_server.url("/ok/")
    feed_server.add_page("/ok/", post_page("Fine question?"))
    feed_server.add_feed("/ok/feed/", comment_feed(ok_post, [("5", "Kim", "Sure.")]))
    broken = pln.questions.track(
        feed_server.url("/broken/"),
        text="Broken?",
        comment_feed=feed_server.url("/broken/comments"),
    )
    feed_server.set_status("/broken/comments", 500)
    fine = pln.questions.track(ok_post)

    result = cli("question", "check", "--json")
    assert result.exit_code == 3
    by_id = {r["question_id"]: r for r in result.json()}  # type: ignore[union-attr]
    assert by_id[broken.id]["status"] == "failed" and "HTTP 500" in by_id[broken.id]["error"]
    assert (by_id[fine.id]["status"], by_id[fine.id]["new_answers"]) == ("new", 1)
    assert "HTTP 500" in (pln.questions.get(broken.id).check_error or "")


def test_questions_past_the_horizon_are_not_checked(
    db_path: Path, isolated_home: Path, feed_server: FeedServer
) -> None:
    (isolated_home / "config.toml").write_text("[questions]\nhorizon_days = 10\n")
    post = feed_server.url("/old/")
    feed_server.add_page("/old/", post_page("An old question?"))
    feed_server.add_feed("/old/feed/", comment_feed(post, [("6", "Kim", "Late answer.")]))
    with open_pln(db_path) as pln:
        assert pln.settings.question_horizon_days == 10
        question = pln.questions.track(post)
        with pln.store.transaction():
            db.update_question(pln.store, question.id, asked_at="2020-01-01T00:00:00Z")
        assert pln.questions.check() == []
        [result] = pln.questions.check(question.id)
        assert result.status == "skipped" and "10 days" in (result.reason or "")
        assert pln.questions.get(question.id).answer_count == 0
