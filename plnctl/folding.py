"""Text as the topic rules and search compare it: folded (case and accents), split into words
and search tokens, and stemmed. Pure; shared by ``plnctl.tagging`` and topic suggestions.

Python folds and splits text exactly as the search index's tokenizer does (FTS5 ``unicode61
remove_diacritics 2``, under porter), so a topic rule, its live update (which asks the index
which posts may match) and a search see the same tokens in any script. The index is the
reference, so existing databases need no rebuild: "ß" stays "ß" (Python's casefold says "ss"),
a ligature or a fullwidth letter stays itself (NFKD would decompose it), a Devanagari vowel
sign splits a word, a code point newer than SQLite's Unicode tables is a letter. The
tokenizer's table is ``plnctl.unicode61``, read from SQLite by ``docs/gen_unicode61.py``;
ASCII text (most posts) never loads it.
"""

from __future__ import annotations

import bisect
import functools
import re
import unicodedata
from collections.abc import Callable
from typing import cast

from plnctl.stemming import stem

_Mapped = int | str | None  # a str.translate value: a code point, a string, None (dropped)


@functools.cache
def _table() -> tuple[list[int], list[int], list[int], list[int], dict[int, int]]:
    """(separator range starts, ends, dropped range starts, ends, folds), from the table."""
    from plnctl import unicode61

    separators = [int(n, 16) for n in unicode61.SEPARATORS.split()]
    dropped = [int(n, 16) for n in unicode61.DROPPED.split()]
    folds = [int(n, 16) for n in unicode61.FOLDS.split()]
    return (
        separators[::2],
        separators[1::2],
        dropped[::2],
        dropped[1::2],
        dict(zip(folds[::2], folds[1::2], strict=True)),
    )


def _in(cp: int, starts: list[int], ends: list[int]) -> bool:
    i = bisect.bisect_right(starts, cp) - 1
    return i >= 0 and cp <= ends[i]


def is_separator(char: str) -> bool:
    """Whether the index splits tokens at this character (one code point)."""
    starts, ends, *_ = _table()
    return _in(ord(char), starts, ends)


class _FoldMap(dict[int, _Mapped]):
    """code point -> its folded form, for ``str.translate`` (a C dict lookup per character
    once that character has been seen)."""

    def __missing__(self, cp: int) -> _Mapped:
        _starts, _ends, drop_starts, drop_ends, folds = _table()
        found: _Mapped = None if _in(cp, drop_starts, drop_ends) else folds.get(cp, cp)
        self[cp] = found
        return found


class _SplitMap(dict[int, int]):
    """code point -> a space for a separator, else itself: a folded text's tokens by split()."""

    def __missing__(self, cp: int) -> int:
        starts, ends, *_ = _table()
        found = self[cp] = 32 if _in(cp, starts, ends) else cp
        return found


# Typographic punctuation (separators for the index) as its ASCII twin, so "children’s" matches
# the keyword "children's" as written, and a text whose only non-ASCII characters are dashes and
# quotes folds to ASCII (the fast paths).
_FOLD = _FoldMap({
    0x2019: "'", 0x2018: "'", 0x201C: '"', 0x201D: '"',
    0x2014: "-", 0x2013: "-", 0x2026: "...", 0x00A0: " ",
})  # fmt: skip
_SPLIT = _SplitMap()


# Non-ASCII text is mostly ASCII: its ASCII letters are lowered as bytes (as the index lowers
# them), and only the runs of other characters go through the table (3x faster than
# translating every character).
_NON_ASCII_RUN = re.compile(r"[^\x00-\x7f]+")


# A lone surrogate (a command-line argument with undecodable bytes) passes through: a separator.
_UTF8, _LONE = "utf-8", "surrogatepass"


def _bytes(text: str) -> bytes:
    return text.encode(_UTF8, _LONE)


def _fold_run(run: re.Match[str]) -> str:
    return run.group().translate(_FOLD)


def fold(text: str) -> str:
    """Case- and accent-insensitive form, each character as the index folds it: its simple
    lower case, accents dropped (remove_diacritics 2); separators kept as written."""
    if text.isascii():
        return text.lower()
    return _NON_ASCII_RUN.sub(_fold_run, _bytes(text).lower().decode(_UTF8, _LONE))


def _class(*, keep: str = "") -> str:
    """A regex class of the characters that are not separators (token characters, and those
    dropped from a token), and of ``keep``."""
    starts, ends, *_ = _table()
    ranges = []
    for first, last in zip(starts, ends, strict=True):
        for cp in sorted(cp for cp in map(ord, keep) if first <= cp <= last):
            if first < cp:  # a kept character splits its separator range
                ranges.append((first, cp - 1))
            first = cp + 1
        if first <= last:
            ranges.append((first, last))
    parts = (_escape(a) if a == b else f"{_escape(a)}-{_escape(b)}" for a, b in ranges)
    return "[^" + "".join(parts) + "]"


