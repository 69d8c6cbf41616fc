from __future__ import annotations

from collections.abc import Iterator

import pytest

from tests.servers.appview import AppView


@pytest.fixture
def appview(monkeypatch: pytest.MonkeyPatch) -> Iterator[AppView]:
    """A loopback AppView; plnctl is pointed at it through PLNCTL_BLUESKY_APPVIEW."""
    view = AppView().start()
    monkeypatch.setenv("PLNCTL_BLUESKY_APPVIEW", view.url)
    yield view
    view.stop()
