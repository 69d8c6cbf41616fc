"""Aggregate queries for network insights. Each returns plain tuples for ``plnctl.insights``.

The activity window (``stats --since``) is by arrival (``posts.fetched_at``), the one meaning
of --since (issue 11), read from the posts_arrived_cover index; deleted posts are skipped. A
post's week is counted back from ``until``: ``weeks_back`` 0 is the 7 days ending at ``until``.
A person's last post and their own activity page are by publication.
"""

from __future__ import annotations

from plnctl.errors import one_line
from plnctl.store.connection import Store
from plnctl.store.questions import COUNTED

_WEEKS_BACK = "CAST((julianday(:until) - julianday(p.published_at)) / 7 AS INTEGER)"
_WEEKS_ARRIVED = "CAST((julianday(:until) - julianday(p.fetched_at)) / 7 AS INTEGER)"
_ARRIVED = "p.fetched_at >= :since AND p.fetched_at <= :until AND p.deleted_at IS NULL"


def activity(store: Store, since: str, until: str) -> list[tuple[int, int, int, int]]:
    """(person_id, source_id, weeks_back, posts) for posts that arrived in [since, until]."""
    sql = f"""
        SELECT p.person_id, coalesce(p.source_id, 0), {_WEEKS_ARRIVED} AS back, count(*)
        FROM posts p INDEXED BY posts_arrived_cover
        WHERE {_ARRIVED} AND p.person_id IS NOT NULL
        GROUP BY p.person_id, p.source_id, back"""
    return store.conn.execute(sql, {"since": since, "until": until}).fetchall()


def topic_activity(
    store: Store, since: str, until: str
) -> tuple[list[tuple[int, int, int]], dict[int, int]]:
    """(topic_id, weeks_back, posts) rows for tagged posts that arrived in the window
    (blocked tags left out), and the number of distinct people who posted on each topic in it.

    One pass over the window's posts: CROSS JOIN keeps SQLite driving from the arrival
    range instead of scanning every tag ever made."""
    sql = f"""
        WITH w AS MATERIALIZED (
            SELECT pt.topic_id, p.person_id, {_WEEKS_ARRIVED} AS back
            FROM posts p INDEXED BY posts_arrived_cover
            CROSS JOIN post_topics pt ON pt.post_id = p.id
            WHERE {_ARRIVED} AND pt.origin != 'blocked'
        )
        SELECT topic_id, back, count(*), NULL FROM w GROUP BY topic_id, back
        UNION ALL
        SELECT topic_id, NULL, NULL, count(DISTINCT person_id) FROM w GROUP BY topic_id"""
    weeks, voices = [], {}
    for topic_id, back, posts, people in store.conn.execute(sql, {"since": since, "until": until}):
        if people is None:
            weeks.append((topic_id, back, posts))
        else:
            voices[topic_id] = people
    return weeks, voices


def topics(store: Store) -> list[tuple[int, str]]:
    return store.conn.execute("SELECT id, name FROM topics ORDER BY name COLLATE NOCASE").fetchall()


def last_posts(store: Store) -> list[tuple[int, str, str | None, str]]:
    """(person_id, name, newest published_at or None, created_at) for everyone.

    The correlated max() is answered from the (person_id, published_at) index per person."""
    sql = """
        SELECT pe.id, pe.name,
               (SELECT max(p.published_at) FROM posts p WHERE p.person_id = pe.id),
               pe.created_at
        FROM people pe ORDER BY pe.name COLLATE NOCASE"""
    return store.conn.execute(sql).fetchall()


def sources(store: Store) -> list[tuple[int, int, str, str | None, str, str | None]]:
    """(source_id, person_id, kind, handle, url, site_url) for every source."""
    sql = "SELECT id, person_id, kind, handle, url, site_url FROM sources ORDER BY id"
    return store.conn.execute(sql).fetchall()


def failing_sources(
    store: Store,
) -> list[tuple[int, str, str, str, str, int, str | None, str | None]]:
    """(source_id, person, label, kind, state, error_count, last_error, last_ok_at)."""
    sql = """
        SELECT s.id, pe.name, coalesce(s.handle, s.url), s.kind, s.state, s.error_count,
               s.last_error, s.last_ok_at
        FROM sources s JOIN people pe ON pe.id = s.person_id
        WHERE s.error_count > 0 OR s.state != 'active'
        ORDER BY s.error_count DESC, s.id"""
    found = store.conn.execute(sql).fetchall()
    return [(*row[:6], row[6] and one_line(row[6]), row[7]) for row in found]  # 0.1 tracebacks


def question_counts(store: Store, since: str) -> tuple[int, int, int]:
    """(asked, answered, answered by someone in the PLN) for questions asked since ``since``."""
    sql = f"""
        SELECT count(*),
               count(*) FILTER (WHERE EXISTS (SELECT 1 FROM answers a
                                              WHERE a.question_id = q.id AND {COUNTED})),
               count(*) FILTER (WHERE EXISTS (SELECT 1 FROM answers a
                                              WHERE a.question_id = q.id AND {COUNTED}
                                              AND a.person_id IS NOT NULL))
        FROM questions q WHERE q.asked_at >= ? AND q.deleted_at IS NULL"""
    asked, answered, network = store.conn.execute(sql, (since,)).fetchone()
    return int(asked), int(answered), int(network)


