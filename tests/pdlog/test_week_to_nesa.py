"""The guide's promise, end to end: a week of reading and asking (a real feed on loopback,
synced; posts read, saved and noted; a question answered), then the three commands of
docs/guide.md "Sense and share" give a NESA-ready log page."""

from __future__ import annotations

import re
import shlex
from datetime import timedelta
from pathlib import Path

import lxml.html

from plnctl.timeutil import now
from tests.conftest import Cli
from tests.pdlog.conftest import NESA_COLUMNS
from tests.servers.feeds import rss_feed

GUIDE = Path(__file__).resolve().parents[2] / "docs" / "guide.md"


def _three_commands() -> list[list[str]]:
    text = GUIDE.read_text(encoding="utf-8")
    section = text[text.index("## Sense and share") :]
    block = section[section.index("in three commands:**") :]
    body = block[block.index("```sh\n") + 6 : block.index("```", block.index("```sh\n") + 6)]
    return [shlex.split(line)[1:] for line in body.strip().splitlines()]


def test_a_week_of_reading_and_asking_becomes_a_nesa_log(
    cli: Cli, feed_server, tmp_path: Path
) -> None:  # type: ignore[no-untyped-def]
    feed_server.add_feed("/rivera.xml", rss_feed(4))
    assert (
        cli("person", "add", "Ms. Rivera", "--feed", feed_server.url("/rivera.xml")).exit_code == 0
    )
    assert cli("sync").exit_code == 0
    posts = cli("post", "list", "--json").json()
    ids = [str(p["id"]) for p in posts]  # type: ignore[index]
    assert len(ids) == 4
    cli("post", "read", ids[0], ids[1])
    cli("post", "save", ids[0])
    cli("post", "note", ids[1], "private-note-xyzzy: try it with 8B")
    qid = str(cli("question", "add", "How do you run retrieval practice?", "--json").json()["id"])  # type: ignore[index]
    cli(
        "question",
        "answer",
        qid,
        "--from",
        "Sam Okafor",
        "--text",
        "Three questions a lesson",
        "--url",
        "https://edu.social/@sam/1",
    )

    commands = _three_commands()
    assert [c[:2] for c in commands] == [["pd", "suggest"], ["pd", "add"], ["pd", "report"]]
    today = now().date().isoformat()
    week_ago = (now() - timedelta(days=6)).date().isoformat()
    report_args = commands[2]
    report_args[report_args.index("--from") + 1] = week_ago  # the guide's dates are examples
    report_args[report_args.index("--to") + 1] = today
    report_args[report_args.index("-o") + 1] = str(tmp_path / "nesa-log.html")

    suggested = cli(*commands[0])
    assert suggested.exit_code == 0, suggested.stderr
    assert "[1]" in suggested.stdout and "6.3" in suggested.stdout
    assert cli("pd", "list", "--json").json() == []  # nothing logged yet
    accepted = cli(*commands[1])
    assert accepted.exit_code == 0, accepted.stderr
    entries = cli("pd", "list", "--json").json()
    assert {e["type"] for e in entries} == {"reading", "network"}  # type: ignore[index, union-attr]
    written = cli(*report_args)
    assert written.exit_code == 0, written.stderr

    page = (tmp_path / "nesa-log.html").read_text(encoding="utf-8")
    doc = lxml.html.document_fromstring(page)
    headers = [th.text_content() for th in doc.xpath("//table[@class='entries']/thead//th")]
    assert headers == ["#", *NESA_COLUMNS, "Counted (h)"]
    rows = doc.xpath("//table[@class='entries']/tbody/tr[not(@class='total')]")
    assert len(rows) == len(entries) >= 2  # type: ignore[arg-type]
    cells = [[td.text_content().strip() for td in row.xpath("td")] for row in rows]
    assert all(c[6] == "Self-directed (professional learning network)" for c in cells)
    assert any(c[4].startswith("6.3") and c[2] == "network" for c in cells)
    assert "100 h required (100 h per 5-year period)" in page
    (total,) = doc.xpath("//table[@class='entries']/tbody/tr[@class='total']")
    hours = sum(e["minutes"] for e in entries) / 60  # type: ignore[index, union-attr]
    assert total.xpath("td")[5].text_content() == f"{round(hours, 2):g}"
    assert doc.xpath('//a[@href="https://edu.social/@sam/1"]')
    assert re.search(r"6\.2 Engage in professional learning and improve practice", page)
    assert "private-note-xyzzy" not in page  # NESA's fields have no reflection column
