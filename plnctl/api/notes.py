"""Private notes: dated reflections on posts and questions (``pln.notes``).

Notes are the user's own: ``post show``/``question show``, their ``--json`` and the reader show
them; no digest or export includes them unless the user asks (``include_notes``).
"""

from __future__ import annotations

import builtins
from typing import TYPE_CHECKING

from plnctl.errors import InvalidInput, NotFound
from plnctl.models import Note
from plnctl.store import notes as db
from plnctl.timeutil import now_iso

if TYPE_CHECKING:
    from plnctl.api import Pln

MAX_NOTE = 20_000  # characters: a page of reflection, not a file
_COLUMNS = {"post": "post_id", "question": "question_id"}


class NotesService:
    def __init__(self, pln: Pln):
        self.pln = pln
        self.store = pln.store

    def list(self, kind: str, target_id: int) -> tuple[Note, ...]:
        """The notes of one post (``kind="post"``) or question, oldest first, numbered 1..n."""
        self._check(kind, target_id)
        return db.list_notes(self.store, _COLUMNS[kind], [target_id]).get(target_id, ())

    def add(self, kind: str, target_id: int, text: str) -> Note:
        self._check(kind, target_id)
        with self.store.transaction():
            db.add_note(self.store, _COLUMNS[kind], target_id, _text(text), at=now_iso())
        return self.list(kind, target_id)[-1]

    def edit(self, kind: str, target_id: int, number: int, text: str) -> Note:
        note = self._numbered(kind, target_id, number)
        with self.store.transaction():
            db.update_note(self.store, note.id, _text(text), at=now_iso())
        return self.list(kind, target_id)[number - 1]

    def remove(self, kind: str, target_id: int, number: int) -> Note:
        note = self._numbered(kind, target_id, number)
        with self.store.transaction():
            db.delete_note(self.store, note.id)
        return note

    def for_posts(self, post_ids: builtins.list[int]) -> dict[int, tuple[Note, ...]]:
        return db.list_notes(self.store, "post_id", post_ids)

    def for_questions(self, question_ids: builtins.list[int]) -> dict[int, tuple[Note, ...]]:
        return db.list_notes(self.store, "question_id", question_ids)

    def _numbered(self, kind: str, target_id: int, number: int) -> Note:
        notes = self.list(kind, target_id)
        if not 1 <= number <= len(notes):
            have = f"it has {len(notes)}" if notes else "it has none"
            raise NotFound(f"{kind} {target_id} has no note {number} ({have})")
        return notes[number - 1]

    def _check(self, kind: str, target_id: int) -> None:
        if kind == "post":
            self.pln.posts.get(target_id)
        elif kind == "question":
            self.pln.questions.get(target_id)
        else:
            raise InvalidInput(f"notes go on posts or questions, not {kind!r}")


def _text(text: str) -> str:
    text = text.strip()
    if not text:
        raise InvalidInput("a note cannot be empty")
    if len(text) > MAX_NOTE:
        raise InvalidInput(f"a note can have at most {MAX_NOTE:,} characters")
    return text
