"""Where plnctl keeps its files, and the settings read from config.toml and PLNCTL_* variables.

Resolution order for the database path: ``--db`` > ``PLNCTL_DB`` > ``$PLNCTL_HOME/plnctl.db`` >
the platform's user data dir. ``PLNCTL_HOME`` moves config, credentials and data together.

The schema is the settings dataclasses themselves: every dataclass-typed field of ``Settings``
is a ``[section]`` of config.toml, its fields are the keys, their annotations the types, and
``setting(...)`` declares a range or choices. ``PLNCTL_<SECTION>_<KEY>`` overrides a key. A new
section (a frozen dataclass + a field on ``Settings``) is validated without further code.

A section nothing set (no key in the file or the environment) is made from its defaults when
first read: making each settings class costs start-up time, and most commands read one or two
sections. The sections are ``@frozen`` (plnctl.frozen) for the same reason.
"""

from __future__ import annotations

import os
from collections.abc import Iterator, Mapping
from dataclasses import MISSING, Field, dataclass, field, fields, is_dataclass, replace
from pathlib import Path
from typing import TYPE_CHECKING, Any

from plnctl.errors import ConfigError
from plnctl.frozen import LazyData, frozen

APP_NAME = "plnctl"


def setting(
    default: Any,
    *,
    min: float | None = None,
    max: float | None = None,
    choices: tuple[str, ...] = (),
    secret: bool = False,
) -> Any:
    """A settings field with its allowed values (checked when config.toml is read)."""
    rule = {"min": min, "max": max, "choices": choices, "secret": secret}
    return field(default=default, metadata={"plnctl": rule})


FULL_TEXT_KINDS = ("feed", "substack", "medium", "blogger", "wordpress")


@frozen
class SyncSettings(LazyData):
    concurrency: int = setting(64, min=1, max=1000)  # requests in flight, all hosts together
    per_host: int = setting(4, min=1, max=100)  # requests in flight to one host
    connect_timeout: float = setting(10.0, min=0.1, max=600)
    read_timeout: float = setting(30.0, min=0.1, max=3600)
    deadline: float = setting(60.0, min=0.1, max=3600)
    max_bytes: int = setting(10_000_000, min=1000, max=2_000_000_000)
    max_redirects: int = setting(5, min=0, max=30)
    interval_minutes: int = setting(60, min=1, max=60 * 24 * 30)  # healthy source due again
    lock_wait: float = setting(5.0, min=0, max=86_400)  # seconds a second sync waits
    parse_workers: int = setting(2, min=0, max=64)  # 0: parse in the main process
    # Fetch each new post's article page for its full text (see plnctl.fulltext): "feed" for
    # every feed, or the platforms whose feeds carry excerpts. Never Mastodon or Bluesky.
    full_text: tuple[str, ...] = setting((), choices=FULL_TEXT_KINDS)
    # Fetched bodies waiting for the parser or the writer; at this many bytes new fetches wait.
    backlog_bytes: int = setting(8_000_000, min=0, max=2_000_000_000)


@frozen
class MastodonSettings(LazyData):
    history_depth: int = setting(200, min=0, max=10_000)  # statuses on a first sync
    page_size: int = setting(40, min=1, max=40)


@frozen
class SmtpSettings(LazyData):
    host: str | None = None
    port: int = setting(587, min=1, max=65535)
    security: str = setting("starttls", choices=("starttls", "ssl", "none"))
    user: str | None = None
    password_env: str = "PLNCTL_SMTP_PASSWORD"
    password_file: str | None = None  # must be mode 0600
    sender: str | None = None
    timeout: float = setting(30.0, min=0.1, max=600)


@frozen
class BlueskySettings(LazyData):
    # The public AppView (XRPC, no auth); PLNCTL_BLUESKY_APPVIEW overrides it.
    appview: str = "https://public.api.bsky.app"
    history_depth: int = setting(200, min=0, max=10_000)  # posts on a first sync
    page_size: int = setting(100, min=1, max=100)  # getAuthorFeed's maximum
    # Where `plnctl bluesky login` creates its session and posts go (the PDS or the entryway
    # that fronts it); PLNCTL_BLUESKY_SERVICE overrides it.
    service: str = "https://bsky.social"
    lang: str = "en"  # the language a post is tagged with (BCP-47, e.g. "en-AU"; "" for none)


