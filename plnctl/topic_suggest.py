"""Pure topic suggestions: phrases the network writes about lately, and much less before.

Candidates are two- and three-word phrases (runs of words with no stop word, number or
single letter inside) and hashtags, counted once per post. Variants that stem alike
("retrieval practices", "Retrieval practice") count together and are shown in their most used
spelling. Each is scored by Dunning's log-likelihood ratio (G²) of its share of recent posts
against its share of older posts: a phrase frequent this week and rare before scores high; a
phrase everyone always writes ("five minutes", "for example") scores near zero and is dropped
because it is no more frequent now than before. Phrases a topic already matches (by the same
stemmed rules that tag posts) and phrases inside a better one are left out. When most of a
phrase's authors are linked to one topic (a person's topics are a hint), the suggestion is to
add the phrase to that topic instead of creating a new one.
"""

from __future__ import annotations

import itertools
import math
import shlex
from collections import Counter
from collections.abc import Collection, Iterable, Sequence
from dataclasses import dataclass, field

from plnctl.stemming import stem
from plnctl.tagging import Matcher, TopicRules, fold, normalize_hashtag, tokens

_MAX_EXAMPLES = 2
# a phrase must be at least this many times more frequent (per post) now than before
_MIN_LIFT = 2.0
# and that difference significant: G² above the chi-squared value for p = 0.05, one degree
_MIN_G2 = 3.84


@dataclass(frozen=True)
class PostText:
    title: str | None
    text: str | None
    hashtags: tuple[str, ...] = ()
    person_topics: tuple[str, ...] = ()  # the author's topics (a hint)


@dataclass
class _Candidate:
    kind: str  # phrase | hashtag
    forms: Counter[str] = field(default_factory=Counter)
    posts: int = 0
    examples: list[str] = field(default_factory=list)
    hints: Counter[str] = field(default_factory=Counter)  # authors' topics


@dataclass(frozen=True)
class Suggested:
    term: str
    kind: str  # phrase | hashtag
    posts: int  # recent posts that use it
    before: int  # older posts that use it (of ``background``)
    score: float  # G², higher is more distinctive of the recent posts
    examples: tuple[str, ...]
    command: str
    topic: str | None = None  # the topic of most of its authors: add it there, not anew


def _phrases(text: str, stopwords: Collection[str]) -> dict[tuple[str, ...], str]:
    """Stem tuple -> folded form of every 2- and 3-word phrase of a text."""
    found: dict[tuple[str, ...], str] = {}
    for line in fold(text).splitlines():
        for segment in _segments(tokens(line), stopwords):
            for size in (2, 3):
                for i in range(len(segment) - size + 1):
                    run = segment[i : i + size]
                    found.setdefault(tuple(stem(w) for w in run), " ".join(run))
    return found


def _segments(words: list[str], stopwords: Collection[str]) -> Iterable[list[str]]:
    """Runs of content words, broken at stop words, numbers and single letters."""
    for keep, run in itertools.groupby(
        words, key=lambda w: len(w) > 1 and not w.isdigit() and w not in stopwords
    ):
        if keep:
            yield list(run)


def _count(
    posts: Sequence[PostText], stopwords: Collection[str], *, examples: bool
) -> dict[tuple[str, ...], _Candidate]:
    counts: dict[tuple[str, ...], _Candidate] = {}
    for post in posts:
        seen = {
            key: ("phrase", form)
            for key, form in _phrases(f"{post.title or ''}\n{post.text or ''}", stopwords).items()
        }
        for tag in post.hashtags:
            tag = normalize_hashtag(tag)
            if tag:
                seen[("#", tag)] = ("hashtag", f"#{tag}")
        for key, (kind, form) in seen.items():
            candidate = counts.setdefault(key, _Candidate(kind))
            candidate.posts += 1
            candidate.forms[form] += 1
            candidate.hints.update(post.person_topics)
            if examples and len(candidate.examples) < _MAX_EXAMPLES:
                candidate.examples.append(_example(post))
    return counts


def _example(post: PostText) -> str:
    if post.title:
        return " ".join(post.title.split())
    text = " ".join((post.text or "").split())
    return text[:77] + "..." if len(text) > 80 else text


