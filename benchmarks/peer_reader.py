"""Peer for the sync benchmark: the ``reader`` library (PyPI).

    python benchmarks/peer_reader.py DB URLS_FILE WORKERS [--add-only | --skip-add]

Adds every URL of URLS_FILE (one a line) as a feed (idempotent), then runs
``make_reader(DB).update_feeds(workers=WORKERS, scheduled=False)``: ``scheduled=False`` makes it
update every feed now (by default reader 3.x skips feeds not yet due, which would turn an
immediate re-sync into a no-op). The harness adds the feeds in an untimed ``--add-only`` call and
times a ``--skip-add`` call. Prints one JSON line with the number of feeds, entries and feed errors.
"""

from __future__ import annotations

import argparse
import json
import sys


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("db")
    parser.add_argument("urls_file")
    parser.add_argument("workers", type=int, nargs="?", default=16)
    mode = parser.add_mutually_exclusive_group()
    mode.add_argument("--add-only", action="store_true")
    mode.add_argument("--skip-add", action="store_true")
    args = parser.parse_args(argv)

    from reader import make_reader

    reader = make_reader(args.db)
    try:
        if not args.skip_add:
            with open(args.urls_file, encoding="utf-8") as f:
                for line in f:
                    url = line.strip()
                    if url and not url.startswith("#"):
                        reader.add_feed(url, exist_ok=True)
        if not args.add_only:
            reader.update_feeds(workers=args.workers, scheduled=False)
        if not args.skip_add:  # keep the timed call free of extra work
            errors = sum(1 for feed in reader.get_feeds() if feed.last_exception)
            feeds, entries = reader.get_feed_counts().total, reader.get_entry_counts().total
            print(json.dumps({"feeds": feeds, "entries": entries, "errors": errors}))
    finally:
        reader.close()
    return 0


if __name__ == "__main__":
    sys.exit(main())