@frozen
class DisplaySettings(LazyData):
    timezone: str | None = None  # IANA name; unset: TZ, else the system's zone


@frozen
class QuestionsSettings(LazyData):
    horizon_days: int = setting(30, min=1, max=3650)  # stop checking older questions


@frozen
class TopicsSettings(LazyData):
    person_weight: float = setting(1.0, min=0, max=10)


@frozen
class InsightsSettings(LazyData):
    quiet_weeks: int = setting(6, min=1, max=520)


@frozen
class IdentitySettings(LazyData):
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
    bluesky: BlueskySettings = field(default_factory=BlueskySettings)
    display: DisplaySettings = field(default_factory=DisplaySettings)
    me: IdentitySettings = field(default_factory=IdentitySettings)
    questions: QuestionsSettings = field(default_factory=QuestionsSettings)
    topics: TopicsSettings = field(default_factory=TopicsSettings)
    insights: InsightsSettings = field(default_factory=InsightsSettings)

    @property
    def config_file(self) -> Path:
        return self.config_dir / "config.toml"

    @property
    def credentials_dir(self) -> Path:
        return self.config_dir / "credentials"

    @property
    def question_horizon_days(self) -> int:
        return self.questions.horizon_days

    @property
    def person_topic_weight(self) -> float:
        return self.topics.person_weight

    @property
    def quiet_weeks(self) -> int:
        return self.insights.quiet_weeks

    if not TYPE_CHECKING:  # to type checkers every section is a plain field

        def __getattr__(self, name: str) -> Any:
            """A section ``load_settings`` left out (nothing set it): its defaults, made now."""
            factory = sections().get(name)
            if factory is None:
                raise AttributeError(f"{type(self).__name__!r} object has no attribute {name!r}")
            section = factory()
            object.__setattr__(self, name, section)
            return section


# PLNCTL_* variables that are not settings overrides (they would otherwise read as a key).
RESERVED_ENV = frozenset(
    {
        "PLNCTL_HOME",
        "PLNCTL_DB",
        "PLNCTL_MASTODON_TOKEN",
        "PLNCTL_MASTODON_INSTANCE",
        "PLNCTL_SMTP_PASSWORD",
        "PLNCTL_BLUESKY_APP_PASSWORD",
    }
)


def _default_dirs(env: Mapping[str, str]) -> tuple[Path, Path, Path]:
    home = env.get("PLNCTL_HOME")
    if home:
        path = Path(home).expanduser()
        return path, path, path
    from plnctl.userdirs import user_dirs

    config_dir, data_dir = user_dirs(APP_NAME)
    return data_dir, config_dir, data_dir


def default_settings(db: str | Path | None, env: Mapping[str, str]) -> Settings:
    """The paths (from ``db`` and the environment) and default settings; reads no file. Its
    sections are made when first read (``Settings.__getattr__``)."""
    home, config_dir, data_dir = _default_dirs(env)
    db_path = Path(db or env.get("PLNCTL_DB") or data_dir / "plnctl.db").expanduser()
    settings = object.__new__(Settings)  # Settings(...) would make every section
    paths = {"home": home, "config_dir": config_dir, "data_dir": data_dir, "db_path": db_path}
    for name, value in paths.items():
        object.__setattr__(settings, name, value)
    return settings


def load_settings(db: str | Path | None = None, env: Mapping[str, str] | None = None) -> Settings:
    """Paths from the environment, then config.toml (if it exists), then PLNCTL_<SECTION>_<KEY>
    overrides. Any unknown section or key, wrong type or out-of-range value is a ConfigError
    (exit 5) naming the file (or variable), the key and what is allowed."""
    env = os.environ if env is None else env
    settings = default_settings(db, env)
    raw = read_config_file(settings.config_file)
    changes: dict[str, Any] = {}
    smtp = raw.get("smtp")
    own_password = smtp.get("password_env") if isinstance(smtp, dict) else None
    skip = RESERVED_ENV | {str(own_password or "")}  # the variable holding the SMTP password
    for name, cls in sections().items():
        values = dict(_file_section(raw, name, cls, settings.config_file))
        values.update(_env_section(env, name, cls, skip))
        if values:
            changes[name] = replace(getattr(settings, name), **values)
    for name, section in changes.items():  # a new object, not yet shared: set in place
        object.__setattr__(settings, name, section)
    return settings