def top_answerers(
    store: Store, since: str, limit: int
) -> list[tuple[str, str | None, int | None, int, int]]:
    """(name, handle, person_id, answers, questions) over questions asked since ``since``;
    one row per person in the PLN, else per handle (or URL, or name) of the author."""
    sql = f"""
        SELECT coalesce(pe.name, max(a.author_name), max(a.author_handle), max(a.author_url)),
               max(a.author_handle), a.person_id, count(*), count(DISTINCT a.question_id)
        FROM answers a JOIN questions q ON q.id = a.question_id
        LEFT JOIN people pe ON pe.id = a.person_id
        WHERE q.asked_at >= ? AND q.deleted_at IS NULL AND {COUNTED}
        GROUP BY coalesce('p' || a.person_id, 'h' || lower(ltrim(a.author_handle, '@')),
                          'u' || a.author_url, 'n' || a.author_name)
        ORDER BY count(DISTINCT a.question_id) DESC, count(*) DESC, 1
        LIMIT ?"""
    return store.conn.execute(sql, (since, limit)).fetchall()


# --- signals for suggestions: (target, occurrences, distinct people, name) -------------------


# The signal queries count every post ever stored (`person suggest`), or with ``since`` those
# that arrived since then (the digest's "worth following"): driven from the arrival index,
# each post's mentions and links found by its key, so a digest does not read all history.
def _signal_posts(since: str | None, *facet: str) -> tuple[str, str]:
    """(FROM clause, extra condition) over ``posts p`` joined to ``facet`` (table, alias)."""
    if since is None:
        if not facet:
            return "posts p", ""
        return f"{facet[0]} {facet[1]} CROSS JOIN posts p ON p.id = {facet[1]}.post_id", ""
    source = "posts p INDEXED BY posts_arrived_cover"
    if facet:
        source += f" CROSS JOIN {facet[0]} {facet[1]} ON {facet[1]}.post_id = p.id"
    return source, " AND p.fetched_at >= :since"


def boost_signals(store: Store, since: str | None = None) -> list[tuple[str, int, int, None]]:
    source, recent = _signal_posts(since)
    sql = f"""
        SELECT lower(ltrim(p.boost_of_handle, '@')) AS h, count(*), count(DISTINCT p.person_id),
               NULL
        FROM {source} WHERE p.boost_of_handle IS NOT NULL AND p.deleted_at IS NULL{recent}
        GROUP BY h"""
    return store.conn.execute(sql, {"since": since}).fetchall()


def tag_posts(store: Store, *, since: str) -> list[tuple[str | None, str | None, str]]:
    """(status URL, author, hashtag) for each live post from a followed tag since ``since``."""
    sql = """
        SELECT p.url, p.author, s.url FROM posts p JOIN sources s ON s.id = p.source_id
        WHERE s.kind = 'tag' AND p.deleted_at IS NULL AND p.fetched_at >= ?"""
    return [
        (url, author, source_url.rstrip("/").rsplit("/", 1)[-1])
        for url, author, source_url in store.conn.execute(sql, (since,))
    ]


def mention_signals(store: Store, since: str | None = None) -> list[tuple[str, int, int, None]]:
    """Mentions, leaving out boosts: a boost repeats the original's mentions. Without
    ``since``, from the mentions, each post found by its key (CROSS JOIN: not every post,
    probing for mentions, the planner's choice once an index on posts offers their order)."""
    source, recent = _signal_posts(since, "post_mentions", "m")
    sql = f"""
        SELECT m.handle, count(*), count(DISTINCT p.person_id), NULL
        FROM {source}
        WHERE p.deleted_at IS NULL AND p.boost_of_handle IS NULL{recent}
        GROUP BY m.handle"""
    return store.conn.execute(sql, {"since": since}).fetchall()


def reply_signals(store: Store, since: str | None = None) -> list[tuple[str, int, int, None]]:
    """Grouped by the replied-to URL's account part (``https://host/@user``); the caller maps
    it to a handle. A reply given only as an id names nobody and is skipped by the caller."""
    source, recent = _signal_posts(since)
    sql = f"""
        WITH r AS (
            SELECT p.person_id, substr(p.in_reply_to, instr(p.in_reply_to, '//') + 2) AS rest
            FROM {source}
            WHERE p.in_reply_to IS NOT NULL AND p.in_reply_to LIKE 'http%'
                  AND p.deleted_at IS NULL{recent}
        ), k AS (
            SELECT person_id, substr(rest, 1, instr(rest || '/', '/') - 1) AS host,
                   substr(rest, instr(rest || '/', '/') + 1) AS path FROM r
        )
        SELECT 'https://' || host || '/' ||
               substr(path, 1, instr(path || '/', '/') - 1) ||
               CASE WHEN path LIKE 'users/%'
                    THEN '/' || substr(substr(path, 7), 1, instr(substr(path, 7) || '/', '/') - 1)
                    ELSE '' END AS target,
               count(*), count(DISTINCT person_id), NULL
        FROM k GROUP BY target"""
    return store.conn.execute(sql, {"since": since}).fetchall()


