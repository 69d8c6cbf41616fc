"""One field of a post (title or text) as the topic rules read it: folded once, its words,
tokens and stems computed on demand; or only the places the search index marked
(``MarkedField``). Pure; used by ``plnctl.tagging``."""

from __future__ import annotations

import functools
import itertools
import re

from plnctl.folding import STEMS as _STEMS
from plnctl.folding import TOKEN as _TOKEN
from plnctl.folding import fold, tokens, word_set


class Field:
    """One field of a post (title or text), folded once; words, tokens and stems on demand."""

    __slots__ = (
        *("_stem_set", "_stems", "_token_set", "_tokens", "_words", "_written_words"),
        *("folded", "original"),
    )

    def __init__(self, text: str | None):
        self.original = text or ""
        self.folded = fold(self.original)
        self._words: set[str] | None = None
        self._written_words: set[str] | None = None
        self._tokens: list[str] | None = None
        self._stems: list[str] | None = None
        self._stem_set: set[str] | None = None
        self._token_set: set[str] | None = None

    @property
    def words(self) -> set[str]:
        """Words as written (``\\w+``: "_" joins), for keywords matched without stemming."""
        if self._words is None:
            self._words = word_set(self.folded)
        return self._words

    @property
    def written(self) -> str:
        """The folded text in which terms matched as written (no stemming) are looked for."""
        return self.folded

    @property
    def written_words(self) -> set[str]:
        """The words (``\\w+``) of ``written``."""
        if self._written_words is None:
            self._written_words = self.words
        return self._written_words

    @property
    def tokens(self) -> list[str]:
        if self._tokens is None:
            self._tokens = tokens(self.folded)
        return self._tokens

    @property
    def token_set(self) -> set[str]:
        if self._token_set is None:
            self._token_set = set(self.tokens)
        return self._token_set

    @property
    def stem_set(self) -> set[str]:
        if self._stem_set is None:
            self._stem_set = set(map(_STEMS.__getitem__, self.token_set))
        return self._stem_set

    @property
    def stems(self) -> list[str]:
        if self._stems is None:
            self._stems = list(map(_STEMS.__getitem__, self.tokens))
        return self._stems

    def form(self, start: int, end: int) -> str:
        """The text as written from token ``start`` to token ``end`` (exclusive)."""
        found = _run_pattern(tuple(self.tokens[start:end])).search(self.original)
        if found is not None:  # the words as they are written (case aside) at their first place
            return found.group()
        matches = list(itertools.islice(_TOKEN.finditer(self.original), end))
        if not self.original.isascii():  # folding is lower() only for ASCII: check the tokens
            written = [fold(m.group()) for m in matches]
            if written != self.tokens[:end]:  # folding changed the tokens: show them folded
                return " ".join(self.tokens[start:end])
        return self.original[matches[start].start() : matches[end - 1].end()]


# Marks the search index puts around the places a rule's words occur (``highlight``); OPEN is
# also the token put between two places so that no phrase runs across them (a marked text
# holds no OPEN of its own, and no token is one).
OPEN, CLOSE = "\x01", "\x02"
_PLACE = re.compile(f"{OPEN}([^{CLOSE}]*){CLOSE}")
# ``tokens`` for ASCII text, keeping OPEN: the tokens of every place at once
_PLACE_TOKENS = bytes(
    c if c < 128 and (chr(c).isalnum() or chr(c) == OPEN) else 32 for c in range(256)
)


def can_mark(text: str | None) -> bool:
    """Whether the index's marks can stand for this field (see ``MarkedField``)."""
    if text is None:
        return True
    # typographic quotes and dashes: separators for the index as for ``tokens``
    return (text.isascii() or fold(text).isascii()) and OPEN not in text and CLOSE not in text


class MarkedField(Field):
    """A field whose tokens are only those of the places the search index marked (OPEN ..
    CLOSE in ``marked``, which is the field with marks): each place a rule's words may occur.
    So only they are stemmed, not every word of the post. The text itself (``original``,
    ``folded``, ``words``) is the whole field, for hashtags and forms found; terms matched as
    written are looked for around the marked places only (``written``).

    Only for text without OPEN or CLOSE that is ASCII once typographic punctuation is
    (``can_mark``), where the index splits and stems tokens as ``tokens``/``stem`` do (a form
    found is then always found in ``original``)."""

    __slots__ = ("_marked", "_written")

    def __init__(self, text: str | None, marked: str | None):
        super().__init__(text)
        self._marked = marked or ""
        self._written: str | None = None
        places = fold(f" {OPEN} ".join(_PLACE.findall(self._marked)))
        if places.isascii():  # always, for a text ``can_mark`` accepts
            self._tokens = places.encode().translate(_PLACE_TOKENS).decode().split()
        else:
            self._tokens = [t for place in places.split(OPEN) for t in (*tokens(place), OPEN)]

    @property
    def written(self) -> str:
        """The marked places, each widened to the whitespace on either side, folded and
        joined by OPEN: not a word character (as the whitespace or text end it stands for),
        not whitespace (no phrase runs across it), and in no term (``Matcher.marked_terms``).

        A term as written occurs only where the index marks its tokens: it is whole non-space
        runs with whitespace between, whose tokens run in a row as the marked phrase's do, so
        it lies inside one widened place, and what borders a place borders it in the text
        too: a term is found here exactly where it is found in the whole text."""
        if self._written is None:
            text, size = self.original, len(self.original)
            pieces, last = [], (-1, -1)
            for index, place in enumerate(_PLACE.finditer(self._marked)):
                start = place.start() - 2 * index  # in ``original``: less the marks before
                end = start + len(place.group(1))
                while start > 0 and not text[start - 1].isspace():
                    start -= 1
                while end < size and not text[end].isspace():
                    end += 1
                if (start, end) != last:  # two places in one word ("x_y"): once
                    pieces.append(fold(text[start:end]))
                    last = (start, end)
            self._written = OPEN.join(pieces)
        return self._written

    @property
    def written_words(self) -> set[str]:
        if self._written_words is None:
            self._written_words = word_set(self.written)
        return self._written_words


@functools.lru_cache(maxsize=4096)
def _run_pattern(words: tuple[str, ...]) -> re.Pattern[str]:
    """Folded words one after the other, as whole tokens, in a text not yet folded."""
    between = r"[\W_]+"
    return re.compile(
        r"(?<![^\W_])" + between.join(map(re.escape, words)) + r"(?![^\W_])", re.IGNORECASE
    )
