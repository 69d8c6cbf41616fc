"""Private notes on posts and questions: the commands, what shows them, and that no digest or
export carries them (nor the reading-list save note) unless --include-notes."""

from __future__ import annotations

import pytest

from plnctl.render.digest import render_digest
from plnctl.render.model import DIGEST_FORMATS, EXPORT_FORMATS
from tests.conftest import Cli
from tests.share.conftest import NOW, Sample

POST_NOTE = "reflection-xyzzy: try low-stakes quizzes in 8B"
QUESTION_NOTE = "takeaway-plugh: three questions from last week"
SAVE_NOTE = "share with the maths team"  # the sample's reading-list note


def _question_id(sample: Sample) -> int:
    return next(q.id for q in sample.pln.questions.list() if q.answer_count)


def test_post_notes_add_edit_remove_and_show(cli: Cli, sample: Sample) -> None:
    post = sample.posts["retrieval"]
    assert (
        cli("--db", str(sample.pln.store.path), "post", "note", str(post), "first").exit_code == 0
    )
    db = ["--db", str(sample.pln.store.path)]
    second = cli(*db, "post", "note", str(post), "second thought", "--json")
    assert second.exit_code == 0 and second.json()["number"] == 2  # type: ignore[index]
    assert "private" in cli(*db, "post", "note", str(post), "third").stderr
    assert cli(*db, "post", "note", str(post), "--edit", "1", "first, revised").exit_code == 0
    assert cli(*db, "post", "note", str(post), "--remove", "2").exit_code == 0

    shown = cli(*db, "post", "show", str(post), "--keep-unread")
    assert "Your notes (private):" in shown.stdout
    assert "[1] " in shown.stdout and "first, revised" in shown.stdout
    assert "[2] " in shown.stdout and "third" in shown.stdout
    assert "second thought" not in shown.stdout
    notes = cli(*db, "post", "show", str(post), "--json", "--keep-unread").json()["notes"]  # type: ignore[index]
    assert [(n["number"], n["text"]) for n in notes] == [(1, "first, revised"), (2, "third")]
    assert notes[0]["created_at"].endswith("Z") and notes[0]["updated_at"] >= notes[0]["created_at"]
    # the API a reader (TUI) uses
    assert [n.text for n in sample.pln.posts.get(post).notes] == ["first, revised", "third"]
    assert [n.number for n in sample.pln.notes.list("post", post)] == [1, 2]


def test_note_errors_are_one_line_with_exit_codes(cli: Cli, sample: Sample) -> None:
    db = ["--db", str(sample.pln.store.path)]
    post = str(sample.posts["retrieval"])
    missing = cli(*db, "post", "note", post, "--edit", "5", "x")
    assert missing.exit_code == 4 and missing.stderr.strip() == (
        f"Error: post {post} has no note 5 (it has none)"
    )
    assert cli(*db, "post", "note", post, "   ").exit_code == 2
    assert cli(*db, "post", "note", "999", "x").exit_code == 4
    assert cli(*db, "post", "note", post).exit_code == 2
    assert cli(*db, "question", "note", "999", "x").exit_code == 4


def test_question_notes(cli: Cli, sample: Sample) -> None:
    db = ["--db", str(sample.pln.store.path)]
    qid = str(_question_id(sample))
    assert cli(*db, "question", "note", qid, QUESTION_NOTE).exit_code == 0
    shown = cli(*db, "question", "show", qid)
    assert "Your notes (private):" in shown.stdout and QUESTION_NOTE in shown.stdout
    as_json = cli(*db, "question", "show", qid, "--json").json()
    assert as_json["notes"][0]["text"] == QUESTION_NOTE  # type: ignore[index]
    assert cli(*db, "question", "note", qid, "--remove", "1").exit_code == 0
    assert "notes" not in cli(*db, "question", "show", qid, "--json").json()  # type: ignore[operator]


def _noted(sample: Sample) -> None:
    sample.pln.notes.add("post", sample.posts["retrieval"], POST_NOTE)
    sample.pln.notes.add("question", _question_id(sample), QUESTION_NOTE)


@pytest.mark.parametrize("fmt", EXPORT_FORMATS)
def test_exports_leave_every_note_out_unless_asked(sample: Sample, fmt: str) -> None:
    _noted(sample)
    hidden = sample.pln.share.export_reading_list(fmt, now=NOW)
    assert "retrieval" in hidden.lower()  # the noted post itself is exported
    assert POST_NOTE not in hidden and SAVE_NOTE not in hidden
    shown = sample.pln.share.export_reading_list(fmt, now=NOW, include_notes=True)
    assert POST_NOTE in shown and SAVE_NOTE in shown


@pytest.mark.parametrize("fmt", DIGEST_FORMATS)
def test_digests_leave_every_note_out_unless_asked(sample: Sample, fmt: str) -> None:
    _noted(sample)
    hidden = render_digest(sample.pln.share.build_digest(since="24h", now=NOW), fmt, now=NOW)
    assert "Retrieval practice in Year 9" in hidden
    for secret in (POST_NOTE, QUESTION_NOTE, SAVE_NOTE):
        assert secret not in hidden
    built = sample.pln.share.build_digest(since="24h", now=NOW, include_notes=True)
    shown = render_digest(built, fmt, now=NOW)
    assert POST_NOTE in shown and SAVE_NOTE in shown
    if fmt == "atom":  # an Atom digest carries posts only, never the questions section
        assert "How do you run retrieval practice" not in shown
    else:
        assert QUESTION_NOTE in shown


def test_the_cli_flags(cli: Cli, sample: Sample) -> None:
    _noted(sample)
    db = ["--db", str(sample.pln.store.path)]
    for args in (
        ["digest", "--since", "30d", "--format", "md"],
        ["export", "reading-list", "--format", "csv"],
    ):
        plain = cli(*db, *args)
        assert plain.exit_code == 0 and POST_NOTE not in plain.stdout
        assert SAVE_NOTE not in plain.stdout
        assert POST_NOTE in cli(*db, *args, "--include-notes").stdout


def test_a_hostile_note_is_escaped_in_html(sample: Sample) -> None:
    sample.pln.notes.add("post", sample.posts["retrieval"], "<script>alert(1)</script> & more")
    page = sample.pln.share.export_reading_list("html", now=NOW, include_notes=True)
    assert "<script>" not in page
    assert "&lt;script&gt;alert(1)&lt;/script&gt; &amp; more" in page
