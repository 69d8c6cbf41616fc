"""Answers counted right (issue 12): the asker's own comments and replies are never answers, a
post that only shares the question's link is a boost (listed apart, never counted), answerers
are merged by person and canonical handle, and a removed answer stays removed. Against real
loopback servers: the feed server (blogs and comment feeds), mastodon_mock and the AppView."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path
from xml.sax.saxutils import escape

import pytest

from plnctl.api import Pln, open_pln
from plnctl.models import QuestionState
from plnctl.store import questions as db
from tests.conftest import Cli
from tests.questions.test_blog import comment_feed, post_page
from tests.servers.appview import AppView
from tests.servers.feed_server import FeedServer
from tests.servers.mastodon_server import MastodonMock


@pytest.fixture
def me_pln(db_path: Path, isolated_home: Path) -> Iterator[Pln]:
    """plnctl for a user who named themselves in config.toml."""
    (isolated_home / "config.toml").write_text(
        '[me]\nnames = ["Alex Teacher"]\nmastodon = []\nsites = ["https://alex.example"]\n'
    )
    with open_pln(db_path) as api:
        yield api


def rivera_blog(feed_server: FeedServer, comments: list[tuple[str, str, str]]) -> str:
    """Maria Rivera's blog (signed "Maria R." in her feed) with one post and its comments."""
    base = feed_server.url("/rivera")
    post = f"{base}/2026/11/marking/"
    feed_server.add_feed(
        "/rivera/feed",
        '<?xml version="1.0"?><rss version="2.0" xmlns:dc="http://purl.org/dc/elements/1.1/" '
        'xmlns:wfw="http://wellformedweb.org/CommentAPI/"><channel><title>Ms. Rivera Teaches'
        f"</title><link>{base}/</link><item><title>How do you mark 150 essays?</title>"
        f"<link>{post}</link><guid>{post}</guid><dc:creator>Maria R.</dc:creator>"
        "<pubDate>Mon, 02 Nov 2026 08:00:00 +0000</pubDate>"
        "<description>Tell me in the comments!</description>"
        f"<wfw:commentRss>{post}feed/</wfw:commentRss></item></channel></rss>",
    )
    feed_server.add_page("/rivera/2026/11/marking/", post_page("How do you mark 150 essays?"))
    feed_server.add_feed("/rivera/2026/11/marking/feed/", comment_feed(post, comments))
    return post


def test_blog_owner_and_user_comments_are_not_answers_and_a_share_is_a_boost(
    me_pln: Pln, cli: Cli, feed_server: FeedServer
) -> None:
    pln = me_pln
    post = rivera_blog(feed_server, [])
    comments = [
        ("1", "Maria R.", "Thanks all! Keep them coming."),  # the owner, as her blog signs her
        ("2", "maria", "Adding: I mostly mean Year 9."),  # the owner, short
        ("3", "Alex Teacher", "Following this one."),  # the user ([me] names)
        ("4", "Priya Natarajan", "Comparative judgement: rank pairs, not rubrics."),
        ("5", "Sam", f"help her out: {post} #ukedchat @kim"),  # only shares the link
        ("6", "Kim", f"Try {post} with whole-class feedback sheets, it halves the time."),
    ]
    feed_server.add_feed("/rivera/2026/11/marking/feed/", comment_feed(post, comments))
    pln.people.add("Maria Rivera", feeds=[feed_server.url("/rivera/feed")])
    priya = pln.people.add("Priya")
    pln.sync()

    question = pln.questions.track(post)
    [result] = pln.questions.check()
    assert (result.status, result.new_answers, result.new_shares) == ("new", 2, 1)
    checked = pln.questions.get(question.id)
    assert [a.author_name for a in checked.answers] == ["Priya Natarajan", "Kim"]
    assert [a.author_name for a in checked.shared_by] == ["Sam"]
    assert (checked.answer_count, checked.network_answer_count) == (2, 1)
    assert checked.answers[0].person_id == priya.id  # "Priya Natarajan" is the Priya followed
    assert [q.answer_count for q in pln.questions.list()] == [2]

    shown = cli("question", "show", str(question.id))
    assert "Shared by: Sam (not counted as answers)" in shown.stdout
    assert "2 answer(s), 1 from your network" in shown.stdout
    for text in ("Keep them coming", "I mostly mean Year 9", "Following this one"):
        assert text not in shown.stdout
    data = cli("question", "show", str(question.id), "--json").json()
    assert [a["kind"] for a in data["answers"]] == ["answer", "answer"]  # type: ignore[index]
    assert [a["kind"] for a in data["shared_by"]] == ["boost"]  # type: ignore[index]
    stats = pln.questions.stats()
    assert (stats.answers, stats.answered) == (2, 1)
    assert {a.name for a in stats.top_answerers} == {"Priya", "Kim"}


