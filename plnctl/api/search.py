"""Search posts (FTS5) and suggest topics from what the network writes about lately.

Reached through ``pln.topics.search(...)`` and ``pln.topics.suggest(...)``.

Snippets: ``SearchHit.snippet`` (and ``--json``) is text with each match wrapped in ``**``
(Markdown bold); ``SearchHit.parts`` holds the same text as (text, is_match) pieces for
terminals, exact even when a post itself contains ``**``.
"""

from __future__ import annotations

import dataclasses
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

from plnctl.errors import InvalidInput
from plnctl.models import _Model
from plnctl.store import people as people_db
from plnctl.store import search as db
from plnctl.store import topics as topics_db
from plnctl.tagging import TopicRules
from plnctl.timeutil import parse_since, to_iso

if TYPE_CHECKING:
    from plnctl.api import Pln

# Suggestions read at most this many recent posts, and as many older ones to compare with.
_RECENT_POSTS = 5000


@dataclass(frozen=True)
class SearchHit(_Model):
    """One search result; ``score`` is bm25 (higher is better), ``rank`` the 1-based place."""

    id: int
    title: str | None
    url: str | None
    person: str | None
    person_id: int | None
    published_at: str | None
    snippet: str
    score: float
    rank: int
    parts: tuple[tuple[str, bool], ...] = field(default=(), repr=False)

    def to_dict(self) -> dict[str, Any]:
        data = dataclasses.asdict(self)
        del data["parts"]
        return data


@dataclass(frozen=True)
class TopicSuggestion(_Model):
    term: str  # a two- or three-word phrase, or #hashtag
    kind: str  # phrase | hashtag
    posts: int  # recent posts that use it
    before: int  # older posts that use it (of up to 5,000 read)
    score: float  # log-likelihood (G²) of recent against older use; higher is more distinctive
    examples: tuple[str, ...]  # up to two titles of recent posts that use it
    command: str  # the command that creates it (or adds it to ``topic``)
    topic: str | None = None  # most of its authors are linked to this topic


def search(
    pln: Pln,
    query: str,
    *,
    topic: str | None = None,
    person: str | int | None = None,
    since: str | None = None,
    limit: int = 20,
    exhaustive: bool = False,
    exact: bool = False,
    progress: Callable[[str, int, int], None] | None = None,
) -> list[SearchHit]:
    """Posts matching ``query``, best first (bm25; title matches weigh 4x).

    Query syntax (FTS5): words (all must occur), ``"a phrase"`` (its words in order),
    ``prefix*``, ``OR``, ``NOT``, parentheses, ``title:word``; accents and case are ignored.
    A word with punctuation (``micro:bit``) is searched as a phrase. Bad syntax raises
    ``InvalidInput``. Words are stemmed (English, Porter: "question" finds "questions",
    "questioning"); ``exact=True`` matches words only as written.

    When more than 5,000 posts match (after the filters), the best of the 5,000 most recently
    stored matches are returned, so a common word stays fast on a big database; narrow the
    query, or pass ``exhaustive=True`` to rank every match.

    The unstemmed index is brought up to date first (``store.exact_index``): after a long
    time without exact searches that can take a while, told to ``progress(label, done, total)``.
    """
    if limit < 1:
        raise InvalidInput("--limit must be at least 1")
    match = db.fts_query(query)
    found = db.search_posts(
        pln.store,
        match,
        topic_id=pln.topics.resolve_id(topic) if topic is not None else None,
        person_id=pln.people.resolve(person).id if person is not None else None,
        since=to_iso(parse_since(since)) if since else None,
        limit=limit,
        window=None if exhaustive else db.RANK_WINDOW,
        original=query,
        exact=exact,
        progress=progress,
    )
    return [_hit(row, place) for place, row in enumerate(found, start=1)]


def _hit(row: dict[str, Any], place: int) -> SearchHit:
    parts = snippet_parts(row["snippet"] or "")
    return SearchHit(
        id=row["id"],
        title=row["title"],
        url=row["url"],
        person=row["person"],
        person_id=row["person_id"],
        published_at=row["published_at"],
        snippet="".join(f"**{text}**" if hit else text for text, hit in parts),
        score=round(-float(row["rank"]), 4),
        rank=place,
        parts=parts,
    )


def snippet_parts(marked: str) -> tuple[tuple[str, bool], ...]:
    """'a \\x02b\\x03 c' -> (('a ', False), ('b', True), (' c', False)); whitespace folded."""
    marked = " ".join(marked.split())
    pieces: list[tuple[str, bool]] = []
    for i, chunk in enumerate(marked.split("\x02")):
        inside, _, rest = chunk.partition("\x03") if i else ("", "", chunk)
        if inside:
            pieces.append((inside, True))
        if rest:
            pieces.append((rest, False))
    return tuple(pieces)


def suggest(
    pln: Pln, *, since: str = "30d", limit: int = 20, min_posts: int = 3
) -> list[TopicSuggestion]:
    """Phrases (two and three words) and hashtags used in at least ``min_posts`` recent posts,
    much more often than in older posts, that no topic covers yet; most distinctive first
    (see ``plnctl.topic_suggest``)."""
    if limit < 1 or min_posts < 1:
        raise InvalidInput("--limit and --min-posts must be at least 1")
    from plnctl.taxonomy import STOPWORDS
    from plnctl.topic_suggest import PostText, suggest_topics

    store = pln.store
    since_iso = to_iso(parse_since(since))
    assert since_iso is not None
    hints = people_db.topics_of_people(store, people_db.person_ids(store))
    recent, older = (
        [
            PostText(t, x, tuple(h.split()) if h else (), hints.get(person or 0, ()))
            for t, x, h, person in rows
        ]
        for rows in (
            db.recent_posts(store, since_iso, limit=_RECENT_POSTS),
            db.recent_posts(store, since_iso, limit=_RECENT_POSTS, before=True),
        )
    )
    rules = [TopicRules(**r) for r in topics_db.load_rules(store)]
    found = suggest_topics(
        recent, older, rules, stopwords=STOPWORDS, min_posts=min_posts, limit=limit
    )
    return [TopicSuggestion(**dataclasses.asdict(s)) for s in found]
