"""OPML import and export, checked with a strict XML parser and, where installed, with the real
programs users move between (newsboat, rss2email)."""

from __future__ import annotations

import shutil
import subprocess
from pathlib import Path

import pytest
from lxml import etree

from tests.conftest import Cli

SAMPLE = b"""<?xml version="1.0" encoding="UTF-8"?>
<opml version="2.0">
  <head><title>My reader</title></head>
  <body>
    <outline text="Maths">
      <outline text="Primary" title="Primary">
        <outline type="rss" text="Maria Rivera" xmlUrl="https://maria.example/feed.xml"
                 htmlUrl="https://maria.example/"/>
      </outline>
      <outline type="rss" title="Jo Boaler &amp; friends" xmlUrl="https://jo.example/rss"/>
    </outline>
    <outline type="rss" text="Library Lab" xmlUrl="https://librarylab.example/atom.xml"/>
    <outline type="rss" text="Duplicate of Maria" xmlUrl="https://maria.example/feed.xml"/>
    <outline type="rss" text="Not a web feed" xmlUrl="gopher://old.example/feed"/>
    <outline text="An empty folder"/>
  </body>
</opml>
"""


def _import(cli: Cli, tmp_path: Path, data: bytes = SAMPLE) -> dict:  # type: ignore[type-arg]
    path = tmp_path / "subs.opml"
    path.write_bytes(data)
    result = cli("import", "opml", str(path), "--json")
    assert result.exit_code == 0, result.stderr
    return result.json()  # type: ignore[return-value]


def test_import_creates_people_with_topics_and_counts_duplicates(cli: Cli, tmp_path: Path) -> None:
    report = _import(cli, tmp_path)
    # The duplicate of Maria's feed is the same source: one person, no skip.
    assert report["created"] == 3 and report["skipped"] == 0
    assert len(report["problems"]) == 1 and "gopher" in report["problems"][0]
    people = {p["name"]: p["topics"] for p in cli("person", "list", "--json").json()}
    assert people == {
        "Maria Rivera": ["Maths/Primary"],  # nested folders are one topic path
        "Jo Boaler & friends": ["Maths"],
        "Library Lab": [],
    }
    again = _import(cli, tmp_path)
    assert again["created"] == 0 and again["skipped"] == 3


def test_import_rejects_a_file_that_is_not_opml(cli: Cli, tmp_path: Path) -> None:
    bad = tmp_path / "feed.xml"
    bad.write_text("<rss><channel></channel></rss>")
    result = cli("import", "opml", str(bad))
    assert result.exit_code == 2 and "not an OPML file" in result.stderr
    broken = tmp_path / "broken.opml"
    broken.write_text("<opml><body><outline text='x'></body>")
    result = cli("import", "opml", str(broken))
    assert result.exit_code == 2 and "not a valid OPML file" in result.stderr
    missing = cli("import", "opml", str(tmp_path / "nope.opml"))
    assert missing.exit_code == 2 and "cannot read" in missing.stderr
    assert cli("person", "list", "--json").json() == []


def test_import_refuses_entity_bombs(cli: Cli, tmp_path: Path) -> None:
    bomb = (
        b'<?xml version="1.0"?><!DOCTYPE lolz [<!ENTITY lol "lol">'
        b'<!ENTITY lol2 "&lol;&lol;&lol;">]><opml version="2.0"><body>'
        b'<outline text="&lol2;" xmlUrl="https://x.example/feed"/></body></opml>'
    )
    path = tmp_path / "bomb.opml"
    path.write_bytes(bomb)
    result = cli("import", "opml", str(path))
    assert result.exit_code == 2 and "entity" in result.stderr


def _export(cli: Cli, tmp_path: Path) -> Path:
    _import(cli, tmp_path)
    out = tmp_path / "out.opml"
    result = cli("export", "opml", "-o", str(out))
    assert result.exit_code == 0, result.stderr
    return out


def test_export_is_strict_opml_2_that_round_trips(cli: Cli, tmp_path: Path) -> None:
    out = _export(cli, tmp_path)
    tree = etree.parse(str(out), etree.XMLParser(resolve_entities=False))  # raises if malformed
    root = tree.getroot()
    assert root.tag == "opml" and root.get("version") == "2.0"
    assert root.find("head/title") is not None and root.find("head/dateCreated") is not None
    feeds = root.xpath("//outline[@xmlUrl]")
    assert sorted(o.get("xmlUrl") for o in feeds) == [
        "https://jo.example/rss",
        "https://librarylab.example/atom.xml",
        "https://maria.example/feed.xml",
    ]
    assert all(o.get("type") == "rss" and o.get("text") for o in feeds)
    # Round trip into a fresh database gives the same feeds.
    from plnctl.opml import parse_opml

    parsed = parse_opml(out.read_bytes()).subscriptions
    assert {s.xml_url for s in parsed} == {o.get("xmlUrl") for o in feeds}


