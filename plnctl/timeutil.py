"""UTC timestamps as ISO-8601 text, the durations users type ("7d", "24h"), and the one time
zone plnctl shows and reads dates in.

Stored times are always UTC. What a person sees and types is local: the zone is
``[display] timezone`` in config.toml (set by ``open_pln``), else the ``TZ`` environment
variable, else the system's. ``--since 2026-12-01``, ``today`` and ``yesterday`` are midnights
in that zone; JSON keeps the stored ISO 8601 with its offset (``Z``).
"""

from __future__ import annotations

import os
import re
from datetime import UTC, date, datetime, time, timedelta, tzinfo

from plnctl.errors import ConfigError, InvalidInput

_DURATION = re.compile(r"^\s*(\d+(?:\.\d+)?)\s*(s|m|min|h|d|w)\s*$", re.IGNORECASE)
_UNIT_SECONDS = {"s": 1, "m": 60, "min": 60, "h": 3600, "d": 86400, "w": 604800}


_configured_zone: tzinfo | None = None


def zone_named(name: str) -> tzinfo:
    """An IANA zone (``Australia/Sydney``, ``UTC``); ConfigError for a name nobody knows."""
    from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

    try:
        return ZoneInfo(name.strip().lstrip(":"))
    except (ZoneInfoNotFoundError, ValueError, OSError):
        raise ConfigError(
            f"unknown time zone {name!r} under [display] timezone: use an IANA name such as "
            f"Europe/London or Australia/Sydney"
        ) from None


def set_display_zone(name: str | None) -> None:
    """The zone from the config (None: follow ``TZ`` or the system)."""
    global _configured_zone
    _configured_zone = zone_named(name) if name else None


def display_zone() -> tzinfo | None:
    """The configured zone, else ``TZ`` as an IANA name; None: the system's (the C library
    then applies its rules, daylight saving included)."""
    if _configured_zone is not None:
        return _configured_zone
    tz = os.environ.get("TZ")
    if tz:
        try:
            return zone_named(tz)
        except ConfigError:
            pass  # a POSIX rule such as "EST5EDT,M3.2.0,M11.1.0": the C library knows it
    return None


def local(moment: datetime | str | None) -> datetime | None:
    """A stored moment in the display zone."""
    if isinstance(moment, str):
        moment = from_iso(moment)
    return moment.astimezone(display_zone()) if moment is not None else None


def _as_local(naive: datetime) -> datetime:
    zone = display_zone()
    return naive.replace(tzinfo=zone) if zone is not None else naive.astimezone()


def local_date(iso: str | None) -> str:
    """``2026-12-01`` as the display zone sees the stored moment; "" for None."""
    moment = local(iso)
    return moment.date().isoformat() if moment is not None else ""


def local_midnight(day: date) -> datetime:
    """The first moment of ``day`` in the display zone, in UTC."""
    return _as_local(datetime.combine(day, time(0))).astimezone(UTC)


def now() -> datetime:
    return datetime.now(UTC).replace(microsecond=0)


def to_iso(moment: datetime | None) -> str | None:
    """Store format: ``2026-11-28T16:42:53Z``; sorts correctly as text."""
    if moment is None:
        return None
    if moment.tzinfo is None:
        moment = moment.replace(tzinfo=UTC)
    m = moment.astimezone(UTC)
    # Not strftime("%Y"): it writes year 1 as "1", which sorts after "2026" as text.
    return f"{m.year:04d}-{m.month:02d}-{m.day:02d}T{m.hour:02d}:{m.minute:02d}:{m.second:02d}Z"


def now_iso() -> str:
    return to_iso(now())  # type: ignore[return-value]


def parse_iso(text: str) -> datetime:
    """An ISO-8601 date or time in UTC; ValueError when it is not one (user input, wire data)."""
    try:
        moment = datetime.fromisoformat(text.replace("Z", "+00:00"))
        if moment.tzinfo is None:
            moment = moment.replace(tzinfo=UTC)
        return moment.astimezone(UTC)
    except OverflowError:  # 9999-12-31T23:59-01:00 is past datetime.max in UTC
        raise ValueError(f"date out of range: {text!r}") from None


def from_iso(text: object) -> datetime | None:
    """A stored timestamp, or None when there is none *or it is unreadable*.

    The one parser of stored times on every read path: a database may hold what an older
    version let in (``1-01-01T00:00:00Z`` from an RSS entry dated year 1) or what someone
    edited by hand, and no read command may fail on it."""
    if not text or not isinstance(text, str):
        return None
    try:
        return parse_iso(text)
    except ValueError:
        return None


def parse_duration(text: str) -> timedelta:
    """``"90s"``, ``"15m"``, ``"24h"``, ``"7d"``, ``"2w"`` -> timedelta."""
    match = _DURATION.match(text)
    if not match:
        raise InvalidInput(f"invalid duration {text!r}: use a number and a unit, e.g. 24h, 7d, 2w")
    amount, unit = float(match.group(1)), match.group(2).lower()
    return timedelta(seconds=amount * _UNIT_SECONDS[unit])


def parse_since(text: str, *, reference: datetime | None = None) -> datetime:
    """A ``--since`` value: a duration back from now (``7d``), ``today`` or ``yesterday``
    (local midnights), a date (``2026-11-01``: local midnight) or a date and time (local
    unless it carries an offset)."""
    reference = reference or now()
    if _DURATION.match(text):
        try:
            return reference - parse_duration(text)
        except OverflowError:  # 999999999d: before the year 1
            raise InvalidInput(
                f"--since {text.strip()} reaches back too far: use a shorter span (e.g. 3650d) "
                "or a date like 2020-01-01"
            ) from None
    word = text.strip().lower()
    if word in ("today", "yesterday"):
        today = reference.astimezone(display_zone()).date()  # None: the system zone
        return local_midnight(today - timedelta(days=1 if word == "yesterday" else 0))
    try:
        moment = datetime.fromisoformat(text.strip().replace("Z", "+00:00"))
    except ValueError:
        raise InvalidInput(
            f"invalid --since {text!r}: use a duration like 24h or 7d, today, yesterday, or a "
            f"date like 2026-11-01"
        ) from None
    if moment.tzinfo is None:
        moment = _as_local(moment)
    try:
        start = moment.astimezone(UTC)
    except OverflowError:  # 9999-12-31T23:59-01:00 is past datetime.max in UTC
        raise InvalidInput(f"invalid --since {text!r}: that date is out of range") from None
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
