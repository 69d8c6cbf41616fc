"""Secrets and exports are written through one helper: temp file in the same directory, fsync,
rename. A failed write (here a real one: the file-size limit, as on a full disk) leaves the
old file intact and no temporary file; secrets are 0600 from their first byte."""

from __future__ import annotations

import json
import os
import stat
import subprocess
import sys
from pathlib import Path

import pytest

from plnctl.config import read_secret, write_secret
from tests.conftest import Cli

# Runs CODE with a file-size limit (4 KB by default) set *after* the setup lines
# (RLIMIT_FSIZE: a write past it fails with EFBIG, like a full disk or a quota), SIGXFSZ ignored.
LIMITED = """
import resource, signal, sys, json
signal.signal(signal.SIGXFSZ, signal.SIG_IGN)
{setup}
resource.setrlimit(resource.RLIMIT_FSIZE, ({limit}, {limit}))
from plnctl.errors import PlnError
try:
{code}
except PlnError as e:
    print(json.dumps({{"error": str(e), "exit": int(e.exit_code)}}))
else:
    print(json.dumps({{"error": None}}))
"""


def _run_limited(setup: str, code: str, home: Path, *, limit: int = 4096) -> dict[str, object]:
    body = "\n".join("    " + line for line in code.strip().splitlines())
    script = LIMITED.format(setup=setup.strip(), code=body, limit=limit)
    env = {**os.environ, "PLNCTL_HOME": str(home)}
    done = subprocess.run(
        [sys.executable, "-c", script], capture_output=True, text=True, env=env, timeout=60
    )
    assert done.returncode == 0, done.stderr
    return json.loads(done.stdout.strip().splitlines()[-1])  # type: ignore[no-any-return]


def _leftovers(directory: Path) -> list[str]:
    return sorted(p.name for p in directory.iterdir() if p.name.endswith(".tmp"))


def test_a_failed_credentials_write_keeps_the_old_token(isolated_home: Path) -> None:
    """What `mastodon login` does after the OAuth exchange (mastodon_auth._save): before, the
    file was truncated in place, so a failed write lost the token and the app registration."""
    setup = (
        "from plnctl.config import load_settings\n"
        "from plnctl import mastodon_auth\n"
        "settings = load_settings()\n"
        "mastodon_auth._save(settings, {'current': 'a.example', 'instances': "
        "{'a.example': {'token': 'OLD-TOKEN', 'client_id': 'app'}}})\n"
    )
    big = {"current": "b.example", "instances": {"b.example": {"token": "x" * 20_000}}}
    result = _run_limited(setup, f"mastodon_auth._save(settings, {big!r})", isolated_home)
    assert result["error"] and "mastodon.json" in str(result["error"])
    assert result["exit"] == 5 and "x" * 50 not in str(result["error"])
    path = isolated_home / "credentials" / "mastodon.json"
    data = json.loads(read_secret(path))
    assert data["instances"]["a.example"]["token"] == "OLD-TOKEN"
    assert stat.S_IMODE(path.stat().st_mode) == 0o600
    assert _leftovers(path.parent) == []


def test_secrets_are_0600_before_their_first_byte(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    modes: list[int] = []
    real_fsync = os.fsync

    def spy(fd: int) -> None:  # the moment the token's bytes are in the file
        if stat.S_ISREG(os.fstat(fd).st_mode):
            modes.append(stat.S_IMODE(os.fstat(fd).st_mode))
        real_fsync(fd)

    monkeypatch.setattr(os, "fsync", spy)
    old = os.umask(0)  # a careless umask must not make the token readable by others
    try:
        write_secret(tmp_path / "creds" / "token.json", '{"token": "t"}')
    finally:
        os.umask(old)
    assert modes == [0o600]
    assert stat.S_IMODE((tmp_path / "creds" / "token.json").stat().st_mode) == 0o600
    assert stat.S_IMODE((tmp_path / "creds").stat().st_mode) == 0o700


def test_failed_exports_leave_the_old_files(cli: Cli, isolated_home: Path, tmp_path: Path) -> None:
    for i in range(60):  # an OPML well over the 4 KB limit
        cli("person", "add", f"Person {i:02d} with a long name", "--feed",
            f"http://127.0.0.1:9/{i}/feed.xml", "--no-check")  # fmt: skip
    out = tmp_path / "out"
    out.mkdir()
    for name in ("pln.opml", "reading.html", "digest.html"):
        (out / name).write_text(f"old {name}\n")
    setup = (
        "from pathlib import Path\n"
        "from plnctl.api import open_pln\n"
        "from plnctl.api.transfer import export_opml, write_export\n"
        "pln = open_pln()\n"
        "opml = export_opml(pln)\n"
        f"out = Path({str(out)!r})\n"
    )
    calls = {  # export opml; export reading-list; digest -o (1 KB + a week's chart and people)
        "pln.opml": "write_export(out / 'pln.opml', opml)",
        "reading.html": "pln.share.export_reading_list('bookmarks', saved=False, "
        "output=out / 'reading.html')",
        "digest.html": "pln.share.digest(since='7d', fmt='html', output=out / 'digest.html')",
    }
    for name, code in calls.items():
        result = _run_limited(setup, code, isolated_home, limit=4096 if "opml" in name else 300)
        assert result["exit"] == 7 and name in str(result["error"]), result
        assert "left as it was" in str(result["error"])
        assert (out / name).read_text() == f"old {name}\n"
    assert _leftovers(out) == []


@pytest.mark.parametrize("target", ["missing/dir/pln.opml", "."])
def test_export_into_a_missing_directory_or_onto_a_directory(
    cli: Cli, tmp_path: Path, target: str
) -> None:
    cli("person", "add", "Ada", "--feed", "http://127.0.0.1:9/feed.xml", "--no-check")
    result = cli("export", "opml", "-o", str(tmp_path / target))
    assert result.exit_code == 7, result.stderr
    assert result.stderr.count("\n") == 1 and result.stderr.startswith("Error: cannot write")
    assert not (tmp_path / "missing").exists()
    assert _leftovers(tmp_path) == []


def test_export_writes_and_replaces(cli: Cli, tmp_path: Path) -> None:
    cli("person", "add", "Ada", "--feed", "http://127.0.0.1:9/feed.xml", "--no-check")
    target = tmp_path / "pln.opml"
    target.write_text("old")
    result = cli("export", "opml", "-o", str(target))
    assert result.exit_code == 0 and "Wrote" in result.stderr
    assert "http://127.0.0.1:9/feed.xml" in target.read_text()
    assert _leftovers(tmp_path) == []
