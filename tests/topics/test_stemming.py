"""plnctl.stemming against SQLite FTS5's own porter tokenizer: the same stem for every word,
so a topic keyword matches exactly the posts a search for it finds."""

from __future__ import annotations

import sqlite3

from hypothesis import given, settings
from hypothesis import strategies as st

from plnctl.stemming import stem
from plnctl.tagging import fold

# Porter's own examples, the cases where Snowball's 'porter' and 'english' differ from FTS5
# ("technology", "possibly", "docced", "ies"), accents, and short and long tokens.
_LIST = """
caresses ponies ties caress cats feed agreed plastered bled motoring sing conflated troubled
sized hopping tanned falling hissing fizzed failing filing happy sky relational conditional
rational valenci hesitanci digitizer conformabli radicalli differentli vileli analogousli
vietnamization predication operator feudalism decisiveness hopefulness callousness formaliti
sensitiviti sensibiliti triplicate formative formalize electriciti electrical hopeful goodness
revival allowance inference airliner gyroscopic adjustable defensible irritant replacement
adjustment dependent adoption homologou communism activate angulariti homologous effective
bowdlerize probate rate cease controll roll question questions questioning hinge hinges
assessment assessments behaviour behaviours behavior programme programmes libraries library
technology technologies possibly docced haxxed ies eed anthology assembly flexibly legibly
yes ying by my sys a an ab abc naïve über résumé élèves évaluation
"""
WORDS = [*_LIST.split(), "x" * 64, "questions" * 8, "abilities" * 7]


def fts5_stems(words: list[str]) -> dict[str, str]:
    conn = sqlite3.connect(":memory:")
    conn.execute(
        "CREATE VIRTUAL TABLE t USING fts5 (x, tokenize = 'porter unicode61 remove_diacritics 2')"
    )
    conn.execute("CREATE VIRTUAL TABLE v USING fts5vocab (t, 'instance')")
    conn.executemany("INSERT INTO t (rowid, x) VALUES (?, ?)", enumerate(words))
    return {words[row]: term for term, row in conn.execute("SELECT term, doc FROM v")}


def test_known_words_stem_as_fts5_does() -> None:
    expected = fts5_stems(WORDS)
    assert {w: stem(fold(w)) for w in WORDS} == expected
    assert stem("questions") == "question" and stem("technology") == "technolog"


@settings(max_examples=60, deadline=None)
@given(st.lists(st.text(alphabet="abcdeilmnorstuvyz", min_size=1, max_size=14), min_size=50))
def test_any_word_stems_as_fts5_does(words: list[str]) -> None:
    words = sorted(set(words))
    assert {w: stem(w) for w in words} == fts5_stems(words)
