"""Keep the layering honest: each third-party library lives in one corner, the CLI never
reaches past the API, and `plnctl --help` imports none of the heavy network libraries."""

from __future__ import annotations

import ast
import json
import subprocess
import sys
from pathlib import Path

import pytest

PACKAGE = Path(__file__).resolve().parents[1] / "plnctl"

# library -> the only places (path prefixes inside plnctl/) allowed to import it
CORNERS = {
    "typer": ("cli/",),
    "rich": ("cli/",),
    "click": ("cli/",),
    "sqlite3": ("store/",),
    "sqlite_utils": ("store/",),
    "httpx": ("fetchers/",),
    "feedparser": ("fetchers/",),
    "lxml": ("fetchers/",),
    "mastodon": ("mastodon_auth.py",),
    "aiosmtpd": (),
    "smtplib": ("deliver.py",),
    "textual": ("tui/",),
    "trafilatura": ("fetchers/",),
    "url_normalize": ("urlkey.py",),
}
CLI_MAY_NOT_IMPORT = ("plnctl.store", "plnctl.fetchers", "plnctl.sync")
# The reader (tui/) is a client of the API like the CLI: the API, the pure render helpers and
# the shared ground, never the store.
TUI_MAY_IMPORT = (
    "plnctl.api",
    "plnctl.render",
    "plnctl.models",
    "plnctl.errors",
    "plnctl.timeutil",
    "plnctl.tui",
)


def _imports(path: Path) -> list[str]:
    tree = ast.parse(path.read_text(encoding="utf-8"))
    names: list[str] = []
    for node in ast.walk(tree):
        if isinstance(node, ast.Import):
            names.extend(alias.name for alias in node.names)
        elif isinstance(node, ast.ImportFrom) and node.module and node.level == 0:
            names.append(node.module)
    return names


def _modules() -> list[tuple[str, list[str]]]:
    return [(str(p.relative_to(PACKAGE)), _imports(p)) for p in sorted(PACKAGE.rglob("*.py"))]


@pytest.mark.parametrize("library", sorted(CORNERS))
def test_each_library_lives_in_its_corner(library: str) -> None:
    allowed = CORNERS[library]
    offenders = [
        rel
        for rel, names in _modules()
        if any(n == library or n.startswith(library + ".") for n in names)
        and not rel.startswith(allowed or ("\0",))
    ]
    assert offenders == [], f"{library} imported outside {allowed}: {offenders}"


def test_cli_goes_through_the_api() -> None:
    offenders = [
        (rel, n)
        for rel, names in _modules()
        if rel.startswith("cli/")
        for n in names
        if n.startswith(CLI_MAY_NOT_IMPORT)
    ]
    assert offenders == []


def test_the_reader_goes_through_the_api() -> None:
    found = [(rel, names) for rel, names in _modules() if rel.startswith("tui/")]
    assert found, "plnctl/tui/ is missing"
    offenders = [
        (rel, n)
        for rel, names in found
        for n in names
        if n.startswith("plnctl") and not n.startswith(TUI_MAY_IMPORT)
    ]
    assert offenders == []


def _loaded_by(args: list[str]) -> set[str]:
    code = (
        "import sys\n"
        "from typer.testing import CliRunner\n"
        "from plnctl.cli.app import app\n"
        f"result = CliRunner().invoke(app, {args!r})\n"
        "assert result.exit_code == 0, result.output\n"
        "import json\n"
        "print(json.dumps(sorted(m.split('.')[0] for m in sys.modules)))\n"
    )
    return set(
        json.loads(
            subprocess.run(
                [sys.executable, "-c", code], check=True, capture_output=True, text=True
            ).stdout
        )
    )


def test_help_does_not_import_network_libraries() -> None:
    loaded = _loaded_by(["--help"])
    assert not loaded & {
        "httpx",
        "feedparser",
        "lxml",
        "mastodon",
        "sqlite_utils",
        "jinja2",
        "nh3",
        "textual",
        "trafilatura",
    }


@pytest.mark.parametrize(
    "args", [["read", "--help"], ["post", "list"], ["post", "read", "--all"], ["search", "x"]]
)
def test_only_the_reader_imports_textual(args: list[str], tmp_path: Path) -> None:
    from plnctl.api import open_pln

    open_pln(tmp_path / "t.db").close()  # an existing database: a missing --db is an error
    assert "textual" not in _loaded_by(["--db", str(tmp_path / "t.db"), *args])
