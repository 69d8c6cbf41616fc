"""Every read command over one database, each expected to succeed: the check that nothing
stored (by this version, by 0.1, or by a hostile feed) can make a read command fail."""

from __future__ import annotations

import csv
import io
import json
import xml.etree.ElementTree as ET
from collections.abc import Callable, Sequence

from tests.conftest import Cli, CliResult

DIGEST_FORMATS = ("text", "md", "html", "json", "atom")
EXPORT_FORMATS = ("md", "html", "csv", "json", "opml", "atom", "pocket-csv", "bookmarks")


def _json(out: str) -> None:
    json.loads(out)


def _xml(out: str) -> None:
    ET.fromstring(out.encode("utf-8"))


def _csv(out: str) -> None:
    list(csv.reader(io.StringIO(out)))


PARSERS: dict[str, Callable[[str], None]] = {
    "json": _json, "atom": _xml, "opml": _xml, "csv": _csv, "pocket-csv": _csv,
}  # fmt: skip


def read_commands(post_ids: Sequence[int], people: Sequence[str]) -> list[tuple[list[str], str]]:
    """(argv, how its stdout must parse: json/atom/csv/... or "" for free text)."""
    commands: list[tuple[list[str], str]] = [
        (["post", "list", "--limit", "500"], ""),
        (["post", "list", "--limit", "500", "--json"], "json"),
        (["post", "list", "--since", "30d"], ""),
        (["search", "the"], ""),
        (["search", "the", "--json"], "json"),
        (["person", "list"], ""),
        (["person", "list", "--json"], "json"),
        (["stats"], ""),
        (["stats", "--json"], "json"),
        (["topic", "list"], ""),
        (["topic", "list", "--json"], "json"),
        (["question", "list"], ""),
        (["question", "list", "--json"], "json"),
        (["reading-list"], ""),
        (["reading-list", "--json"], "json"),
    ]
    for post_id in post_ids:
        commands += [
            (["post", "show", str(post_id), "--keep-unread"], ""),
            (["post", "show", str(post_id), "--json", "--keep-unread"], "json"),
        ]
    for name in people:
        commands += [(["person", "show", name], ""), (["person", "show", name, "--json"], "json")]
    for fmt in DIGEST_FORMATS:
        commands.append((["digest", "--since", "3650d", "-f", fmt], fmt))
    for fmt in EXPORT_FORMATS:
        commands.append((["export", "reading-list", "--all", "-f", fmt], fmt))
        commands.append((["export", "reading-list", "-f", fmt], fmt))
    return commands


def run_every_read_command(
    cli: Cli, post_ids: Sequence[int], people: Sequence[str]
) -> dict[str, CliResult]:
    """Run them all; fail naming the first command that does not exit 0 or whose output does
    not parse. Returns the results by command line."""
    results: dict[str, CliResult] = {}
    for argv, kind in read_commands(post_ids, people):
        result = cli(*argv)
        line = " ".join(argv)
        if result.exit_code != 0 or "internal error" in result.stderr:
            again = cli("--debug", *argv)  # the traceback, for whoever reads the failure
            raise AssertionError(f"plnctl {line} -> {result.exit_code}:\n{again.stderr[-3000:]}")
        if kind in PARSERS:
            try:
                PARSERS[kind](result.stdout)
            except Exception as e:  # reported with the command that made it
                raise AssertionError(f"plnctl {line}: output does not parse: {e}") from e
        results[line] = result
    return results
