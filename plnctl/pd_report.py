"""A framework's report on log entries: pure (entries in, report data out).

Per entry: the framework's fields, the minutes that count, and what is missing. Totals per
standard (an entry counts fully toward each standard it names), per domain (once per domain it
touches) and per type. Progress: hours that count against the requirement for the period
(one requirement per started period of the framework's length), with a cap on some types
applied in date order, so the report shows which hours of a capped entry count.
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import date, timedelta
from typing import Any

from plnctl.models import PD_TYPES, PdEntry, _Model
from plnctl.pd import (
    DAYS_PER_YEAR,
    Framework,
    all_standards,
    domain_names,
    focus_area,
    framework,
    standard,
)


@dataclass(frozen=True)
class Row(_Model):
    entry: PdEntry
    cells: tuple[tuple[str, str, Any], ...]  # (key, label, value): value is str or tuple
    counted_minutes: int
    warnings: tuple[str, ...] = ()


@dataclass(frozen=True)
class Total(_Model):
    key: str
    label: str
    hours: float
    entries: int


@dataclass(frozen=True)
class Progress(_Model):
    required_hours: float  # 0: no hours requirement
    periods: int
    logged_hours: float
    counted_hours: float
    percent: float | None
    cap_label: str | None = None
    cap_types: tuple[str, ...] = ()
    cap_limit_hours: float | None = None
    cap_logged_hours: float | None = None
    cap_counted_hours: float | None = None
    not_counted: tuple[tuple[int, str], ...] = ()  # (entry id, why)
    domains_missing: tuple[str, ...] = ()
    complete_entries: int = 0  # entries with every warn_missing field filled


@dataclass(frozen=True)
class Report(_Model):
    framework: Framework
    start: str
    end: str
    rows: tuple[Row, ...]
    by_standard: tuple[Total, ...]
    by_domain: tuple[Total, ...]
    by_type: tuple[Total, ...]
    progress: Progress
    generated_at: str = ""
    evidence: tuple[tuple[int, str, str], ...] = field(default=())  # (entry id, title, url)

    def to_dict(self) -> dict[str, Any]:
        return {
            "framework": self.framework.to_dict(),
            "from": self.start,
            "to": self.end,
            "generated_at": self.generated_at,
            "entries": [
                {
                    "id": r.entry.id,
                    "fields": {key: _plain(value) for key, _, value in r.cells},
                    "hours": hours(r.entry.minutes),
                    "counted_hours": hours(r.counted_minutes),
                    "warnings": list(r.warnings),
                }
                for r in self.rows
            ],
            "totals": {
                "by_standard": [t.to_dict() for t in self.by_standard],
                "by_domain": [t.to_dict() for t in self.by_domain],
                "by_type": [t.to_dict() for t in self.by_type],
            },
            "progress": self.progress.to_dict(),
            "evidence": [{"entry": i, "title": t, "url": u} for i, t, u in self.evidence],
        }


def _plain(value: Any) -> Any:
    return list(value) if isinstance(value, tuple) else value


def hours(minutes: float) -> float:
    return round(minutes / 60, 2)


def fmt_hours(minutes: float) -> str:
    return f"{hours(minutes):g}"


def periods(fw: Framework, start: str, end: str) -> int:
    """How many of the framework's periods the report covers (at least one)."""
    days = (date.fromisoformat(end) - date.fromisoformat(start)).days + 1
    return max(1, math.ceil(days / (fw.years * DAYS_PER_YEAR) - 1e-9))


def period_start(fw: Framework, end: str) -> str:
    """The first day of the framework's period that ends on ``end``."""
    last = date.fromisoformat(end)
    try:
        first = last.replace(year=last.year - fw.years)
    except ValueError:  # 29 February
        first = last.replace(year=last.year - fw.years, day=28)
    return (first + timedelta(days=1)).isoformat()


