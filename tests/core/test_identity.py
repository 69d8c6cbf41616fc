"""The user's own identities (``[me]`` in config.toml and the logged-in Mastodon account): never
suggested to follow, never an answer to their own question, never news in their digest."""

from __future__ import annotations

import json
from datetime import UTC, datetime
from pathlib import Path

import pytest

from plnctl.api import Pln, open_pln
from plnctl.config import load_settings, write_secret
from plnctl.errors import ConfigError
from plnctl.identity import Me, is_me, not_mine
from plnctl.models import NewPost, SourceKind
from plnctl.questions import AnswerDraft
from plnctl.store import people as people_db
from plnctl.store import posts as posts_db
from tests.conftest import Cli
from tests.servers.feed_server import FeedServer

ME = Me.of(
    names=["Alex  Rivera"],
    handles=["@Alex@Edu.Social"],
    sites=["https://www.alexteaches.blog/", "https://medium.com/@alexr"],
)


@pytest.mark.parametrize(
    ("kwargs", "mine"),
    [
        ({"name": "alex rivera"}, True),  # case and spaces do not matter
        ({"name": "Alex Riviera"}, False),
        ({"handle": "alex@edu.social"}, True),
        ({"handle": "@ALEX@edu.social"}, True),
        ({"handle": "@alex@other.social"}, False),  # same user name, another instance
        ({"url": "https://edu.social/@alex"}, True),  # the profile of a handle of mine
        ({"url": "https://edu.social/@alex/1123"}, True),  # a status of mine
        ({"url": "https://edu.social/users/alex"}, True),
        ({"url": "https://edu.social/@alexa"}, False),
        ({"url": "https://alexteaches.blog/2026/11/post"}, True),  # under my site, www or not
        ({"url": "https://alexteaches.blog.evil.example/"}, False),
        ({"url": "https://medium.com/@alexr/my-post-123"}, True),  # a site with a path
        ({"url": "https://medium.com/@alexrivera"}, False),  # not below /@alexr
        ({"url": "javascript:alert(1)"}, False),
        ({"url": "http://[::1"}, False),  # unparsable: not mine, no crash
        ({}, False),
    ],
)
def test_is_me(kwargs: dict[str, str], mine: bool) -> None:
    assert is_me(ME, **kwargs) is mine


def test_no_identities_is_never_me() -> None:
    assert Me.of().empty
    assert not is_me(Me.of(), name="Alex Rivera", handle="@alex@edu.social", url="https://x.org")


def _config(home: Path, text: str) -> None:
    (home / "config.toml").write_text(text, encoding="utf-8")


def test_config_me_section(isolated_home: Path) -> None:
    _config(
        isolated_home,
        '[me]\nnames = ["Alex Rivera"]\nmastodon = ["@alex@edu.social"]\n'
        'sites = ["https://alexteaches.blog"]\n',
    )
    me = load_settings().me
    assert me.names == ("Alex Rivera",) and me.mastodon == ("@alex@edu.social",)
    _config(isolated_home, "[me]\nnames = 3\n")
    with pytest.raises(ConfigError, match=r"\[me\] names = 3 is not allowed"):
        load_settings()
    _config(isolated_home, '[me]\nnickname = "al"\n')
    with pytest.raises(ConfigError, match="unknown key"):
        load_settings()


def _login(home: Path, acct: str) -> None:
    """The credentials file `plnctl mastodon login` writes (0600)."""
    data = {
        "current": "https://edu.social",
        "instances": {"https://edu.social": {"access_token": "tok", "acct": acct}},
    }
    write_secret(home / "credentials" / "mastodon.json", json.dumps(data))


def test_the_logged_in_account_is_me_without_being_named(
    isolated_home: Path, db_path: Path
) -> None:
    _login(isolated_home, "alex@edu.social")
    with open_pln(db_path) as pln:
        assert is_me(pln.me, handle="@alex@edu.social")
        assert not is_me(pln.me, handle="@sam@edu.social")


def test_an_unreadable_credentials_file_is_not_an_identity_nor_an_error(
    isolated_home: Path, db_path: Path
) -> None:
    _login(isolated_home, "alex@edu.social")
    (isolated_home / "credentials" / "mastodon.json").chmod(0o644)
    with open_pln(db_path) as pln:
        assert pln.me.empty


# --- suggestions -------------------------------------------------------------------------------


