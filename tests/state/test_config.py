"""config.toml has a schema: unknown sections and keys, wrong types and out-of-range values are
one-line errors (exit 5) naming the file, the key and what is allowed; `plnctl config`."""

from __future__ import annotations

import json
import re
import subprocess
import sys
import tomllib
from dataclasses import dataclass, field
from pathlib import Path

import pytest

from plnctl import config
from plnctl.config import Settings, load_settings, setting
from plnctl.errors import ConfigError
from tests.conftest import Cli

ROOT = Path(__file__).resolve().parents[2]


def _write(home: Path, text: str) -> Path:
    path = home / "config.toml"
    path.write_text(text, encoding="utf-8")
    return path


@pytest.mark.parametrize(
    ("text", "names"),
    [
        ("[smpt]\nhost = 'mail.example.org'\n", ["[smpt]", "[smtp]"]),
        ("[smtp]\nhots = 'mail.example.org'\n", ["'hots'", "[smtp]", "host"]),
        ('[sync]\nconcurrency = "x"\n', ["[sync] concurrency", '"x"', "an integer from 1"]),
        ('[sync]\nlock_wait = "x"\n', ["[sync] lock_wait", "a number from 0"]),
        ("questions = 5\n", ["[questions]", "must be a table"]),
        ("concurrency = 4\n[sync]\n", ["'concurrency' is outside any section", "[sync]"]),
        ("[sync]\nconcurrency = 0\n", ["[sync] concurrency", "= 0", "out of range", "1 to 1000"]),
        ("[sync]\nconcurrency = true\n", ["[sync] concurrency", "true"]),
        ("[smtp]\nsecurity = 'tls'\n", ["[smtp] security", '"starttls", "ssl", "none"']),
        ("[smtp]\nport = 70000\n", ["[smtp] port", "1 to 65535"]),
        ("[sync\nconcurrency = 1\n", ["not valid TOML"]),
    ],
)
def test_bad_config_is_exit_5_naming_file_key_and_what_is_allowed(
    cli: Cli, isolated_home: Path, text: str, names: list[str]
) -> None:
    path = _write(isolated_home, text)
    for command in (["person", "list"], ["config", "check"]):
        result = cli(*command)
        assert result.exit_code == 5, result.stderr
        lines = result.stderr.strip().splitlines()
        assert len(lines) == 1 and lines[0].startswith("Error: "), result.stderr
        assert str(path) in lines[0]
        for name in names:
            assert name in lines[0], (name, lines[0])
        assert "Traceback" not in result.stderr


def test_concurrency_zero_no_longer_hangs_sync(isolated_home: Path, feed_server) -> None:  # type: ignore[no-untyped-def]
    """Today's hang: sync with [sync] concurrency = 0 held the sync lock forever."""
    _write(isolated_home, "[sync]\nconcurrency = 0\n")
    done = subprocess.run(
        [sys.executable, "-m", "plnctl", "sync"],
        capture_output=True,
        text=True,
        timeout=60,
    )
    assert done.returncode == 5 and "concurrency" in done.stderr


def test_valid_file_and_environment_overrides(isolated_home: Path) -> None:
    _write(isolated_home, "[sync]\nconcurrency = 3\nlock_wait = 1\n[insights]\nquiet_weeks = 9\n")
    env = {"PLNCTL_HOME": str(isolated_home), "PLNCTL_SYNC_CONCURRENCY": "7"}
    settings = load_settings(env=env)
    assert settings.sync.concurrency == 7  # the environment wins over the file
    assert settings.sync.lock_wait == 1.0 and isinstance(settings.sync.lock_wait, float)
    assert settings.quiet_weeks == 9 and settings.insights.quiet_weeks == 9
    # Variables that are not settings are left alone (tokens, paths, the SMTP password).
    env |= {"PLNCTL_SMTP_PASSWORD": "s", "PLNCTL_MASTODON_TOKEN": "t", "PLNCTL_DB": "x.db"}
    assert load_settings(env=env).sync.concurrency == 7
    _write(isolated_home, '[smtp]\npassword_env = "PLNCTL_SMTP_PASS"\n')
    assert (
        load_settings(env=env | {"PLNCTL_SMTP_PASS": "s"}).smtp.password_env == "PLNCTL_SMTP_PASS"
    )


