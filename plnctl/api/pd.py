"""The professional-learning log (``pln.pd``): entries, standards, suggestions, reports.

Suggestion numbers: ``suggest()`` stores the numbered list it returns (replacing the last one);
``accept(N)`` reads that stored list, so N is the suggestion the user saw even if new activity
arrived in between. An accepted suggestion's key is kept on its entry and never offered again.
"""

from __future__ import annotations

import builtins
from dataclasses import replace
from datetime import datetime
from pathlib import Path
from typing import TYPE_CHECKING, Any

from plnctl import pd
from plnctl.errors import AlreadyExists, InvalidInput, NotFound
from plnctl.models import PdEntry
from plnctl.pd_suggest import PdSuggestion, suggest
from plnctl.store import pdlog as db
from plnctl.timeutil import now, now_iso, parse_since, to_iso

if TYPE_CHECKING:
    from plnctl.api import Pln
    from plnctl.pd_report import Report

REPORT_FORMATS = ("html", "csv", "md", "json")
MAX_TEXT = 10_000


class PdService:
    def __init__(self, pln: Pln):
        self.pln = pln
        self.store = pln.store

    # --- entries ---------------------------------------------------------------------------

    def add(self, title: str, **fields: Any) -> PdEntry:
        """Log an entry. Fields: date, hours or minutes, type, provider, standards, reflection,
        impact, evidence, post, question, priority (see ``plnctl pd add --help``)."""
        values = self._checked({"title": title, **fields}, new=True)
        with self.store.transaction():
            entry_id = db.insert_entry(self.store, values, at=now_iso())
        return self.get(entry_id)

    def get(self, entry_id: int) -> PdEntry:
        entry = db.get_entry(self.store, entry_id)
        if entry is None:
            raise NotFound(f"no log entry with id {entry_id} (see: plnctl pd list)")
        return entry

    def list(
        self, *, since: str | None = None, standard: str | None = None
    ) -> builtins.list[PdEntry]:
        """Oldest first. ``since``: a duration (``30d``) or a date."""
        day = to_iso(parse_since(since))[:10] if since else None  # type: ignore[index]
        code = pd.standard(standard).code if standard else None
        return db.list_entries(self.store, since=day, standard=code)

    def edit(self, entry_id: int, **fields: Any) -> PdEntry:
        """Change the given fields (None: unchanged; "" clears a text field)."""
        current = self.get(entry_id)
        given = {k: v for k, v in fields.items() if v is not None}
        if "hours" in given or "minutes" in given:
            given.setdefault("hours", None)
            given.setdefault("minutes", None)
        values = self._checked(given, new=False)
        if not values:
            raise InvalidInput("nothing to change: give at least one option")
        with self.store.transaction():
            db.update_entry(self.store, current.id, values, at=now_iso())
        return self.get(entry_id)

    def remove(self, entry_id: int) -> PdEntry:
        entry = self.get(entry_id)
        with self.store.transaction():
            db.delete_entry(self.store, entry_id)
        return entry

    def standards(self) -> builtins.list[pd.Standard]:
        return list(pd.all_standards())

    def frameworks(self) -> builtins.list[pd.Framework]:
        return list(pd.frameworks().values())

    def _checked(self, fields: dict[str, Any], *, new: bool) -> dict[str, Any]:
        out: dict[str, Any] = {}
        if "title" in fields:
            out["title"] = _text(fields["title"], "title", required=True)
        if new or "date" in fields:
            out["date"] = pd.check_date(fields.get("date") or now_iso())
        if new or "hours" in fields or "minutes" in fields:
            out["minutes"] = pd.to_minutes(fields.get("hours"), fields.get("minutes"))
        if new or "type" in fields:
            out["type"] = pd.check_type(fields.get("type") or "other")
        for name in ("provider", "priority", "reflection", "impact"):
            if name in fields:
                out[name] = _text(fields[name], name)
        if "standards" in fields:
            out["standards"] = pd.check_standards(
                [c for c in fields["standards"] or () if c.strip()]
            )
        if "evidence" in fields:
            out["evidence"] = tuple(_evidence(e) for e in fields["evidence"] or () if e.strip())
        if fields.get("post") is not None:
            out["post_id"] = self.pln.posts.get(int(fields["post"])).id
        if fields.get("question") is not None:
            out["question_id"] = self.pln.questions.get(int(fields["question"])).id
        if fields.get("suggestion_key"):
            out["suggestion_key"] = fields["suggestion_key"]
        return out

    # --- suggestions -----------------------------------------------------------------------

    def suggest(
        self, *, since: str = "7d", at: datetime | None = None
    ) -> builtins.list[PdSuggestion]:
        """Entries proposed from what the user did since then; numbered 1..n in this order, and
        that numbering is kept for ``accept``. Nothing is logged."""
        until = at or now()
        after_iso, until_iso = to_iso(parse_since(since, reference=until)), to_iso(until)
        assert after_iso and until_iso
        posts = db.active_posts(self.store, after=after_iso, until=until_iso)
        notes = self.pln.notes.for_posts([p.id for p in posts])
        from plnctl.store.notes import post_shares

        shares = post_shares(self.store, [p.id for p in posts])
        posts = [replace(p, notes=notes.get(p.id, ()), shares=shares.get(p.id, ())) for p in posts]
        questions = [self.pln.questions.get(q.id) for q in
                     db.active_questions(self.store, after=after_iso, until=until_iso)]  # fmt: skip
        found = suggest(posts, questions, after=after_iso, until=until_iso,
                        logged=db.logged_keys(self.store))  # fmt: skip
        with self.store.transaction():
            db.save_suggestions(self.store, [s.to_dict() for s in found], at=until_iso)
        return found

    def accept(self, numbers: str, **overrides: Any) -> builtins.list[PdEntry]:
        """Log suggestions from the last ``suggest()`` list: ``"3"``, ``"1,3"`` or ``"all"``.
        Options given (hours, standards, provider, ...) replace the suggested values."""
        made, saved = db.saved_suggestions(self.store)
        if not saved:
            raise NotFound("no suggestions to accept: run plnctl pd suggest first")
        wanted = sorted(saved) if numbers.strip().lower() == "all" else _numbers(numbers)
        for number in wanted:
            if number not in saved:
                raise NotFound(f"no suggestion {number} in the last list (1-{len(saved)}, "
                               f"made {made}): run plnctl pd suggest again")  # fmt: skip
        if len(wanted) > 1 and overrides.get("title"):
            raise InvalidInput("a title can only replace one suggestion's title")
        logged = db.logged_keys(self.store)
        picked = [PdSuggestion.from_dict(saved[n]) for n in wanted]
        for number, s in zip(wanted, picked, strict=True):
            if s.key in logged:
                raise AlreadyExists(f"suggestion {number} ({s.title}) is already in your log")
        with self.store.transaction():
            return [self.add(**_merge(s, overrides)) for s in picked]

    # --- reports ---------------------------------------------------------------------------

    def build_report(
        self, framework: str, *, start: str | None = None, end: str | None = None
    ) -> Report:
        """``end`` defaults to today, ``start`` to one period of the framework before it."""
        from plnctl.pd_report import build_report, period_start

        last = pd.check_date(end or now_iso())
        fw = pd.framework(framework)
        first = pd.check_date(start) if start else period_start(fw, last)
        if first > last:
            raise InvalidInput(f"--from {first} is after --to {last}")
        entries = db.list_entries(self.store, since=first, until=last)
        return build_report(fw.id, entries, start=first, end=last, generated_at=now_iso())

    def report(
        self,
        framework: str,
        *,
        start: str | None = None,
        end: str | None = None,
        fmt: str = "html",
        excel: bool = False,
        output: Path | None = None,
    ) -> str:
        """The report rendered (written atomically to ``output`` when given)."""
        from plnctl import deliver
        from plnctl.render.pd import render_report

        if fmt not in REPORT_FORMATS:
            raise InvalidInput(f"unknown format {fmt!r}: use one of {', '.join(REPORT_FORMATS)}")
        if excel and fmt != "csv":
            raise InvalidInput("--excel is for --format csv")
        text = render_report(self.build_report(framework, start=start, end=end), fmt, excel=excel)
        if output is not None:
            deliver.write_atomic(output, text)
        return text