def log_likelihood(a: int, n1: int, b: int, n2: int) -> float:
    """Dunning's G² for a term in ``a`` of ``n1`` recent posts and ``b`` of ``n2`` older ones."""
    total = n1 + n2
    if not n1 or not n2:
        return float(a)
    score = 0.0
    for observed, row, column in (
        (a, n1, a + b), (n1 - a, n1, total - a - b), (b, n2, a + b), (n2 - b, n2, total - a - b),
    ):  # fmt: skip
        expected = row * column / total
        if observed > 0 and expected > 0:
            score += observed * math.log(observed / expected)
    return 2 * score


def suggest_topics(
    recent: Sequence[PostText],
    background: Sequence[PostText],
    topics: Sequence[TopicRules],
    *,
    stopwords: Collection[str],
    min_posts: int = 3,
    limit: int = 20,
) -> list[Suggested]:
    """The best new topics in ``recent`` posts compared with ``background`` (older) posts."""
    counts = _count(recent, stopwords, examples=True)
    before = _count(background, stopwords, examples=False)
    covered = _covered(topics)
    n1, n2 = len(recent), len(background)
    scored = []
    for key, candidate in counts.items():
        if candidate.posts < min_posts:
            continue
        term = candidate.forms.most_common(1)[0][0]
        if _is_covered(key, term, covered):
            continue
        b = before[key].posts if key in before else 0
        score = log_likelihood(candidate.posts, n1, b, n2)
        if n2 and (candidate.posts / n1 < _MIN_LIFT * (b + 0.5) / (n2 + 1) or score < _MIN_G2):
            continue  # no more frequent now than before (smoothed: unseen is not "never")
        scored.append((score, key, term, candidate, b))
    # ties (the same posts use both): the longer phrase is the more specific
    scored.sort(key=lambda s: (-s[0], -s[3].posts, -len(s[1]), s[2]))
    chosen: list[Suggested] = []
    taken: list[tuple[str, ...]] = []
    for score, key, term, candidate, b in scored:
        if candidate.kind == "phrase" and any(_overlaps(key, other) for other in taken):
            continue
        taken.append(key)
        hint = _hint(candidate)
        chosen.append(
            Suggested(
                term=term,
                kind=candidate.kind,
                posts=candidate.posts,
                before=b,
                score=round(score, 2),
                examples=tuple(candidate.examples),
                command=_command(term, candidate.kind, hint),
                topic=hint,
            )
        )
        if len(chosen) >= limit:
            break
    return chosen


def _overlaps(key: tuple[str, ...], other: tuple[str, ...]) -> bool:
    """The phrases share two words in a row ("retrieval practice" and "retrieval practice
    quizzes"; "cognitive load theory" and "load theory today")."""
    return bool(set(itertools.pairwise(key)) & set(itertools.pairwise(other)))


def _hint(candidate: _Candidate) -> str | None:
    """The topic most of the phrase's authors are linked to, if at least half of them are."""
    if not candidate.hints:
        return None
    topic, count = min(candidate.hints.items(), key=lambda kv: (-kv[1], kv[0].lower()))
    return topic if count * 2 >= candidate.posts else None


def _command(term: str, kind: str, topic: str | None = None) -> str:
    option = f"--hashtag {term[1:]}" if kind == "hashtag" else f"--keyword {shlex.quote(term)}"
    if topic is not None:
        return f"plnctl topic edit {shlex.quote(topic)} {option}"
    name = term[1:] if kind == "hashtag" else shlex.quote(term)
    return f"plnctl topic add {name} {option}"


@dataclass(frozen=True)
class _Covered:
    matcher: Matcher
    names: set[tuple[str, ...]]
    hashtags: set[str]


def _covered(topics: Sequence[TopicRules]) -> _Covered:
    names = {tuple(stem(w) for w in tokens(fold(t.name))) for t in topics}
    hashtags = {normalize_hashtag(h) for t in topics for h in t.hashtags}
    hashtags.update("".join(fold(t.name).split()) for t in topics)
    return _Covered(Matcher(topics), names, hashtags)


def _is_covered(key: tuple[str, ...], term: str, covered: _Covered) -> bool:
    """A topic already has this: its name, its hashtag, or its rules match the phrase."""
    if key[0] == "#":
        return key[1] in covered.hashtags or bool(covered.matcher.match(title=key[1], text=None))
    if any(_overlaps(key, name) for name in covered.names if name):
        return True
    return bool(covered.matcher.match(title=term, text=None))
