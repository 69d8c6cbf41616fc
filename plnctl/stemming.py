"""English stemming exactly as SQLite FTS5's ``porter`` tokenizer does it, in pure Python.

Topic rules (``plnctl.tagging``) and search (``posts_fts``) must agree on what counts as the
same word, or a topic keyword would match posts a search for it cannot find. Libraries were
measured against FTS5 on 159,021 distinct words: ``snowballstemmer`` and ``PyStemmer``
('porter') differ on 20 of them ("technology" -> "technologi", FTS5 "technolog"; "possibly",
"docced", "ies") and Snowball's 'english' (Porter2) on 7,317. FTS5 follows Martin Porter's
reference C implementation (with its "logi" and "bli" rules, and leaving tokens shorter than 3
or longer than 64 bytes alone); this module implements that algorithm, and
``tests/topics/test_stemming.py`` checks it against FTS5 itself on a word list.

Words are expected folded (lower case, accents removed: ``plnctl.tagging.fold``). FTS5 works
on UTF-8 bytes, where any non-ASCII byte is a consonant; so does this module.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from functools import lru_cache

_VOWELS = frozenset(b"aeiou")
_MAX_TOKEN = 64  # bytes; longer tokens pass through (as in FTS5)


def _is_consonant(word: bytes, i: int, previous_consonant: bool) -> bool:
    c = word[i]
    if c in _VOWELS:
        return False
    return not (c == 0x79 and previous_consonant)  # 'y' after a consonant is a vowel


def _measure(stem: bytes) -> int:
    """Porter's m: the number of vowel-consonant sequences in the stem."""
    m, seen_vowel, consonant = 0, False, False
    for i in range(len(stem)):
        consonant = _is_consonant(stem, i, consonant)
        if not consonant:
            seen_vowel = True
        elif seen_vowel:
            m += 1
            seen_vowel = False
    return m


def _m_gt0(stem: bytes) -> bool:
    return _measure(stem) > 0


def _m_gt1(stem: bytes) -> bool:
    return _measure(stem) > 1


def _has_vowel(stem: bytes) -> bool:
    """*v* as FTS5 tests it: a vowel, or a 'y' anywhere but first."""
    return any(c in _VOWELS or (c == 0x79 and i > 0) for i, c in enumerate(stem))


def _cvc(stem: bytes) -> bool:
    """*o: ends consonant-vowel-consonant, the last not w, x or y."""
    if not stem or stem[-1] in b"wxy":
        return False
    flags, consonant = [], False
    for i in range(len(stem)):
        consonant = _is_consonant(stem, i, consonant)
        flags.append(consonant)
    return flags[-3:] == [True, False, True]


def _m_gt1_s_or_t(stem: bytes) -> bool:
    return bool(stem) and stem[-1] in b"st" and _m_gt1(stem)


Rule = tuple[bytes, Callable[[bytes], bool] | None, bytes]

_STEP2: Sequence[Rule] = tuple(
    (s.encode(), _m_gt0, r.encode())
    for s, r in (
        ("ational", "ate"), ("tional", "tion"), ("enci", "ence"), ("anci", "ance"),
        ("izer", "ize"), ("logi", "log"), ("bli", "ble"), ("alli", "al"), ("entli", "ent"),
        ("eli", "e"), ("ousli", "ous"), ("ization", "ize"), ("ation", "ate"), ("ator", "ate"),
        ("alism", "al"), ("iveness", "ive"), ("fulness", "ful"), ("ousness", "ous"),
        ("aliti", "al"), ("iviti", "ive"), ("biliti", "ble"),
    )
)  # fmt: skip
_STEP3: Sequence[Rule] = tuple(
    (s.encode(), _m_gt0, r.encode())
    for s, r in (
        ("ical", "ic"), ("ness", ""), ("icate", "ic"), ("iciti", "ic"), ("ful", ""),
        ("ative", ""), ("alize", "al"),
    )
)  # fmt: skip
_STEP4: Sequence[Rule] = tuple(
    (s.encode(), _m_gt1_s_or_t if s == "ion" else _m_gt1, b"")
    for s in (
        "al", "ance", "ence", "er", "ic", "able", "ible", "ant", "ement", "ment", "ent",
        "ion", "ou", "ism", "ate", "iti", "ous", "ive", "ize",
    )
)  # fmt: skip


def _apply(word: bytes, rules: Sequence[Rule]) -> tuple[bytes, bool]:
    """The first rule whose suffix ends the word (and is shorter than it) decides: it applies
    when its condition holds on the stem, and no later rule is tried either way."""
    for suffix, condition, replacement in rules:
        if len(word) > len(suffix) and word.endswith(suffix):
            stem = word[: -len(suffix)]
            if condition is None or condition(stem):
                return stem + replacement, True
            return word, False
    return word, False


def _step1a(word: bytes) -> bytes:
    if not word.endswith(b"s"):
        return word
    if word.endswith(b"es"):
        if (len(word) > 4 and word.endswith(b"sses")) or (len(word) > 3 and word[-3] == 0x69):
            return word[:-2]
        return word[:-1]
    if word.endswith(b"ss"):
        return word
    return word[:-1]


def _step1b(word: bytes) -> bytes:
    if len(word) > 3 and word.endswith(b"eed"):
        return word[:-1] if _m_gt0(word[:-3]) else word
    for suffix in (b"ed", b"ing"):
        if len(word) > len(suffix) and word.endswith(suffix):
            stem = word[: -len(suffix)]
            if not _has_vowel(stem):
                return word
            return _step1b2(stem)
    return word


def _step1b2(word: bytes) -> bytes:
    for suffix, replacement in ((b"at", b"ate"), (b"bl", b"ble"), (b"iz", b"ize")):
        if len(word) > 2 and word.endswith(suffix):
            return word[:-2] + replacement
    if len(word) >= 2:
        last = word[-1]
        if last not in _VOWELS and last not in b"lsz" and last == word[-2]:
            return word[:-1]
    if _measure(word) == 1 and _cvc(word):
        return word + b"e"
    return word


def _stem_bytes(word: bytes) -> bytes:
    word = _step1b(_step1a(word))
    if word.endswith(b"y") and _has_vowel(word[:-1]):
        word = word[:-1] + b"i"
    for rules in (_STEP2, _STEP3, _STEP4):
        word, _ = _apply(word, rules)
    if word.endswith(b"e"):
        stem = word[:-1]
        m = _measure(stem)
        if m > 1 or (m == 1 and not _cvc(stem)):
            word = stem
    if len(word) > 1 and word.endswith(b"ll") and _m_gt1(word[:-1]):
        word = word[:-1]
    return word


@lru_cache(maxsize=262_144)
def stem(word: str) -> str:
    """The FTS5 porter stem of one folded word: ``"questions"`` -> ``"question"``."""
    data = word.encode()
    if len(data) < 3 or len(data) > _MAX_TOKEN:
        return word
    # FTS5 stems bytes: "\ue000ing" loses a byte of its (ee 80 80) to the "double consonant"
    # rule, an invalid UTF-8 token it indexes as it is; those bytes are kept (surrogateescape)
    # so that two such stems stay as distinct as the index's
    return _stem_bytes(data).decode("utf-8", "surrogateescape")
