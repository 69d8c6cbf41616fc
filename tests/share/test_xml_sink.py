"""The XML sink: control characters that feeds put in titles, names and topics (XML 1.0 forbids
them even as character references) are dropped from the Atom digest, the reading-list Atom and
the reading-list OPML, so lxml (and every feed reader) can read what plnctl writes."""

from __future__ import annotations

import json
import sqlite3
from pathlib import Path

import pytest
from lxml import etree

from plnctl.api import open_pln
from plnctl.render.xmltext import xml_attrs, xml_text
from tests.conftest import Cli
from tests.servers.feed_server import FeedServer

CONTROLS = "".join(chr(c) for c in range(0x20) if chr(c) not in "\t\n\r")
ATOM = "{http://www.w3.org/2005/Atom}"


def _rss() -> str:
    refs = "".join(f"&#x{ord(c):x};" for c in "\x01\x0b\x1b")
    return (
        '<?xml version="1.0" encoding="utf-8"?><rss version="2.0"><channel><title>t</title>'
        f"<link>http://rivera.example/</link><item><title>Bell{refs} ring</title>"
        "<link>http://rivera.example/1</link><guid>x1</guid>"
        f"<category>maths{refs}</category><description>text{refs} here</description>"
        "<pubDate>Tue, 01 Dec 2026 08:00:00 GMT</pubDate></item></channel></rss>"
    )


def _json_feed() -> str:
    item = {"id": "j1", "url": "http://rivera.example/j1", "title": "Json\u0001\u000b\ufffe ok",
            "content_text": "body\u0000\u001f", "date_published": "2026-12-01T07:00:00Z",
            "tags": ["science\u0002"]}  # fmt: skip
    return json.dumps({"version": "https://jsonfeed.org/version/1.1", "title": "j",
                       "items": [item]})  # fmt: skip


@pytest.fixture
def controls_db(feed_server: FeedServer, db_path: Path) -> Path:
    rss = feed_server.add_feed("/c.xml", _rss())
    jsf = feed_server.add_feed("/c.json", _json_feed(), content_type="application/feed+json")
    with open_pln(db_path) as pln:
        pln.topics.add("maths", categories=["maths"])  # the feed's category is cleaned at ingest
        pln.people.add("Eve", feeds=[rss, jsf])
        list(pln.sync_iter())
        for post in pln.posts.list():
            pln.posts.save(post.id, note="note\x08")
    with sqlite3.connect(db_path) as con:  # what plnctl 0.1 may already have stored
        con.execute("UPDATE people SET name = ?", (f"Eve{CONTROLS}",))
        con.execute("UPDATE topics SET name = ?", (f"maths{CONTROLS}",))
        con.execute("UPDATE posts SET title = ? WHERE guid = 'j1'", (f"Json{CONTROLS} ok",))
    return db_path


@pytest.mark.parametrize(
    "args",
    [
        ("digest", "--since", "3650d", "--format", "atom"),
        ("export", "reading-list", "-f", "atom", "--include-notes"),
        ("export", "reading-list", "-f", "opml", "--include-notes"),
    ],
)
def test_output_is_well_formed_xml(controls_db: Path, cli: Cli, args: tuple[str, ...]) -> None:
    result = cli("--db", str(controls_db), *args)
    assert result.exit_code == 0, result.stderr
    root = etree.fromstring(result.stdout.encode("utf-8"))  # raises on a forbidden character
    text = " ".join(root.itertext()) + " ".join(
        value for element in root.iter() for value in element.attrib.values()
    )
    assert "Json ok" in text and "maths" in text
    if "opml" not in args:
        assert "Eve" in text
    assert not set(CONTROLS) & set(text)


def test_atom_file_is_well_formed(controls_db: Path, cli: Cli, tmp_path: Path) -> None:
    target = tmp_path / "digest.atom"
    result = cli(
        "--db", str(controls_db), "digest", "--since", "3650d", "-f", "atom", "-o", str(target)
    )
    assert result.exit_code == 0, result.stderr
    feed = etree.parse(str(target)).getroot()
    titles = [e.findtext(f"{ATOM}title") for e in feed.iter(f"{ATOM}entry")]
    assert "Json ok" in titles
    terms = [c.get("term") for c in feed.iter(f"{ATOM}category")]
    assert terms and all(t == "maths" for t in terms)


@pytest.mark.parametrize(
    ("value", "kept"),
    [
        ("tab\tnewline\ncr\r", "tab\tnewline\ncr\r"),
        (f"a{CONTROLS}b", "ab"),
        ("lone \ud800 surrogate \udfff", "lone  surrogate "),
        ("not chars \ufffe\uffff", "not chars "),
        ("astral 👩‍🏫 and é", "astral 👩‍🏫 and é"),
    ],
)
def test_xml_text(value: str, kept: str) -> None:
    assert xml_text(value) == kept
    assert xml_attrs({"title": value}) == {"title": kept}
