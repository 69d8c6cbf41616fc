"""Start-up: how long plnctl's short commands take, as a person or a script sees them.

    python benchmarks/run.py startup [--startup-runs 7]
    python benchmarks/bench_startup.py [--runs 7] [--quick]

Each command runs once untimed (page cache, the database's first open), then ``--runs``
times, from the parent (fork to exit, ``harness.measure``), with a temp HOME, on an existing
database: the demo network (``plnctl demo --db``, built once per run). Wall and CPU are
medians. plnctl's .pyc files are written first (``peers.compile_bytecode``): with
PYTHONDONTWRITEBYTECODE=1, as on these machines, an editable install would compile every
module from source on every run, which no installed user pays.

Two commands run on a real pseudo-terminal (80x24): ``person list`` (rich draws the table)
and ``read``, timed from fork until the newest post's title has been written to the terminal
(the first screen; then ``q``).

Targets (issue 14): ``plnctl --help`` and ``plnctl person list`` <= 100 ms each (median);
``plnctl read`` shows its first screen in <= 0.5 s. The machine is shared: the CPU the other
processes used while we measured is reported beside the table.
"""

from __future__ import annotations

import argparse
import fcntl
import os
import pty
import resource
import select
import sqlite3
import statistics
import struct
import subprocess
import sys
import termios
import time
from pathlib import Path

HERE = Path(__file__).resolve().parent
sys.path.insert(0, str(HERE))
sys.path.insert(0, str(HERE.parent))

from harness import BIN, ForeignCpu, fmt_mb, log, md_table, measure, temp_dir  # noqa: E402
from peers import compile_bytecode, isolated_env  # noqa: E402

START_MS, READ_MS = 100.0, 500.0
PLNCTL = str(BIN / "plnctl")


def _on_pty(cmd: list[str], env: dict[str, str], until: bytes | None) -> tuple[float, float]:
    """(wall, CPU) seconds of ``cmd`` on an 80x24 pty: until ``until`` has been written to
    the terminal (then it gets ``q``), or until it exits."""
    master, slave = pty.openpty()
    fcntl.ioctl(slave, termios.TIOCSWINSZ, struct.pack("HHHH", 24, 80, 0, 0))
    before = resource.getrusage(resource.RUSAGE_CHILDREN)
    started = time.perf_counter()
    proc = subprocess.Popen(
        cmd, stdin=slave, stdout=slave, stderr=slave, env={**env, "TERM": "xterm-256color"}
    )
    os.close(slave)
    seen, wall = b"", None
    while proc.poll() is None and time.perf_counter() - started < 60:
        if select.select([master], [], [], 0.05)[0]:
            try:
                seen += os.read(master, 65536)
            except OSError:  # EIO: the child closed the terminal
                break
            if until is not None and wall is None and until in seen:
                wall = time.perf_counter() - started
                os.write(master, b"q")
    proc.wait(10)
    wall = wall if wall is not None else time.perf_counter() - started
    os.close(master)
    after = resource.getrusage(resource.RUSAGE_CHILDREN)
    cpu = after.ru_utime + after.ru_stime - before.ru_utime - before.ru_stime
    if proc.returncode != 0 or (until is not None and until not in seen):
        raise RuntimeError(f"{' '.join(cmd)}: exit {proc.returncode}, {seen[-300:]!r}")
    return wall, cpu


def _newest_title(db: Path) -> bytes:
    conn = sqlite3.connect(db)
    (title,) = conn.execute(
        "SELECT title FROM posts ORDER BY coalesce(published_at, fetched_at) DESC LIMIT 1"
    ).fetchone()
    conn.close()
    return str(title)[:20].encode()


