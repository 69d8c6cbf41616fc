"""``plnctl config``: where the files live, the effective settings, and a check of config.toml.

None of these opens the database (so none creates one); each reads config.toml itself.
"""

from __future__ import annotations

import os
from collections.abc import Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from plnctl.config import Settings, default_settings, effective, load_settings
from plnctl.models import _Model

MASK = "********"


@dataclass(frozen=True)
class PathInfo(_Model):
    """One place plnctl uses, and what chose it."""

    what: str
    path: str
    chosen_by: str
    exists: bool


@dataclass(frozen=True)
class ConfigCheck(_Model):
    path: str
    exists: bool
    ok: bool = True


def _db_origin(db: str | Path | None, env: Mapping[str, str]) -> str:
    if db is not None and str(db) != env.get("PLNCTL_DB"):
        return "--db"
    if env.get("PLNCTL_DB"):
        return "PLNCTL_DB"
    return "PLNCTL_HOME" if env.get("PLNCTL_HOME") else "default (the platform's user data dir)"


def paths(db: str | Path | None = None, env: Mapping[str, str] | None = None) -> list[PathInfo]:
    """Database, config file, credentials and data directory, each with what chose it. The
    config file is not read (a broken one does not hide where it is)."""
    env = os.environ if env is None else env
    settings = default_settings(db, env)
    dirs = "PLNCTL_HOME" if env.get("PLNCTL_HOME") else "default (the platform's dirs)"
    rows = [
        ("database", settings.db_path, _db_origin(db, env)),
        ("config file", settings.config_file, dirs),
        ("credentials", settings.credentials_dir, f"next to the config file ({dirs})"),
        ("data", settings.data_dir, dirs),
    ]
    return [PathInfo(what, str(path), origin, path.exists()) for what, path, origin in rows]


def show(db: str | Path | None = None, env: Mapping[str, str] | None = None) -> dict[str, Any]:
    """The effective settings (defaults + config.toml + PLNCTL_* overrides), every section,
    with secrets masked; ``secrets`` says where each secret would come from, never its value."""
    env = os.environ if env is None else env
    settings = load_settings(db, env)
    data: dict[str, Any] = effective(settings)
    data["secrets"] = _secrets(settings, env)
    return data


def _secrets(settings: Settings, env: Mapping[str, str]) -> dict[str, str]:
    smtp = settings.smtp
    if env.get(smtp.password_env):
        password = f"{MASK} (from ${smtp.password_env})"
    elif smtp.password_file:
        password = f"{MASK} (from {smtp.password_file})"
    else:
        password = "not set"
    token_file = settings.credentials_dir / "mastodon.json"
    if env.get("PLNCTL_MASTODON_TOKEN"):
        token = f"{MASK} (from $PLNCTL_MASTODON_TOKEN)"
    elif token_file.exists():
        token = f"{MASK} (in {token_file})"
    else:
        token = "not logged in"
    return {"smtp.password": password, "mastodon.token": token}


def check(db: str | Path | None = None, env: Mapping[str, str] | None = None) -> ConfigCheck:
    """Validate config.toml and the PLNCTL_* overrides; raises ConfigError (exit 5) with the
    one-line reason."""
    settings = load_settings(db, env)
    return ConfigCheck(path=str(settings.config_file), exists=settings.config_file.exists())