def read_config_file(path: Path) -> dict[str, Any]:
    """The parsed TOML (empty when there is no file); unknown sections are an error."""
    if not path.exists():
        return {}
    import tomllib  # here: most runs have no config file

    try:
        raw = tomllib.loads(path.read_text(encoding="utf-8"))
    except (OSError, UnicodeDecodeError) as e:
        raise ConfigError(f"cannot read {path}: {getattr(e, 'strerror', None) or e}") from None
    except tomllib.TOMLDecodeError as e:
        raise ConfigError(f"{path} is not valid TOML: {e}") from None
    known = ", ".join(f"[{s}]" for s in sections())
    for name in sorted(set(raw) - set(sections())):
        if not isinstance(raw[name], dict):  # a key above every [section]
            raise ConfigError(
                f"{path}: {name!r} is outside any section; settings go under one of: {known}"
            )
        raise ConfigError(f"{path}: unknown section [{name}]; known sections: {known}")
    return raw


def sections() -> dict[str, type]:
    """``Settings`` fields that are sections: name -> settings dataclass."""
    return {
        f.name: f.default_factory  # type: ignore[misc]
        for f in fields(Settings)
        if f.default_factory is not MISSING and _is_section(f.default_factory)
    }


def _is_section(factory: Any) -> bool:
    """A settings class (a ``@frozen`` one is not made by asking)."""
    return isinstance(factory, type) and (issubclass(factory, LazyData) or is_dataclass(factory))


def _file_section(
    raw: dict[str, Any], name: str, cls: type, path: Path
) -> Iterator[tuple[str, Any]]:
    table = raw.get(name)
    if table is None:
        return
    if not isinstance(table, dict):
        raise ConfigError(f"{path}: [{name}] must be a table of settings, not a {_kind(table)}")
    known = _fields(cls)
    for key, value in table.items():
        if key not in known:
            raise ConfigError(
                f"{path}: unknown key {key!r} in [{name}]; known keys: {', '.join(known)}"
            )
        yield key, _checked(known[key], value, where=f"{path}: [{name}] {key}")


def _env_section(
    env: Mapping[str, str], name: str, cls: type, skip: frozenset[str]
) -> Iterator[tuple[str, Any]]:
    prefix = f"PLNCTL_{name.upper()}_"
    for variable, text in env.items():
        if not variable.startswith(prefix) or variable in skip:
            continue
        known = _fields(cls)
        key = variable[len(prefix) :].lower()
        if key not in known:
            raise ConfigError(
                f"environment variable {variable}: no key {key!r} in [{name}]; "
                f"known keys: {', '.join(known)}"
            )
        where = f"environment variable {variable} ([{name}] {key})"
        yield key, _checked(known[key], _from_text(known[key], text), where=where)


def _fields(cls: type) -> dict[str, Field[Any]]:
    return {f.name: f for f in fields(cls)}


TYPES: dict[str, tuple[type, ...]] = {
    "int": (int,),
    "float": (int, float),
    "str": (str,),
    "bool": (bool,),
}


LISTS = ("list[str]", "tuple[str,...]")


def _type_name(f: Field[Any]) -> tuple[str, bool]:
    """('int' | 'float' | 'str' | 'bool', optional) from the annotation (a string here)."""
    text = str(f.type).replace(" ", "")
    optional = text.endswith("|None")
    return text.removesuffix("|None"), optional


