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
    assert report["created"] == 3 and report["skipped"] == 1
    assert len(report["problems"]) == 1 and "gopher" in report["problems"][0]
    people = {p["name"]: p["topics"] for p in cli("person", "list", "--json").json()}
    assert people == {
        "Maria Rivera": ["Maths", "Primary"],
        "Jo Boaler & friends": ["Maths"],
        "Library Lab": [],
    }
    again = _import(cli, tmp_path)
    assert again["created"] == 0 and again["skipped"] == 4


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

    assert {s.xml_url for s in parse_opml(out.read_bytes())} == {o.get("xmlUrl") for o in feeds}


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
