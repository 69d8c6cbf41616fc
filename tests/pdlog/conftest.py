"""Fixtures for the sense-and-share tests: the share tests' fixed sample network, log entries
made through the API, and the session's mastodon_mock."""

from __future__ import annotations

from typing import Any

from plnctl.api import Pln
from plnctl.models import PdEntry
from tests.servers.mastodon_server import mastodon, mastodon_session  # noqa: F401
from tests.share.conftest import sample  # noqa: F401


def entry(id: int, date: str, minutes: int, type: str = "course", **fields: Any) -> PdEntry:
    """A log entry as the store returns it (for the pure report tests)."""
    return PdEntry(
        id=id,
        title=fields.pop("title", f"Entry {id}"),
        date=date,
        minutes=minutes,
        type=type,
        **fields,
    )


def log(pln: Pln, title: str, **fields: Any) -> PdEntry:
    return pln.pd.add(title, **fields)