def _escape(cp: int) -> str:
    return "\\x00" if cp == 0 else re.escape(chr(cp))


class _LazyPattern:
    """A regex compiled on first use (its class is built from the table)."""

    def __init__(self, build: Callable[[], str]):
        self._build = build
        self._compiled: re.Pattern[str] | None = None

    def __getattr__(self, name: str) -> object:
        if self._compiled is None:
            self._compiled = re.compile(self._build())
        return getattr(self._compiled, name)


@functools.cache
def word_class() -> str:
    """A regex class of the characters of a word as written: token characters and "_"."""
    return _class(keep="_")


def _pattern(build: Callable[[], str]) -> re.Pattern[str]:
    return cast(re.Pattern[str], _LazyPattern(build))


# A word as written (keywords matched without stemming): token characters, "_" joining them.
WORD = _pattern(lambda: word_class() + "+")
# A search token: a run of token characters (in text not folded yet: with the accents it drops).
TOKEN = _pattern(lambda: _class() + "+")
# A hashtag written in a folded text (see ``hashtags_in``).
_HASHTAG = _pattern(lambda: "#(" + word_class() + "+)")
_ASCII_HASHTAG = re.compile(r"#(\w+)")
# Words only (see ``token_phrase``).
_TOKEN_PHRASE = _pattern(lambda: f"{_class()}+(?:[\\s'-]+{_class()}+)*")


# ASCII bytes that are not word characters become spaces: a fast path to the words of ASCII
# text (most posts) with bytes.translate + split instead of a regex. The bytes of other
# characters are kept, for ``WORD`` to split the parts that hold them.
_ASCII_SEPARATORS = bytes(c if c >= 128 or chr(c).isalnum() or c == 95 else 32 for c in range(256))


# The same for search tokens ("_" splits them); other characters' bytes kept for the table.
_TOKEN_SEPARATORS = bytes(c if c >= 128 or chr(c).isalnum() else 32 for c in range(256))


def word_set(folded: str) -> set[str]:
    """The words as written of a folded text (``WORD``)."""
    if folded.isascii():
        return set(folded.encode().translate(_ASCII_SEPARATORS).decode().split())
    spaced = _bytes(folded).translate(_ASCII_SEPARATORS).decode(_UTF8, _LONE)
    return set(_NON_ASCII_RUN.sub(_split_run, spaced).split())


def _split_run(run: re.Match[str]) -> str:
    return run.group().translate(_SPLIT)


def tokens(folded: str) -> list[str]:
    """The search tokens of a folded text, in order: exactly the index's."""
    if folded.isascii():
        return folded.encode().translate(_TOKEN_SEPARATORS).decode().split()
    spaced = _bytes(folded).translate(_TOKEN_SEPARATORS).decode(_UTF8, _LONE)
    return _NON_ASCII_RUN.sub(_split_run, spaced).split()


def hashtags_in(folded: str) -> list[str]:
    """The hashtags written in a folded text: "#" and a word, whole as the index splits it."""
    return (_ASCII_HASHTAG if folded.isascii() else _HASHTAG).findall(folded)


def is_word_char(char: str) -> bool:
    """Whether a character belongs to a word as written (``WORD``)."""
    if char.isascii():
        return char.isalnum() or char == "_"
    return not is_separator(char)


def token_phrase(folded: str) -> bool:
    """Whether a folded keyword is words only, matched token by token (stemmed): tokens with
    spaces, apostrophes or hyphens between them, or characters that split tokens without being
    punctuation (a Devanagari vowel sign, a Hebrew point, a joiner). Other punctuation or a
    symbol makes it a keyword matched as written ("micro:bit", "c++")."""
    if not folded.isascii():
        folded = "".join(map(_mark_as_space, folded)).strip()
    return _TOKEN_PHRASE.fullmatch(folded) is not None


def _mark_as_space(char: str) -> str:
    if char.isascii() or not is_separator(char) or unicodedata.category(char)[0] not in "MC":
        return char
    return " "


class _StemCache(dict[str, str]):
    """word -> stem; a dict lookup per word (C speed) once a word has been seen."""

    def __missing__(self, word: str) -> str:
        if len(self) > 500_000:
            self.clear()
        found = self[word] = stem(word)
        return found


STEMS = _StemCache()


def normalize_hashtag(tag: str) -> str:
    """``"#EdChat"`` -> ``"edchat"``."""
    return fold(tag.strip().lstrip("#"))


def words(text: str) -> list[str]:
    """The folded words of a text, in order."""
    return WORD.findall(fold(text))
