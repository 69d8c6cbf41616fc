"""Start-up: how long plnctl's short commands take, as a person or a script sees them.

    python benchmarks/run.py startup [--startup-runs 7]
    python benchmarks/bench_startup.py [--runs 7] [--quick] [--compare DIR]

``--compare DIR`` times another plnctl source tree too (``git archive main plnctl | tar -x -C
DIR``: it is put first on PYTHONPATH), run by run interleaved with this one, so both see the
same load on a shared machine.

Each command runs once untimed (page cache, the database's first open), then ``--runs``
times, from the parent (fork to exit, ``harness.measure``), with a temp HOME, on an existing
database: the demo network (``plnctl demo --db``, built once per run). Wall and CPU are
medians. plnctl's .pyc files are written first (``peers.compile_bytecode``): with
PYTHONDONTWRITEBYTECODE=1, as on these machines, an editable install would compile every
module from source on every run, which no installed user pays.

``digest --since 1d`` and ``sync`` (nothing is due: the demo synced minutes before) are the
other commands of a morning. Two commands run on a real pseudo-terminal (80x24): ``person
list`` (rich draws the table) and ``read``, timed from fork until the newest post's title has
been written to the terminal (the first screen; then ``q``).

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


Case = tuple[str, list[str], bytes | bool | None, float | None]  # label, cmd, pty, target


def _cases(db: Path) -> list[Case]:
    """(label, command, False = to a pipe / None = on a pty until exit / bytes = on a pty
    until that text is on the screen, target ms)."""
    on_db = [PLNCTL, "--db", str(db)]
    return [
        ("`python -c pass` (the interpreter)", [sys.executable, "-c", "pass"], False, None),
        ("`plnctl --version`", [PLNCTL, "--version"], False, None),
        ("`plnctl --help`", [PLNCTL, "--help"], False, START_MS),
        ("`plnctl person list --help`", [PLNCTL, "person", "list", "--help"], False, None),
        ("`plnctl --db X person list` (to a pipe)", [*on_db, "person", "list"], False, START_MS),
        ("`plnctl --db X post list --limit 20`", [*on_db, "post", "list", "--limit", "20"],
         False, None),
        ("`plnctl --db X digest --since 1d`", [*on_db, "digest", "--since", "1d"], False, None),
        ("`plnctl --db X sync` (nothing due)", [*on_db, "sync"], False, None),
        ("`plnctl --db X person list` (on a terminal)", [*on_db, "person", "list"], None, None),
        ("`plnctl --db X read`: first screen (terminal)", [*on_db, "read"], _newest_title(db),
         READ_MS),
    ]  # fmt: skip


def _once(cmd: list[str], pty_until: bytes | bool | None, env: dict[str, str]) -> tuple:
    """(wall, CPU, peak RSS or None) of one run."""
    if pty_until is False:
        m = measure(cmd, env=env, timeout=60)
        if not m.ok:
            raise RuntimeError(f"{' '.join(cmd)}: {m.error_tail(2)}")
        return m.wall, m.cpu, m.maxrss_mb
    wall, cpu = _on_pty(cmd, env, pty_until if isinstance(pty_until, bytes) else None)
    return wall, cpu, None


def main(argv: list[str]) -> str:
    parser = argparse.ArgumentParser(prog="bench_startup", description=__doc__.split("\n")[0])
    parser.add_argument("--runs", type=int, default=7)
    parser.add_argument("--quick", action="store_true", help="3 runs")
    parser.add_argument("--compare", type=Path, metavar="DIR",
                        help="also time the plnctl package in DIR (e.g. `git archive main "
                        "plnctl | tar -x -C DIR`), interleaved with this one")  # fmt: skip
    args = parser.parse_args(argv)
    runs = 3 if args.quick else args.runs
    compile_bytecode()
    if args.compare:
        import compileall

        compileall.compile_dir(args.compare / "plnctl", quiet=1)
    rows, foreign = [], ForeignCpu()
    with temp_dir("startup") as d, foreign:
        env = isolated_env(d)
        variants = [env] + ([{**env, "PYTHONPATH": str(args.compare)}] if args.compare else [])
        db = d / "demo.db"
        log("startup: building the demo network ...")
        subprocess.run([PLNCTL, "demo", "--db", str(db)], env=env, check=True,
                       capture_output=True, timeout=300)  # fmt: skip
        for label, cmd, pty_until, target in _cases(db):
            log(f"startup: {label} x{runs}")
            timed: list[list[tuple]] = [[] for _ in variants]
            for i in range(runs + 1):  # the first: warm-up
                for v, variant_env in enumerate(variants):
                    one = _once(cmd, pty_until, variant_env)
                    foreign.own(one[1])
                    if i:
                        timed[v].append(one)
            rows.append(_row(label, timed, target))
    return _report(runs, rows, foreign, args.compare)


def _report(runs: int, rows: list[list[str]], foreign: ForeignCpu, compare: Path | None) -> str:
    with open("/proc/loadavg") as f:
        load = " ".join(f.read().split()[:3])
    busy = foreign.seconds / foreign.wall if foreign.wall else 0.0
    headers = ["command", "wall (median)", "wall (min)", "CPU (median)", "peak RSS", "target"]
    if compare:
        headers += [f"wall, {compare.name}", f"CPU, {compare.name}"]
    return "\n".join(
        [
            "## startup",
            "",
            f"Median of {runs} runs after one warm-up, fork to exit (the terminal rows: to the "
            "first screen), temp HOME, the demo network's database"
            + (f"; `{compare}` interleaved run by run" if compare else "")
            + f". While we measured, other processes kept {busy:.1f} of the machine's "
            f"{os.cpu_count()} cores busy (load average at the end: {load}).",
            "",
            md_table(headers, rows),
            "",
        ]
    )


def _row(label: str, timed: list[list[tuple]], target: float | None) -> list[str]:
    def ms(values: list[float]) -> float:
        return statistics.median(values) * 1000

    walls, cpus = [w for w, _, _ in timed[0]], [c for _, c, _ in timed[0]]
    rss = [r for _, _, r in timed[0] if r is not None]
    wall, cpu = ms(walls), ms(cpus)
    if target is None:
        verdict = "–"
    elif wall <= target:
        verdict = f"<= {target:.0f} ms: **met**"
    elif cpu <= target:
        verdict = f"<= {target:.0f} ms: CPU met, wall missed (waiting for a core)"
    else:
        verdict = f"<= {target:.0f} ms: **missed**"
    row = [label, f"{wall:.0f} ms", f"{min(walls) * 1000:.0f} ms", f"{cpu:.0f} ms",
           fmt_mb(statistics.median(rss)) if rss else "–", verdict]  # fmt: skip
    for other in timed[1:]:
        row += [f"{ms([w for w, _, _ in other]):.0f} ms", f"{ms([c for _, c, _ in other]):.0f} ms"]
    return row


if __name__ == "__main__":
    print(main(sys.argv[1:]))