def test_answers_stored_by_0_1_are_corrected_by_the_next_check(
    pln: Pln, feed_server: FeedServer
) -> None:
    """0.1 stored the blog owner's comment and a share as answers; a check puts them right."""
    post = rivera_blog(
        feed_server,
        [("1", "Maria R.", "Thanks all!"), ("5", "Sam", f"help her out: {post_url(feed_server)}")],
    )
    pln.people.add("Maria Rivera", feeds=[feed_server.url("/rivera/feed")])
    pln.sync()
    question = pln.questions.track(post)
    with pln.store.transaction():
        for cid, author in (("1", "Maria R."), ("5", "Sam")):
            db.insert_answer(
                pln.store, question.id, answer_key=f"{post}#comment-{cid}", author_name=author,
                url=f"{post}#comment-{cid}", found_via="comments",
            )  # fmt: skip
        db.update_question(pln.store, question.id, state="answered")
    assert pln.questions.get(question.id).answer_count == 2

    pln.questions.check()
    fixed = pln.questions.get(question.id)
    assert (fixed.answer_count, [a.author_name for a in fixed.shared_by]) == (0, ["Sam"])
    assert fixed.state is QuestionState.OPEN


def post_url(feed_server: FeedServer) -> str:
    return feed_server.url("/rivera/2026/11/marking/")


def test_a_network_post_that_only_links_the_question_is_a_boost(
    pln: Pln, cli: Cli, feed_server: FeedServer
) -> None:
    question_url = feed_server.url("/q/homework/")
    feed_server.add_page("/q/homework/", post_page("Is homework worth it?"))
    link = f'<a href="{question_url}">{question_url}</a>'
    items = [
        ("share", "Help her out", f"<p>Help her out: {link} #edchat</p>"),
        ("answer", "On homework", f"<p>My answer to {link}: only retrieval practice, twice a "
                                  "week, marked in class.</p>"),
    ]  # fmt: skip
    feed_server.add_feed(
        "/okafor/feed",
        '<?xml version="1.0"?><rss version="2.0"><channel><title>Okafor</title>'
        f"<link>{feed_server.url('/okafor/')}</link>"
        + "".join(
            f"<item><title>{title}</title><link>{feed_server.url('/okafor/' + slug)}</link>"
            f"<description>{escape(html)}</description></item>"
            for slug, title, html in items
        )
        + "</channel></rss>",
    )
    pln.people.add("Chidi Okafor", feeds=[feed_server.url("/okafor/feed")])
    question = pln.questions.track(question_url)
    pln.sync()
    pln.questions.check()
    found = pln.questions.get(question.id)
    assert [a.url for a in found.answers] == [feed_server.url("/okafor/answer")]
    assert [a.url for a in found.shared_by] == [feed_server.url("/okafor/share")]
    listed = cli("question", "list", "--json").json()
    assert listed[0]["answer_count"] == 1  # type: ignore[index]


