"""Full-text search over posts_fts (FTS5, bm25 ranking, snippets) and the index's vocabulary."""

from __future__ import annotations

import re
import sqlite3
from typing import Any

from plnctl.errors import InvalidInput
from plnctl.store import exact_index
from plnctl.store.connection import Progress, Store
from plnctl.store.reading import WINDOW_START
from plnctl.store.rows import rows

# Title matches count four times as much as the post's text, which counts twice as much as the
# article page's full text (a word the author put in the feed is the better sign).
_RANK = "bm25(4.0, 1.0, 0.5)"
_SNIPPET_TOKENS = 24
RANK_WINDOW = 5000
_QUERY_TOKEN = re.compile(r'"[^"]*"\*?|"[^"]*$|[()]|[^\s()"]+')
_PHRASE = re.compile(r'"[^"]*"\*?')
_BAREWORD = re.compile(r"\w+\*?")
_COLUMN = re.compile(r"(?i)(title|text|content_text):(.+)")
_SYNTAX = {"AND", "OR", "NOT", "(", ")"}
QUERY_HINT = (
    'use words, "exact phrases" in double quotes, prefix* searches, AND/OR/NOT in capitals, '
    "parentheses, or title:word"
)


def fts_query(text: str) -> str:
    """A user's query as FTS5 syntax: words, "phrases", prefix*, AND/OR/NOT and parentheses
    pass through; a word with punctuation (micro:bit, k-12, c++) becomes a phrase, so it
    searches what it looks like instead of failing as syntax."""
    out = []
    for token in _QUERY_TOKEN.findall(text):
        column = _COLUMN.fullmatch(token)
        prefix = ""
        if column:
            name = column.group(1).lower()
            prefix = ("{content_text full_text}" if name == "text" else name) + ":"
            token = column.group(2)
        if token.startswith('"') and not _PHRASE.fullmatch(token):
            raise InvalidInput(f"invalid search query {text!r}: a double quote is not closed")
        if token.startswith('"') or token in _SYNTAX or _BAREWORD.fullmatch(token):
            out.append(prefix + token)
        else:
            star = "*" if token.endswith("*") else ""
            phrase = token[:-1] if star else token
            out.append(prefix + '"' + phrase.replace('"', '""') + '"' + star)
    if not out:
        raise InvalidInput("an empty search query; " + QUERY_HINT)
    return " ".join(out)


def search_posts(
    store: Store,
    match: str,
    *,
    topic_id: int | None = None,
    person_id: int | None = None,
    since: str | None = None,
    limit: int = 20,
    window: int | None = RANK_WINDOW,
    original: str | None = None,
    exact: bool = False,
    progress: Progress | None = None,
) -> list[dict[str, Any]]:
    """Best matches first: id, rank (bm25, lower is better), title, url, published_at,
    person_id, person, snippet (matches between \\x02 and \\x03). ``match`` is FTS5 syntax
    (see ``fts_query``).

    bm25 is computed for every row it orders, so a common word over a million posts would cost
    a second: with ``window``, only the ``window`` most recently stored matches (after the
    filters) are ranked. ``window=None`` ranks every match.

    ``exact`` searches posts_fts_exact (the same text, not stemmed) instead of posts_fts,
    brought up to date first (``exact_index``; a long catch-up is told to ``progress``).
    """
    table = exact_index.table(store, progress) if exact else "posts_fts"
    top, params = _ranked(match, topic_id, person_id, since, window)
    top = top.replace("posts_fts", table)  # the same query on the other index
    # Rank first, then build snippets for the few rows kept (snippet() on every match of a
    # common word would dominate the query).
    sql = f"""
    WITH top AS ({top})
    SELECT top.id, top.rank, p.title, p.url, p.published_at, p.person_id, pe.name AS person,
           snippet({table}, -1, char(2), char(3), '…', {_SNIPPET_TOKENS}) AS snippet
    FROM top JOIN {table} ON {table}.rowid = top.id
    JOIN posts p ON p.id = top.id LEFT JOIN people pe ON pe.id = p.person_id
    WHERE {table} MATCH ? AND p.deleted_at IS NULL ORDER BY top.rank
    """
    try:
        found = rows(store.conn, sql, (*params, limit, match))
    except sqlite3.OperationalError as e:
        if not _is_query_error(e):
            raise
        raise InvalidInput(
            f"invalid search query {original or match!r} ({e}): {QUERY_HINT}"
        ) from None
    return [dict(r) for r in found]


