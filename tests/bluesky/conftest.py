from __future__ import annotations

from collections.abc import Iterator

import pytest

from tests.servers.appview import AppView
from tests.servers.pds import Pds


@pytest.fixture
def appview(monkeypatch: pytest.MonkeyPatch) -> Iterator[AppView]:
    """A loopback AppView; plnctl is pointed at it through PLNCTL_BLUESKY_APPVIEW."""
    view = AppView().start()
    monkeypatch.setenv("PLNCTL_BLUESKY_APPVIEW", view.url)
    yield view
    view.stop()


@pytest.fixture
def pds(appview: AppView, monkeypatch: pytest.MonkeyPatch) -> Iterator[Pds]:
    """A loopback PDS publishing to ``appview``; plnctl logs in there through
    PLNCTL_BLUESKY_SERVICE. Request it before ``pln`` so the setting is read."""
    server = Pds(appview).start()
    monkeypatch.setenv("PLNCTL_BLUESKY_SERVICE", server.url)
    monkeypatch.delenv("PLNCTL_BLUESKY_APP_PASSWORD", raising=False)
    yield server
    server.stop()
