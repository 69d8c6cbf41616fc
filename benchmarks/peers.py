"""The tools raced in the sync benchmark: plnctl itself and its peers, reader and newsboat.

Each peer works in its own fresh directory (database, config, HOME) and exposes:

- ``check()``: ``None`` when usable, else why it is skipped (missing, or a preflight sync against
  the real server failed);
- ``setup(d, srv)``: untimed, subscribe to every feed of the server;
- ``sync_cmd(d, scenario)``: the command timed for one sync (``scenario`` is ``cold``,
  ``unchanged`` or ``incremental``), plus its environment;
- ``count(d)``: entries the tool stored (rows in its own database).
"""

from __future__ import annotations

import os
import shutil
import sqlite3
import subprocess
import sys
from pathlib import Path

import feedgen
from harness import BIN, HERE, measure, temp_dir

SETUP_TIMEOUT = 300.0


class SetupError(RuntimeError):
    pass


def isolated_env(d: Path) -> dict[str, str]:
    """A temp HOME and XDG dirs, so no tool reads or writes the user's real config or data."""
    home = d / "home"
    env = dict(os.environ)
    env.update(
        HOME=str(home),
        XDG_CONFIG_HOME=str(home / ".config"),
        XDG_DATA_HOME=str(home / ".local" / "share"),
        XDG_CACHE_HOME=str(home / ".cache"),
        XDG_STATE_HOME=str(home / ".local" / "state"),
        LANG="C.UTF-8",
        LC_ALL="C.UTF-8",
    )
    for k in ("PLNCTL_DB", "http_proxy", "https_proxy", "HTTP_PROXY", "HTTPS_PROXY"):
        env.pop(k, None)
    env["NO_PROXY"] = env["no_proxy"] = "127.0.0.1,localhost"
    for sub in (".config", ".local/share", ".cache", ".local/state"):
        (home / sub).mkdir(parents=True, exist_ok=True)
    return env


def count_rows(db: Path, table: str) -> int:
    if not db.exists():
        return 0
    con = sqlite3.connect(f"file:{db}?mode=ro", uri=True)
    try:
        return con.execute(f"SELECT count(*) FROM {table}").fetchone()[0]
    except sqlite3.OperationalError:
        return 0
    finally:
        con.close()


def write_urls(d: Path, srv) -> Path:
    path = d / "urls.txt"
    path.write_text("\n".join(srv.urls()) + "\n", encoding="utf-8")
    return path


class Peer:
    name = "?"
    table = "?"
    db_name = "?"

    def check(self) -> str | None:
        return None

    def version(self) -> str:
        return "?"

    def setup(self, d: Path, srv) -> None:
        raise NotImplementedError

    def sync_cmd(self, d: Path, scenario: str) -> tuple[list[str], dict[str, str]]:
        raise NotImplementedError

    def count(self, d: Path) -> int:
        return count_rows(d / self.db_name, self.table)

    def describe(self) -> str:
        """How it is run, for the report."""
        return ""


class Reader(Peer):
    name = "reader"
    table = "entries"
    db_name = "reader.sqlite"
    workers = 16

    def _python(self) -> list[str]:
        return [sys.executable, str(HERE / "peer_reader.py")]

    def check(self) -> str | None:
        r = subprocess.run(
            [sys.executable, "-c", "import reader, sgmllib"], capture_output=True, text=True
        )
        if r.returncode:
            last = (r.stderr.strip().splitlines() or ["?"])[-1]
            return f"`reader` not importable ({last}); `pip install reader sgmllib3k`"
        return None

    def version(self) -> str:
        r = subprocess.run(
            [sys.executable, "-c", "import reader; print(reader.__version__)"],
            capture_output=True,
            text=True,
        )
        return r.stdout.strip() or "?"

    def setup(self, d: Path, srv) -> None:
        urls = write_urls(d, srv)
        env = isolated_env(d)
        m = measure(
            [*self._python(), d / self.db_name, urls, self.workers, "--add-only"],
            env=env,
            timeout=SETUP_TIMEOUT,
        )
        if not m.ok:
            raise SetupError(f"reader add feeds: {m.error_tail()}")

    def sync_cmd(self, d: Path, scenario: str) -> tuple[list[str], dict[str, str]]:
        cmd = [*self._python(), str(d / self.db_name), str(d / "urls.txt"), str(self.workers)]
        return [*cmd, "--skip-add"], isolated_env(d)

    def describe(self) -> str:
        return (
            f"`make_reader(db).update_feeds(workers={self.workers}, scheduled=False)` "
            "(benchmarks/peer_reader.py; feeds added untimed beforehand)"
        )


