"""The pure decider: table-driven cases and properties of the backoff."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest
from hypothesis import given
from hypothesis import strategies as st

from plnctl.decide import MAX_BACKOFF, backoff, decide
from plnctl.models import FetchOutcome, Source, SourceKind, SourceState
from plnctl.timeutil import from_iso

NOW = datetime(2026, 11, 28, 12, 0, 0, tzinfo=UTC)
HOUR = timedelta(hours=1)


def source(**overrides: object) -> Source:
    fields: dict[str, object] = {
        "id": 1,
        "person_id": 1,
        "kind": SourceKind.FEED,
        "url": "https://t.example/feed",
        "etag": '"old"',
        "last_modified": "Sun, 01 Nov 2026 09:00:00 GMT",
    }
    return Source(**(fields | overrides))  # type: ignore[arg-type]


def due_in(decision_next_due: str | None) -> timedelta:
    moment = from_iso(decision_next_due)
    assert moment is not None
    return moment - NOW


@pytest.mark.parametrize(
    ("outcome", "error_count", "expected_wait", "status"),
    [
        (FetchOutcome("ok", 200), 0, HOUR, "ok"),
        (FetchOutcome("ok", 200), 5, HOUR, "ok"),  # success ends a failure streak
        (FetchOutcome("not_modified", 304), 0, HOUR, "unchanged"),
        (FetchOutcome("ok", 200, max_age=7200), 0, 2 * HOUR, "ok"),
        (FetchOutcome("ok", 200, max_age=60), 0, HOUR, "ok"),  # max-age is a minimum only
        (FetchOutcome("ok", 200, max_age=10**9), 0, timedelta(days=1), "ok"),  # capped
        (FetchOutcome("failed", 500, error="HTTP 500"), 0, timedelta(minutes=15), "failed"),
        (FetchOutcome("failed", 500, error="HTTP 500"), 1, timedelta(minutes=30), "failed"),
        (FetchOutcome("failed", 500, error="HTTP 500"), 4, timedelta(hours=4), "failed"),
        (FetchOutcome("failed", None, error="timed out"), 100, timedelta(days=7), "failed"),
        (FetchOutcome("failed", 429, retry_after=3 * 3600), 0, 3 * HOUR, "failed"),
        (FetchOutcome("failed", 429, retry_after=60), 0, timedelta(minutes=15), "failed"),
        (FetchOutcome("failed", 503, retry_after=10**9), 0, MAX_BACKOFF, "failed"),
        (FetchOutcome("ok", 200, retry_after=5 * 3600), 0, 5 * HOUR, "ok"),
    ],
)
def test_next_due_and_status(outcome, error_count, expected_wait, status):
    decision = decide(source(error_count=error_count), outcome, NOW)
    assert decision.status == status
    assert due_in(decision.next_due_at) == expected_wait
    assert decision.updates["next_due_at"] == decision.next_due_at
    assert decision.updates["last_fetched_at"] == "2026-11-28T12:00:00Z"
    assert decision.updates["last_status"] == outcome.http_status


def test_interval_is_configurable():
    decision = decide(source(), FetchOutcome("ok", 200), NOW, interval=timedelta(minutes=20))
    assert due_in(decision.next_due_at) == timedelta(minutes=20)


def test_success_resets_errors_and_records_ok_time():
    decision = decide(
        source(error_count=3, last_error="HTTP 500"), FetchOutcome("ok", 200, etag='"n"'), NOW
    )
    assert decision.updates["error_count"] == 0
    assert decision.updates["last_error"] is None
    assert decision.updates["last_ok_at"] == "2026-11-28T12:00:00Z"


def test_failure_counts_and_keeps_validators_and_url():
    decision = decide(source(error_count=2), FetchOutcome("failed", 500, error="HTTP 500"), NOW)
    assert decision.updates["error_count"] == 3
    assert decision.updates["last_error"] == "HTTP 500"
    for kept in ("etag", "last_modified", "url", "state", "last_ok_at"):
        assert kept not in decision.updates


@pytest.mark.parametrize(
    ("outcome", "etag", "last_modified"),
    [
        (FetchOutcome("ok", 200, etag='"new"', last_modified="LM2"), '"new"', "LM2"),
        (FetchOutcome("ok", 200), None, None),  # the server stopped sending them: clear
        (FetchOutcome("ok", 200, etag='"new"'), '"new"', None),
        (FetchOutcome("not_modified", 304), '"old"', "Sun, 01 Nov 2026 09:00:00 GMT"),
        (FetchOutcome("not_modified", 304, etag='"v2"'), '"v2"', "Sun, 01 Nov 2026 09:00:00 GMT"),
    ],
)
def test_validators(outcome, etag, last_modified):
    decision = decide(source(), outcome, NOW)
    assert decision.updates["etag"] == etag
    assert decision.updates["last_modified"] == last_modified


def test_gone_is_final():
    decision = decide(source(), FetchOutcome("gone", 410, error="HTTP 410 Gone"), NOW)
    assert decision.status == "gone"
    assert decision.updates["state"] is SourceState.GONE
    assert decision.updates["next_due_at"] is None
    assert decision.next_due_at is None
    assert decision.updates["last_error"] == "HTTP 410 Gone"


@pytest.mark.parametrize("status", ["ok", "not_modified"])
def test_permanent_redirect_moves_the_source(status):
    outcome = FetchOutcome(status, 200, permanent_url="https://new.example/feed.xml")
    assert decide(source(), outcome, NOW).updates["url"] == "https://new.example/feed.xml"


def test_same_url_is_not_an_update():
    outcome = FetchOutcome("ok", 200, permanent_url="https://t.example/feed")
    assert "url" not in decide(source(), outcome, NOW).updates


def test_source_updates_are_applied_but_cannot_touch_identity_or_decided_fields():
    outcome = FetchOutcome(
        "ok",
        200,
        source_updates={
            "title": "New title",
            "cursor": "123",
            "id": 99,
            "person_id": 7,
            "kind": "mastodon",
            "error_count": 50,
            "bogus": 1,
        },
    )
    updates = decide(source(), outcome, NOW).updates
    assert updates["title"] == "New title"
    assert updates["cursor"] == "123"
    assert updates["error_count"] == 0
    for refused in ("id", "person_id", "kind", "bogus"):
        assert refused not in updates


def test_source_updates_are_ignored_on_failure():
    outcome = FetchOutcome("failed", 500, error="x", source_updates={"title": "t"})
    assert "title" not in decide(source(), outcome, NOW).updates


@given(st.integers(min_value=0, max_value=10_000))
def test_backoff_is_monotonic_and_capped(failures):
    assert backoff(failures) <= backoff(failures + 1) <= MAX_BACKOFF


@given(
    st.integers(min_value=0, max_value=10_000),
    st.one_of(st.none(), st.floats(allow_nan=True, allow_infinity=True)),
    st.sampled_from([None, 429, 500, 503]),
)
def test_a_failure_is_always_retried_within_a_week_and_never_sooner_than_asked(
    errors, retry_after, http_status
):
    outcome = FetchOutcome("failed", http_status, error="x", retry_after=retry_after)
    decision = decide(source(error_count=errors), outcome, NOW)
    wait = due_in(decision.next_due_at)
    assert timedelta(minutes=15) <= wait <= MAX_BACKOFF
    if retry_after is not None and retry_after > 0:
        asked = min(timedelta(seconds=min(retry_after, 1e9)), MAX_BACKOFF)
        assert wait >= asked - timedelta(seconds=1)  # whole seconds in the store
    assert decision.updates["error_count"] == errors + 1
    assert decision.status == "failed"  # never disabled


@given(st.integers(min_value=0, max_value=10_000), st.integers(min_value=0, max_value=10**10))
def test_success_is_due_again_between_the_interval_and_a_day(errors, max_age):
    decision = decide(source(error_count=errors), FetchOutcome("ok", 200, max_age=max_age), NOW)
    assert HOUR <= due_in(decision.next_due_at) <= timedelta(days=1)
