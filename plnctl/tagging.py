"""Pure topic rules: which topics a post gets, and why. No I/O.

How a post gets a topic (every comparison is case-insensitive with accents folded: NFKD, marks
dropped, casefold, so "Évaluation" matches the keyword "evaluation"):

- **keyword**: a word or phrase matches its title or text as whole words ("ai" does not match
  "said"; "formative assessment" matches across any whitespace);
- **hashtag**: one of the post's hashtags (Mastodon tags) or a ``#tag`` written in its text;
- **category**: one of the feed entry's categories, compared whole;
- **person**: the author is a person linked to the topic. Each rule hit above scores 1; the
  person link scores the topic's *effective person weight* (``topics.person_weight`` times the
  ``[topics] person_weight`` setting). The topic applies when the score reaches 1, so with the
  default weight 1 every post by a linked person gets the topic, a weight below 1 means the link
  alone is not enough, and 0 switches person-based tagging off;
- **exclude**: any exclude term (whole words, title or text) vetoes the topic for that post.

Each match carries a one-line reason such as ``keyword "formative assessment" in title``.

Speed: ``Matcher`` indexes every keyword by its (first) word, so a post only evaluates the
topics whose words occur in it (an exact, necessary condition for a whole-word match); single
words are then set lookups, and a phrase runs its own compiled regex only when all its words
occur.
"""

from __future__ import annotations

import itertools
import re
import unicodedata
from collections import Counter
from collections.abc import Collection, Iterable, Mapping, Sequence
from dataclasses import dataclass, field

_WORD = re.compile(r"\w+")
_HASHTAG = re.compile(r"#(\w+)")
_MAX_REASONS = 3


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


def _word_set(folded: str) -> set[str]:
    found = set(folded.encode().translate(_ASCII_SEPARATORS).decode().split())
    if folded.isascii():
        return found
    # tokens with non-ASCII characters (letters, or punctuation like ’ and …) split by regex
    for token in [t for t in found if not t.isascii()]:
        found.discard(token)
        found.update(_WORD.findall(token))
    return found


def normalize_hashtag(tag: str) -> str:
    """``"#EdChat"`` -> ``"edchat"``."""
    return fold(tag.strip().lstrip("#"))


def words(text: str) -> list[str]:
    """The folded words of a text, in order."""
    return _WORD.findall(fold(text))


@dataclass(frozen=True)
class TopicRules:
    """One topic's rules, as the matcher needs them."""

    topic_id: int
    name: str
    keywords: tuple[str, ...] = ()
    hashtags: tuple[str, ...] = ()
    categories: tuple[str, ...] = ()
    excludes: tuple[str, ...] = ()
    people: Mapping[int, str] = field(default_factory=dict)  # person id -> name
    person_weight: float = 1.0  # effective: topic weight x setting


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


