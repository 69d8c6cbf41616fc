"""The reading list through the CLI: post save/unsave, reading-list, export reading-list."""

from __future__ import annotations

import csv
import io
import json
from pathlib import Path

from plnctl.api import open_pln
from plnctl.errors import ExitCode
from plnctl.models import SourceKind
from tests.share.conftest import add_person, add_post


def _posts() -> tuple[int, int]:
    with open_pln() as pln:
        source = add_person(pln, "Ms. Rivera", SourceKind.FEED, "https://rivera.example.edu/feed")
        first = add_post(
            pln,
            source,
            fetched_at="2026-11-27T09:00:00Z",
            topics=("assessment",),
            url="https://rivera.example.edu/1",
            title="Retrieval practice",
            published_at="2026-11-27T08:00:00Z",
            content_text="Quizzes, every lesson.",
        )
        second = add_post(
            pln,
            source,
            fetched_at="2026-11-27T10:00:00Z",
            url="https://rivera.example.edu/2",
            title="Reading aloud",
            published_at="2026-11-27T09:00:00Z",
            content_text="Year 10 loved it.",
        )
    return first, second


def test_save_list_and_unsave(cli) -> None:  # type: ignore[no-untyped-def]
    first, second = _posts()
    empty = cli("reading-list")
    assert empty.exit_code == 0 and empty.stdout == "" and "reading list is empty" in empty.stderr
    assert cli("post", "save", str(first), "--note", "for the maths team").exit_code == 0
    assert cli("post", "save", str(second)).exit_code == 0
    listed = cli("reading-list")
    assert listed.exit_code == 0
    lines = listed.stdout.splitlines()
    assert lines[0].split("\t") == ["id", "saved", "person", "title", "topics", "note"]
    assert {line.split("\t")[3] for line in lines[1:]} == {"Retrieval practice", "Reading aloud"}
    data = cli("reading-list", "--topic", "assessment", "--json").json()
    assert [(d["id"], d["note"], d["topics"]) for d in data] == [
        (first, "for the maths team", ["assessment"])
    ]
    assert cli("post", "unsave", str(second)).exit_code == 0  # no note: nothing to ask
    refused = cli("post", "unsave", str(first))  # its note would go: not without --yes
    assert refused.exit_code == 2 and "--yes" in refused.stderr
    assert cli("post", "unsave", str(first), "--yes").exit_code == 0
    assert cli("reading-list", "--json").json() == []
    assert cli("post", "save", str(second)).exit_code == 0
    missing = cli("reading-list", "--topic", "nope")
    assert missing.exit_code == int(ExitCode.NOT_FOUND) and missing.stderr.startswith(
        "Error: no topic"
    )


def test_export_reading_list_formats_and_notes(cli, tmp_path: Path) -> None:  # type: ignore[no-untyped-def]
    first, _ = _posts()
    cli("post", "save", str(first), "--note", "private thought")
    pocket = cli("export", "reading-list", "--format", "pocket-csv")
    assert pocket.exit_code == 0 and pocket.stderr == ""
    rows = list(csv.DictReader(io.StringIO(pocket.stdout)))
    assert [(r["url"], r["tags"], r["status"]) for r in rows] == [
        ("https://rivera.example.edu/1", "assessment", "unread")
    ]
    plain = cli("export", "reading-list", "--format", "json")
    assert "private thought" not in plain.stdout
    noted = cli("export", "reading-list", "--format", "json", "--include-notes")
    assert json.loads(noted.stdout)[0]["note"] == "private thought"
    every = json.loads(cli("export", "reading-list", "--format", "json", "--all").stdout)
    assert len(every) == 2
    target = tmp_path / "reading.html"
    written = cli("export", "reading-list", "--format", "bookmarks", "-o", str(target))
    assert written.exit_code == 0 and written.stdout == ""
    assert target.read_text(encoding="utf-8").startswith("<!DOCTYPE NETSCAPE-Bookmark-file-1>")
    bad = cli("export", "reading-list", "--format", "pdf")
    assert bad.exit_code == int(ExitCode.USAGE)
    unwritable = cli("export", "reading-list", "-o", str(tmp_path / "no" / "such" / "dir.md"))
    assert unwritable.exit_code == int(ExitCode.NETWORK) and "cannot write" in unwritable.stderr


def test_digest_topic_filter_through_the_cli(cli) -> None:  # type: ignore[no-untyped-def]
    _posts()
    result = cli("digest", "--since", "2026-11-01", "--topic", "assessment", "--format", "json")
    assert result.exit_code == 0
    data = result.json()
    assert data["topics_filter"] == ["assessment"] and data["post_count"] == 1
    assert cli("digest", "--topic", "nope").exit_code == int(ExitCode.NOT_FOUND)


def test_excel_csv_has_a_bom_and_pocket_csv_never(cli, tmp_path: Path, monkeypatch) -> None:  # type: ignore[no-untyped-def]
    monkeypatch.chdir(tmp_path)  # a file named "-" would land here
    with open_pln() as pln:
        source = add_person(pln, "Frau Müller", SourceKind.FEED, "https://mueller.example/feed")
        post = add_post(pln, source, fetched_at="2026-11-27T09:00:00Z", title="Schüler lesen",
                        url="https://mueller.example/1")  # fmt: skip
        pln.posts.save(post)
    out = tmp_path / "list.csv"
    assert cli("export", "reading-list", "-f", "csv", "--excel", "-o", str(out)).exit_code == 0
    data = out.read_bytes()
    assert data.startswith(b"\xef\xbb\xbf") and "Schüler".encode() in data
    # Excel's reading: utf-8-sig strips the mark; the header is the first cell again.
    assert next(csv.reader(io.StringIO(data.decode("utf-8-sig"))))[0] == "id"
    plain = cli("export", "reading-list", "-f", "csv").stdout
    assert not plain.startswith("\ufeff")
    refused = cli("export", "reading-list", "-f", "pocket-csv", "--excel")
    assert refused.exit_code == ExitCode.USAGE and "--excel" in refused.stderr
    stdout = cli("export", "reading-list", "-f", "csv", "-o", "-")  # '-' is stdout
    assert (
        stdout.exit_code == 0 and "Schüler lesen" in stdout.stdout and not (tmp_path / "-").exists()
    )
