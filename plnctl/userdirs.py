"""The user's config and data directories, by platformdirs' rules, without importing it on
Linux (and other Unix) and macOS: it costs ~4 ms of every start-up for two paths.
platformdirs answers on Windows, Android and iOS. tests/core/test_userdirs.py compares
both across environments (XDG variables set, relative, empty; HOME relative or unset)."""

from __future__ import annotations

import os
import posixpath
import sys
from pathlib import Path

from plnctl.errors import ConfigError

MACOS_BASE = "~/Library/Application Support"  # both config and data on macOS
UNIX_BASE = {"XDG_CONFIG_HOME": "~/.config", "XDG_DATA_HOME": "~/.local/share"}


def user_dirs(app: str, *, platform: str = sys.platform) -> tuple[Path, Path]:
    """(config dir, data dir) of ``app``: ``platformdirs.user_config_dir(app)`` and
    ``user_data_dir(app)``. An absolute ``$XDG_CONFIG_HOME`` / ``$XDG_DATA_HOME`` wins (on
    macOS too), else ``~/.config`` and ``~/.local/share``, on macOS
    ``~/Library/Application Support`` for both."""
    if platform in ("win32", "ios", "android") or _android():
        import platformdirs

        return Path(platformdirs.user_config_dir(app)), Path(platformdirs.user_data_dir(app))
    found = []
    for variable, unix_base in UNIX_BASE.items():
        value = os.environ.get(variable, "")
        if not posixpath.isabs(value):  # unset, empty or relative: ignored, as XDG says
            value = _expand_home(MACOS_BASE if platform == "darwin" else unix_base)
        found.append(Path(value, app))
    return found[0], found[1]


def _android() -> bool:
    """Where platformdirs may take Python for an Android app (it then decides)."""
    env = os.environ
    return hasattr(sys, "getandroidapilevel") or (
        env.get("ANDROID_DATA") == "/data" and env.get("ANDROID_ROOT") == "/system"
    )


def _expand_home(path: str) -> str:
    """``~/...`` under the home directory; a relative ``HOME`` counts as unset (the account's
    home from the password database), as platformdirs does."""
    home = os.environ.get("HOME")
    if home is not None and not posixpath.isabs(home):
        try:
            import pwd

            expanded = pwd.getpwuid(os.getuid()).pw_dir.rstrip("/") + path[1:] or "/"
        except (ImportError, KeyError):
            expanded = path
    else:
        expanded = os.path.expanduser(path)
    if not posixpath.isabs(expanded):
        raise ConfigError(
            f"cannot find your home directory for {path}; set HOME (or PLNCTL_HOME) to an "
            "absolute path"
        )
    return expanded