class Newsboat(Peer):
    name = "newsboat"
    table = "rss_item"
    db_name = "cache.db"
    threads = 4  # one host: more threads do not help newsboat (CPU-bound)
    net_threads = 8  # many hosts with latency: what the network run used

    def check(self) -> str | None:
        if not shutil.which("newsboat"):
            return "`newsboat` not installed (`apt-get install -y newsboat`)"
        return None

    def version(self) -> str:
        try:
            r = subprocess.run(["newsboat", "--version"], capture_output=True, text=True)
        except OSError:
            return "?"
        first = (r.stdout.strip().splitlines() or ["?"])[0]
        return first.split(" - ")[0].replace("newsboat ", "")

    def setup(self, d: Path, srv) -> None:
        write_urls(d, srv)
        threads = self.net_threads if getattr(srv, "hosts", 1) > 1 else self.threads
        (d / "config").write_text(f"reload-threads {threads}\n", encoding="utf-8")

    def sync_cmd(self, d: Path, scenario: str) -> tuple[list[str], dict[str, str]]:
        cmd = ["newsboat", "-x", "reload", "-u", d / "urls.txt", "-c", d / self.db_name]
        cmd += ["-C", d / "config"]
        return [str(c) for c in cmd], isolated_env(d)

    def describe(self) -> str:
        return (
            f"`newsboat -x reload` with `reload-threads {self.threads}` "
            f"({self.net_threads} on the many-hosts network), temp HOME"
        )


class Plnctl(Peer):
    name = "plnctl"
    table = "posts"
    db_name = "plnctl.db"

    def __init__(self) -> None:
        self.exe = str(BIN / "plnctl") if (BIN / "plnctl").exists() else shutil.which("plnctl")
        self.force = False
        self._checked: str | None = None
        self._did_check = False

    def _run(self, args: list[str], env: dict[str, str], timeout: float = SETUP_TIMEOUT):
        return measure([self.exe, *args], env=env, timeout=timeout)

    def version(self) -> str:
        if not self.exe:
            return "?"
        r = subprocess.run([self.exe, "--version"], capture_output=True, text=True)
        return (r.stdout.strip().split() or ["?"])[-1] if r.returncode == 0 else "?"

    def check(self) -> str | None:
        """Preflight: import + sync two feeds from a tiny server; skip plnctl unless it stores
        every entry."""
        if self._did_check:
            return self._checked
        self._did_check = True
        self._checked = self._preflight()
        return self._checked

    def _preflight(self) -> str | None:
        from server import ServerProcess

        if not self.exe:
            return "`plnctl` not installed in this venv (`pip install -e .`)"
        compile_bytecode()
        with temp_dir("plnctl-preflight") as d:
            env = isolated_env(d)
            r = self._run(["--help"], env, timeout=60)
            if not r.ok:
                return f"`plnctl --help` failed: {r.error_tail(2)}"
            if " sync " not in r.stdout:
                return "`plnctl sync` does not exist yet"
            sync_help = self._run(["sync", "--help"], env, timeout=60).stdout
            self.force = "--force" in sync_help
            with ServerProcess(2) as srv:
                try:
                    self.setup(d, srv)
                except SetupError as e:
                    return str(e)
                cmd, env = self.sync_cmd(d, "cold")
                m = measure(cmd, env=env, timeout=120)
                got = self.count(d)
                if not m.ok or got != srv.entries:
                    return (
                        f"preflight `plnctl sync` stored {got}/{srv.entries} entries "
                        f"({m.error_tail(2)})"
                    )
        return None

    def setup(self, d: Path, srv) -> None:
        env = isolated_env(d)
        db = str(d / self.db_name)
        opml = d / "feeds.opml"
        feeds = feedgen.generate(srv.feeds)
        opml.write_text(feedgen.opml(feeds, srv.base_url, srv.urls()), encoding="utf-8")
        r = self._run(["--db", db, "import", "opml", str(opml)], env)
        if r.ok:
            return
        # fallback: one person + one source per feed (slow, but only setup)
        first_error = r.error_tail(2)
        for i, url in enumerate(srv.urls()):
            name = f"Feed author {i}"
            a = self._run(["--db", db, "person", "add", name], env, timeout=60)
            b = self._run(["--db", db, "source", "add", name, url], env, timeout=60)
            if not (a.ok and b.ok):
                raise SetupError(
                    f"`plnctl import opml` failed ({first_error}); "
                    f"`person add`/`source add` failed too ({(a if not a.ok else b).error_tail(2)})"
                )

    def sync_cmd(self, d: Path, scenario: str) -> tuple[list[str], dict[str, str]]:
        cmd = [self.exe, "--db", str(d / self.db_name), "sync", "--quiet"]
        if self.force:
            cmd.append("--force")  # a re-sync right after a sync: sources are not "due" yet
        return cmd, isolated_env(d)

    def describe(self) -> str:
        force = " --force" if self.force else ""
        return f"`plnctl --db DB sync --quiet{force}` after `plnctl import opml` (untimed)"


def all_peers() -> list[Peer]:
    return [Plnctl(), Reader(), Newsboat()]


def compile_bytecode() -> None:
    """Write plnctl's .pyc files, as `pip install` does. An editable install under
    PYTHONDONTWRITEBYTECODE=1 (set on these machines) would otherwise recompile every module
    from source on every run: ~8 % of an unchanged re-sync, a cost no installed user pays."""
    import compileall

    import plnctl

    compileall.compile_dir(Path(plnctl.__file__).parent, quiet=1)