class _Terms:
    """Whole-word matching of a set of words and phrases.

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

    def find(self, folded: str, present: set[str]) -> str | None:
        """The original spelling of a term found in a folded text whose words are ``present``;
        phrases before single words."""
        for phrase in self.phrases:
            if phrase.words <= present and phrase.search(folded):
                return self.original[phrase.key]
        hits = self.single & present
        if hits:
            return self.original[min(hits, key=lambda k: (-len(k), k))]
        return None


class _Compiled:
    def __init__(self, rules: TopicRules):
        self.rules = rules
        self.keywords = _Terms(rules.keywords)
        self.excludes = _Terms(rules.excludes)
        self.hashtags = {normalize_hashtag(t): t.strip().lstrip("#") for t in rules.hashtags}
        self.hashtags.pop("", None)
        self.categories = {" ".join(fold(c).split()): c.strip() for c in rules.categories}
        self.categories.pop("", None)


@dataclass
class _Facts:
    """One post, folded once."""

    title: str
    text: str
    title_words: set[str]
    text_words: set[str]
    words: set[str]
    hashtags: set[str]
    categories: dict[str, str]
    person_id: int | None


class Matcher:
    """Compiled rules for many topics. Build once per batch, call ``match`` per post."""

    def __init__(self, topics: Sequence[TopicRules]):
        self.topics = [_Compiled(t) for t in topics]
        self._by_word: dict[str, list[int]] = {}  # one-word keywords
        self._by_phrase: dict[str, list[tuple[int, frozenset[str]]]] = {}  # by first word
        self._by_hashtag: dict[str, list[int]] = {}
        self._by_category: dict[str, list[int]] = {}
        self._by_person: dict[int, list[int]] = {}
        self._always: list[int] = []
        for index, topic in enumerate(self.topics):
            for word in topic.keywords.single:
                self._by_word.setdefault(word, []).append(index)
            for first, needed in topic.keywords.phrase_words.items():
                self._by_phrase.setdefault(first, []).extend((index, n) for n in needed)
            for tag in topic.hashtags:
                self._by_hashtag.setdefault(tag, []).append(index)
            for category in topic.categories:
                self._by_category.setdefault(category, []).append(index)
            for person_id in topic.rules.people:
                self._by_person.setdefault(person_id, []).append(index)
            if topic.keywords.always:
                self._always.append(index)
        self._word_keys = set(self._by_word)
        self._phrase_keys = set(self._by_phrase)
        self._uses_hashtags = bool(self._by_hashtag)

    def match(
        self,
        *,
        title: str | None,
        text: str | None,
        hashtags: Iterable[str] = (),
        categories: Iterable[str] = (),
        person_id: int | None = None,
    ) -> list[Match]:
        """The topics this post gets, each with its reason, in topic order."""
        facts = self._facts(title, text, hashtags, categories, person_id)
        candidates = set(self._always)
        words = facts.words
        for word in words & self._word_keys:
            candidates.update(self._by_word[word])
        for first in words & self._phrase_keys:
            for index, needed in self._by_phrase[first]:
                if index not in candidates and needed <= words:
                    candidates.add(index)
        for tag in facts.hashtags:
            candidates.update(self._by_hashtag.get(tag, ()))
        for category in facts.categories:
            candidates.update(self._by_category.get(category, ()))
        if person_id is not None:
            candidates.update(self._by_person.get(person_id, ()))
        found = []
        for index in sorted(candidates):
            reason = self._decide(self.topics[index], facts)
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
        person_id: int | None,
    ) -> _Facts:
        folded_title, folded_text = fold(title or ""), fold(text or "")
        tags = {normalize_hashtag(t) for t in hashtags}
        if self._uses_hashtags:
            for field_text in (folded_title, folded_text):
                if "#" in field_text:
                    tags.update(_HASHTAG.findall(field_text))
        title_words, text_words = _word_set(folded_title), _word_set(folded_text)
        return _Facts(
            title=folded_title,
            text=folded_text,
            title_words=title_words,
            text_words=text_words,
            words=title_words | text_words,
            hashtags=tags,
            categories={" ".join(fold(c).split()): c for c in categories if c},
            person_id=person_id,
        )

    def _decide(self, topic: _Compiled, facts: _Facts) -> str | None:
        reasons, score = _rule_hits(topic, facts)
        people, person_id = topic.rules.people, facts.person_id
        if person_id is not None and person_id in people and topic.rules.person_weight > 0:
            score += topic.rules.person_weight
            reasons.append(f"author {people[person_id]} is linked to this topic")
        if score < 1 or _excluded(topic, facts):
            return None
        return "; ".join(reasons[:_MAX_REASONS])


def _rule_hits(topic: _Compiled, facts: _Facts) -> tuple[list[str], float]:
    reasons: list[str] = []
    in_title = topic.keywords.find(facts.title, facts.title_words)
    if in_title:
        reasons.append(f'keyword "{in_title}" in title')
    in_text = topic.keywords.find(facts.text, facts.text_words)
    if in_text and in_text != in_title:
        reasons.append(f'keyword "{in_text}" in text')
    for tag in sorted(facts.hashtags & topic.hashtags.keys()):
        reasons.append(f"hashtag #{tag}")
    for category in sorted(facts.categories.keys() & topic.categories.keys()):
        reasons.append(f'category "{facts.categories[category]}"')
    return reasons, float(len(reasons))


def _excluded(topic: _Compiled, facts: _Facts) -> bool:
    excludes = topic.excludes
    if not excludes.original:
        return False
    if not excludes.always and not (excludes.first_words & facts.words):
        return False
    return bool(
        excludes.find(facts.title, facts.title_words) or excludes.find(facts.text, facts.text_words)
    )


def covered_terms(topics: Iterable[TopicRules]) -> set[str]:
    """Folded words, phrases and hashtags that some topic already covers (for suggestions)."""
    covered: set[str] = set()
    for topic in topics:
        for term in (topic.name, *topic.keywords, *topic.categories):
            key = " ".join(fold(term).split())
            covered.add(key)
            covered.update(_WORD.findall(key))
            covered.add(key.replace(" ", ""))
        covered.update(normalize_hashtag(t) for t in topic.hashtags)
    return covered


def term_counts(texts: Iterable[str], *, skip: Collection[str]) -> Counter[str]:
    """In how many texts each word (4+ letters, not a number) and each two-word phrase occurs,
    leaving out words in ``skip`` (stopwords, terms topics already cover)."""
    counts: Counter[str] = Counter()
    for text in texts:
        folded = [w for w in words(text) if not w.isdigit()]
        seen = {w for w in folded if len(w) >= 4 and w not in skip}
        seen.update(
            f"{a} {b}"
            for a, b in itertools.pairwise(folded)
            if len(a) >= 3 and len(b) >= 3 and a not in skip and b not in skip
        )
        counts.update(seen)
    return counts
