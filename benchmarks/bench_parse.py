"""CPU per feed of parsing, per content style: feedparser's path vs the fast path (lxml).

    python benchmarks/bench_parse.py [--feeds 20] [--mix 200]

For each ``feedgen`` style, ``--feeds`` feeds of ~80 KB (20 entries) are parsed in this process
and the median CPU time per feed is reported for:

- ``feedparser``: ``parse_feed(fast=False)``, plnctl 0.1's path (feedparser, then nh3 and the
  ingest boundary per entry);
- ``fast``: ``parse_feed()``, the default: the fast path, else feedparser;
- ``fast parse only``: ``fastfeed.parse``, lxml and the walker, before the shared mapping;
- ``fastfeedparser``: ``fastfeedparser.parse`` (lxml + its own mapping), when installed.

Then the fallback rate of the default path on ``--mix`` feeds of the default mix.
Targets (issue 14): <= 5 ms of CPU per 80 KB feed on the fast path; fallback rate 0 %.
"""

from __future__ import annotations

import argparse
import statistics
import sys
import time
from collections.abc import Callable
from pathlib import Path

HERE = Path(__file__).resolve().parent
sys.path.insert(0, str(HERE.parent))
sys.path.insert(0, str(HERE))

import feedgen  # noqa: E402

BASE = "http://127.0.0.1:8080"
HEADERS = {"content-type": "application/rss+xml"}


def cpu_ms(fn: Callable[[], object], repeat: int = 3) -> float:
    """The least CPU time of ``repeat`` runs (the others lost time to the shared machine)."""
    best = float("inf")
    for _ in range(repeat):
        started = time.process_time()
        fn()
        best = min(best, time.process_time() - started)
    return best * 1000


def bodies(style: str, n: int) -> list[tuple[str, bytes]]:
    return [(BASE + f.path, feedgen.render(f, BASE)) for f in feedgen.generate(n, styles=[style])]


def measure(style: str, n: int) -> dict[str, float]:
    from plnctl.fetchers import fastfeed
    from plnctl.fetchers.feed import parse_feed

    feeds = bodies(style, n)
    ways: dict[str, Callable[[str, bytes], object]] = {
        "feedparser": lambda url, body: parse_feed(body, url=url, headers=HEADERS, fast=False),
        "fast": lambda url, body: parse_feed(body, url=url, headers=HEADERS),
        "fast parse only": lambda url, body: fastfeed.parse(
            body, {**HEADERS, "content-location": url}, url
        ),
    }
    try:
        import fastfeedparser

        ways["fastfeedparser"] = lambda url, body: fastfeedparser.parse(body)
    except ImportError:
        pass
    row = {"KB": statistics.median(len(b) for _, b in feeds) / 1000}
    for name, way in ways.items():
        row[name] = statistics.median(cpu_ms(lambda u=u, b=b, w=way: w(u, b)) for u, b in feeds)
    ran = [parse_feed(b, url=u, headers=HEADERS).parser for u, b in feeds]
    row["fallback %"] = 100 * sum(r != "fast" for r in ran) / len(ran)
    return row


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--feeds", type=int, default=20, help="feeds per style")
    parser.add_argument("--mix", type=int, default=200, help="feeds of the default mix")
    args = parser.parse_args()
    from plnctl.fetchers.feed import parse_feed

    parse_feed(feedgen.render(feedgen.generate(1)[0]), url=BASE, headers=HEADERS)  # imports
    rows = {style: measure(style, args.feeds) for style in feedgen.STYLES}
    columns = list(next(iter(rows.values())))
    print("| style | " + " | ".join(f"{c} (ms)" if c[0].islower() and "%" not in c else c
                                      for c in columns) + " |")  # fmt: skip
    print("|---" * (len(columns) + 1) + "|")
    for style, row in rows.items():
        print(f"| {style} | " + " | ".join(f"{row[c]:.1f}" for c in columns) + " |")
    mix = [(BASE + f.path, feedgen.render(f, BASE)) for f in feedgen.generate(args.mix)]
    ran = [parse_feed(b, url=u, headers=HEADERS).parser for u, b in mix]
    fallbacks = sum(r != "fast" for r in ran)
    print(f"\ndefault mix: {fallbacks} of {len(ran)} feeds fell back to feedparser "
          f"({100 * fallbacks / len(ran):.1f} %)")  # fmt: skip


if __name__ == "__main__":
    main()
