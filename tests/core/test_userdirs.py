"""plnctl.userdirs gives the directories platformdirs gives (it replaced it on Linux and macOS
for start-up time), in every environment a user may have."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pytest
from platformdirs.macos import MacOS
from platformdirs.unix import Unix

from plnctl.errors import ConfigError
from plnctl.userdirs import user_dirs

ENVIRONMENTS = [
    {},
    {"XDG_CONFIG_HOME": "/srv/conf", "XDG_DATA_HOME": "/srv/data/"},
    {"XDG_CONFIG_HOME": "relative/conf", "XDG_DATA_HOME": ""},
    {"XDG_CONFIG_HOME": "~/conf", "XDG_DATA_HOME": "  "},
    {"HOME": "/home/ada/"},
    {"HOME": "relative-home"},
    {"HOME": ""},
    {"HOME": "/"},
    {"HOME": None},
    {"HOME": "/home/ada", "XDG_DATA_HOME": "/data//plnctl-root"},
]


@pytest.fixture
def environment(monkeypatch: pytest.MonkeyPatch, request: pytest.FixtureRequest) -> dict:
    for name in ("XDG_CONFIG_HOME", "XDG_DATA_HOME"):
        monkeypatch.delenv(name, raising=False)
    for name, value in request.param.items():
        if value is None:
            monkeypatch.delenv(name, raising=False)
        else:
            monkeypatch.setenv(name, value)
    return request.param


@pytest.mark.parametrize("environment", ENVIRONMENTS, indirect=True, ids=str)
@pytest.mark.parametrize("platform, theirs", [("linux", Unix), ("darwin", MacOS)])
def test_the_same_directories_as_platformdirs(
    environment: dict, platform: str, theirs: type
) -> None:
    expected = theirs(appname="plnctl")
    assert user_dirs("plnctl", platform=platform) == (
        Path(expected.user_config_dir),
        Path(expected.user_data_dir),
    )


def test_the_paths_a_linux_user_sees(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("HOME", "/home/ada")
    monkeypatch.delenv("XDG_CONFIG_HOME", raising=False)
    monkeypatch.setenv("XDG_DATA_HOME", "/mnt/data")
    assert user_dirs("plnctl", platform="linux") == (
        Path("/home/ada/.config/plnctl"),
        Path("/mnt/data/plnctl"),
    )
    monkeypatch.delenv("XDG_DATA_HOME")
    assert user_dirs("plnctl", platform="darwin") == (
        Path("/home/ada/Library/Application Support/plnctl"),
        Path("/home/ada/Library/Application Support/plnctl"),
    )


def test_no_home_directory_is_a_config_error(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("HOME", "relative")
    monkeypatch.delenv("XDG_CONFIG_HOME", raising=False)
    import pwd

    def missing(uid: int) -> None:
        raise KeyError(uid)

    monkeypatch.setattr(pwd, "getpwuid", missing)
    with pytest.raises(ConfigError, match="home directory"):
        user_dirs("plnctl", platform="linux")


def test_the_default_database_path_imports_no_platformdirs(tmp_path: Path) -> None:
    env = {k: v for k, v in os.environ.items() if not k.startswith(("PLNCTL_", "XDG_"))}
    code = (
        "import sys\n"
        "from plnctl.config import load_settings\n"
        "s = load_settings()\n"
        "print(s.db_path, s.config_file)\n"
        "assert 'platformdirs' not in sys.modules\n"
    )
    out = subprocess.run(
        [sys.executable, "-c", code],
        env={**env, "HOME": str(tmp_path)},
        capture_output=True,
        text=True,
    )
    assert out.returncode == 0, out.stderr
    assert out.stdout.split() == [
        str(tmp_path / ".local/share/plnctl/plnctl.db"),
        str(tmp_path / ".config/plnctl/config.toml"),
    ]