@pytest.mark.skipif(shutil.which("newsboat") is None, reason="newsboat is not installed")
def test_newsboat_imports_the_export(cli: Cli, tmp_path: Path) -> None:
    out = _export(cli, tmp_path)
    urls = tmp_path / "urls"
    home = tmp_path / "nb-home"
    home.mkdir()
    subprocess.run(
        ["newsboat", "-u", str(urls), "-c", str(tmp_path / "cache.db"), "-i", str(out)],
        check=True,
        capture_output=True,
        env={"HOME": str(home), "PATH": "/usr/bin:/bin"},
        timeout=60,
    )
    text = urls.read_text()
    for url in (
        "https://jo.example/rss",
        "https://maria.example/feed.xml",
        "https://librarylab.example/atom.xml",
    ):
        assert url in text


@pytest.mark.skipif(shutil.which("r2e") is None, reason="rss2email is not installed")
def test_rss2email_imports_the_export(cli: Cli, tmp_path: Path) -> None:
    out = _export(cli, tmp_path)
    config, data = tmp_path / "r2e.cfg", tmp_path / "r2e.json"
    env = {"HOME": str(tmp_path), "PATH": "/usr/bin:/bin"}
    base = ["r2e", "-c", str(config), "-d", str(data)]
    subprocess.run(
        [*base, "new", "me@example.org"], check=True, capture_output=True, env=env, timeout=60
    )
    subprocess.run(
        [*base, "opmlimport", str(out)], check=True, capture_output=True, env=env, timeout=60
    )
    listed = subprocess.run(
        [*base, "list"], check=True, capture_output=True, text=True, env=env, timeout=60
    ).stdout
    for url in ("https://jo.example/rss", "https://maria.example/feed.xml"):
        assert url in listed


# --- fidelity (#13) and hostile files (#10) ------------------------------------------------


def _people(cli: Cli, *db: str) -> dict[str, list[str]]:
    return {p["name"]: p["topics"] for p in cli(*db, "person", "list", "--json").json()}


def _sources(cli: Cli, *db: str) -> set[tuple[str, str]]:
    return {(s["kind"], s["url"]) for s in cli(*db, "source", "list", "--json").json()}


def test_a_feed_in_two_folders_keeps_both_topics_and_categories_are_read(
    cli: Cli, tmp_path: Path
) -> None:
    data = b"""<?xml version="1.0"?><opml version="2.0"><body>
      <outline text="Maths"><outline text="Sam" xmlURL="https://sam.example/feed"/></outline>
      <outline text="Science"><outline text="Sam" xmlurl="https://sam.example/feed"/></outline>
      <outline text="Kim" XMLURL="https://kim.example/rss" category="/Teaching/Maths,/assessment"/>
    </body></opml>"""
    report = _import(cli, tmp_path, data)
    assert report["created"] == 2 and report["skipped"] == 0 and report["problems"] == []
    assert _people(cli) == {"Sam": ["Maths", "Science"], "Kim": ["Teaching/Maths", "assessment"]}


def test_an_rss_outline_without_xmlurl_is_reported(cli: Cli, tmp_path: Path) -> None:
    data = b'<opml version="2.0"><body><outline type="rss" text="Lost" url="https://x.example/f"/></body></opml>'
    report = _import(cli, tmp_path, data)
    assert report["created"] == 0 and "Lost" in report["problems"][0]


@pytest.mark.skipif(shutil.which("newsboat") is None, reason="newsboat is not installed")
def test_newsboat_export_of_a_never_fetched_feed_is_named_by_its_host(
    cli: Cli, tmp_path: Path
) -> None:
    urls = tmp_path / "urls"
    urls.write_text('https://www.blog.example.org/feed.xml\nhttps://named.example/rss "~Named"\n')
    home = tmp_path / "nb-home"
    home.mkdir()
    exported = subprocess.run(
        ["newsboat", "-u", str(urls), "-c", str(tmp_path / "cache.db"), "-e"],
        check=True,
        capture_output=True,
        env={"HOME": str(home), "PATH": "/usr/bin:/bin"},
        timeout=60,
    ).stdout
    assert b'title=""' in exported  # what newsboat writes for a feed it never fetched
    _import(cli, tmp_path, exported)
    assert set(_people(cli)) == {"blog.example.org", "Named"}


def test_a_mastodon_rss_address_becomes_the_mastodon_account(cli: Cli, tmp_path: Path) -> None:
    data = b"""<opml version="2.0"><body>
      <outline text="Sam" xmlUrl="https://social.example/@sam.rss"/></body></opml>"""
    _import(cli, tmp_path, data)
    (source,) = cli("source", "list", "--json").json()
    assert source["kind"] == "mastodon" and source["handle"] == "@sam@social.example"
    assert source["url"] == "https://social.example/@sam"


