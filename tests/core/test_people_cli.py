"""People and sources through the CLI, as a user types them."""

from __future__ import annotations

from tests.conftest import Cli


def test_add_list_show_person(cli: Cli) -> None:
    added = cli(
        "person",
        "add",
        "--no-check",
        "Ada Lovelace",
        "--feed",
        "https://ada.example/feed",
        "--topic",
        "maths",
        "--note",
        "met at ResearchED",
        "--json",
    )
    assert added.exit_code == 0, added.stderr
    person = added.json()
    assert person["name"] == "Ada Lovelace" and person["topics"] == ["maths"]
    assert [s["url"] for s in person["sources"]] == ["https://ada.example/feed"]

    listed = cli("person", "list", "--json")
    assert [p["name"] for p in listed.json()] == ["Ada Lovelace"]

    shown = cli("person", "show", "ada lovelace")
    assert shown.exit_code == 0
    assert "https://ada.example/feed" in shown.stdout and "met at ResearchED" in shown.stdout


def test_person_list_filters_by_topic_and_prints_plain_rows(cli: Cli) -> None:
    cli("person", "add", "Ada", "--topic", "maths")
    cli("person", "add", "Grace", "--topic", "computing")
    result = cli("person", "list", "--topic", "computing")
    lines = result.stdout.strip().splitlines()
    assert lines[0].split("\t")[:2] == ["id", "name"]
    assert len(lines) == 2 and "Grace" in lines[1]


def test_person_list_counts_each_persons_sources(cli: Cli) -> None:
    feeds = ["--feed", "https://ada.example/a.xml", "--feed", "https://ada.example/b.xml"]
    assert cli("person", "add", "--no-check", "Ada", *feeds).exit_code == 0
    cli("person", "add", "Grace")
    cli("person", "add", "--no-check", "Linus", "--feed", "https://linus.example/feed")
    rows = [line.split("\t") for line in cli("person", "list").stdout.strip().splitlines()]
    assert rows[0] == ["id", "name", "sources", "topics"]
    assert {row[1]: row[2] for row in rows[1:]} == {"Ada": "2", "Grace": "0", "Linus": "1"}


def test_ambiguous_name_lists_the_matches(cli: Cli) -> None:
    cli("person", "add", "Ada Lovelace")
    cli("person", "add", "Ada Byron")
    result = cli("person", "show", "Ada")
    assert result.exit_code == 2
    assert result.stdout == ""
    assert "matches 2 people" in result.stderr and "Ada Byron" in result.stderr
    assert result.stderr.count("\n") == 1


def test_unknown_person_is_not_found(cli: Cli) -> None:
    result = cli("person", "show", "Nobody")
    assert result.exit_code == 4
    assert result.stderr.startswith("Error: no person named 'Nobody'")


def test_bad_url_stores_nothing(cli: Cli) -> None:
    result = cli("person", "add", "Ada", "--no-check", "--feed", "ftp://ada.example/feed")
    assert result.exit_code == 2 and "not a web address" in result.stderr
    assert cli("person", "list", "--json").json() == []


def test_duplicate_feed_is_refused(cli: Cli) -> None:
    cli("person", "add", "Ada", "--no-check", "--feed", "https://ada.example/feed")
    result = cli("person", "add", "Ada again", "--no-check", "--feed", "https://ada.example/feed")
    assert result.exit_code == 2 and "Ada already follows https://ada.example/feed" in result.stderr
    assert [p["name"] for p in cli("person", "list", "--json").json()] == ["Ada"]


def test_edit_person(cli: Cli) -> None:
    cli("person", "add", "Ada", "--topic", "maths")
    result = cli(
        "person",
        "edit",
        "Ada",
        "--name",
        "Ada L.",
        "--topic",
        "poetry",
        "--remove-topic",
        "maths",
        "--json",
    )
    assert result.exit_code == 0
    assert result.json()["name"] == "Ada L." and result.json()["topics"] == ["poetry"]


def test_remove_keeps_posts_unless_purged(cli: Cli, pln) -> None:  # type: ignore[no-untyped-def]
    from plnctl.models import NewPost
    from plnctl.store import posts as posts_db

    for name in ("Ada", "Grace"):
        person = pln.people.add(name, feeds=[f"https://{name.lower()}.example/feed"], check=False)
        source = pln.sources.list(person=person.id)[0]
        with pln.store.transaction():
            posts_db.upsert_posts(
                pln.store,
                source.id,
                person.id,
                [NewPost(guid="1", title=f"{name}'s post")],
                fetched_at="t",
            )
    kept = cli("person", "remove", "Ada", "--yes")
    assert kept.exit_code == 0 and "kept" in kept.stderr
    titles = {p["title"]: p["person_id"] for p in cli("post", "list", "--json").json()}
    assert titles == {"Ada's post": None, "Grace's post": 2}
    purged = cli("person", "remove", "Grace", "--purge", "--yes")
    assert purged.exit_code == 0
    assert [p["title"] for p in cli("post", "list", "--json").json()] == ["Ada's post"]


def test_source_list_and_remove(cli: Cli) -> None:
    cli(
        "person",
        "add",
        "--no-check",
        "Ada",
        "--feed",
        "https://ada.example/feed",
        "--feed",
        "https://ada.example/comments",
    )
    sources = cli("source", "list", "--json").json()
    assert [s["url"] for s in sources] == [
        "https://ada.example/feed",
        "https://ada.example/comments",
    ]
    assert cli("source", "list", "--failing", "--json").json() == []
    removed = cli("source", "remove", "https://ada.example/comments", "--yes")
    assert removed.exit_code == 0
    assert len(cli("source", "list", "--json").json()) == 1
    assert cli("source", "remove", "99", "--yes").exit_code == 4


def test_source_add_discovers_the_feed_of_a_site(cli: Cli, feed_server) -> None:  # type: ignore[no-untyped-def]
    from tests.servers.feeds import rss_feed

    feed_server.add_feed("/blog/feed.xml", rss_feed(2))
    page = (
        '<html><head><link rel="alternate" type="application/rss+xml" '
        'href="/blog/feed.xml"></head><body>Hi</body></html>'
    )
    feed_server.add_feed("/blog/", page.encode(), content_type="text/html")
    cli("person", "add", "Ada")
    result = cli("source", "add", "Ada", feed_server.url("/blog/"), "--json")
    assert result.exit_code == 0, result.stderr
    assert result.json()["url"] == feed_server.url("/blog/feed.xml")


def test_site_without_feed_stores_nothing(cli: Cli, feed_server) -> None:  # type: ignore[no-untyped-def]
    feed_server.add_feed(
        "/plain/", b"<html><body>No feed here</body></html>", content_type="text/html"
    )
    result = cli("person", "add", "Ada", "--site", feed_server.url("/plain/"))
    assert result.exit_code == 4 and "no feed found" in result.stderr
    assert cli("person", "list", "--json").json() == []


def test_usage_errors_exit_2(cli: Cli) -> None:
    result = cli("person", "list", "--no-such-flag")
    assert result.exit_code == 2


def test_not_a_database_is_a_clear_error(cli: Cli, tmp_path) -> None:  # type: ignore[no-untyped-def]
    path = tmp_path / "essay.txt"
    path.write_text("not a database " * 100)
    result = cli("--db", str(path), "person", "list")
    assert result.exit_code == 5
    assert "not a plnctl database" in result.stderr and "Traceback" not in result.stderr
    assert path.read_text() == "not a database " * 100