def _ranked(
    match: str, topic_id: int | None, person_id: int | None, since: str | None, window: int | None
) -> tuple[str, list[object]]:
    """The query for the ids and ranks of the best matches (LIMIT left as the last ?)."""
    # No join with posts unless a filter needs its columns: the index holds live posts only
    # (triggers), and a lookup in the wide posts table per match costs more than the match.
    where = ["posts_fts MATCH ?", f"rank MATCH '{_RANK}'"]
    params: list[object] = [match]
    join = ""
    if topic_id is not None:
        where.append(
            "EXISTS (SELECT 1 FROM post_topics pt WHERE pt.post_id = posts_fts.rowid "
            "AND pt.topic_id = ? AND pt.origin != 'blocked')"
        )
        params.append(topic_id)
    if person_id is not None:
        # '+' keeps FTS5 from probing once per id (slow): the ids become a lookup set
        where.append("+posts_fts.rowid IN (SELECT id FROM posts WHERE person_id = ?)")
        params.append(person_id)
    if since is not None:
        join = "JOIN posts p ON p.id = posts_fts.rowid"
        where.append("p.fetched_at >= ?")
        params.append(since)
    matches = f"""SELECT posts_fts.rowid AS id, posts_fts.rank AS rank
        FROM posts_fts {join} WHERE {" AND ".join(where)}"""
    if window is None:
        top = f"{matches} ORDER BY posts_fts.rank LIMIT ?"
    else:  # FTS5 walks its matches newest first without sorting; rank is computed per row read
        top = f"SELECT * FROM ({matches} ORDER BY posts_fts.rowid DESC LIMIT {int(window)}) "
        top += "ORDER BY rank LIMIT ?"
    return top, params


def _is_query_error(error: sqlite3.OperationalError) -> bool:
    message = str(error)
    return message.startswith(("fts5:", "no such column", "unknown special query")) or (
        "syntax error" in message
    )


# --- vocabulary and recent posts, for topic suggestions --------------------------------------


# Arrived since a time (the one meaning of --since).
_RECENT = "p.fetched_at >= ?"
_DAY_AFTER = "strftime('%Y-%m-%dT%H:%M:%SZ', ?, '+1 day')"


def recent_posts(
    store: Store, since: str, *, limit: int, before: bool = False
) -> list[tuple[str | None, str | None, str | None, int | None]]:
    """(title, text, hashtags separated by spaces, person id) of the newest live posts
    arrived since a time (or, with ``before``, the newest ones arrived before it).

    Read from the list-order index, newest first, as `post list` does (never a sort of the
    window's texts): since a time, from the top down to the window's earliest moment; before
    it, from a day after it down."""
    if before:
        # Ingest keeps no date more than a day after the post arrived (ingest.FUTURE_SLACK),
        # so nothing stored before ``since`` sorts after since + 1 day.
        where = "p.fetched_at < ? AND coalesce(p.published_at, p.fetched_at) < " + _DAY_AFTER
        params: tuple[object, ...] = (since, since, limit)
    else:
        where, params = f"{_RECENT} AND {WINDOW_START}", (since, since, limit)
    return [
        (r[0], r[1], r[2], r[3])
        for r in store.conn.execute(
            f"""SELECT p.title, p.content_text,
                   (SELECT group_concat(h.tag, ' ') FROM post_hashtags h
                    WHERE h.post_id = p.id),
                   p.person_id
               FROM posts p INDEXED BY posts_when
               WHERE {where} AND p.deleted_at IS NULL
               ORDER BY coalesce(p.published_at, p.fetched_at) DESC LIMIT ?""",
            params,
        )
    ]