def main(argv: list[str]) -> str:
    parser = argparse.ArgumentParser(prog="bench_startup", description=__doc__.split("\n")[0])
    parser.add_argument("--runs", type=int, default=7)
    parser.add_argument("--quick", action="store_true", help="3 runs")
    args = parser.parse_args(argv)
    runs = 3 if args.quick else args.runs
    compile_bytecode()
    rows, foreign_cpu, foreign_wall = [], 0.0, 0.0
    with temp_dir("startup") as d:
        env = isolated_env(d)
        db = d / "demo.db"
        log("startup: building the demo network ...")
        subprocess.run([PLNCTL, "demo", "--db", str(db)], env=env, check=True,
                       capture_output=True, timeout=300)  # fmt: skip
        on_db = [PLNCTL, "--db", str(db)]
        plain: list[tuple[str, list[str], float | None]] = [
            ("`python -c pass` (the interpreter)", [sys.executable, "-c", "pass"], None),
            ("`plnctl --version`", [PLNCTL, "--version"], None),
            ("`plnctl --help`", [PLNCTL, "--help"], START_MS),
            ("`plnctl person list --help`", [PLNCTL, "person", "list", "--help"], None),
            ("`plnctl --db X person list` (to a pipe)", [*on_db, "person", "list"], START_MS),
            ("`plnctl --db X post list --limit 20`", [*on_db, "post", "list", "--limit", "20"],
             None),
        ]  # fmt: skip
        tty: list[tuple[str, list[str], bytes | None, float | None]] = [
            ("`plnctl --db X person list` (on a terminal)", [*on_db, "person", "list"], None,
             None),
            ("`plnctl --db X read`: first screen (terminal)", [*on_db, "read"],
             _newest_title(db), READ_MS),
        ]  # fmt: skip
        for label, cmd, target in plain:
            log(f"startup: {label} x{runs}")
            measure(cmd, env=env, timeout=60)
            with ForeignCpu() as foreign:
                done = [measure(cmd, env=env, timeout=60) for _ in range(runs)]
                foreign.own(sum(m.cpu for m in done))
            foreign_cpu, foreign_wall = foreign_cpu + foreign.seconds, foreign_wall + foreign.wall
            bad = [m for m in done if not m.ok]
            if bad:
                raise RuntimeError(f"{label}: {bad[0].error_tail(2)}")
            rows.append(_row(label, [(m.wall, m.cpu) for m in done], target,
                             statistics.median(m.maxrss_mb for m in done)))  # fmt: skip
        for label, cmd, until, target in tty:
            log(f"startup: {label} x{runs}")
            _on_pty(cmd, env, until)
            with ForeignCpu() as foreign:
                timed = [_on_pty(cmd, env, until) for _ in range(runs)]
                foreign.own(sum(cpu for _, cpu in timed))
            foreign_cpu, foreign_wall = foreign_cpu + foreign.seconds, foreign_wall + foreign.wall
            rows.append(_row(label, timed, target, None))
    with open("/proc/loadavg") as f:
        load = " ".join(f.read().split()[:3])
    busy = foreign_cpu / foreign_wall if foreign_wall else 0.0
    return "\n".join(
        [
            "## startup",
            "",
            f"Median of {runs} runs after one warm-up, fork to exit (the terminal rows: to the "
            "first screen), temp HOME, the demo network's database. While we measured, other "
            f"processes kept {busy:.1f} of the machine's {os.cpu_count()} cores busy "
            f"(load average at the end: {load}).",
            "",
            md_table(
                ["command", "wall (median)", "wall (min)", "CPU (median)", "peak RSS", "target"],
                rows,
            ),
            "",
        ]
    )


def _row(
    label: str, timed: list[tuple[float, float]], target: float | None, rss: float | None
) -> list[str]:
    walls = [wall * 1000 for wall, _ in timed]
    wall, cpu = statistics.median(walls), statistics.median(c * 1000 for _, c in timed)
    if target is None:
        verdict = "–"
    elif wall <= target:
        verdict = f"<= {target:.0f} ms: **met**"
    elif cpu <= target:
        verdict = f"<= {target:.0f} ms: CPU met, wall missed (waiting for a core)"
    else:
        verdict = f"<= {target:.0f} ms: **missed**"
    return [label, f"{wall:.0f} ms", f"{min(walls):.0f} ms", f"{cpu:.0f} ms",
            fmt_mb(rss) if rss is not None else "–", verdict]  # fmt: skip


if __name__ == "__main__":
    print(main(sys.argv[1:]))
