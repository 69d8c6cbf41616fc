"""The professional-learning log's rules: pure (data files in, report data out, no I/O besides
reading the shipped data).

Standards (``data/standards.toml``) and registration frameworks (``data/frameworks.toml``) are
data; this module reads them, checks what a user types, and builds a framework's report from
log entries: each entry's fields, totals per standard, domain and type, and progress against
the requirement with caps applied (Texas: independent study at most 20 % of the hours).
"""

from __future__ import annotations

import tomllib
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date
from functools import cache
from importlib.resources import files
from typing import Any

from plnctl.errors import InvalidInput, NotFound
from plnctl.models import PD_TYPES, _Model

DAYS_PER_YEAR = 365.25


@dataclass(frozen=True)
class Standard(_Model):
    code: str  # "6" (a standard) or "6.2" (a focus area)
    title: str
    domain: str  # knowledge | practice | engagement
    framework: str  # apst | other
    parent: str | None = None  # "6" for "6.2"


@dataclass(frozen=True)
class Framework(_Model):
    """A registration body's requirement and the columns its log asks for."""

    id: str
    name: str
    body: str
    standards: str
    hours: float
    years: int
    note: str
    fields: tuple[tuple[str, str], ...]
    warn_missing: tuple[str, ...] = ()
    requires: tuple[str, ...] = ()
    cap: dict[str, Any] | None = None
    standards_min: int = 0
    standards_max: int = 0
    domains_required: bool = False
    priority_areas: tuple[str, ...] = ()


def _load(name: str) -> dict[str, Any]:
    return tomllib.loads(files("plnctl").joinpath("data", name).read_text(encoding="utf-8"))


@cache
def standards_data() -> dict[str, Any]:
    return _load("standards.toml")


@cache
def all_standards() -> tuple[Standard, ...]:
    """Every standard and focus area, in order, of every shipped set."""
    found: list[Standard] = []
    for fw in standards_data()["frameworks"]:
        for std in fw["standards"]:
            found.append(Standard(std["code"], std["title"], std["domain"], fw["id"]))
            found += [
                Standard(code, title, std["domain"], fw["id"], std["code"])
                for code, title in std["focus"]
            ]
    return tuple(found)


@cache
def _by_code() -> dict[str, Standard]:
    return {s.code.upper(): s for s in all_standards()}


def _descriptor(code: str) -> Standard | None:
    focus, _, stage = code.rpartition(".")
    area = _by_code().get(focus)
    stages = standards_data()["frameworks"][0]["career_stages"]
    if area is None or area.parent is None or not stage.isdigit():
        return None
    if not 1 <= int(stage) <= len(stages):
        return None
    return Standard(code, f"{area.title} ({stages[int(stage) - 1]})", area.domain, area.framework,
                    area.code)  # fmt: skip


def focus_area(code: str) -> Standard:
    """The focus area a descriptor belongs to (itself for a focus area or a standard)."""
    found = standard(code)
    return _by_code()[found.parent] if found.code.count(".") == 2 and found.parent else found


def domain_names() -> dict[str, str]:
    return {d["id"]: d["name"] for d in standards_data()["frameworks"][0]["domains"]}


def standard(code: str) -> Standard:
    """A standard, focus area or descriptor (``6.2.2``: focus area 6.2 at career stage 2)."""
    found = _by_code().get(code.strip().upper())
    if found is None:
        found = _descriptor(code.strip())
    if found is None:
        raise InvalidInput(
            f"unknown standard {code!r}: use a focus area like 6.2, a descriptor like 6.2.2, "
            "or G1-G6 "
            "(see: plnctl pd standards)"
        )
    return found


def check_standards(codes: Sequence[str]) -> tuple[str, ...]:
    """The codes as stored (canonical, without duplicates, in the order given)."""
    seen: dict[str, None] = {}
    for code in codes:
        seen.setdefault(standard(code).code, None)
    return tuple(seen)


def check_type(kind: str) -> str:
    kind = kind.strip().lower()
    if kind not in PD_TYPES:
        raise InvalidInput(f"unknown type {kind!r}: use one of {', '.join(PD_TYPES)}")
    return kind


def check_date(text: str) -> str:
    try:
        return date.fromisoformat(text.strip()[:10]).isoformat()
    except ValueError:
        raise InvalidInput(f"invalid date {text!r}: use YYYY-MM-DD") from None


def to_minutes(hours: float | None, minutes: int | None) -> int:
    """``--hours`` or ``--minutes`` (exactly one) as whole minutes, more than zero."""
    if (hours is None) == (minutes is None):
        raise InvalidInput("give the time with --hours or --minutes (one of them)")
    total = round(hours * 60) if hours is not None else int(minutes or 0)
    if total <= 0 or total > 24 * 60 * 31:
        raise InvalidInput("the time must be more than zero and at most a month")
    return total


# --- frameworks -------------------------------------------------------------------------------


@cache
def frameworks() -> dict[str, Framework]:
    found = {}
    for key, raw in _load("frameworks.toml")["frameworks"].items():
        found[key] = Framework(
            id=key, name=raw["name"], body=raw["body"], standards=raw["standards"],
            hours=float(raw["hours"]), years=int(raw["years"]), note=raw["note"],
            fields=tuple((k, label) for k, label in raw["fields"]),
            warn_missing=tuple(raw.get("warn_missing", ())),
            requires=tuple(raw.get("requires", ())), cap=raw.get("cap"),
            standards_min=int(raw.get("standards_min", 0)),
            standards_max=int(raw.get("standards_max", 0)),
            domains_required=bool(raw.get("domains_required", False)),
            priority_areas=tuple(raw.get("priority_areas", ())),
        )  # fmt: skip
    return found


def framework(key: str) -> Framework:
    found = frameworks().get(key.strip().lower())
    if found is None:
        raise NotFound(f"unknown framework {key!r}: use one of {', '.join(frameworks())}")
    return found


def topic_hints() -> dict[str, tuple[str, ...]]:
    return {code: tuple(words) for code, words in standards_data()["topic_hints"].items()}
