"""Migration 0020 (tag ``answers``) on a database made before it: every stored answer is kept,
counts as an answer (not a boost, not dismissed), and the upgraded store can dismiss one."""

from __future__ import annotations

import sqlite3
from pathlib import Path

from plnctl.store import open_store
from plnctl.store import questions as db
from plnctl.store.connection import APPLICATION_ID, LATEST


def _ours() -> list[str]:
    from plnctl.store.schema import migrations

    return [m.name for m in migrations._migrations if m.name[4:13] == "_answers_"]


def test_a_database_from_before_0020_keeps_and_counts_its_answers(tmp_path: Path) -> None:
    from sqlite_utils import Database

    from plnctl.store.schema import migrations

    path = tmp_path / "old.db"
    conn = sqlite3.connect(path, isolation_level=None)
    [ours] = _ours()
    migrations.apply(Database(conn), stop_before=ours)
    conn.execute(f"PRAGMA application_id = {APPLICATION_ID}")
    conn.execute(f"PRAGMA user_version = {len(migrations.applied(Database(conn)))}")
    conn.execute("""INSERT INTO questions (text, kind, state, asked_at, created_at)
                    VALUES ('Homework?', 'offline', 'answered', 'x', 'x')""")
    for key in ("a", "b"):
        conn.execute(
            """INSERT INTO answers (question_id, answer_key, author_name, found_via, created_at)
               VALUES (1, ?, 'Kim', 'manual', 'x')""",
            (key,),
        )
    conn.close()

    store = open_store(path)
    assert store.conn.execute("PRAGMA user_version").fetchone()[0] == LATEST
    question = db.get_question(store, 1)
    assert question is not None and question.answer_count == 2
    assert [a.kind for a in db.list_answers(store, 1)] == ["answer", "answer"]
    with store.transaction():
        db.dismiss_answer(store, 1)
    assert [a.id for a in db.list_answers(store, 1)] == [2]
    store.close()
