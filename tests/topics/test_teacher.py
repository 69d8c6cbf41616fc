"""Issue 17 as a teacher meets it: posts come from feeds on a loopback server, through
`plnctl sync`, and every check goes through the CLI."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from email.utils import format_datetime
from xml.sax.saxutils import escape

import pytest

from tests.conftest import Cli
from tests.servers.feed_server import FeedServer

NOW = datetime.now(UTC)
Item = tuple[str, str, str, float]  # guid, title, text, days ago


def rss(items: list[Item], *, categories: dict[str, str] | None = None) -> str:
    parts = []
    for guid, title, text, days in items:
        when = format_datetime(NOW - timedelta(days=days), usegmt=True)
        category = (categories or {}).get(guid)
        parts.append(
            f"<item><title>{escape(title)}</title><link>https://blog.example/{guid}</link>"
            f'<guid isPermaLink="false">{guid}</guid><pubDate>{when}</pubDate>'
            + (f"<category>{escape(category)}</category>" if category else "")
            + f"<description>{escape('<p>' + text + '</p>')}</description></item>"
        )
    return (
        '<?xml version="1.0" encoding="utf-8"?><rss version="2.0"><channel><title>Blog</title>'
        f"<link>https://blog.example/</link>{''.join(parts)}</channel></rss>"
    )


def follow(cli: Cli, server: FeedServer, name: str, items: list[Item], *extra: str) -> None:
    path = "/" + name.lower().replace(" ", "-") + ".xml"
    server.add_feed(path, rss(items))
    added = cli("person", "add", name, "--feed", server.url(path), *extra)
    assert added.exit_code == 0, added.stderr


def sync(cli: Cli) -> None:
    synced = cli("sync")
    assert synced.exit_code == 0, synced.stderr


def ids_by_title(cli: Cli) -> dict[str, int]:
    return {p["title"]: p["id"] for p in cli("post", "list", "--limit", "500", "--json").json()}


def search_titles(cli: Cli, *args: str) -> set[str]:
    found = cli("search", *args, "--json")
    assert found.exit_code == 0, found.stderr
    return {hit["title"] for hit in found.json()}


ANA = [
    ("a1", "Hinge questions are underrated", "One question, four answers, one glance.", 1),
    ("a2", "Graphic novels in Year 8", "Our library bought twenty graphic novels.", 2),
    ("a3", "Questioning in maths", "Cold calling and wait time.", 3),
    ("a4", "Question of the week", "A hinge, a question and a door.", 4),
]


def test_stemmed_search_and_topic_rules_match_alike(cli: Cli, feed_server: FeedServer) -> None:
    follow(cli, feed_server, "Ana", ANA)
    sync(cli)
    # search: stemmed by default, phrases keep their order, --exact turns stemming off
    assert search_titles(cli, "question") == {
        "Hinge questions are underrated",
        "Questioning in maths",
        "Question of the week",
    }
    assert search_titles(cli, '"hinge question"') == {"Hinge questions are underrated"}
    assert search_titles(cli, "question", "--exact") == {
        "Hinge questions are underrated",  # its text has "question"
        "Question of the week",
    }
    assert search_titles(cli, '"hinge questions"', "--exact") == {"Hinge questions are underrated"}
    assert search_titles(cli, '"hinge question"', "--exact") == set()
    # a topic rule matches what the search matches, and says which form it found
    added = cli("topic", "add", "questioning", "--keyword", "hinge question")
    assert added.exit_code == 0, added.stderr
    assert "1 post(s) tagged, 0 untagged" in added.stderr
    post_id = ids_by_title(cli)["Hinge questions are underrated"]
    shown = cli("post", "show", str(post_id)).stdout
    assert 'questioning (rule: keyword "hinge question" as "Hinge questions" in title)' in shown
    # an exact topic does not stem
    exact = cli("topic", "add", "exactly", "--keyword", "hinge question", "--exact", "--json")
    assert exact.json()["tagged"] == 0 and exact.json()["topic"]["exact"] is True
    stemmed = cli("topic", "edit", "exactly", "--stem", "--json").json()
    assert (stemmed["tagged"], stemmed["topic"]["exact"]) == (1, False)


def test_live_topics_keep_manual_tags(cli: Cli, feed_server: FeedServer) -> None:
    follow(cli, feed_server, "Ana", ANA)
    sync(cli)
    ids = ids_by_title(cli)
    added = cli("topic", "add", "questions", "-k", "question", "--json").json()
    assert (added["tagged"], added["untagged"]) == (3, 0)
    # the teacher's own changes: a tag by hand, a rule tag removed by hand
    assert cli("post", "tag", str(ids["Graphic novels in Year 8"]), "questions").exit_code == 0
    assert cli("post", "untag", str(ids["Question of the week"]), "questions").exit_code == 0
    edited = cli("topic", "edit", "questions", "--exclude", "cold calling")
    assert edited.exit_code == 0
    assert "0 post(s) tagged, 1 untagged" in edited.stderr  # "Questioning in maths"

    def tagged() -> set[str]:
        listed = cli("post", "list", "--topic", "questions", "--json").json()
        return {p["title"] for p in listed}

    assert tagged() == {"Hinge questions are underrated", "Graphic novels in Year 8"}
    again = cli("topic", "edit", "questions", "--remove-exclude", "cold calling")
    assert "1 post(s) tagged, 0 untagged" in again.stderr
    live = tagged()
    assert cli("topic", "rebuild").exit_code == 0
    assert tagged() == live  # live updates agree with a full rebuild
    # removing a rule can only untag; adding one only tag
    swapped = cli("topic", "edit", "questions", "-k", "wait time", "--remove-keyword", "question")
    assert "0 post(s) tagged, 1 untagged" in swapped.stderr  # "wait time" keeps one
    assert tagged() == {"Questioning in maths", "Graphic novels in Year 8"}
    removed = cli("topic", "remove", "questions", "--yes")
    assert "2 post(s) untagged" in removed.stderr


def test_a_persons_topics_are_a_hint(cli: Cli, feed_server: FeedServer) -> None:
    cli("topic", "add", "assessment", "-k", "formative assessment")
    follow(
        cli,
        feed_server,
        "Sam",
        [
            ("s1", "Graphic novels for reluctant readers", "Three series my class loved.", 1),
            ("s2", "Formative assessments that work", "Exit tickets.", 2),
        ],
        "--topic",
        "assessment",
    )
    follow(cli, feed_server, "Kim", [("k1", "Lunch duty", "Nothing to report.", 1)])
    sync(cli)
    ids = ids_by_title(cli)
    novels = cli("post", "show", str(ids["Graphic novels for reluctant readers"]), "--json")
    assert novels.json()["tags"] == []  # her topic does not tag her posts
    assessed = cli("post", "show", str(ids["Formative assessments that work"]), "--json")
    assert [t["topic"] for t in assessed.json()["tags"]] == ["assessment"]
    people = cli("person", "list", "--topic", "assessment", "--json").json()
    assert [p["name"] for p in people] == ["Sam"]
    # the digest files her untagged post under her topic; Kim's goes to "Other"
    digest = cli("digest", "--since", "30d", "--format", "json").json()
    groups = {
        g["topic"]: {i["title"] for p in g["people"] for i in p["items"]} for g in digest["groups"]
    }
    assert groups == {
        "assessment": {"Graphic novels for reluctant readers", "Formative assessments that work"},
        "Other": {"Lunch duty"},
    }


# A realistic fortnight of posts: the recent week talks about retrieval practice, both weeks
# are full of the usual filler ("free", "example", "five minutes", "works", "stopped").
OLDER = [
    (
        "o1",
        "Free example worksheets",
        "A free example of a starter that works in five minutes.",
        20,
    ),
    ("o2", "Marking at the weekend", "I stopped marking on Sundays. It works, for example.", 18),
    ("o3", "Seating plans", "Five minutes to redo the plan; free template, it works.", 16),
    ("o4", "Parents evening", "Five minutes each; free coffee; the example of good news.", 15),
    ("o5", "Homework again", "We stopped setting it in Year 7; it works for example.", 14),
    ("o6", "Reading for pleasure", "A free example list; five minutes a day works.", 12),
]
RECENT = [
    ("r1", "Retrieval practice starters", "Five minutes of retrieval practice; it works.", 1),
    ("r2", "Why retrieval practice works", "Free example quizzes for retrieval practice.", 2),
    ("r3", "Low-stakes quizzes", "Retrieval practice every lesson, five minutes.", 3),
    ("r4", "Stopped grading quizzes", "Retrieval practices without marks; a free example.", 4),
    ("r5", "Staff meeting", "Five minutes on the free example timetable; it works.", 5),
]


def test_suggestions_are_phrases_worth_reading(cli: Cli, feed_server: FeedServer) -> None:
    follow(cli, feed_server, "Ana", OLDER[:3] + RECENT[:3])
    follow(cli, feed_server, "Ben", OLDER[3:] + RECENT[3:])
    sync(cli)
    arrived_when_published(cli)  # as a daily sync leaves them: --since means arrival
    found = cli("topic", "suggest", "--since", "7d", "--min-posts", "3", "--json")
    assert found.exit_code == 0, found.stderr
    terms = {s["term"]: s for s in found.json()}
    best = terms["retrieval practice"]
    assert (best["posts"], best["before"]) == (4, 0)
    assert len(best["examples"]) == 2
    assert set(best["examples"]) <= {title for _g, title, _t, _d in RECENT}
    assert best["command"] == "plnctl topic add 'retrieval practice' --keyword 'retrieval practice'"
    noise = {"free", "example", "five", "minutes", "works", "stopped"}
    assert all(not (set(term.split()) & noise) for term in terms), terms
    assert all(" " in term or term.startswith("#") for term in terms)  # phrases, not words
    # once a topic covers it, it is not suggested again
    cli("topic", "add", "cognitive science", "-k", "retrieval practice")
    again = cli("topic", "suggest", "--since", "7d", "--json").json()
    assert "retrieval practice" not in {s["term"] for s in again}


def arrived_when_published(cli: Cli) -> None:
    import sqlite3

    from plnctl.config import load_settings

    with sqlite3.connect(load_settings().db_path) as conn:
        conn.execute("UPDATE posts SET fetched_at = published_at WHERE published_at IS NOT NULL")


def _hashtags(cli: Cli) -> dict[str, set[str]]:
    topics = cli("topic", "list", "--json").json()
    return {t["name"]: {r["value"] for r in t["rules"] if r["kind"] == "hashtag"} for t in topics}


@pytest.mark.parametrize(
    ("region", "names", "hashtags", "absent"),
    [
        ("au", {"behaviour", "inclusion"}, {"aussieed", "edchatau", "mathschat"}, {"mathchat"}),
        ("uk", {"behaviour", "inclusion & SEND"}, {"ukedchat", "mathschat"}, {"mathchat"}),
        ("us", {"behavior", "inclusion & IEPs"}, {"mathchat", "tlchat"}, {"mathschat"}),
        ("nz", {"behaviour", "inclusion"}, {"edchatnz", "mathschat"}, {"ukedchat"}),
        ("ca", {"behaviour", "math education"}, {"cdnedchat", "mathchat"}, {"mathschat"}),
        ("ie", {"behaviour", "maths education"}, {"edchatie", "mathschat"}, {"aussieed"}),
    ],
)
def test_topic_init_by_region(
    cli: Cli, region: str, names: set[str], hashtags: set[str], absent: set[str]
) -> None:
    init = cli("topic", "init", "--region", region)
    assert init.exit_code == 0, init.stderr
    assert f"for region {region}" in init.stderr
    tags = _hashtags(cli)
    assert names <= set(tags)
    assert {
        "retrieval practice",
        "school libraries",
        "early years",
        "wellbeing" if region not in {"us"} else "well-being",
        "AI in education",
        "reading",
    } <= set(tags)
    every = set().union(*tags.values())
    assert hashtags <= every and not (absent & every)


def test_region_terms_tag_posts(cli: Cli, feed_server: FeedServer) -> None:
    follow(
        cli,
        feed_server,
        "Jo",
        [
            ("j1", "Our new SENCO", "Planning SEND support for Year 7.", 1),
            ("j2", "Behaviour policy rewrite", "Routines first.", 2),
            ("j3", "IEP meetings", "Notes for 7th grade.", 3),
        ],
    )
    sync(cli)
    assert cli("topic", "init", "--region", "uk").exit_code == 0
    ids = ids_by_title(cli)

    def topics(title: str) -> set[str]:
        return {t["topic"] for t in cli("post", "show", str(ids[title]), "--json").json()["tags"]}

    assert "inclusion & SEND" in topics("Our new SENCO")
    assert "curriculum & programmes" in topics("Our new SENCO")  # "Year 7"
    assert "behaviour" in topics("Behaviour policy rewrite")


def test_region_from_locale_and_bad_region(cli: Cli, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.delenv("LC_ALL", raising=False)
    monkeypatch.delenv("LC_MESSAGES", raising=False)
    monkeypatch.setenv("LANG", "en_NZ.UTF-8")
    init = cli("topic", "init", "--no-rebuild")
    assert "for region nz" in init.stderr
    assert "edchatnz" in set().union(*_hashtags(cli).values())
    bad = cli("topic", "init", "--region", "mars")
    assert bad.exit_code == 2 and bad.stderr.startswith("Error: unknown region 'mars'")
