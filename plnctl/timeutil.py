"""UTC timestamps as ISO-8601 text, and the durations users type ("7d", "24h")."""

from __future__ import annotations

import re
from datetime import UTC, datetime, timedelta

from plnctl.errors import InvalidInput

_DURATION = re.compile(r"^\s*(\d+(?:\.\d+)?)\s*(s|m|min|h|d|w)\s*$", re.IGNORECASE)
_UNIT_SECONDS = {"s": 1, "m": 60, "min": 60, "h": 3600, "d": 86400, "w": 604800}


def now() -> datetime:
    return datetime.now(UTC).replace(microsecond=0)


def to_iso(moment: datetime | None) -> str | None:
    """Store format: ``2026-11-28T16:42:53Z``; sorts correctly as text."""
    if moment is None:
        return None
    if moment.tzinfo is None:
        moment = moment.replace(tzinfo=UTC)
    return moment.astimezone(UTC).strftime("%Y-%m-%dT%H:%M:%SZ")


def now_iso() -> str:
    return to_iso(now())  # type: ignore[return-value]


def from_iso(text: str | None) -> datetime | None:
    if not text:
        return None
    moment = datetime.fromisoformat(text.replace("Z", "+00:00"))
    if moment.tzinfo is None:
        moment = moment.replace(tzinfo=UTC)
    return moment.astimezone(UTC)


def parse_duration(text: str) -> timedelta:
    """``"90s"``, ``"15m"``, ``"24h"``, ``"7d"``, ``"2w"`` -> timedelta."""
    match = _DURATION.match(text)
    if not match:
        raise InvalidInput(f"invalid duration {text!r}: use a number and a unit, e.g. 24h, 7d, 2w")
    amount, unit = float(match.group(1)), match.group(2).lower()
    return timedelta(seconds=amount * _UNIT_SECONDS[unit])


def parse_since(text: str, *, reference: datetime | None = None) -> datetime:
    """A ``--since`` value: a duration back from now (``7d``) or a date/time (``2026-11-01``)."""
    reference = reference or now()
    if _DURATION.match(text):
        try:
            return reference - parse_duration(text)
        except OverflowError:  # 999999999d: before the year 1
            raise InvalidInput(
                f"--since {text.strip()} reaches back too far: use a shorter span (e.g. 3650d) "
                "or a date like 2020-01-01"
            ) from None
    try:
        start = from_iso(text.strip())
        if start is None:
            raise ValueError("empty")
    except (ValueError, OverflowError):
        raise InvalidInput(
            f"invalid --since {text!r}: use a duration like 24h or 7d, or a date like 2026-11-01"
        ) from None
    if start > reference:
        raise InvalidInput(
            f"--since {text.strip()} is in the future (now is {to_iso(reference)}): "
            "give a past date or a duration like 7d"
        )
    return start


def humanize_age(moment: datetime | str | None, *, reference: datetime | None = None) -> str:
    """``"3h ago"``, ``"2d ago"``; ``"never"`` for None."""
    if isinstance(moment, str):
        moment = from_iso(moment)
    if moment is None:
        return "never"
    seconds = int(((reference or now()) - moment).total_seconds())
    future = seconds < 0
    seconds = abs(seconds)
    for unit, size in (("w", 604800), ("d", 86400), ("h", 3600), ("m", 60)):
        if seconds >= size:
            text = f"{seconds // size}{unit}"
            break
    else:
        text = f"{seconds}s"
    return f"in {text}" if future else f"{text} ago"
