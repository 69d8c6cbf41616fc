"""Where plnctl keeps its files, and the settings read from config.toml and PLNCTL_* variables.

Resolution order for the database path: ``--db`` > ``PLNCTL_DB`` > ``$PLNCTL_HOME/plnctl.db`` >
the platform's user data dir. ``PLNCTL_HOME`` moves config, credentials and data together.
"""

from __future__ import annotations

import os
import tomllib
from dataclasses import dataclass, field, fields, replace
from pathlib import Path
from typing import Any

from plnctl.errors import ConfigError

APP_NAME = "plnctl"


@dataclass(frozen=True)
class SyncSettings:
    concurrency: int = 16
    per_host: int = 4
    connect_timeout: float = 10.0
    read_timeout: float = 30.0
    deadline: float = 60.0
    max_bytes: int = 10_000_000
    max_redirects: int = 5
    interval_minutes: int = 60  # how often a healthy source is due
    lock_wait: float = 5.0  # seconds a second sync waits for the first
    parse_workers: int = 2


@dataclass(frozen=True)
class MastodonSettings:
    history_depth: int = 200  # statuses fetched on a source's first sync
    page_size: int = 40


@dataclass(frozen=True)
class SmtpSettings:
    host: str | None = None
    port: int = 587
    security: str = "starttls"  # starttls | ssl | none
    user: str | None = None
    password_env: str = "PLNCTL_SMTP_PASSWORD"
    password_file: str | None = None  # must be mode 0600
    sender: str | None = None
    timeout: float = 30.0


@dataclass(frozen=True)
class IdentitySettings:
    """``[me]``: the user's own identities (see ``plnctl.identity``). The logged-in Mastodon
    account counts as one without being named here."""

    names: tuple[str, ...] = ()  # e.g. ["Alex Rivera"]
    mastodon: tuple[str, ...] = ()  # e.g. ["@alex@edu.social"]
    sites: tuple[str, ...] = ()  # e.g. ["https://alexteaches.blog"]

    def __post_init__(self) -> None:
        for name in ("names", "mastodon", "sites"):
            value = getattr(self, name)
            if isinstance(value, str):
                value = (value,)
            if not isinstance(value, (list, tuple)) or not all(isinstance(v, str) for v in value):
                raise TypeError(f"[me] {name} must be a list of strings")
            object.__setattr__(self, name, tuple(value))


@dataclass(frozen=True)
class Settings:
    home: Path
    config_dir: Path
    data_dir: Path
    db_path: Path
    sync: SyncSettings = field(default_factory=SyncSettings)
    mastodon: MastodonSettings = field(default_factory=MastodonSettings)
    smtp: SmtpSettings = field(default_factory=SmtpSettings)
    me: IdentitySettings = field(default_factory=IdentitySettings)
    question_horizon_days: int = 30
    person_topic_weight: float = 1.0
    quiet_weeks: int = 6

    @property
    def config_file(self) -> Path:
        return self.config_dir / "config.toml"

    @property
    def credentials_dir(self) -> Path:
        return self.config_dir / "credentials"


def _default_dirs(env: dict[str, str]) -> tuple[Path, Path, Path]:
    home = env.get("PLNCTL_HOME")
    if home:
        path = Path(home).expanduser()
        return path, path, path
    import platformdirs

    config_dir = Path(platformdirs.user_config_dir(APP_NAME))
    data_dir = Path(platformdirs.user_data_dir(APP_NAME))
    return data_dir, config_dir, data_dir


def _section(cls: type, raw: Any, name: str) -> Any:
    if raw is None:
        return cls()
    if not isinstance(raw, dict):
        raise ConfigError(f"config: [{name}] must be a table")
    known = {f.name: f for f in fields(cls)}
    unknown = set(raw) - set(known)
    if unknown:
        raise ConfigError(f"config: unknown key(s) in [{name}]: {', '.join(sorted(unknown))}")
    return cls(**raw)


def load_settings(db: str | Path | None = None, env: dict[str, str] | None = None) -> Settings:
    """Read paths from the environment and settings from config.toml (if it exists)."""
    env = dict(os.environ if env is None else env)
    home, config_dir, data_dir = _default_dirs(env)
    db_path = Path(db or env.get("PLNCTL_DB") or data_dir / "plnctl.db").expanduser()
    settings = Settings(home=home, config_dir=config_dir, data_dir=data_dir, db_path=db_path)
    config_file = settings.config_file
    if not config_file.exists():
        return settings
    try:
        raw = tomllib.loads(config_file.read_text(encoding="utf-8"))
    except (OSError, UnicodeDecodeError, tomllib.TOMLDecodeError) as e:
        raise ConfigError(f"cannot read {config_file}") from e
    try:
        return replace(
            settings,
            sync=_section(SyncSettings, raw.get("sync"), "sync"),
            mastodon=_section(MastodonSettings, raw.get("mastodon"), "mastodon"),
            smtp=_section(SmtpSettings, raw.get("smtp"), "smtp"),
            me=_section(IdentitySettings, raw.get("me"), "me"),
            question_horizon_days=int(raw.get("questions", {}).get("horizon_days", 30)),
            person_topic_weight=float(raw.get("topics", {}).get("person_weight", 1.0)),
            quiet_weeks=int(raw.get("insights", {}).get("quiet_weeks", 6)),
        )
    except (TypeError, ValueError) as e:
        raise ConfigError(f"invalid setting in {config_file}") from e


def write_secret(path: Path, content: str) -> None:
    """Write a credentials file readable by the owner only (0600), creating parents 0700."""
    path.parent.mkdir(parents=True, exist_ok=True, mode=0o700)
    fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
    with os.fdopen(fd, "w", encoding="utf-8") as handle:
        handle.write(content)
    os.chmod(path, 0o600)


def read_secret(path: Path) -> str:
    """Read a credentials file, refusing one that others can read."""
    mode = path.stat().st_mode & 0o777
    if mode & 0o077:
        raise ConfigError(f"{path} is readable by others (mode {mode:o}); run: chmod 600 {path}")
    return path.read_text(encoding="utf-8").strip()