def build_report(
    key: str, entries: Sequence[PdEntry], *, start: str, end: str, generated_at: str = ""
) -> Report:
    fw = framework(key)
    entries = sorted((e for e in entries if start <= e.date <= end), key=lambda e: (e.date, e.id))
    count = periods(fw, start, end)
    required = fw.hours * count
    counted, why_not = _counted(fw, entries, required)
    rows = tuple(
        Row(entry=e, cells=_cells(fw, e), counted_minutes=counted[e.id],
            warnings=_warnings(fw, e) + ((why_not[e.id],) if e.id in why_not else ()))
        for e in entries
    )  # fmt: skip
    by_domain = _totals(entries, _domains, domain_names())
    logged, total_counted = sum(e.minutes for e in entries), sum(counted.values())
    cap_types = tuple(fw.cap["types"]) if fw.cap else ()
    capped = [e for e in entries if e.type in cap_types and not _missing(fw.requires, e)]
    progress = Progress(
        required_hours=required, periods=count, logged_hours=hours(logged),
        counted_hours=hours(total_counted),
        percent=round(100 * total_counted / 60 / required, 1) if required else None,
        cap_label=fw.cap["label"] if fw.cap else None, cap_types=cap_types,
        cap_limit_hours=round(required * fw.cap["fraction"], 2) if fw.cap else None,
        cap_logged_hours=hours(sum(e.minutes for e in capped)) if fw.cap else None,
        cap_counted_hours=hours(sum(counted[e.id] for e in capped)) if fw.cap else None,
        not_counted=tuple(sorted(why_not.items())),
        domains_missing=tuple(
            name for d, name in domain_names().items() if d not in {t.key for t in by_domain}
        ) if fw.domains_required else (),
        complete_entries=sum(1 for e in entries if not _missing(fw.warn_missing, e)),
    )  # fmt: skip
    return Report(
        framework=fw, start=start, end=end, rows=rows, progress=progress,
        by_standard=_totals(entries, _focus_areas, _standard_titles(entries)),
        by_domain=by_domain,
        by_type=_totals(entries, lambda e: (e.type,), {t: t for t in PD_TYPES}),
        generated_at=generated_at,
        evidence=tuple((e.id, e.title, url) for e in entries for url in e.evidence),
    )  # fmt: skip


def _counted(
    fw: Framework, entries: Sequence[PdEntry], required: float
) -> tuple[dict[int, int], dict[int, str]]:
    """Minutes that count per entry, and why an entry counts for less (or nothing)."""
    counted: dict[int, int] = {}
    why: dict[int, str] = {}
    room = required * fw.cap["fraction"] * 60 if fw.cap else math.inf
    for e in entries:
        missing = _missing(fw.requires, e)
        if missing:
            counted[e.id] = 0
            why[e.id] = f"not counted: no {', '.join(missing)}"
            continue
        if fw.cap and e.type in fw.cap["types"]:
            take = int(min(e.minutes, max(0.0, room)))
            room -= take
            if take < e.minutes:
                why[e.id] = (
                    f"{fmt_hours(take)} of {fmt_hours(e.minutes)} h counted: "
                    f"{fw.cap['label']} is capped at {round(fw.cap['fraction'] * 100):g} %"
                )
            counted[e.id] = take
            continue
        counted[e.id] = e.minutes
    return counted, why


def _missing(names: Sequence[str], e: PdEntry) -> list[str]:
    return [name for name in names if not getattr(e, name)]


def _warnings(fw: Framework, e: PdEntry) -> tuple[str, ...]:
    found = [f"missing {name}" for name in _missing(fw.warn_missing, e)]
    n = len(e.standards)
    if fw.standards_max and n and not fw.standards_min <= n <= fw.standards_max:
        found.append(f"names {n} standards ({fw.standards_min}-{fw.standards_max} expected)")
    return tuple(found)


def _domains(e: PdEntry) -> tuple[str, ...]:
    return tuple(dict.fromkeys(standard(code).domain for code in e.standards))


def _focus_areas(e: PdEntry) -> tuple[str, ...]:
    """The entry's standards with descriptors (6.2.2) counted as their focus area (6.2)."""
    return tuple(dict.fromkeys(focus_area(code).code for code in e.standards))


def _standard_titles(entries: Sequence[PdEntry]) -> dict[str, str]:
    used = {code for e in entries for code in _focus_areas(e)}
    return {s.code: f"{s.code} {s.title}" for s in all_standards() if s.code in used}


def _totals(entries: Sequence[PdEntry], keys: Any, labels: dict[str, str]) -> tuple[Total, ...]:
    minutes: dict[str, int] = {}
    count: dict[str, int] = {}
    for e in entries:
        for key in keys(e):
            minutes[key] = minutes.get(key, 0) + e.minutes
            count[key] = count.get(key, 0) + 1
    order = list(labels)
    return tuple(
        Total(key, labels.get(key, key), hours(minutes[key]), count[key])
        for key in sorted(minutes, key=lambda k: (order.index(k) if k in order else 999, k))
    )


def _cells(fw: Framework, e: PdEntry) -> tuple[tuple[str, str, Any], ...]:
    names = domain_names()
    values: dict[str, Any] = {
        "date": e.date, "title": e.title, "type": e.type, "hours": fmt_hours(e.minutes),
        "standards": e.standards, "domains": tuple(names[d] for d in _domains(e)),
        "provider": e.provider or "", "priority": e.priority or "",
        "reflection": e.reflection or "", "impact": e.impact or "", "evidence": e.evidence,
    }  # fmt: skip
    return tuple((key, label, values[key]) for key, label in fw.fields)
