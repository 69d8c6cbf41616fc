"""Shared helpers for plnctl's benchmarks (also meant for ``benchmarks/bench_*.py`` modules).

- ``measure(cmd, ...)`` runs one command in a child process and returns wall time, CPU time
  (user + sys of that child, from ``wait4``) and its peak RSS (``ru_maxrss``), with a timeout
  that kills the child's whole process group. The command is started through
  ``rusage_launcher.c`` (compiled on first use when a C compiler exists) so its peak RSS is not
  floored at the harness's own RSS;
- ``work_dir(name)`` makes a fresh temp dir under ``benchmarks/.work/`` (gitignored);
- ``md_table(headers, rows)`` renders a Markdown table; ``median``, ``fmt_s``, ``fmt_mb``.
"""

from __future__ import annotations

import contextlib
import dataclasses
import hashlib
import os
import shutil
import signal
import statistics
import subprocess
import sys
import tempfile
import threading
import time
from collections.abc import Iterable, Sequence
from pathlib import Path

HERE = Path(__file__).resolve().parent
WORK = HERE / ".work"
RESULTS = HERE / "results"
BIN = Path(sys.executable).parent  # the venv's bin/ (plnctl lives there)
LAUNCHER_SRC = HERE / "rusage_launcher.c"
_launcher: list[str | None] = []


def launcher() -> str | None:
    """Path of the compiled ``rusage_launcher`` (built once into .work/), or None (no C compiler):
    then children are forked from this process and their peak RSS can't read below ours."""
    if not _launcher:
        path = None
        cc = shutil.which("cc") or shutil.which("gcc")
        if cc and LAUNCHER_SRC.exists() and os.environ.get("BENCH_NO_LAUNCHER") != "1":
            digest = hashlib.sha1(LAUNCHER_SRC.read_bytes()).hexdigest()[:10]
            exe = WORK / f"rusage_launcher-{digest}"
            if not exe.exists():
                WORK.mkdir(parents=True, exist_ok=True)
                tmp = exe.with_suffix(".tmp")
                r = subprocess.run(
                    [cc, "-O2", "-o", str(tmp), str(LAUNCHER_SRC)], capture_output=True, text=True
                )
                if r.returncode == 0:
                    tmp.replace(exe)
                else:
                    print(f"rusage_launcher not built: {r.stderr[-300:]}", file=sys.stderr)
            path = str(exe) if exe.exists() else None
        _launcher.append(path)
    return _launcher[0]


@dataclasses.dataclass
class Measurement:
    cmd: list[str]
    wall: float  # seconds
    cpu: float  # seconds, user + sys of the child (and any children it waited for)
    user: float
    sys: float
    maxrss_mb: float  # peak resident set size of the child, MiB
    returncode: int  # negative = killed by that signal
    timed_out: bool
    stdout: str
    stderr: str

    @property
    def ok(self) -> bool:
        return self.returncode == 0 and not self.timed_out

    def error_tail(self, lines: int = 5) -> str:
        text = (self.stderr.strip() or self.stdout.strip()).splitlines()
        why = "timed out" if self.timed_out else f"exit {self.returncode}"
        return why + (": " + " | ".join(text[-lines:]) if text else "")


def measure(
    cmd: Sequence[str],
    *,
    timeout: float = 600.0,
    env: dict[str, str] | None = None,
    cwd: str | os.PathLike | None = None,
    stdin_data: bytes | None = None,
) -> Measurement:
    """Run ``cmd``; wall time from just before the fork to the child's exit.

    stdout/stderr go to temp files (no pipe back-pressure on the child); ``env`` *replaces* the
    environment when given (start from ``os.environ.copy()``). After ``timeout`` seconds the
    child's process group is killed and ``timed_out`` is set.
    """
    ru_path: list[str] = []
    try:
        return _measure(cmd, ru_path, timeout, env, cwd, stdin_data)
    finally:
        for p in ru_path:  # a launcher killed mid-write may re-create its file: never leave it
            Path(p).unlink(missing_ok=True)