def test_mastodon_user_identities_and_shares_are_not_answers(
    db_path: Path, isolated_home: Path, cli: Cli, alice: MastodonMock
) -> None:
    # dana is the user's second account, named in config.toml
    (isolated_home / "config.toml").write_text(f'[me]\nmastodon = ["{alice.handle("dana")}"]\n')
    with open_pln(db_path) as pln:
        question = pln.questions.ask("Who marks with comparative judgement?")
        url, reply_to = question.url or "", question.remote_id
        alice.post("dana", "@alice me too, curious", in_reply_to_id=reply_to)
        alice.post("carol", f"@alice help her out: {url} #edchat", in_reply_to_id=reply_to)
        alice.post("bob", "@alice We do, with nomoremarking.", in_reply_to_id=reply_to)
        [result] = pln.questions.check()
        assert (result.new_answers, result.new_shares) == (1, 1)  # bob's answer, carol's share
        found = pln.questions.get(question.id)
        assert [a.author_handle for a in found.answers] == [f"bob@{alice.host}"]
        assert [a.author_handle for a in found.shared_by] == [f"carol@{alice.host}"]
        assert found.answer_count == 1
        hints = {a.handle for a in pln.questions.stats().suggestions}
        assert hints == {f"bob@{alice.host}"}  # neither the user nor a share is suggested


def test_answerers_merge_by_handle_with_port_and_by_person(
    pln: Pln, cli: Cli, alice: MastodonMock
) -> None:
    first = pln.questions.ask("Favourite starter?")
    second = pln.questions.ask("Favourite plenary?")
    alice.post("bob", "@alice Do now tasks", in_reply_to_id=first.remote_id)
    pln.questions.check()
    # the same account written another way, recorded by hand on the second question
    pln.questions.answer(second.id, from_=f"@BOB@{alice.host.upper()}", text="Exit tickets")
    [bob] = [a for a in pln.questions.stats().suggestions if a.handle == f"bob@{alice.host}"]
    assert bob.answers == 2  # one answerer, the port kept: bob@127.0.0.1:PORT
    assert bob.follow_hint == f'plnctl person add "Bob Librarian" --mastodon @bob@{alice.host}'

    pln.people.add("Bob Librarian", mastodon=[alice.handle("bob")])
    pln.questions.check()
    stats = pln.questions.stats()
    assert [(a.name, a.answers, a.in_network) for a in stats.top_answerers] == [
        ("Bob Librarian", 2, True)
    ]
    assert stats.suggestions == ()  # followed now: not suggested again


def test_priya_and_priya_natarajan_are_one_answerer_in_the_network(
    appview: AppView, pln: Pln, cli: Cli, feed_server: FeedServer
) -> None:
    teacher = appview.add_account("teacher.bsky.social", "Ms Rivera")
    priya = appview.add_account("priya.bsky.social", "Priya Natarajan")
    asked = appview.add_post(teacher, "Picture books about empathy?")
    appview.add_post(priya, "The Invisible Boy", reply_to=asked)
    share = f"https://bsky.app/profile/teacher.bsky.social/post/{asked.rsplit('/', 1)[1]}"
    appview.add_post(priya, f"help her out {share}", reply_to=asked)  # a share, not an answer
    appview.add_post(teacher, "Thanks Priya!", reply_to=asked)  # the asker
    pln.people.add("Priya", bluesky=["@priya.bsky.social"])
    blog = feed_server.url("/q/reading/")
    feed_server.add_page("/q/reading/", post_page("Reading aloud to Year 9?"))
    feed_server.add_feed("/q/reading/feed/", comment_feed(blog, [("1", "Priya Natarajan", "Yes")]))

    on_bluesky = pln.questions.track(share)
    on_blog = pln.questions.track(blog)
    pln.questions.check()
    assert [a.author_name for a in pln.questions.get(on_bluesky.id).answers] == ["Priya Natarajan"]
    assert len(pln.questions.get(on_bluesky.id).shared_by) == 1
    [comment] = pln.questions.get(on_blog.id).answers
    assert comment.in_network  # credited to the Priya followed on Bluesky
    stats = pln.questions.stats()
    assert [(a.name, a.answers, a.in_network) for a in stats.top_answerers] == [("Priya", 2, True)]
    assert stats.suggestions == ()
    shown = cli("question", "show", str(on_blog.id)).stdout
    assert "Priya · " in shown and "in your network" in shown