@pytest.mark.parametrize(
    ("variable", "value", "expected"),
    [
        ("PLNCTL_SYNC_CONCURRENCY", "0", "out of range"),
        ("PLNCTL_SYNC_CONCURRENCY", "many", "an integer"),
        ("PLNCTL_SYNC_CONCURENCY", "4", "no key 'concurency'"),
        ("PLNCTL_SMTP_SECURITY", "tls", '"starttls"'),
    ],
)
def test_bad_environment_override_names_the_variable(
    isolated_home: Path, variable: str, value: str, expected: str
) -> None:
    env = {"PLNCTL_HOME": str(isolated_home), variable: value}
    with pytest.raises(ConfigError) as raised:
        load_settings(env=env)
    assert variable in str(raised.value) and expected in str(raised.value)


def test_a_section_added_later_is_validated_without_extra_code(
    isolated_home: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    @dataclass(frozen=True)
    class DisplaySettings:
        timezone: str | None = None
        week_starts: str = setting("monday", choices=("monday", "sunday"))

    @dataclass(frozen=True)
    class Extended(Settings):
        display: DisplaySettings = field(default_factory=DisplaySettings)

    monkeypatch.setattr(config, "Settings", Extended)
    _write(isolated_home, '[display]\ntimezone = "Australia/Sydney"\n')
    assert load_settings().display.timezone == "Australia/Sydney"  # type: ignore[attr-defined]
    for text, expected in [
        ("[display]\ntimezone = 10\n", "[display] timezone = 10 is not allowed: a string"),
        ('[display]\nweek_starts = "friday"\n', '"monday", "sunday"'),
        ("[display]\ntz = 1\n", "unknown key 'tz' in [display]"),
    ]:
        _write(isolated_home, text)
        with pytest.raises(ConfigError, match=re.escape(expected)):
            load_settings()
    monkeypatch.setenv("PLNCTL_DISPLAY_WEEK_STARTS", "sunday")
    _write(isolated_home, "")
    assert load_settings().display.week_starts == "sunday"  # type: ignore[attr-defined]


def test_the_guide_configuration_example_is_valid_and_complete(isolated_home: Path) -> None:
    guide = (ROOT / "docs" / "guide.md").read_text(encoding="utf-8")
    section = guide.split("## Configuration", 1)[1].split("\n## ", 1)[0]
    block = section.split("```toml\n", 1)[1].split("```", 1)[0]
    documented = tomllib.loads(block)
    _write(isolated_home, block)
    load_settings()  # the example itself passes the schema
    for name, cls in config.sections().items():
        assert name in documented, f"[{name}] is not in the guide's example"
        lines = block.split(f"[{name}]", 1)[1].split("\n[", 1)[0].splitlines()
        for key, f in config._fields(cls).items():
            line = next((x for x in lines if x.lstrip("# ").startswith(f"{key} =")), None)
            assert line is not None, f"[{name}] {key} is not in the guide's example"
            rule = f.metadata.get("plnctl", {})
            if rule.get("max") is not None:  # the range the guide states is the schema's
                assert f"({config.number(rule['min'])}-{config.number(rule['max'])})" in line
            for choice in rule.get("choices", ()):
                assert f'"{choice}"' in line, line


def test_help_reads_no_config(cli: Cli, isolated_home: Path) -> None:
    _write(isolated_home, "[smpt]\nbroken = \n")
    for args in (["--help"], ["person", "--help"], ["config", "--help"], ["sync", "--help"]):
        result = cli(*args)
        assert result.exit_code == 0, result.stderr
    code = (
        "import sys\n"
        "from typer.testing import CliRunner\n"
        "from plnctl.cli.app import app\n"
        "CliRunner().invoke(app, ['--help'])\n"
        "print('tomllib' in sys.modules, 'plnctl.api' in sys.modules)\n"
    )
    done = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert done.stdout.split() == ["False", "False"]


def test_config_path_names_each_place_and_what_chose_it(
    cli: Cli, isolated_home: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    rows = {r["what"]: r for r in cli("config", "path", "--json").json()}  # type: ignore[union-attr]
    assert rows["database"]["path"] == str(isolated_home / "plnctl.db")
    assert rows["database"]["chosen_by"] == "PLNCTL_HOME"
    assert rows["config file"]["path"] == str(isolated_home / "config.toml")
    assert rows["credentials"]["path"] == str(isolated_home / "credentials")
    assert rows["data"]["path"] == str(isolated_home)
    other = tmp_path / "other.db"
    rows = {r["what"]: r for r in cli("--db", str(other), "config", "path", "--json").json()}  # type: ignore[union-attr]
    assert rows["database"] == {
        "what": "database", "path": str(other), "chosen_by": "--db", "exists": False,
    }  # fmt: skip
    monkeypatch.setenv("PLNCTL_DB", str(other))
    rows = {r["what"]: r for r in cli("config", "path", "--json").json()}  # type: ignore[union-attr]
    assert rows["database"]["chosen_by"] == "PLNCTL_DB"
    text = cli("config", "path")
    assert text.exit_code == 0 and str(other) in text.stdout
    assert not other.exists()  # asking where the database is does not create it


def test_config_show_is_the_effective_settings_with_secrets_masked(
    cli: Cli, isolated_home: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    _write(isolated_home, '[smtp]\nhost = "mail.example.org"\nuser = "me@example.org"\n')
    monkeypatch.setenv("PLNCTL_SMTP_PASSWORD", "hunter2-secret")
    monkeypatch.setenv("PLNCTL_MASTODON_TOKEN", "tok-secret")
    monkeypatch.setenv("PLNCTL_SYNC_PER_HOST", "2")
    result = cli("config", "show", "--json")
    assert result.exit_code == 0, result.stderr
    data = result.json()
    assert data["smtp"]["host"] == "mail.example.org"  # type: ignore[index]
    assert data["sync"]["per_host"] == 2 and data["sync"]["concurrency"] == 64  # type: ignore[index]
    assert "PLNCTL_SMTP_PASSWORD" in data["secrets"]["smtp.password"]  # type: ignore[index]
    text = cli("config", "show")
    for shown in (result.stdout, text.stdout, text.stderr):
        assert "hunter2" not in shown and "tok-secret" not in shown
    assert "[smtp]" in text.stdout and 'host = "mail.example.org"' in text.stdout
    tomllib.loads(text.stdout)  # the text form is valid TOML (a config file to start from)
    assert not (isolated_home / "plnctl.db").exists()


def test_config_check_ok_and_missing(cli: Cli, isolated_home: Path) -> None:
    missing = cli("config", "check")
    assert missing.exit_code == 0 and "defaults apply" in missing.stderr
    _write(isolated_home, "[sync]\nconcurrency = 4\n")
    good = cli("config", "check")
    assert good.exit_code == 0 and "OK" in good.stderr
    assert cli("config", "check", "--json").json() == {
        "path": str(isolated_home / "config.toml"), "exists": True, "ok": True,
    }  # fmt: skip


def test_a_section_nothing_set_is_made_when_first_read(
    isolated_home: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    _write(isolated_home, "[sync]\nconcurrency = 8\n")
    monkeypatch.setenv("PLNCTL_SMTP_PORT", "2525")
    settings = load_settings()
    assert set(vars(settings)) == {"home", "config_dir", "data_dir", "db_path", "sync", "smtp"}
    assert settings.sync.concurrency == 8 and settings.smtp.port == 2525
    assert settings.display == config.DisplaySettings()  # read: its defaults
    assert settings.question_horizon_days == 30 and settings.me.names == ()
    assert settings == load_settings() and repr(settings) == repr(load_settings())
    code = (
        "import json, plnctl.config as c, plnctl.frozen as f\n"
        "s = c.load_settings(); s.display\n"
        "print(json.dumps(sorted(k.__name__ for k in f._PENDING if k.__module__ == c.__name__)))"
    )
    env = {"PLNCTL_HOME": str(isolated_home), "PATH": "/usr/bin:/bin"}
    out = subprocess.run([sys.executable, "-c", code], env=env, capture_output=True, text=True)
    assert out.returncode == 0, out.stderr
    unmade = set(json.loads(out.stdout))
    # a command that reads [display] makes [display] and what was set, nothing else
    assert unmade == {cls.__name__ for cls in config.sections().values()} - {
        "DisplaySettings", "SyncSettings"
    }  # fmt: skip
