"""Pure topic rules: which topics a post gets, and why. No I/O.

How a post gets a topic (every comparison is case-insensitive with accents folded: NFKD, marks
dropped, casefold, so "Évaluation" matches the keyword "evaluation"):

- **keyword**: a word or phrase matches its title or text as whole words ("ai" does not match
  "said"). Words are stemmed the way search stems them (``plnctl.stemming``, FTS5's porter):
  "hinge question" matches "Hinge questions", "assessment" matches "assessments". A phrase
  matches its words in order, with nothing but spaces or punctuation between them, as a
  quoted search does. A keyword with punctuation inside a word (``micro:bit``, ``c++``,
  ``k-12``) is matched as written. A topic with ``exact`` set matches every keyword and
  exclude as written: no stemming, phrases across whitespace only;
- **hashtag**: one of the post's hashtags (Mastodon tags) or a ``#tag`` written in its text;
- **category**: one of the feed entry's categories, compared whole;
- **exclude**: any exclude term (whole words, title or text) vetoes the topic for that post.

Who wrote a post never gives it a topic: a person's topics are a hint about the person (used
to group and suggest), not a rule about their posts.

Each match carries a one-line reason such as ``keyword "formative assessment" in title``, or
``keyword "hinge question" as "Hinge questions" in title`` when a stemmed form was found.

Speed: ``Matcher`` indexes every keyword by its (first) word or stem, so a post only evaluates
the topics whose words occur in it (a necessary condition for a whole-word match); single words
are then set lookups, and a phrase is looked for only when all its words occur.
"""

from __future__ import annotations

import itertools
import re
from collections.abc import Iterable, Sequence
from dataclasses import dataclass

from plnctl.folding import STEMS as _STEMS
from plnctl.folding import TOKEN as _TOKEN
from plnctl.folding import WORD as _WORD
from plnctl.folding import fold, normalize_hashtag, tokens, word_set, words
from plnctl.stemming import stem

__all__ = ["Match", "Matcher", "TopicRules", "fold", "normalize_hashtag", "tokens", "words"]

# A keyword stemmed as tokens: words with spaces or apostrophes between them ("children's").
_TOKENS_ONLY = re.compile(r"[^\W_]+(?:[\s']+[^\W_]+)*")
_HASHTAG = re.compile(r"#(\w+)")
_MAX_REASONS = 3


@dataclass(frozen=True)
class TopicRules:
    """One topic's rules, as the matcher needs them."""

    topic_id: int
    name: str
    keywords: tuple[str, ...] = ()
    hashtags: tuple[str, ...] = ()
    categories: tuple[str, ...] = ()
    excludes: tuple[str, ...] = ()
    exact: bool = False  # keywords and excludes as written: no stemming


@dataclass(frozen=True)
class Match:
    topic_id: int
    topic: str
    reason: str


class _Phrase:
    """One phrase: the words it needs, and a regex that starts with a literal (so the regex
    engine scans for it like str.find); the word boundary before it is checked by hand."""

    def __init__(self, key: str):
        self.key = key
        self.words = frozenset(_WORD.findall(key))
        self.regex = re.compile(r"\s+".join(map(re.escape, key.split())) + r"(?!\w)")

    def search(self, folded: str) -> bool:
        for match in self.regex.finditer(folded):
            start = match.start()
            if start == 0 or not _is_word_char(folded[start - 1]):
                return True
        return False


def _is_word_char(char: str) -> bool:
    return char.isalnum() or char == "_"


class _Field:
    """One field of a post (title or text), folded once; words, tokens and stems on demand."""

    __slots__ = ("_stem_set", "_stems", "_tokens", "_words", "folded", "original")

    def __init__(self, text: str | None):
        self.original = text or ""
        self.folded = fold(self.original)
        self._words: set[str] | None = None
        self._tokens: list[str] | None = None
        self._stems: list[str] | None = None
        self._stem_set: set[str] | None = None

    @property
    def words(self) -> set[str]:
        """Words as written (``\\w+``: "_" joins), for keywords matched without stemming."""
        if self._words is None:
            self._words = word_set(self.folded)
        return self._words

    @property
    def tokens(self) -> list[str]:
        if self._tokens is None:
            self._tokens = tokens(self.folded)
        return self._tokens

    @property
    def stem_set(self) -> set[str]:
        if self._stem_set is None:
            self._stem_set = set(map(_STEMS.__getitem__, set(self.tokens)))
        return self._stem_set

    @property
    def stems(self) -> list[str]:
        if self._stems is None:
            self._stems = list(map(_STEMS.__getitem__, self.tokens))
        return self._stems

    def form(self, start: int, end: int) -> str:
        """The text as written from token ``start`` to token ``end`` (exclusive)."""
        if self.original.isascii():  # folding is lower(): the same tokens at the same places
            spans = [m.span() for m in itertools.islice(_TOKEN.finditer(self.original), end)]
        else:
            spans = [m.span() for m in _TOKEN.finditer(self.original)]
            if len(spans) != len(self.tokens):  # folding changed the tokens: show them folded
                return " ".join(self.tokens[start:end])
        return self.original[spans[start][0] : spans[end - 1][1]]