def _checked(f: Field[Any], value: Any, *, where: str) -> Any:
    type_name, optional = _type_name(f)
    rule = f.metadata.get("plnctl", {})
    allowed = describe_allowed(f)
    ok_types = TYPES.get(type_name, (object,))
    if value is None and optional:
        return None
    if type_name in LISTS:
        choices = rule.get("choices") or ()
        if not isinstance(value, list) or not all(
            isinstance(v, str) and (not choices or v in choices) for v in value
        ):
            raise ConfigError(f"{where} = {_show(value)} is not allowed: {allowed}")
        return tuple(value) if type_name.startswith("tuple") else list(value)
    if (isinstance(value, bool) and type_name != "bool") or not isinstance(value, ok_types):
        raise ConfigError(f"{where} = {_show(value)} is not allowed: {allowed}")
    low, high = rule.get("min"), rule.get("max")
    if (low is not None and value < low) or (high is not None and value > high):
        raise ConfigError(f"{where} = {_show(value)} is out of range: {allowed}")
    choices = rule.get("choices") or ()
    if choices and value not in choices:
        raise ConfigError(f"{where} = {_show(value)} is not allowed: {allowed}")
    return float(value) if type_name == "float" else value  # type: ignore[arg-type]


def describe_allowed(f: Field[Any]) -> str:
    """What a key accepts, in words: 'an integer from 1 to 1000', 'one of "a", "b"'."""
    type_name, optional = _type_name(f)
    rule = f.metadata.get("plnctl", {})
    noun = {"int": "an integer", "float": "a number", "str": "a string", "bool": "true or false"}
    noun.update(dict.fromkeys(LISTS, "a list of strings"))
    text = noun.get(type_name, type_name)
    if rule.get("choices"):
        listed = ", ".join(f'"{c}"' for c in rule["choices"])
        text = f"a list of any of {listed}" if type_name in LISTS else f"one of {listed}"
    low, high = rule.get("min"), rule.get("max")
    if low is not None and high is not None:
        text += f" from {number(low)} to {number(high)}"
    elif low is not None:
        text += f" of at least {number(low)}"
    return text + (" (or leave it out)" if optional else "")


def number(value: float) -> str:
    """1000, 0.1, 2000000000: as a person writes it in a config file (never 2e+09)."""
    return str(int(value)) if float(value).is_integer() else f"{value:g}"


def _from_text(f: Field[Any], text: str) -> Any:
    """An environment variable's text as the key's type (left as text when it does not fit, so
    the check reports it)."""
    type_name, _ = _type_name(f)
    if type_name in LISTS:  # PLNCTL_SYNC_FULL_TEXT=substack,medium
        return [item.strip() for item in text.split(",") if item.strip()]
    try:
        if type_name == "int":
            return int(text)
        if type_name == "float":
            return float(text)
    except ValueError:
        return text
    if type_name == "bool":
        lowered = text.strip().lower()
        return {"true": True, "1": True, "yes": True, "false": False, "0": False, "no": False}.get(
            lowered, text
        )
    return text


def _show(value: Any) -> str:
    if isinstance(value, str):
        return f'"{value}"' if len(value) <= 40 else f'"{value[:40]}..."'
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, int | float):
        return repr(value)
    return f"a {_kind(value)}"


def _kind(value: Any) -> str:
    return {
        dict: "table",
        list: "list",
        str: "string",
        int: "integer",
        float: "number",
        bool: "boolean",
    }.get(type(value), type(value).__name__)


def effective(settings: Settings) -> dict[str, dict[str, Any]]:
    """Every section's values (defaults + file + environment), secrets masked."""
    result: dict[str, dict[str, Any]] = {}
    for name in sections():
        section = getattr(settings, name)
        values: dict[str, Any] = {}
        for f in fields(section):
            value = getattr(section, f.name)
            if f.metadata.get("plnctl", {}).get("secret") and value:
                value = "********"
            values[f.name] = value
        result[name] = values
    return result


def write_secret(path: Path, content: str) -> None:
    """Write a credentials file readable by the owner only (0600 from its first byte), through
    a temporary file and a rename: a failed write leaves the old file, never an empty one.
    Parents are created 0700."""
    from plnctl.files import write_atomic

    try:
        path.parent.mkdir(parents=True, exist_ok=True, mode=0o700)
    except OSError as e:
        raise ConfigError(f"cannot create {path.parent}: {e.strerror or e}") from None
    write_atomic(path, content, secret=True, error=ConfigError)


def read_secret(path: Path) -> str:
    """Read a credentials file, refusing one that others can read."""
    mode = path.stat().st_mode & 0o777
    if mode & 0o077:
        raise ConfigError(f"{path} is readable by others (mode {mode:o}); run: chmod 600 {path}")
    return path.read_text(encoding="utf-8").strip()
