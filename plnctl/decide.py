"""The pure half of syncing: a source, what fetching it produced, and the time -> its new state.

No I/O here (see lemon24/reader's ``Decider``): the sync engine fetches, calls ``decide`` and
writes ``Decision.updates`` with the posts in one transaction. Rules:

- success (200 or 304): error streak reset, next due after the normal interval, or later when
  Cache-Control max-age (capped at a day) or Retry-After asks for more time;
- failure: due again after 15 min, doubling per consecutive failure, capped at 7 days (never
  disabled), and never before Retry-After;
- 410 Gone (or a deleted account): state ``gone``, never fetched again until re-enabled (a
  forced fetch that succeeds makes it active again);
- ETag/Last-Modified come from the latest 200 (cleared when the server stops sending them);
  a 304 keeps the ones we had unless it sends new ones;
- a chain of permanent redirects (301/308) moves the source to the new URL.
"""

from __future__ import annotations

from dataclasses import dataclass, fields
from datetime import datetime, timedelta
from typing import Any

from plnctl.models import FetchOutcome, Source, SourceState
from plnctl.timeutil import to_iso

DEFAULT_INTERVAL = timedelta(hours=1)
FIRST_BACKOFF = timedelta(minutes=15)
MAX_BACKOFF = timedelta(days=7)
MAX_CACHE_AGE = timedelta(days=1)  # a CDN's max-age of a year must not freeze a feed
OK_STATUSES = frozenset({"ok", "not_modified"})

# What a fetcher may change through FetchOutcome.source_updates (never identity columns).
UPDATABLE = frozenset(f.name for f in fields(Source)) - {"id", "person_id", "kind", "created_at"}


@dataclass(frozen=True)
class Decision:
    updates: dict[str, Any]  # columns for store.people.update_source
    status: str  # for SourceResult: ok | unchanged | failed | gone
    next_due_at: str | None


def backoff(failures: int) -> timedelta:
    """Wait after ``failures`` consecutive failures: 15 min, 30 min, 1 h, ... capped at 7 days."""
    if failures <= 0:
        return timedelta(0)
    # Cap the exponent first: 2**failures for a huge streak would overflow timedelta.
    exponent = min(failures - 1, 20)
    return min(FIRST_BACKOFF * (2**exponent), MAX_BACKOFF)


def _seconds(value: float | None, cap: timedelta) -> timedelta:
    """A server-given wait in seconds, capped; 0 for None, negative or not-a-number."""
    if value is None or not value > 0:
        return timedelta(0)
    return cap if value >= cap.total_seconds() else timedelta(seconds=value)


def decide(
    source: Source,
    outcome: FetchOutcome,
    now: datetime,
    *,
    interval: timedelta = DEFAULT_INTERVAL,
) -> Decision:
    """The source's new state after ``outcome``; see the module docstring for the rules."""
    updates: dict[str, Any] = {
        "last_fetched_at": to_iso(now),
        "last_status": outcome.http_status,
    }
    if outcome.status == "gone":
        updates |= {
            "state": SourceState.GONE,
            "last_error": outcome.error or "gone: the server says this source was removed",
            "next_due_at": None,
        }
        return Decision(updates, "gone", None)
    if outcome.status in OK_STATUSES:
        return _success(source, outcome, now, interval, updates)
    return _failure(source, outcome, now, updates)


def _success(
    source: Source,
    outcome: FetchOutcome,
    now: datetime,
    interval: timedelta,
    updates: dict[str, Any],
) -> Decision:
    wait = interval
    wait = max(wait, _seconds(outcome.max_age, MAX_CACHE_AGE))
    wait = max(wait, _seconds(outcome.retry_after, MAX_BACKOFF))
    next_due = to_iso(now + wait)
    updates |= {
        "last_ok_at": to_iso(now),
        "last_error": None,
        "error_count": 0,
        "next_due_at": next_due,
    }
    if outcome.status == "ok":
        updates |= {"etag": outcome.etag, "last_modified": outcome.last_modified}
    else:  # 304: the validators we sent are still good unless new ones came
        updates |= {
            "etag": outcome.etag or source.etag,
            "last_modified": outcome.last_modified or source.last_modified,
        }
    if outcome.permanent_url and outcome.permanent_url != source.url:
        updates["url"] = outcome.permanent_url
    if source.state is SourceState.GONE:  # a forced fetch found it back
        updates["state"] = SourceState.ACTIVE
    for key, value in outcome.source_updates.items():
        if key in UPDATABLE and key not in updates:
            updates[key] = value
    return Decision(updates, "ok" if outcome.status == "ok" else "unchanged", next_due)


def _failure(
    source: Source, outcome: FetchOutcome, now: datetime, updates: dict[str, Any]
) -> Decision:
    failures = source.error_count + 1
    wait = backoff(failures)
    wait = max(wait, _seconds(outcome.retry_after, MAX_BACKOFF))
    next_due = to_iso(now + wait)
    updates |= {
        "error_count": failures,
        "last_error": outcome.error or "failed (no details)",
        "next_due_at": next_due,
    }
    return Decision(updates, "failed", next_due)