Found = tuple[str, str | None]  # the term as written, and the form found when it differs


class _Terms:
    """Whole-word matching of a set of words and phrases, as written (no stemming).

    Single words are set lookups in the post's words; a phrase (several words, or a word with
    punctuation like "micro:bit") runs its regex only when all its words occur in the text.
    One combined regex per topic was 5-10x slower on long posts: an alternation that begins
    with a look-behind is tried at every position of the text.
    """

    def __init__(self, terms: Iterable[str]):
        self.original: dict[str, str] = {}
        for term in terms:
            key = " ".join(fold(term).split())
            if key:
                self.original.setdefault(key, term.strip())
        self.single = {k for k in self.original if _WORD.fullmatch(k)}
        # longest first: the most specific phrase is the reason given
        self.phrases = [
            _Phrase(key)
            for key in sorted(set(self.original) - self.single, key=lambda k: (-len(k), k))
        ]
        # a phrase can only match when all its words occur: index them by their first word
        self.phrase_words: dict[str, list[frozenset[str]]] = {}
        self.always = False  # a phrase without any word (e.g. "++") is always tried
        for phrase in self.phrases:
            if phrase.words:
                first = _WORD.findall(phrase.key)[0]
                self.phrase_words.setdefault(first, []).append(phrase.words)
            else:
                self.always = True
        self.first_words = self.single | set(self.phrase_words)

    def find(self, field: _Field) -> Found | None:
        """The original spelling of a term found in a field; phrases before single words."""
        present = field.words
        for phrase in self.phrases:
            if phrase.words <= present and phrase.search(field.folded):
                return self.original[phrase.key], None
        hits = self.single & present
        if hits:
            return self.original[min(hits, key=lambda k: (-len(k), k))], None
        return None


class _StemTerms:
    """Words and phrases matched by their stems, token by token (as a quoted search)."""

    def __init__(self, terms: Iterable[str]):
        self.original: dict[tuple[str, ...], str] = {}
        self.written: dict[tuple[str, ...], list[str]] = {}  # the term's own folded tokens
        for term in terms:
            words = _TOKEN.findall(" ".join(fold(term).split()))
            stems = tuple(stem(t) for t in words)
            if stems and stems not in self.original:
                self.original[stems] = term.strip()
                self.written[stems] = words
        self.single = {s[0] for s in self.original if len(s) == 1}
        # phrases by first stem, the longest first: only those whose first stem occurs are tried
        self.by_first: dict[str, list[tuple[tuple[str, ...], frozenset[str]]]] = {}
        for phrase in sorted(
            (s for s in self.original if len(s) > 1), key=lambda s: (-len(" ".join(s)), s)
        ):
            self.by_first.setdefault(phrase[0], []).append((phrase, frozenset(phrase)))
        self.first_stems = self.single | set(self.by_first)
        self._firsts = set(self.by_first)

    def find(self, field: _Field) -> Found | None:
        present = field.stem_set
        firsts = self._firsts & present
        if firsts:
            found = [
                (len(" ".join(phrase)), phrase)
                for first in firsts
                for phrase, needed in self.by_first[first]
                if needed <= present
            ]
            # longest first, as if all phrases were tried in that order
            for _length, phrase in sorted(found, key=lambda f: (-f[0], f[1])):
                start = _find_run(field.stems, phrase)
                if start is not None:
                    return self._found(phrase, field, start)
        hits = self.single & present
        if hits:
            key = min(hits, key=lambda k: (-len(k), k))
            return self._found((key,), field, field.stems.index(key))
        return None

    def _found(self, key: tuple[str, ...], field: _Field, start: int) -> Found:
        """The term, and the form found in the field when its words differ from the term's."""
        end = start + len(key)
        if field.tokens[start:end] == self.written[key]:
            return self.original[key], None
        return self.original[key], field.form(start, end)


def _find_run(stems: list[str], phrase: tuple[str, ...]) -> int | None:
    """Where the phrase's stems occur in a row (list.index jumps between first stems)."""
    first, size, wanted, i = phrase[0], len(phrase), list(phrase), -1
    while True:
        try:
            i = stems.index(first, i + 1)
        except ValueError:
            return None
        if stems[i : i + size] == wanted:
            return i


class _Keywords:
    """A topic's keywords (or excludes): stemmed ones, and those matched as written."""

    def __init__(self, terms: Sequence[str], *, exact: bool):
        as_written = [t for t in terms if exact or not _TOKENS_ONLY.fullmatch(fold(t).strip())]
        self.written = _Terms(as_written)
        self.stemmed = _StemTerms([] if exact else [t for t in terms if t not in as_written])
        self.empty = not self.written.original and not self.stemmed.original

    def find(self, field: _Field) -> Found | None:
        return self.stemmed.find(field) or self.written.find(field)


class _Compiled:
    def __init__(self, rules: TopicRules):
        self.rules = rules
        self.keywords = _Keywords(rules.keywords, exact=rules.exact)
        self.excludes = _Keywords(rules.excludes, exact=rules.exact)
        self.hashtags = {normalize_hashtag(t): t.strip().lstrip("#") for t in rules.hashtags}
        self.hashtags.pop("", None)
        self.categories = {" ".join(fold(c).split()): c.strip() for c in rules.categories}
        self.categories.pop("", None)