def _network_boosting(pln: Pln, target: str) -> None:
    """Two people who each boost ``target`` twice and link to the user's blog."""
    with pln.store.transaction():
        for n, name in enumerate(("Sam", "Olu")):
            person = people_db.insert_person(pln.store, name)
            source = people_db.insert_source(
                pln.store, person, SourceKind.MASTODON, f"https://edu.social/@{name.lower()}",
                handle=f"@{name.lower()}@edu.social",
            )  # fmt: skip
            posts = [
                NewPost(guid=f"{name}-{i}", kind="status", boost_of_handle=target,
                        boost_of_url=f"https://edu.social/@alex/{n}{i}",
                        published_at="2026-11-27T10:00:00Z")
                for i in range(2)
            ] + [NewPost(guid=f"{name}-link", links=("https://alexteaches.blog/2026/rubrics",),
                         published_at="2026-11-27T10:00:00Z")]  # fmt: skip
            posts_db.upsert_posts(
                pln.store, source, person, posts, fetched_at="2026-11-27T11:00:00Z"
            )


def test_person_suggest_never_suggests_me(isolated_home: Path, db_path: Path, cli: Cli) -> None:
    with open_pln(db_path) as pln:
        _network_boosting(pln, "@alex@edu.social")
        before = {s.target for s in pln.insights.suggest()}
    # Without identities the user's own account and blog come first: that is the bug.
    assert "@alex@edu.social" in before and any("alexteaches.blog" in t for t in before)
    _login(isolated_home, "alex@edu.social")
    _config(isolated_home, '[me]\nsites = ["https://alexteaches.blog"]\n')
    result = cli("person", "suggest", "--json")
    assert result.exit_code == 0, result.stderr
    targets = [s["target"] for s in result.json()]  # type: ignore[union-attr]
    assert not any("alex" in t for t in targets)


def test_digest_people_worth_following_leaves_me_out(isolated_home: Path, db_path: Path) -> None:
    with open_pln(db_path) as pln:
        _network_boosting(pln, "@alex@edu.social")
        with pln.store.transaction():
            cursor = pln.store.conn.execute(
                "INSERT INTO questions (text, kind, state, asked_at, created_at) "
                "VALUES ('q?', 'blog', 'open', '2026-11-20T00:00:00Z', '2026-11-20T00:00:00Z')"
            )
            for handle, name in (("alex@other.social", "Alex Rivera"), ("kim@x.social", "Kim")):
                pln.store.conn.execute(
                    "INSERT INTO answers (question_id, answer_key, author_name, author_handle, "
                    "text, found_via, created_at) VALUES (?, ?, ?, ?, 'a', 'manual', ?)",
                    (cursor.lastrowid, handle, name, handle, "2026-11-27T12:00:00Z"),
                )
    _login(isolated_home, "alex@edu.social")
    _config(isolated_home, '[me]\nnames = ["Alex Rivera"]\nsites = ["https://alexteaches.blog"]\n')
    now = datetime(2026, 11, 28, 7, 0, tzinfo=UTC)
    with open_pln(db_path) as pln:
        digest = pln.share.build_digest(since="7d", now=now)
    names = [(s.name, s.handle) for s in digest.suggestions]
    assert ("Kim", "kim@x.social") in names
    assert not any("alex" in (h or "") or n == "Alex Rivera" for n, h in names), names
    assert len(names) == 1  # the answer by "Alex Rivera" on another account is mine too


# --- the digest: my own posts are not news ------------------------------------------------------


def test_my_posts_are_not_new_in_my_network(isolated_home: Path, db_path: Path) -> None:
    with open_pln(db_path) as pln, pln.store.transaction():
        me = people_db.insert_person(pln.store, "Me (my blog)")
        blog = people_db.insert_source(
            pln.store, me, SourceKind.FEED, "https://alexteaches.blog/feed/"
        )
        sam = people_db.insert_person(pln.store, "Sam")
        group = people_db.insert_source(
            pln.store, sam, SourceKind.FEED, "https://teachers-collective.example/feed"
        )
        stamp = "2026-11-27T11:00:00Z"
        posts_db.upsert_posts(pln.store, blog, me, [NewPost("m1", title="My own post")],
                              fetched_at=stamp)  # fmt: skip
        posts_db.upsert_posts(
            pln.store, group, sam,
            [NewPost("g1", title="By Sam", author="Sam"),
             NewPost("g2", title="By me on the group blog", author="Alex Rivera")],
            fetched_at=stamp,
        )  # fmt: skip
    _config(isolated_home, '[me]\nnames = ["Alex Rivera"]\nsites = ["https://alexteaches.blog"]\n')
    with open_pln(db_path) as pln:
        digest = pln.share.build_digest(since="7d", now=datetime(2026, 11, 28, tzinfo=UTC))
    assert [i.title for i in digest.items] == ["By Sam"]


