"""Text as the topic rules and search compare it: folded (case and accents), split into words
and search tokens, and stemmed. Pure; shared by ``plnctl.tagging`` and topic suggestions."""

from __future__ import annotations

import re
import unicodedata

from plnctl.stemming import stem

WORD = re.compile(r"\w+")
# A search token (FTS5 unicode61): letters and digits; "_" separates, as in the index.
TOKEN = re.compile(r"[^\W_]+")


# The combining diacritical mark blocks (what FTS5's remove_diacritics drops too); marks that
# carry meaning in other scripts (Indic vowel signs, ...) are kept.
_MARKS = re.compile("[\u0300-\u036f\u1ab0-\u1aff\u1dc0-\u1dff\u20d0-\u20ff\ufe20-\ufe2f]+")


# Typographic punctuation as its ASCII twin, so "children’s" matches "children's" and a text
# whose only non-ASCII characters are dashes and quotes stays on the fast ASCII path.
_PUNCTUATION = (
    ("\u2019", "'"), ("\u2018", "'"), ("\u201c", '"'), ("\u201d", '"'),
    ("\u2014", "-"), ("\u2013", "-"), ("\u2026", "..."), ("\u00a0", " "),
)  # fmt: skip


def fold(text: str) -> str:
    """Case- and accent-insensitive form: NFKD, combining marks dropped, casefolded."""
    if text.isascii():
        return text.lower()
    for typographic, plain in _PUNCTUATION:
        if typographic in text:
            text = text.replace(typographic, plain)
    if text.isascii():
        return text.lower()
    return _MARKS.sub("", unicodedata.normalize("NFKD", text)).casefold()


# ASCII bytes that are not word characters (\w) become spaces: a fast path to the words of
# ASCII text (most posts) with bytes.translate + split instead of a regex.
_ASCII_SEPARATORS = bytes(
    c if c < 128 and (chr(c).isalnum() or chr(c) == "_") else 32 for c in range(256)
)


_TOKEN_SEPARATORS = bytes(c if c < 128 and chr(c).isalnum() else 32 for c in range(256))


def word_set(folded: str) -> set[str]:
    found = set(folded.encode().translate(_ASCII_SEPARATORS).decode().split())
    if folded.isascii():
        return found
    # tokens with non-ASCII characters (letters, or punctuation like ’ and …) split by regex
    for token in [t for t in found if not t.isascii()]:
        found.discard(token)
        found.update(WORD.findall(token))
    return found


def tokens(folded: str) -> list[str]:
    """The search tokens of a folded text, in order (as FTS5's unicode61 splits it)."""
    if folded.isascii():
        return folded.encode().translate(_TOKEN_SEPARATORS).decode().split()
    return TOKEN.findall(folded)


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
