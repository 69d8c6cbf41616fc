"""Pure topic rules: which topics a post gets, and why. No I/O.

How a post gets a topic (every comparison is case-insensitive with accents folded, each word
split and folded exactly as the search index does it: ``plnctl.folding``; so "Évaluation"
matches the keyword "evaluation"):

- **keyword**: a word or phrase matches its title or text as whole words ("ai" does not match
  "said"). Words are stemmed the way search stems them (``plnctl.stemming``, FTS5's porter):
  "hinge question" matches "Hinge questions", "assessment" matches "assessments". A phrase
  matches its words in order, with nothing but spaces or punctuation between them, as a
  quoted search does; hyphens join words like spaces ("low-stakes quiz"). A keyword with
  other punctuation inside a word (``micro:bit``, ``c++``, ``.net``) is matched as written.
  A topic with ``exact`` set matches every keyword and exclude as written: no stemming,
  phrases across whitespace only;
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

import re
from collections.abc import Iterable, Sequence
from dataclasses import dataclass

from plnctl.fields import CLOSE, OPEN, can_mark
from plnctl.fields import Field as _Field
from plnctl.fields import MarkedField as _MarkedField
from plnctl.folding import TOKEN as _TOKEN
from plnctl.folding import WORD as _WORD
from plnctl.folding import (
    fold,
    hashtags_in,
    is_word_char,
    normalize_hashtag,
    token_phrase,
    tokens,
    words,
)
from plnctl.stemming import stem

__all__ = [
    "CLOSE",
    "OPEN",
    "Match",
    "Matcher",
    "TopicRules",
    "can_mark",
    "fold",
    "normalize_hashtag",
    "tokens",
    "words",
]

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
    engine scans for it like str.find); the word boundaries around it are checked by hand
    (a word character is one the index does not split at: ``plnctl.folding``)."""

    def __init__(self, key: str):
        self.key = key
        self.words = frozenset(_WORD.findall(key))
        self.regex = re.compile(r"\s+".join(map(re.escape, key.split())))

    def search(self, folded: str) -> bool:
        match = self.regex.search(folded)
        while match is not None:
            start, end = match.span()
            if (start == 0 or not is_word_char(folded[start - 1])) and (
                end == len(folded) or not is_word_char(folded[end])
            ):
                return True
            match = self.regex.search(folded, start + 1)
        return False


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
        # a term can only match when all its search tokens occur ("_" splits them, as in the
        # index): the matcher indexes terms by one of them; a term without any ("++") is
        # always tried
        self.needed_tokens = [frozenset(_TOKEN.findall(key)) for key in self.original]
        self.first_tokens = {min(n) for n in self.needed_tokens if n}
        self.always = any(not n for n in self.needed_tokens)

    def find(self, field: _Field) -> Found | None:
        """The original spelling of a term found in a field; phrases before single words."""
        present = field.written_words
        for phrase in self.phrases:
            if phrase.words <= present and phrase.search(field.written):
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

    def found_at(self, key: tuple[str, ...], field: _Field) -> Found:
        """The term ``key`` (known to occur in the field), and the form found."""
        start = field.stems.index(key[0]) if len(key) == 1 else _find_run(field.stems, key)
        assert start is not None
        return self._found(key, field, start)

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


_Order = tuple[int, int, tuple[str, ...]]


class _StemIndex:
    """The stemmed terms of every topic by first stem, so one pass over a field finds each
    topic's best term: the longest phrase that occurs, else the longest single word."""

    def __init__(self, terms: Sequence[_StemTerms]):
        self.entries: dict[str, list[tuple[int, tuple[str, ...], frozenset[str], _Order]]] = {}
        for index, topic_terms in enumerate(terms):
            for key in topic_terms.original:
                order = (0 if len(key) > 1 else 1, -len(" ".join(key)), key)
                self.entries.setdefault(key[0], []).append((index, key, frozenset(key), order))
        self.keys = set(self.entries)

    def best(self, field: _Field) -> dict[int, tuple[str, ...]]:
        """Topic index -> its best term found in the field."""
        present = field.stem_set
        best: dict[int, tuple[_Order, tuple[str, ...]]] = {}
        for first in present & self.keys:
            for index, key, needed, order in self.entries[first]:
                current = best.get(index)
                if current is not None and current[0] <= order:
                    continue
                if len(key) == 1 or (needed <= present and _find_run(field.stems, key) is not None):
                    best[index] = (order, key)
        return {index: key for index, (_order, key) in best.items()}


class _Keywords:
    """A topic's keywords (or excludes): stemmed ones, and those matched as written."""

    def __init__(self, terms: Sequence[str], *, exact: bool):
        as_written = [t for t in terms if exact or not token_phrase(fold(t).strip())]
        self.written = _Terms(as_written)
        self.stemmed = _StemTerms([] if exact else [t for t in terms if t not in as_written])

    def find(self, field: _Field, stemmed: tuple[str, ...] | None) -> Found | None:
        """The term found in a field: the best stemmed one (``stemmed``, from the matcher's
        index), else one matched as written."""
        if stemmed is not None:
            return self.stemmed.found_at(stemmed, field)
        return self.written.find(field) if self.written.original else None


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


