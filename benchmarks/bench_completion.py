"""Shell completion of person names, topics and question ids on a 10,000-person database.

    python benchmarks/bench_completion.py [--people 10000] [--runs 10]

Each TAB runs the ``plnctl`` program; for names and ids its entry point (plnctl/cli/entry.py)
answers without loading the whole CLI: Python start-up, typer's shell formats, opening the
database, one indexed prefix query. This measures that process from the outside, as a shell
sees it, next to ``python -c pass``, ``plnctl --version`` (the whole CLI's start-up) and the
query in process.

Target (issue 13): under 100 ms per TAB.
"""

from __future__ import annotations

import argparse
import os
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

HERE = Path(__file__).resolve().parent
sys.path.insert(0, str(HERE.parent))

TARGET_MS = 100.0
PLNCTL = Path(sys.executable).parent / "plnctl"


def build(db: Path, people: int) -> None:
    from plnctl.api import open_pln

    with open_pln(db) as pln, pln.store.transaction():
        stamp = "2026-12-01T00:00:00Z"
        pln.store.conn.executemany(
            "INSERT INTO people (name, created_at, updated_at) VALUES (?, ?, ?)",
            ((f"Person {i:05d} Teacher", stamp, stamp) for i in range(people)),
        )
        pln.store.conn.executemany(
            "INSERT INTO topics (name, created_at) VALUES (?, ?)",
            ((f"topic-{i}", stamp) for i in range(500)),
        )


def tab(db: Path, words: str, cword: int) -> float:
    env = dict(os.environ, _PLNCTL_COMPLETE="complete_bash", COMP_WORDS=words,
               COMP_CWORD=str(cword), PLNCTL_DB=str(db))  # fmt: skip
    started = time.perf_counter()
    out = subprocess.run([str(PLNCTL)], env=env, capture_output=True, text=True, check=True)
    elapsed = (time.perf_counter() - started) * 1000
    assert out.stdout.strip(), f"no completions for {words!r}"
    return elapsed


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--people", type=int, default=10_000)
    parser.add_argument("--runs", type=int, default=10)
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as folder:
        db = Path(folder) / "pln.db"
        build(db, args.people)
        cases = {
            "person show Person 01": ("plnctl person show Person", 3),
            "post list --topic topic-4": ("plnctl post list --topic topic-4", 4),
        }
        env = dict(os.environ, PLNCTL_DB=str(db))
        for label, command in (
            ("python -c pass (the floor)", [sys.executable, "-c", "pass"]),
            ("plnctl --version (the whole CLI's start-up)", [str(PLNCTL), "--version"]),
        ):
            start = []
            for _ in range(args.runs):
                began = time.perf_counter()
                subprocess.run(command, env=env, capture_output=True, check=True)
                start.append((time.perf_counter() - began) * 1000)
            print(f"{label}: median {statistics.median(start):.0f} ms")
        for label, (words, cword) in cases.items():
            times = [tab(db, words, cword) for _ in range(args.runs)]
            median = statistics.median(times)
            verdict = "ok" if median < TARGET_MS else "over target"
            print(f"TAB {label}: median {median:.0f} ms, best {min(times):.0f} ms ({verdict})")
        from plnctl.api.completion import complete

        began = time.perf_counter()
        for _ in range(100):
            complete("person", "Person 0", db=db)
        print(f"in process (open + query): {(time.perf_counter() - began) * 10:.1f} ms per call")


if __name__ == "__main__":
    main()