def _measure(
    cmd: Sequence[str],
    ru_path: list[str],
    timeout: float,
    env: dict[str, str] | None,
    cwd: str | os.PathLike | None,
    stdin_data: bytes | None,
) -> Measurement:
    cmd = [str(c) for c in cmd]
    WORK.mkdir(parents=True, exist_ok=True)
    wrapper = launcher()
    with (
        tempfile.TemporaryFile(dir=WORK) as out,
        tempfile.TemporaryFile(dir=WORK) as err,
        tempfile.TemporaryFile(dir=WORK) as inp,
        tempfile.NamedTemporaryFile(dir=WORK, prefix="rusage-") as ru_file,
    ):
        if stdin_data:
            inp.write(stdin_data)
            inp.seek(0)
        timed_out = threading.Event()
        t0 = time.perf_counter()
        ru_path.append(ru_file.name)
        full = [wrapper, ru_file.name, *cmd] if wrapper else cmd
        proc = subprocess.Popen(
            full, stdin=inp, stdout=out, stderr=err, env=env, cwd=cwd, start_new_session=True
        )

        def kill() -> None:
            timed_out.set()
            with contextlib.suppress(ProcessLookupError, PermissionError):
                os.killpg(proc.pid, signal.SIGKILL)

        timer = threading.Timer(timeout, kill)
        timer.daemon = True
        timer.start()
        try:
            while True:
                try:
                    _, status, ru = os.wait4(proc.pid, 0)
                    break
                except InterruptedError:
                    continue
            wall = time.perf_counter() - t0
        except BaseException:
            kill()
            with contextlib.suppress(ChildProcessError):
                os.wait4(proc.pid, 0)
            proc.returncode = -9
            raise
        finally:
            timer.cancel()
        proc.returncode = os.waitstatus_to_exitcode(status)
        # the child may have left grandchildren in its session: never leave them running
        with contextlib.suppress(ProcessLookupError, PermissionError):
            os.killpg(proc.pid, signal.SIGKILL)
        returncode = proc.returncode
        user, system, maxrss_kib = ru.ru_utime, ru.ru_stime, ru.ru_maxrss
        if wrapper:
            fields = Path(ru_file.name).read_text().split()
            if len(fields) == 4:  # the launcher's own child: the command itself
                returncode = os.waitstatus_to_exitcode(int(fields[0]))
                maxrss_kib, user, system = int(fields[1]), float(fields[2]), float(fields[3])
        out.seek(0)
        err.seek(0)
        return Measurement(
            cmd=cmd,
            wall=wall,
            cpu=user + system,
            user=user,
            sys=system,
            maxrss_mb=maxrss_kib / 1024.0,  # Linux: KiB
            returncode=returncode,
            timed_out=timed_out.is_set(),
            stdout=out.read().decode("utf-8", "replace"),
            stderr=err.read().decode("utf-8", "replace"),
        )


class ForeignCpu:
    """CPU time used by *other* processes on this machine while we measure: system-wide busy time
    (/proc/stat) minus what our own processes used. ``with ForeignCpu() as f: ...; f.seconds``;
    ``own()`` adds CPU seconds of processes we started (the tool, the feed server)."""

    def __init__(self) -> None:
        self.seconds = 0.0
        self.wall = 0.0
        self._own = 0.0

    @staticmethod
    def busy() -> float:
        try:
            with open("/proc/stat") as f:
                ticks = [int(x) for x in f.readline().split()[1:]]
        except (OSError, ValueError):
            return 0.0
        # user nice system idle iowait irq softirq steal ...; guest is already in user
        busy = sum(ticks[:3]) + sum(ticks[5:8])
        return busy / os.sysconf("SC_CLK_TCK")

    @staticmethod
    def _self() -> float:
        t = os.times()
        return t.user + t.system

    def own(self, seconds: float) -> None:
        self._own += seconds

    def __enter__(self) -> ForeignCpu:
        self._b0, self._s0, self._t0 = self.busy(), self._self(), time.perf_counter()
        return self

    def __exit__(self, *exc: object) -> None:
        self.wall = time.perf_counter() - self._t0
        total = self.busy() - self._b0
        self.seconds = max(0.0, total - self._own - (self._self() - self._s0))


def work_dir(name: str) -> Path:
    """A new empty directory ``benchmarks/.work/<name>-XXXX``; remove it with ``shutil.rmtree``."""
    WORK.mkdir(parents=True, exist_ok=True)
    return Path(tempfile.mkdtemp(prefix=f"{name}-", dir=WORK))


@contextlib.contextmanager
def temp_dir(name: str, keep: bool = False):
    path = work_dir(name)
    try:
        yield path
    finally:
        if not keep:
            shutil.rmtree(path, ignore_errors=True)


def median(values: Iterable[float]) -> float | None:
    vals = [v for v in values if v is not None]
    return statistics.median(vals) if vals else None


def fmt_s(seconds: float | None) -> str:
    if seconds is None:
        return "–"
    if seconds < 1:
        return f"{seconds * 1000:.0f} ms"
    return f"{seconds:.2f} s" if seconds < 10 else f"{seconds:.1f} s"


def fmt_mb(mb: float | None) -> str:
    return "–" if mb is None else f"{mb:.0f} MB"


def fmt_ratio(r: float | None) -> str:
    return "–" if r is None else f"{r:.2f}×"


def ratio(a: float | None, b: float | None) -> float | None:
    if a is None or b is None or b == 0:
        return None
    return a / b


def md_table(headers: Sequence[str], rows: Iterable[Sequence[object]]) -> str:
    def cell(v: object) -> str:
        return str(v).replace("|", "\\|").replace("\n", " ")

    lines = ["| " + " | ".join(cell(h) for h in headers) + " |"]
    lines.append("|" + "|".join("---" for _ in headers) + "|")
    lines += ["| " + " | ".join(cell(v) for v in row) + " |" for row in rows]
    return "\n".join(lines)


def log(msg: str) -> None:
    """Progress goes to stderr so stdout stays clean Markdown."""
    print(msg, file=sys.stderr, flush=True)