def _network(pln_db: Path) -> None:
    """Three people: one with two feeds, a Mastodon account and three topics (one nested),
    one with a feed, one with a topic and no sources yet."""
    from plnctl.api import open_pln
    from plnctl.models import SourceKind
    from plnctl.store import people as db

    with open_pln(pln_db) as pln, pln.store.transaction():
        ada = db.insert_person(pln.store, "Ada \x1bLovelace\x07")  # controls XML forbids
        for topic in ("maths", "Teaching/Primary", "assessment"):
            db.add_person_topic(pln.store, ada, topic)
        db.insert_source(
            pln.store, ada, SourceKind.FEED, "https://ada.example/feed", title="Ada's blog"
        )
        db.insert_source(pln.store, ada, SourceKind.FEED, "https://ada.example/notes.xml")
        db.insert_source(
            pln.store,
            ada,
            SourceKind.MASTODON,
            "https://social.example/@ada",
            handle="@ada@social.example",
        )
        bo = db.insert_person(pln.store, "Bo")
        db.insert_source(pln.store, bo, SourceKind.FEED, "https://bo.example/rss")
        cy = db.insert_person(pln.store, "Cy")  # no sources yet
        db.add_person_topic(pln.store, cy, "science")


def test_round_trip_keeps_people_all_their_sources_topics_and_names(
    cli: Cli, tmp_path: Path
) -> None:
    first, second = tmp_path / "first.db", tmp_path / "second.db"
    _network(first)
    out = cli("--db", str(first), "export", "opml", "-o", "-")  # '-' is stdout
    assert out.exit_code == 0, out.stderr
    etree.fromstring(out.stdout.encode())  # well-formed although the name had controls
    imported = cli("--db", str(second), "import", "opml", "-", "--json", input=out.stdout)
    assert imported.exit_code == 0, imported.stderr
    assert imported.json()["created"] == 3
    people = {name: sorted(topics) for name, topics in _people(cli, "--db", str(second)).items()}
    assert people == {
        "Ada Lovelace": ["Teaching/Primary", "assessment", "maths"],
        "Bo": [],
        "Cy": ["science"],
    }
    again = cli("--db", str(second), "import", "opml", "-", "--json", input=out.stdout)
    assert again.json()["created"] == 0  # type: ignore[index]
    assert _sources(cli, "--db", str(second)) == _sources(cli, "--db", str(first))
    titles = {
        s["url"]: s["title"] for s in cli("--db", str(second), "source", "list", "--json").json()
    }
    assert titles["https://ada.example/feed"] == "Ada's blog"


def test_listparser_reads_the_export_with_every_topic(cli: Cli, tmp_path: Path) -> None:
    listparser = pytest.importorskip("listparser", reason="listparser is not installed")
    db_file = tmp_path / "net.db"
    _network(db_file)
    text = cli("--db", str(db_file), "export", "opml").stdout
    parsed = listparser.parse(text)
    assert not parsed.bozo, parsed.bozo_exception
    feeds = {f.url: f for f in parsed.feeds}
    assert set(feeds) == {
        "https://ada.example/feed", "https://ada.example/notes.xml",
        "https://social.example/@ada.rss", "https://bo.example/rss",
    }  # fmt: skip
    categories = feeds["https://ada.example/feed"].categories
    assert sorted(categories) == [["Teaching", "Primary"], ["assessment"], ["maths"]]
    assert feeds["https://bo.example/rss"].categories == []


@pytest.mark.parametrize(
    "data, message",
    [
        pytest.param(
            '<?xml version="1.0" encoding="UTF-16"?><!DOCTYPE o [<!ENTITY a "aaaaaaaaaa">]>'
            '<opml><body><outline text="&a;" xmlUrl="https://x.example/f"/></body></opml>'.encode(
                "utf-16"
            ),
            "entity",
            id="utf16-entities",
        ),
        pytest.param(
            b"<?xml version='1.0'?>" + b" " * 8000 + b'<!DOCTYPE o [<!ENTITY a "aaaa">]>'
            b'<opml><body><outline text="&a;" xmlUrl="https://x.example/f"/></body></opml>',
            "entity",
            id="padded-entities",
        ),
        pytest.param(
            b'<opml version="2.0"><body>'
            + b'<outline text="f">' * 3000
            + b"</outline>" * 3000
            + b"</body></opml>",
            "nested more than",
            id="3000-deep",
        ),
        pytest.param(
            b'<?xml version="1.0" encoding="x-klingon"?><opml><body/></opml>',
            "unknown encoding",
            id="unknown-encoding",
        ),
    ],
)
def test_hostile_opml_is_one_line_error_and_stores_nothing(
    cli: Cli, tmp_path: Path, data: bytes, message: str
) -> None:
    path = tmp_path / "hostile.opml"
    path.write_bytes(data)
    result = cli("import", "opml", str(path))
    assert result.exit_code == 2, result.stderr
    assert message in result.stderr and len(result.stderr.strip().splitlines()) == 1
    assert "internal error" not in result.stderr
    assert cli("person", "list", "--json").json() == []


def test_a_bad_address_skips_that_outline_and_imports_the_rest(cli: Cli, tmp_path: Path) -> None:
    data = b"""<opml version="2.0"><body>
      <outline text="Broken" xmlUrl="http://[zz/x"/>
      <outline text="Fine" xmlUrl="https://fine.example/feed"/></body></opml>"""
    report = _import(cli, tmp_path, data)
    assert report["created"] == 1 and "Broken" in report["problems"][0]
    result = cli("import", "opml", str(tmp_path / "subs.opml"))
    assert result.exit_code == 0 and "Warning: Broken" in result.stderr