def _merge(s: PdSuggestion, overrides: dict[str, Any]) -> dict[str, Any]:
    given = {k: v for k, v in overrides.items() if v not in (None, (), [])}
    values: dict[str, Any] = {
        "title": s.title, "date": s.date, "minutes": s.minutes, "type": s.type,
        "standards": s.standards, "provider": s.provider, "reflection": s.reflection,
        "evidence": s.evidence, "question": s.question_id,
        "post": s.post_ids[0] if len(s.post_ids) == 1 else None, "suggestion_key": s.key,
    }  # fmt: skip
    if "hours" in given or "minutes" in given:
        values["minutes"] = None
    if "evidence" in given:
        given["evidence"] = (*s.evidence, *given["evidence"])
    return {**values, **given}


def _numbers(text: str) -> builtins.list[int]:
    try:
        found = sorted({int(part) for part in text.replace(" ", "").split(",") if part})
    except ValueError:
        raise InvalidInput(f"--from-suggestion takes numbers (1,3) or all, not {text!r}") from None
    if not found:
        raise InvalidInput("--from-suggestion needs a number")
    return found


def _text(value: Any, name: str, *, required: bool = False) -> str | None:
    text = " ".join(str(value or "").split()) if name == "title" else str(value or "").strip()
    if required and not text:
        raise InvalidInput(f"the {name} cannot be empty")
    if len(text) > MAX_TEXT:
        raise InvalidInput(f"the {name} can have at most {MAX_TEXT:,} characters")
    return text or None


def _evidence(value: str) -> str:
    """A web address (checked) or a short description of evidence held ("certificate")."""
    from plnctl.api.sources import check_http_url

    value = value.strip()
    if "://" in value or value.lower().startswith(("javascript:", "data:")):
        return check_http_url(value)
    if not value or len(value) > 500:
        raise InvalidInput("--evidence takes a web address or a short description")
    return value
