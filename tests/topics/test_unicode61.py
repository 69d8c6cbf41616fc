"""The shipped tokenizer table (``plnctl.unicode61``) is what the running SQLite does, for
every code point; and ``fold`` + ``tokens`` give exactly the index's tokens on text made of
every code point (1,024 per document: the index truncates a token at 32 KB)."""

from __future__ import annotations

import importlib.util
import sqlite3
import sys
from pathlib import Path
from types import ModuleType

import pytest

from plnctl import folding
from plnctl.folding import fold, tokens

_BATCH = 1024
GENERATOR = Path(__file__).resolve().parents[2] / "docs" / "gen_unicode61.py"


@pytest.fixture(scope="module")
def gen() -> ModuleType:
    spec = importlib.util.spec_from_file_location("gen_unicode61", GENERATOR)
    assert spec is not None and spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    sys.modules["gen_unicode61"] = module
    spec.loader.exec_module(module)
    return module


def _shipped(gen: ModuleType) -> list[int]:
    """The table as ``plnctl.folding`` reads it, one outcome per code point."""
    starts, ends, drop_starts, drop_ends, folds = folding._table()
    found = list(range(0x110000))
    for first, last, kind in [
        *zip(starts, ends, [gen.SEPARATOR] * len(starts), strict=True),
        *zip(drop_starts, drop_ends, [gen.DROPPED] * len(drop_starts), strict=True),
    ]:
        found[first : last + 1] = [kind] * (last - first + 1)
    for cp, target in folds.items():
        found[cp] = target
    return found


def test_the_table_is_what_this_sqlite_does_for_every_code_point(gen: ModuleType) -> None:
    derived = gen.derive()
    shipped = _shipped(gen)
    differ = [cp for cp in range(0x110000) if derived[cp] != shipped[cp]]
    assert not differ, f"{len(differ)} code points differ, first U+{differ[0]:04X}: " + (
        "run python docs/gen_unicode61.py"
    )
    # what the hostile cases rely on
    assert shipped[ord("ß")] == ord("ß") and shipped[ord("ẞ")] == ord("ß")
    assert shipped[0x0301] == gen.DROPPED and shipped[ord("ﬁ")] == ord("ﬁ")
    assert shipped[0x200D] == gen.SEPARATOR and shipped[0x093F] == gen.SEPARATOR


def test_fold_and_tokens_are_the_index_tokens_of_every_code_point() -> None:
    conn = sqlite3.connect(":memory:")
    conn.execute(
        "CREATE VIRTUAL TABLE t USING fts5 (x, tokenize = 'unicode61 remove_diacritics 2')"
    )
    conn.execute("CREATE VIRTUAL TABLE v USING fts5vocab (t, 'instance')")
    points = [cp for cp in range(1, 0x110000) if not 0xD800 <= cp <= 0xDFFF]
    # each code point between markers, "0c0c0...": separators split, dropped accents vanish
    docs = [
        "0" + "0".join(map(chr, points[i : i + _BATCH])) + "0"
        for i in range(0, len(points), _BATCH)
    ]
    conn.executemany("INSERT INTO t (rowid, x) VALUES (?, ?)", enumerate(docs))
    index: list[list[str]] = [[] for _ in docs]
    for doc, term in conn.execute("SELECT doc, term FROM v ORDER BY doc, offset"):
        index[doc].append(term)
    for n, doc in enumerate(docs):
        assert tokens(fold(doc)) == index[n], f"document {n} (from U+{points[n * _BATCH]:04X})"