def test_a_removed_answer_does_not_come_back(pln: Pln, cli: Cli, feed_server: FeedServer) -> None:
    post = feed_server.url("/q/phones/")
    feed_server.add_page("/q/phones/", post_page("Phones in class?"))
    feed_server.add_feed("/q/phones/feed/", comment_feed(post, [("1", "Spam Bot", "Buy now")]))
    question = pln.questions.track(post)
    pln.questions.check()
    [wrong] = pln.questions.get(question.id).answers
    pln.questions.resolve(question.id)

    refused = cli("question", "answer", "remove", str(wrong.id))  # no terminal, no --yes
    assert refused.exit_code == 2 and "--yes" in refused.stderr
    assert pln.questions.get(question.id).answer_count == 1  # nothing changed
    done = cli("question", "answer", "remove", str(wrong.id), "--yes")
    assert done.exit_code == 0, done.stderr
    assert f"Removed answer {wrong.id} by Spam Bot" in done.stderr
    after = pln.questions.get(question.id)
    assert (after.answer_count, after.resolved_answer_id) == (0, None)

    [result] = pln.questions.check(question.id)
    assert (result.status, result.new_answers) == ("unchanged", 0)
    assert pln.questions.get(question.id).answers == ()
    again = cli("question", "answer", "remove", str(wrong.id), "--yes")
    assert again.exit_code == 4 and again.stderr.startswith("Error: no answer with id")
    # recorded by hand, the user means it: it is back (and the 0.1 spelling still works)
    revived = cli("question", "answer", str(question.id), "--from", "Spam Bot",
                  "--url", wrong.url or "", "--json")  # fmt: skip
    assert revived.exit_code == 0 and revived.json()["id"] == wrong.id  # type: ignore[index]
    added = cli("question", "answer", str(question.id), "--from", "Kim", "--text", "Ban them")
    assert added.exit_code == 0, added.stderr
    assert pln.questions.get(question.id).answer_count == 2


def test_track_again_with_comments_updates_the_question(
    pln: Pln, cli: Cli, feed_server: FeedServer
) -> None:
    post = feed_server.url("/q/essays")  # no comment feed linked or guessable
    feed_server.add_page("/q/essays", post_page("Essay feedback in 10 minutes?"))
    first = cli("question", "track", post, "--json")
    assert first.exit_code == 0 and first.json()["outcome"] == "tracked"  # type: ignore[index]
    question_id = first.json()["id"]  # type: ignore[index]
    assert first.json()["comment_feed_url"] is None  # type: ignore[index]

    same = cli("question", "track", post)
    assert same.exit_code == 0 and same.stdout == ""
    assert f"Already tracked as question {question_id}; nothing changed." in same.stderr

    feed = feed_server.add_feed("/q/essays-comments", comment_feed(post, [("1", "Kim", "Codes")]))
    updated = cli("question", "track", post + "/", "--comments", feed)
    assert updated.exit_code == 0, updated.stderr
    assert "UNIQUE" not in updated.stderr and "changed: comment feed" in updated.stderr
    assert pln.questions.get(question_id).comment_feed_url == feed
    assert [q.id for q in pln.questions.list()] == [question_id]
    assert pln.questions.check()[0].new_answers == 1