class Matcher:
    """Compiled rules for many topics. Build once per batch, call ``match`` per post."""

    def __init__(self, topics: Sequence[TopicRules]):
        self.topics = [_Compiled(t) for t in topics]
        # keywords matched as written, by one of their tokens (a necessary condition)
        self._by_token: dict[str, list[tuple[int, frozenset[str]]]] = {}
        self._by_hashtag: dict[str, list[int]] = {}
        self._by_category: dict[str, list[int]] = {}
        self._always: list[int] = []
        for index, topic in enumerate(self.topics):
            written = topic.keywords.written
            for needed in written.needed_tokens:
                if needed:
                    self._by_token.setdefault(min(needed), []).append((index, needed))
            for tag in topic.hashtags:
                self._by_hashtag.setdefault(tag, []).append(index)
            for category in topic.categories:
                self._by_category.setdefault(category, []).append(index)
            if written.always:
                self._always.append(index)
        self._token_keys = set(self._by_token)
        self._keywords = _StemIndex([t.keywords.stemmed for t in self.topics])
        self._excludes = _StemIndex([t.excludes.stemmed for t in self.topics])
        self._uses_hashtags = bool(self._by_hashtag)

    def match(
        self,
        *,
        title: str | None,
        text: str | None,
        hashtags: Iterable[str] = (),
        categories: Iterable[str] = (),
        marked: tuple[str | None, str | None] | None = None,
    ) -> list[Match]:
        """The topics this post gets, each with its reason, in topic order.

        ``marked``: the title and text as the search index marked them for every keyword and
        exclude of these topics (see ``_MarkedField``): the same result, faster."""
        facts = self._facts(title, text, hashtags, categories, marked)
        candidates = set(self._always)
        if self._token_keys:
            present = facts.title.token_set | facts.text.token_set
            for first in present & self._token_keys:
                for index, needed in self._by_token[first]:
                    if index not in candidates and needed <= present:
                        candidates.add(index)
        in_title = self._keywords.best(facts.title) if self._keywords.keys else {}
        in_text = self._keywords.best(facts.text) if self._keywords.keys else {}
        candidates.update(in_title, in_text)
        for tag in facts.hashtags:
            candidates.update(self._by_hashtag.get(tag, ()))
        for category in facts.categories:
            candidates.update(self._by_category.get(category, ()))
        found = []
        excluded: set[int] | None = None
        for index in sorted(candidates):
            topic = self.topics[index]
            reasons = _rule_hits(topic, facts, in_title.get(index), in_text.get(index))
            if not reasons:
                continue
            if topic.excludes.stemmed.original and excluded is None:
                excluded = {*self._excludes.best(facts.title), *self._excludes.best(facts.text)}
            if (excluded is not None and index in excluded) or _excluded(topic, facts):
                continue
            found.append(
                Match(topic.rules.topic_id, topic.rules.name, "; ".join(reasons[:_MAX_REASONS]))
            )
        return found

    def marked_terms(self) -> list[tuple[str, ...]] | None:
        """The search tokens of every keyword and exclude, as phrases for the index to mark
        (see ``match(marked=...)``); None when one has none ("++": the index cannot find it) or
        holds a mark character."""
        phrases: dict[tuple[str, ...], None] = {}
        for topic in self.topics:
            for term in (*topic.rules.keywords, *topic.rules.excludes):
                found = tuple(tokens(" ".join(fold(term).split())))
                if not found or OPEN in term or CLOSE in term:  # OPEN: see MarkedField
                    return None
                phrases[found] = None
        return list(phrases)

    def _facts(
        self,
        title: str | None,
        text: str | None,
        hashtags: Iterable[str],
        categories: Iterable[str],
        marked: tuple[str | None, str | None] | None = None,
    ) -> _Facts:
        if marked is None:
            title_field, text_field = _Field(title), _Field(text)
        else:
            title_field, text_field = _MarkedField(title, marked[0]), _MarkedField(text, marked[1])
        tags = {normalize_hashtag(t) for t in hashtags}
        if self._uses_hashtags:
            for field_text in (title_field.folded, text_field.folded):
                if "#" in field_text:
                    tags.update(hashtags_in(field_text))
        return _Facts(
            title=title_field,
            text=text_field,
            hashtags=tags,
            categories={" ".join(fold(c).split()): c for c in categories if c},
        )


def _rule_hits(
    topic: _Compiled,
    facts: _Facts,
    stemmed_title: tuple[str, ...] | None,
    stemmed_text: tuple[str, ...] | None,
) -> list[str]:
    reasons: list[str] = []
    in_title = topic.keywords.find(facts.title, stemmed_title)
    if in_title:
        reasons.append(_keyword_reason(in_title, "title"))
    in_text = topic.keywords.find(facts.text, stemmed_text)
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
    """An exclude matched as written vetoes the topic (stemmed ones: the matcher's index)."""
    written = topic.excludes.written
    if not written.original or not (
        written.always or written.first_tokens & (facts.title.token_set | facts.text.token_set)
    ):
        return False
    return bool(written.find(facts.title) or written.find(facts.text))
