"""The spreadsheet sink: titles, names, topics and notes from feeds that a spreadsheet would run
as formulas (`=HYPERLINK(...)`, `+cmd|' /C calc'!A0`, `@SUM`, `-2+3`) are written as text in
every CSV plnctl writes, and read back with the csv module they keep their characters."""

from __future__ import annotations

import csv
import io
from pathlib import Path
from xml.sax.saxutils import escape

import pytest

from plnctl.api import open_pln
from plnctl.api.mastodon import parse_following_csv, render_following_csv
from plnctl.render.exports import csv_cell
from tests.conftest import Cli
from tests.servers.feed_server import FeedServer

FORMULAS = [
    '=HYPERLINK("http://x","y")',
    "+cmd|' /C calc'!A0",
    "@SUM(1+1)*cmd|' /C calc'!A0",
    "-2+3+cmd|' /C calc'!A0",
    "\t=1+1",
    "\r=1+1",
]
TITLES = FORMULAS[:4]  # a feed title's leading tab or CR is stripped at ingest
NOTE = "\t=1+1"
STARTS = ("=", "+", "-", "@", "\t", "\r")


def _feed(titles: list[str]) -> str:
    items = "".join(
        f"<item><title>{escape(t).replace(chr(13), '&#13;').replace(chr(9), '&#9;')}</title>"
        f"<link>http://evil.example/{n}</link><guid>g{n}</guid>"
        f"<category>{escape(FORMULAS[0])}</category>"
        f"<pubDate>Tue, 01 Dec 2026 0{n}:00:00 GMT</pubDate></item>"
        for n, t in enumerate(titles)
    )
    return (
        '<?xml version="1.0" encoding="utf-8"?><rss version="2.0"><channel>'
        f"<title>t</title><link>http://evil.example/</link>{items}</channel></rss>"
    )


@pytest.fixture
def saved_formulas(feed_server: FeedServer, db_path: Path) -> Path:
    url = feed_server.add_feed("/f.xml", _feed(TITLES))
    with open_pln(db_path) as pln:
        person = pln.people.add("=cmd|' /C calc'!A0", feeds=[url])
        pln.topics.add(FORMULAS[1], categories=[FORMULAS[0]])
        list(pln.sync_iter())
        for post in pln.posts.list(person=person.id):
            pln.posts.save(post.id, note=NOTE)
    return db_path


def _cells(text: str) -> list[list[str]]:
    return list(csv.reader(io.StringIO(text)))


@pytest.mark.parametrize("fmt", ["csv", "pocket-csv"])
def test_no_cell_starts_a_formula(saved_formulas: Path, cli: Cli, fmt: str) -> None:
    args = ["--db", str(saved_formulas), "export", "reading-list", "-f", fmt, "--include-notes"]
    result = cli(*args)
    assert result.exit_code == 0, result.stderr
    rows = _cells(result.stdout)
    assert len(rows) == len(TITLES) + 1
    cells = [cell for row in rows[1:] for cell in row]
    assert [c for c in cells if c.startswith(STARTS)] == []
    titles = {row[rows[0].index("title")] for row in rows[1:]}
    assert titles == {"'" + f for f in TITLES}  # shown as text, nothing else changed
    if fmt == "csv":
        assert {row[rows[0].index("person")] for row in rows[1:]} == {"'=cmd|' /C calc'!A0"}
        assert {row[rows[0].index("note")] for row in rows[1:]} == {"'" + NOTE}


def test_file_export_is_neutralised_too(saved_formulas: Path, cli: Cli, tmp_path: Path) -> None:
    target = tmp_path / "reading.csv"
    result = cli(
        "--db", str(saved_formulas), "export", "reading-list", "-f", "csv", "-o", str(target)
    )
    assert result.exit_code == 0, result.stderr
    cells = [c for row in _cells(target.read_text())[1:] for c in row]
    assert cells and [c for c in cells if c.startswith(STARTS)] == []


def test_mastodon_following_csv_round_trips() -> None:
    text = render_following_csv([("alice@mastodon.example", {}), ("=1+1@evil.example", {})])
    assert [row[0] for row in _cells(text)[1:]] == ["alice@mastodon.example", "'=1+1@evil.example"]
    good, _ = parse_following_csv(text)
    assert [str(row.address.acct) for row in good][:1] == ["alice@mastodon.example"]


@pytest.mark.parametrize(
    ("value", "cell"),
    [("plain", "plain"), ("a=b", "a=b"), (42, "42"), (None, ""), ("'quoted", "'quoted")]
    + [(f, "'" + f.replace("\r", "\n")) for f in FORMULAS]
    + [("two\r\nlines\rhere", "two\nlines\nhere")],  # a lone CR would split the row
)
def test_csv_cell(value: object, cell: str) -> None:
    assert csv_cell(value) == cell