def test_edit_a_question(pln: Pln, cli: Cli, feed_server: FeedServer, alice: MastodonMock) -> None:
    post = feed_server.url("/q/plenary")
    feed_server.add_page("/q/plenary", post_page("Plenaries?"))
    question = pln.questions.track(post, topics=["assessment"])
    feed = feed_server.add_feed("/q/plenary-c", comment_feed(post, [("1", "Kim", "Exit tickets")]))

    edited = cli(
        "question", "edit", str(question.id), "--text", "Plenaries that work?",
        "--comments", feed, "--topic", "feedback", "--remove-topic", "assessment",
    )  # fmt: skip
    assert edited.exit_code == 0, edited.stderr
    after = pln.questions.get(question.id)
    assert (after.text, after.comment_feed_url, after.topics) == (
        "Plenaries that work?", feed, ("feedback",),
    )  # fmt: skip
    assert pln.questions.check(question.id)[0].new_answers == 1
    same = cli("question", "edit", str(question.id), "--text", "Plenaries that work?")
    assert same.exit_code == 0 and "nothing changed" in same.stderr
    removed = cli("question", "edit", str(question.id), "--no-comments", "--json")
    assert removed.json()["comment_feed_url"] is None  # type: ignore[index]

    toot = pln.questions.ask("On Mastodon?")
    bad = cli("question", "edit", str(toot.id), "--comments", feed)
    assert bad.exit_code == 2 and "only a blog question has a comment feed" in bad.stderr
    both = cli("question", "edit", str(question.id), "--comments", feed, "--no-comments")
    assert both.exit_code == 2 and both.stderr.startswith("Error:")
    missing = cli("question", "edit", "999", "--text", "x")
    assert missing.exit_code == 4


def test_delete_a_question(pln: Pln, cli: Cli) -> None:
    question = pln.questions.add("Who runs a book club?")
    pln.questions.answer(question.id, from_="Kim", text="Me")
    refused = cli("question", "delete", str(question.id))
    assert refused.exit_code == 2 and "--yes" in refused.stderr
    assert pln.questions.get(question.id).answer_count == 1
    done = cli("question", "delete", str(question.id), "--yes")
    assert done.exit_code == 0, done.stderr
    assert "Deleted question" in done.stderr and "1 answer(s)" in done.stderr
    assert cli("question", "show", str(question.id)).exit_code == 4
    assert pln.questions.list() == [] and db.list_answers(pln.store) == []
    assert pln.questions.add("Another?").id > question.id  # ids are never reused


def test_the_owner_of_an_older_post_is_known_by_the_blog_and_only_there(
    pln: Pln, feed_server: FeedServer
) -> None:
    rivera_blog(feed_server, [])  # her feed holds only this month's post
    old = feed_server.url("/rivera/2019/04/old-question/")
    feed_server.add_page("/rivera/2019/04/old-question/", post_page("Reading logs: worth it?"))
    feed_server.add_feed(
        "/rivera/2019/04/old-question/feed/",
        comment_feed(old, [("1", "Maria", "Still wondering."), ("2", "Kim", "Drop them.")]),
    )
    elsewhere = feed_server.url("/kim/2026/11/phones/")
    feed_server.add_page("/kim/2026/11/phones/", post_page("Phones?"))
    feed_server.add_feed(
        "/kim/2026/11/phones/feed/",
        comment_feed(elsewhere, [("3", "Maria", "Pouches at the door."), ("4", "Kim", "Thanks!")]),
    )
    maria = pln.people.add("Maria Rivera", feeds=[feed_server.url("/rivera/feed")])
    pln.people.add("Kim", feeds=[feed_server.add_feed("/kim/feed", comment_feed(elsewhere, []))])
    pln.sync()

    on_her_blog = pln.questions.track(old)
    on_kims_blog = pln.questions.track(elsewhere)
    pln.questions.check()
    # on her own blog "Maria" is the owner; on Kim's blog she answers (and Kim is the owner)
    assert [a.author_name for a in pln.questions.get(on_her_blog.id).answers] == ["Kim"]
    [answer] = pln.questions.get(on_kims_blog.id).answers
    assert (answer.author_name, answer.person_id) == ("Maria", maria.id)
