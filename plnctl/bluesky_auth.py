"""The logged-in Bluesky account's session file: ``credentials/bluesky.json`` (mode 0600,
written atomically through ``config.write_secret``; the one writer is ``files.write_atomic``).

It holds the session's DID, handle, service and its access and refresh tokens, never the app
password. ``Session`` hides the tokens from ``repr``; nothing here prints or logs them. Cheap to
import (no network library): ``Pln.me`` reads it to know the user's own account. The XRPC
calls that create, refresh and use a session are ``plnctl.fetchers.bluesky.session``.
"""

from __future__ import annotations

import json
from dataclasses import asdict, dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING

from plnctl.config import read_secret, write_secret
from plnctl.errors import ConfigError

if TYPE_CHECKING:
    from plnctl.config import Settings


@dataclass(frozen=True)
class Session:
    service: str  # base URL, e.g. https://bsky.social
    did: str
    handle: str  # without @
    access_jwt: str = field(repr=False)
    refresh_jwt: str = field(repr=False)


def session_file(settings: Settings) -> Path:
    return settings.credentials_dir / "bluesky.json"


def load(settings: Settings) -> Session | None:
    path = session_file(settings)
    if not path.exists():
        return None
    try:
        data = json.loads(read_secret(path) or "{}")
        return Session(**{k: str(data[k]) for k in Session.__dataclass_fields__})
    except (ValueError, KeyError, TypeError):
        raise ConfigError(
            f"{path} is not a plnctl Bluesky session; delete it and log in again"
        ) from None


def save(settings: Settings, session: Session) -> None:
    write_secret(session_file(settings), json.dumps(asdict(session), indent=2) + "\n")


def forget(settings: Settings) -> bool:
    path = session_file(settings)
    if not path.exists():
        return False
    path.unlink()
    return True