# --- questions: my own comment or reply is not an answer ----------------------------------------


def test_not_mine_drops_my_own_drafts() -> None:
    drafts = [
        AnswerDraft("1", "mastodon", author_name="Alex", author_handle="alex@edu.social"),
        AnswerDraft("2", "comments", author_name="Alex Rivera"),
        AnswerDraft(
            "3", "comments", author_name="Kim", url="https://alexteaches.blog/q/#comment-3"
        ),
        AnswerDraft("4", "backlink", author_name="Me", url="https://alexteaches.blog/follow-up"),
        AnswerDraft("5", "comments", author_name="Al", author_url="https://edu.social/@alex"),
    ]
    assert [d.answer_key for d in not_mine(drafts, ME)] == ["3"]


def test_my_blog_comment_is_not_an_answer(
    isolated_home: Path, db_path: Path, feed_server: FeedServer
) -> None:
    from tests.questions.test_blog import comment_feed, post_page

    post = feed_server.url("/2026/11/marking/")
    feed_server.add_page(
        "/2026/11/marking/",
        post_page(
            "How do you mark 150 essays?",
            '<link rel="alternate" type="application/rss+xml" href="/2026/11/marking/feed/">',
        ),
    )
    feed_server.add_feed(
        "/2026/11/marking/feed/",
        comment_feed(
            post,
            [
                ("1", "Doug Belshaw", "Comparative judgement saved my weekends."),
                ("2", "Alex Rivera", "Thanks Doug, trying it this week!"),
            ],
        ),
    )
    _config(isolated_home, '[me]\nnames = ["Alex Rivera"]\n')
    with open_pln(db_path) as pln:
        question = pln.questions.track(post)
        [result] = pln.questions.check()
        answers = pln.questions.get(question.id).answers
    assert result.new_answers == 1
    assert [a.author_name for a in answers] == ["Doug Belshaw"]


def test_answers_stored_before_me_was_named_are_not_counted(
    isolated_home: Path, db_path: Path
) -> None:
    with open_pln(db_path) as pln:
        with pln.store.transaction():
            cursor = pln.store.conn.execute(
                "INSERT INTO questions (text, kind, state, asked_at, created_at) VALUES "
                "('Read aloud?', 'mastodon', 'answered', '2026-11-20T00:00:00Z', 'x')"
            )
            for key, name, handle in (("1", "Kim", "kim@x.social"), ("2", "Me", "alex@edu.social")):
                pln.store.conn.execute(
                    "INSERT INTO answers (question_id, answer_key, author_name, author_handle, "
                    "found_via, created_at) VALUES (?, ?, ?, ?, 'mastodon', '2026-11-21')",
                    (cursor.lastrowid, key, name, handle),
                )
        assert len(pln.questions.stats().top_answerers) == 2
    _login(isolated_home, "alex@edu.social")
    with open_pln(db_path) as pln:
        assert [a.name for a in pln.questions.stats().top_answerers] == ["Kim"]
        assert [a.name for a in pln.insights.stats(since="3650d").questions.top_answerers] == [
            "Kim"
        ]


def test_me_skips_the_mastodon_client_when_not_logged_in(
    isolated_home: Path, db_path: Path
) -> None:
    """A digest asks who "me" is; without a Mastodon login that must not import the Mastodon
    client (httpx: a third of a digest's start-up at 1,000,000 posts). The shortcut checks
    the same file and variable mastodon_auth reads."""
    import subprocess
    import sys

    from plnctl import mastodon_auth
    from plnctl.config import load_settings

    settings = load_settings()
    assert mastodon_auth.credentials_file(settings) == settings.credentials_dir / "mastodon.json"
    assert mastodon_auth.TOKEN_ENV == "PLNCTL_MASTODON_TOKEN"
    code = (
        "import sys; from plnctl.api import open_pln\n"
        f"with open_pln({str(db_path)!r}) as pln: pln.me\n"
        "print('httpx' in sys.modules, 'plnctl.mastodon_auth' in sys.modules)"
    )
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert out.stdout.split() == ["False", "False"]