def link_signals(store: Store, since: str | None = None) -> list[tuple[str, int, int, None]]:
    """Outbound links grouped by site (``scheme://host``) or by Mastodon profile
    (``scheme://host/@user``), so a status link credits its author."""
    source, recent = _signal_posts(since, "post_links", "m")
    sql = f"""
        WITH l AS (
            SELECT p.person_id, substr(m.url, 1, instr(m.url, '//') + 1) AS scheme,
                   substr(m.url, instr(m.url, '//') + 2) AS rest
            FROM {source}
            WHERE p.deleted_at IS NULL AND p.boost_of_handle IS NULL AND m.url LIKE 'http%'{recent}
        ), k AS (
            SELECT person_id, scheme, substr(rest, 1, instr(rest || '/', '/') - 1) AS host,
                   substr(rest, instr(rest || '/', '/') + 1) AS path FROM l
        )
        SELECT scheme || host || CASE WHEN path LIKE '@%'
                    THEN '/' || substr(path, 1, instr(path || '/', '/') - 1) ELSE '' END AS target,
               count(*), count(DISTINCT person_id), NULL
        FROM k GROUP BY target"""
    return store.conn.execute(sql, {"since": since}).fetchall()


def answer_signals(store: Store) -> list[tuple[str, int, int, str | None]]:
    """Answers to the user's questions from people not linked to the PLN: (handle or author
    URL, answers, questions answered, author name)."""
    sql = f"""
        SELECT coalesce(lower(ltrim(a.author_handle, '@')), a.author_url) AS target,
               count(*), count(DISTINCT a.question_id), max(a.author_name)
        FROM answers a JOIN questions q ON q.id = a.question_id
        WHERE a.person_id IS NULL AND q.deleted_at IS NULL AND {COUNTED}
              AND coalesce(a.author_handle, a.author_url) IS NOT NULL
        GROUP BY target"""
    return store.conn.execute(sql).fetchall()


# --- one person ------------------------------------------------------------------------------


def person_weeks(store: Store, person_id: int, since: str, until: str) -> list[tuple[int, int]]:
    sql = f"""
        SELECT {_WEEKS_BACK} AS back, count(*) FROM posts p
        WHERE p.person_id = :person AND p.published_at >= :since AND p.deleted_at IS NULL
        GROUP BY back"""
    params = {"person": person_id, "since": since, "until": until}
    return store.conn.execute(sql, params).fetchall()


def person_totals(store: Store, person_id: int) -> tuple[int, str | None, str | None]:
    """(posts ever, first published_at, last published_at)."""
    sql = """SELECT count(*), min(published_at), max(published_at) FROM posts
             WHERE person_id = ? AND deleted_at IS NULL"""
    count, first, last = store.conn.execute(sql, (person_id,)).fetchone()
    return int(count), first, last


def person_topics(store: Store, person_id: int, since: str) -> list[tuple[str, int]]:
    sql = """
        SELECT t.name, count(*) FROM posts p
        JOIN post_topics pt ON pt.post_id = p.id JOIN topics t ON t.id = pt.topic_id
        WHERE p.person_id = ? AND p.published_at >= ? AND p.deleted_at IS NULL
              AND pt.origin != 'blocked'
        GROUP BY t.id ORDER BY count(*) DESC, t.name COLLATE NOCASE"""
    return store.conn.execute(sql, (person_id, since)).fetchall()


def person_answers(store: Store, person_id: int) -> tuple[int, int]:
    """(answers given, distinct questions answered) by this person, ever."""
    sql = f"""SELECT count(*), count(DISTINCT a.question_id) FROM answers a
             JOIN questions q ON q.id = a.question_id
             WHERE a.person_id = ? AND q.deleted_at IS NULL AND {COUNTED}"""
    answers, questions = store.conn.execute(sql, (person_id,)).fetchone()
    return int(answers), int(questions)


def posts_in_windows(store: Store, edges: list[str], *, arrived: bool = False) -> list[int]:
    """Posts published (``arrived``: stored) in each window [edges[i], edges[i+1]) (local
    days have no fixed offset from UTC, so the windows are cut here rather than by a date
    function in SQL)."""
    from bisect import bisect_right

    column = "fetched_at" if arrived else "published_at"
    counts = [0] * (len(edges) - 1)
    sql = f"""SELECT {column} FROM posts
             WHERE {column} >= ? AND {column} < ? AND deleted_at IS NULL"""
    for (moment,) in store.conn.execute(sql, (edges[0], edges[-1])):
        counts[bisect_right(edges, moment) - 1] += 1
    return counts