@dataclass
class _Facts:
    """One post, folded once."""

    title: _Field
    text: _Field
    hashtags: set[str]
    categories: dict[str, str]

    @property
    def words(self) -> set[str]:
        return self.title.words | self.text.words

    @property
    def stems(self) -> set[str]:
        return self.title.stem_set | self.text.stem_set


class Matcher:
    """Compiled rules for many topics. Build once per batch, call ``match`` per post."""

    def __init__(self, topics: Sequence[TopicRules]):
        self.topics = [_Compiled(t) for t in topics]
        self._by_word: dict[str, list[int]] = {}  # one-word keywords as written
        self._by_phrase: dict[str, list[tuple[int, frozenset[str]]]] = {}  # by first word
        self._by_stem: dict[str, list[int]] = {}  # stemmed keywords, by (first) stem
        self._by_hashtag: dict[str, list[int]] = {}
        self._by_category: dict[str, list[int]] = {}
        self._always: list[int] = []
        for index, topic in enumerate(self.topics):
            written = topic.keywords.written
            for word in written.single:
                self._by_word.setdefault(word, []).append(index)
            for first, needed in written.phrase_words.items():
                self._by_phrase.setdefault(first, []).extend((index, n) for n in needed)
            for first in topic.keywords.stemmed.first_stems:
                self._by_stem.setdefault(first, []).append(index)
            for tag in topic.hashtags:
                self._by_hashtag.setdefault(tag, []).append(index)
            for category in topic.categories:
                self._by_category.setdefault(category, []).append(index)
            if written.always:
                self._always.append(index)
        self._word_keys = set(self._by_word)
        self._phrase_keys = set(self._by_phrase)
        self._stem_keys = set(self._by_stem)
        self._uses_hashtags = bool(self._by_hashtag)

    def match(
        self,
        *,
        title: str | None,
        text: str | None,
        hashtags: Iterable[str] = (),
        categories: Iterable[str] = (),
    ) -> list[Match]:
        """The topics this post gets, each with its reason, in topic order."""
        facts = self._facts(title, text, hashtags, categories)
        candidates = set(self._always)
        if self._word_keys or self._phrase_keys:
            words = facts.words
            for word in words & self._word_keys:
                candidates.update(self._by_word[word])
            for first in words & self._phrase_keys:
                for index, needed in self._by_phrase[first]:
                    if index not in candidates and needed <= words:
                        candidates.add(index)
        if self._stem_keys:
            for first in facts.stems & self._stem_keys:
                candidates.update(self._by_stem[first])
        for tag in facts.hashtags:
            candidates.update(self._by_hashtag.get(tag, ()))
        for category in facts.categories:
            candidates.update(self._by_category.get(category, ()))
        found = []
        for index in sorted(candidates):
            reason = _decide(self.topics[index], facts)
            if reason is not None:
                topic = self.topics[index].rules
                found.append(Match(topic.topic_id, topic.name, reason))
        return found

    def _facts(
        self,
        title: str | None,
        text: str | None,
        hashtags: Iterable[str],
        categories: Iterable[str],
    ) -> _Facts:
        title_field, text_field = _Field(title), _Field(text)
        tags = {normalize_hashtag(t) for t in hashtags}
        if self._uses_hashtags:
            for field_text in (title_field.folded, text_field.folded):
                if "#" in field_text:
                    tags.update(_HASHTAG.findall(field_text))
        return _Facts(
            title=title_field,
            text=text_field,
            hashtags=tags,
            categories={" ".join(fold(c).split()): c for c in categories if c},
        )


def _decide(topic: _Compiled, facts: _Facts) -> str | None:
    reasons = _rule_hits(topic, facts)
    if not reasons or _excluded(topic, facts):
        return None
    return "; ".join(reasons[:_MAX_REASONS])


def _rule_hits(topic: _Compiled, facts: _Facts) -> list[str]:
    reasons: list[str] = []
    in_title = topic.keywords.find(facts.title)
    if in_title:
        reasons.append(_keyword_reason(in_title, "title"))
    in_text = topic.keywords.find(facts.text)
    if in_text and in_text != in_title:
        reasons.append(_keyword_reason(in_text, "text"))
    for tag in sorted(facts.hashtags & topic.hashtags.keys()):
        reasons.append(f"hashtag #{tag}")
    for category in sorted(facts.categories.keys() & topic.categories.keys()):
        reasons.append(f'category "{facts.categories[category]}"')
    return reasons


def _keyword_reason(found: Found, where: str) -> str:
    term, form = found
    return f'keyword "{term}"' + (f' as "{form}"' if form else "") + f" in {where}"


def _excluded(topic: _Compiled, facts: _Facts) -> bool:
    excludes = topic.excludes
    if excludes.empty:
        return False
    written = excludes.written
    if (
        not excludes.stemmed.original
        and not written.always
        and not (written.first_words & facts.words)
    ):
        return False
    return bool(excludes.find(facts.title) or excludes.find(facts.text))
