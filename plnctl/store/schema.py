"""The database schema as named migrations, applied automatically and atomically on open.

Never edit a migration that has shipped: add a new one at the end. ``LATEST`` in
``plnctl.store.connection`` must equal the number of migrations (a test checks it).
"""

from __future__ import annotations

import logging
import re
from collections.abc import Callable

from sqlite_utils import Database
from sqlite_utils.migrations import Migrations

migrations = Migrations("plnctl")
logger = logging.getLogger(__name__)

_INITIAL = """
CREATE TABLE people (
    id INTEGER PRIMARY KEY,
    name TEXT NOT NULL,
    note TEXT,
    index_override INTEGER NOT NULL DEFAULT 0,
    created_at TEXT NOT NULL,
    updated_at TEXT NOT NULL
);
CREATE INDEX people_name ON people (name COLLATE NOCASE);

CREATE TABLE sources (
    id INTEGER PRIMARY KEY,
    person_id INTEGER NOT NULL REFERENCES people (id) ON DELETE CASCADE,
    kind TEXT NOT NULL CHECK (kind IN ('feed', 'mastodon')),
    url TEXT NOT NULL,
    handle TEXT,
    title TEXT,
    site_url TEXT,
    state TEXT NOT NULL DEFAULT 'active' CHECK (state IN ('active', 'gone', 'moved')),
    etag TEXT,
    last_modified TEXT,
    last_fetched_at TEXT,
    last_ok_at TEXT,
    last_status INTEGER,
    last_error TEXT,
    error_count INTEGER NOT NULL DEFAULT 0,
    next_due_at TEXT,
    remote_id TEXT,
    display_name TEXT,
    avatar_url TEXT,
    profile_fields TEXT,
    bot INTEGER NOT NULL DEFAULT 0,
    noindex INTEGER NOT NULL DEFAULT 0,
    moved_to TEXT,
    via_rss INTEGER NOT NULL DEFAULT 0,
    cursor TEXT,
    created_at TEXT NOT NULL,
    UNIQUE (kind, url)
);
CREATE INDEX sources_person ON sources (person_id);
CREATE UNIQUE INDEX sources_handle ON sources (lower(handle)) WHERE handle IS NOT NULL;
CREATE INDEX sources_due ON sources (next_due_at);

CREATE TABLE posts (
    id INTEGER PRIMARY KEY,
    source_id INTEGER REFERENCES sources (id) ON DELETE SET NULL,
    person_id INTEGER REFERENCES people (id) ON DELETE SET NULL,
    guid TEXT NOT NULL,
    url TEXT,
    title TEXT,
    author TEXT,
    published_at TEXT,
    updated_at TEXT,
    content_html TEXT,
    content_text TEXT,
    fetched_at TEXT NOT NULL,
    kind TEXT NOT NULL DEFAULT 'article',
    language TEXT,
    categories TEXT,
    in_reply_to TEXT,
    boost_of_url TEXT,
    boost_of_handle TEXT,
    edited_at TEXT,
    indexed INTEGER NOT NULL DEFAULT 1,
    deleted_at TEXT,
    read_at TEXT,
    saved_at TEXT,
    save_note TEXT,
    UNIQUE (source_id, guid)
);
CREATE INDEX posts_published ON posts (published_at);
CREATE INDEX posts_person_published ON posts (person_id, published_at);
CREATE INDEX posts_url ON posts (url);
CREATE INDEX posts_saved ON posts (saved_at) WHERE saved_at IS NOT NULL;

CREATE VIRTUAL TABLE posts_fts USING fts5 (
    title, content_text,
    content = 'posts', content_rowid = 'id',
    tokenize = 'unicode61 remove_diacritics 2'
);
CREATE TRIGGER posts_fts_insert AFTER INSERT ON posts WHEN new.indexed = 1
    AND new.deleted_at IS NULL BEGIN
    INSERT INTO posts_fts (rowid, title, content_text)
    VALUES (new.id, new.title, new.content_text);
END;
CREATE TRIGGER posts_fts_delete AFTER DELETE ON posts WHEN old.indexed = 1
    AND old.deleted_at IS NULL BEGIN
    INSERT INTO posts_fts (posts_fts, rowid, title, content_text)
    VALUES ('delete', old.id, old.title, old.content_text);
END;
CREATE TRIGGER posts_fts_update AFTER UPDATE OF title, content_text, indexed, deleted_at
    ON posts BEGIN
    INSERT INTO posts_fts (posts_fts, rowid, title, content_text)
    SELECT 'delete', old.id, old.title, old.content_text
    WHERE old.indexed = 1 AND old.deleted_at IS NULL;
    INSERT INTO posts_fts (rowid, title, content_text)
    SELECT new.id, new.title, new.content_text
    WHERE new.indexed = 1 AND new.deleted_at IS NULL;
END;

CREATE TABLE post_hashtags (
    post_id INTEGER NOT NULL REFERENCES posts (id) ON DELETE CASCADE,
    tag TEXT NOT NULL,
    PRIMARY KEY (post_id, tag)
) WITHOUT ROWID;
CREATE INDEX post_hashtags_tag ON post_hashtags (tag);

CREATE TABLE post_links (
    post_id INTEGER NOT NULL REFERENCES posts (id) ON DELETE CASCADE,
    url TEXT NOT NULL,
    PRIMARY KEY (post_id, url)
) WITHOUT ROWID;
CREATE INDEX post_links_url ON post_links (url);

CREATE TABLE post_mentions (
    post_id INTEGER NOT NULL REFERENCES posts (id) ON DELETE CASCADE,
    handle TEXT NOT NULL,
    PRIMARY KEY (post_id, handle)
) WITHOUT ROWID;
CREATE INDEX post_mentions_handle ON post_mentions (handle);

CREATE TABLE topics (
    id INTEGER PRIMARY KEY,
    name TEXT NOT NULL UNIQUE COLLATE NOCASE,
    description TEXT,
    person_weight REAL NOT NULL DEFAULT 1.0,
    created_at TEXT NOT NULL
);

CREATE TABLE topic_rules (
    id INTEGER PRIMARY KEY,
    topic_id INTEGER NOT NULL REFERENCES topics (id) ON DELETE CASCADE,
    kind TEXT NOT NULL CHECK (kind IN ('keyword', 'hashtag', 'category', 'exclude', 'person')),
    value TEXT NOT NULL,
    UNIQUE (topic_id, kind, value)
);

CREATE TABLE person_topics (
    person_id INTEGER NOT NULL REFERENCES people (id) ON DELETE CASCADE,
    topic_id INTEGER NOT NULL REFERENCES topics (id) ON DELETE CASCADE,
    PRIMARY KEY (person_id, topic_id)
) WITHOUT ROWID;
CREATE INDEX person_topics_topic ON person_topics (topic_id);

CREATE TABLE post_topics (
    post_id INTEGER NOT NULL REFERENCES posts (id) ON DELETE CASCADE,
    topic_id INTEGER NOT NULL REFERENCES topics (id) ON DELETE CASCADE,
    origin TEXT NOT NULL CHECK (origin IN ('rule', 'manual', 'blocked')),
    reason TEXT NOT NULL,
    created_at TEXT NOT NULL,
    PRIMARY KEY (post_id, topic_id)
) WITHOUT ROWID;
CREATE INDEX post_topics_topic ON post_topics (topic_id, post_id);

CREATE TABLE questions (
    id INTEGER PRIMARY KEY,
    text TEXT NOT NULL,
    kind TEXT NOT NULL CHECK (kind IN ('mastodon', 'blog', 'offline')),
    state TEXT NOT NULL DEFAULT 'open'
        CHECK (state IN ('open', 'answered', 'resolved', 'closed')),
    asked_at TEXT NOT NULL,
    url TEXT,
    remote_id TEXT,
    instance TEXT,
    comment_feed_url TEXT,
    resolved_answer_id INTEGER REFERENCES answers (id) ON DELETE SET NULL,
    closed_at TEXT,
    resolved_at TEXT,
    last_checked_at TEXT,
    check_error TEXT,
    deleted_at TEXT,
    created_at TEXT NOT NULL
);
CREATE UNIQUE INDEX questions_url ON questions (url) WHERE url IS NOT NULL;

CREATE TABLE question_topics (
    question_id INTEGER NOT NULL REFERENCES questions (id) ON DELETE CASCADE,
    topic_id INTEGER NOT NULL REFERENCES topics (id) ON DELETE CASCADE,
    PRIMARY KEY (question_id, topic_id)
) WITHOUT ROWID;

CREATE TABLE answers (
    id INTEGER PRIMARY KEY,
    question_id INTEGER NOT NULL REFERENCES questions (id) ON DELETE CASCADE,
    answer_key TEXT NOT NULL,
    author_name TEXT,
    author_handle TEXT,
    author_url TEXT,
    person_id INTEGER REFERENCES people (id) ON DELETE SET NULL,
    post_id INTEGER REFERENCES posts (id) ON DELETE SET NULL,
    text TEXT,
    url TEXT,
    answered_at TEXT,
    found_via TEXT NOT NULL CHECK (found_via IN ('mastodon', 'comments', 'backlink', 'manual')),
    created_at TEXT NOT NULL,
    UNIQUE (question_id, answer_key)
);
CREATE INDEX answers_person ON answers (person_id);
CREATE INDEX answers_handle ON answers (author_handle);

CREATE TABLE digest_watermarks (
    id INTEGER PRIMARY KEY,
    name TEXT NOT NULL UNIQUE,
    until_at TEXT NOT NULL,
    updated_at TEXT NOT NULL
);

CREATE TABLE sync_runs (
    id INTEGER PRIMARY KEY,
    started_at TEXT NOT NULL,
    finished_at TEXT,
    sources INTEGER NOT NULL DEFAULT 0,
    new_posts INTEGER NOT NULL DEFAULT 0,
    updated_posts INTEGER NOT NULL DEFAULT 0,
    failed INTEGER NOT NULL DEFAULT 0
);
"""


# posts_fts_update is one trigger doing delete-then-insert on purpose: SQLite gives no order
# between two triggers on the same event, and deleting a post's old terms after inserting its
# new ones drops the terms they share (an edited post would vanish from search).
@migrations(name="0001_initial")
def m0001_initial(db: Database) -> None:
    for statement in _split(_INITIAL):
        db.execute(statement)


def _split(script: str) -> list[str]:
    """Split on ';' at statement ends, keeping trigger bodies (which contain ';') whole."""
    statements, current = [], []
    for line in script.strip().splitlines():
        current.append(line)
        text = "\n".join(current).strip()
        if text.endswith(";") and (
            not text.upper().startswith("CREATE TRIGGER") or text.upper().endswith("END;")
        ):
            statements.append(text)
            current = []
    if "\n".join(current).strip():
        statements.append("\n".join(current).strip())
    return statements


@migrations(name="0002_insights_posts_window")
def m0002_insights_posts_window(db: Database) -> None:
    # `plnctl stats` counts the live posts of a time window per person, source and week: this
    # partial covering index answers that without touching the posts table (measured on
    # 1,000,000 posts: --since 90d 0.86 s -> 0.24 s CPU; see benchmarks/bench_stats.py).
    db.execute(
        "CREATE INDEX posts_window ON posts (published_at, person_id, source_id) "
        "WHERE deleted_at IS NULL"
    )


@migrations(name="0003_insights_interactions")
def m0003_insights_interactions(db: Database) -> None:
    # `plnctl person suggest` groups every live boost and reply by whom it points at. Without
    # these small partial indexes each query reads the whole posts table (1,000,000 posts:
    # boosts 1.9 s -> 0.02 s, replies 2.0 s -> 0.05 s CPU; see benchmarks/bench_stats.py).
    db.execute(
        "CREATE INDEX posts_boosts ON posts (boost_of_handle, person_id) "
        "WHERE boost_of_handle IS NOT NULL AND deleted_at IS NULL"
    )
    db.execute(
        "CREATE INDEX posts_replies ON posts (in_reply_to, person_id) "
        "WHERE in_reply_to IS NOT NULL AND deleted_at IS NULL"
    )


@migrations(name="0004_topics_tag_counts")
def m0004_topics_tag_counts(db: Database) -> None:
    # Topic post counts (`topic list`, `topic show`, resolving a topic) skip blocked tags, and
    # post_topics_topic does not hold the origin: this index answers them alone (1,000,000
    # posts, a topic with 356,000 tags: 90 ms -> 13 ms; see benchmarks/bench_search.py).
    db.execute(
        "CREATE INDEX IF NOT EXISTS post_topics_topic_origin ON post_topics (topic_id, origin)"
    )


_FTS_UPDATE_TRIGGER = _INITIAL[
    _INITIAL.index("CREATE TRIGGER posts_fts_update ") : _INITIAL.index(
        "END;", _INITIAL.index("CREATE TRIGGER posts_fts_update ")
    )
    + len("END;")
]


@migrations(name="0005_fts_one_update_trigger")
def m0005_fts_one_update_trigger(db: Database) -> None:
    # Databases made by the first 0001 had two UPDATE triggers on posts whose order SQLite does
    # not define: an edited post could lose its shared terms from the index. Replace them with
    # the single delete-then-insert trigger and re-index the posts that may be indexed.
    names = {row[0] for row in db.execute("SELECT name FROM sqlite_master WHERE type='trigger'")}
    if not {"posts_fts_update_old", "posts_fts_update_new"} & names:
        return
    db.execute("DROP TRIGGER IF EXISTS posts_fts_update_old")
    db.execute("DROP TRIGGER IF EXISTS posts_fts_update_new")
    if "posts_fts_update" not in names:
        db.execute(_FTS_UPDATE_TRIGGER)
    db.execute("INSERT INTO posts_fts (posts_fts) VALUES ('delete-all')")
    db.execute(
        "INSERT INTO posts_fts (rowid, title, content_text) SELECT id, title, content_text "
        "FROM posts WHERE indexed = 1 AND deleted_at IS NULL"
    )


# (table, the column definitions to change) for 0006. AUTOINCREMENT keeps SQLite from handing
# out the id of a deleted row again (without it, deleting the newest person frees its id and a
# script holding that id would hit the next person added).
_NEVER_REUSED_IDS = ("people", "sources", "posts", "questions", "answers")
_SOURCE_KINDS_OLD = "CHECK (kind IN ('feed', 'mastodon'))"
_SOURCE_KINDS_NEW = "CHECK (kind IN ('feed', 'mastodon', 'bluesky', 'tag'))"
_SOURCE_PERSON_OLD = "person_id INTEGER NOT NULL REFERENCES people (id) ON DELETE CASCADE"
_SOURCE_PERSON_NEW = "person_id INTEGER REFERENCES people (id) ON DELETE CASCADE"
_QUESTION_KINDS = ("CHECK (kind IN ('mastodon', 'blog', 'offline'))",
                   "CHECK (kind IN ('mastodon', 'bluesky', 'blog', 'offline'))")  # fmt: skip
_ANSWER_ORIGINS = (
    "CHECK (found_via IN ('mastodon', 'comments', 'backlink', 'manual'))",
    "CHECK (found_via IN ('mastodon', 'bluesky', 'comments', 'backlink', 'manual'))",
)


@migrations(name="0006_ids_never_reused")
def m0006_ids_never_reused(db: Database) -> None:
    # Rebuilds five tables (SQLite cannot add AUTOINCREMENT in place). Sources also learn the
    # kinds 'bluesky' and 'tag' and may belong to no person (a followed hashtag); questions
    # and answers learn Bluesky. The runner
    # turns foreign keys off around migrations, so dropping the old tables cascades nothing;
    # it checks every foreign key before committing.
    for table in _NEVER_REUSED_IDS:
        create = db.execute(
            "SELECT sql FROM sqlite_master WHERE type = 'table' AND name = ?", [table]
        ).fetchone()[0]
        if "AUTOINCREMENT" in create.upper():
            continue
        dependents = [
            row[0]
            for row in db.execute(
                "SELECT sql FROM sqlite_master WHERE tbl_name = ? "
                "AND type IN ('index', 'trigger') AND sql IS NOT NULL",
                [table],
            )
        ]
        new_create = create.replace(
            "id INTEGER PRIMARY KEY,", "id INTEGER PRIMARY KEY AUTOINCREMENT,", 1
        )
        if table == "sources":
            new_create = new_create.replace(_SOURCE_KINDS_OLD, _SOURCE_KINDS_NEW).replace(
                _SOURCE_PERSON_OLD, _SOURCE_PERSON_NEW
            )
        new_create = new_create.replace(*_QUESTION_KINDS).replace(*_ANSWER_ORIGINS)
        new_create = new_create.replace(f"CREATE TABLE {table}", f"CREATE TABLE {table}_new", 1)
        db.execute(new_create)
        db.execute(f"INSERT INTO {table}_new SELECT * FROM {table}")
        db.execute(f"DROP TABLE {table}")
        db.execute(f"ALTER TABLE {table}_new RENAME TO {table}")
        for statement in dependents:
            db.execute(statement)


@migrations(name="0007_bluesky_withheld")
def m0007_bluesky_withheld(db: Database) -> None:
    # A Bluesky author's !no-unauthenticated self-label: plnctl keeps the person, no posts.
    db.execute("ALTER TABLE sources ADD COLUMN withheld INTEGER NOT NULL DEFAULT 0")


_PDLOG = """
CREATE TABLE IF NOT EXISTS notes (
    id INTEGER PRIMARY KEY,
    post_id INTEGER REFERENCES posts (id) ON DELETE CASCADE,
    question_id INTEGER REFERENCES questions (id) ON DELETE CASCADE,
    text TEXT NOT NULL,
    created_at TEXT NOT NULL,
    updated_at TEXT NOT NULL,
    CHECK ((post_id IS NULL) <> (question_id IS NULL))
);
CREATE INDEX IF NOT EXISTS notes_post ON notes (post_id) WHERE post_id IS NOT NULL;
CREATE INDEX IF NOT EXISTS notes_question ON notes (question_id) WHERE question_id IS NOT NULL;

CREATE TABLE IF NOT EXISTS shares (
    id INTEGER PRIMARY KEY,
    post_id INTEGER REFERENCES posts (id) ON DELETE CASCADE,
    question_id INTEGER REFERENCES questions (id) ON DELETE CASCADE,
    network TEXT NOT NULL,
    text TEXT NOT NULL,
    url TEXT,
    remote_id TEXT,
    shared_at TEXT NOT NULL
);
CREATE INDEX IF NOT EXISTS shares_post ON shares (post_id) WHERE post_id IS NOT NULL;
CREATE INDEX IF NOT EXISTS shares_at ON shares (shared_at);

CREATE TABLE IF NOT EXISTS pd_entries (
    id INTEGER PRIMARY KEY,
    title TEXT NOT NULL,
    date TEXT NOT NULL,
    minutes INTEGER NOT NULL CHECK (minutes > 0),
    type TEXT NOT NULL,
    provider TEXT,
    priority TEXT,
    reflection TEXT,
    impact TEXT,
    evidence TEXT,
    post_id INTEGER REFERENCES posts (id) ON DELETE SET NULL,
    question_id INTEGER REFERENCES questions (id) ON DELETE SET NULL,
    suggestion_key TEXT UNIQUE,
    created_at TEXT NOT NULL,
    updated_at TEXT NOT NULL
);
CREATE INDEX IF NOT EXISTS pd_entries_date ON pd_entries (date);

CREATE TABLE IF NOT EXISTS pd_entry_standards (
    entry_id INTEGER NOT NULL REFERENCES pd_entries (id) ON DELETE CASCADE,
    code TEXT NOT NULL,
    position INTEGER NOT NULL,
    PRIMARY KEY (entry_id, code)
) WITHOUT ROWID;
CREATE INDEX IF NOT EXISTS pd_entry_standards_code ON pd_entry_standards (code);

CREATE TABLE IF NOT EXISTS pd_suggestions (
    number INTEGER PRIMARY KEY,
    key TEXT NOT NULL,
    payload TEXT NOT NULL,
    made_at TEXT NOT NULL
);
"""


@migrations(name="0008_pdlog_notes_shares_log")
def m0008_pdlog_notes_shares_log(db: Database) -> None:
    # Issue 16: private notes on posts and questions, shares back to a network, the
    # professional-learning log (standards in their own table so `pd list --standard` is an
    # index lookup), and the numbered list the last `pd suggest` showed.
    for statement in _split(_PDLOG):
        db.execute(statement)


@migrations(name="0009_interop_follow_options")
def m0009_interop_follow_options(db: Database) -> None:
    # The per-account settings of Mastodon's following_accounts.csv (Show boosts, Notify on
    # new posts, Languages), kept as the file had them so an export writes them back as they
    # were, not as defaults that would flip the user's settings on a new account.
    db.execute(
        "CREATE TABLE IF NOT EXISTS follow_options ("
        " source_id INTEGER PRIMARY KEY REFERENCES sources (id) ON DELETE CASCADE,"
        " show_boosts TEXT, notify TEXT, languages TEXT)"
    )


@migrations(name="0010_state_digest_recipients")
def m0010_state_digest_recipients(db: Database) -> None:
    # Per-recipient delivery of `--since last` digests: each address has its own mark, so a
    # recipient the mail server refused gets the missed posts on the next run while the others
    # never get the same digest twice. A recipient without a row starts at the name's watermark.
    db.execute(
        """CREATE TABLE IF NOT EXISTS digest_recipients (
            id INTEGER PRIMARY KEY,
            name TEXT NOT NULL,
            recipient TEXT NOT NULL,
            until_at TEXT NOT NULL,
            delivered_at TEXT,
            last_error TEXT,
            updated_at TEXT NOT NULL,
            UNIQUE (name, recipient)
        )"""
    )


@migrations(name="0011_media_posts_arrival")
def m0011_media_posts_arrival(db: Database) -> None:
    # `--since` means "arrived since" (fetched_at) in every command: digests, post list,
    # search, the digest's week chart. Without this index each of them reads the whole posts
    # table; partial on live posts (every such query filters deleted_at IS NULL) and covering
    # the person, so the chart and the per-person counts never touch the table.
    db.execute(
        "CREATE INDEX IF NOT EXISTS posts_arrived ON posts (fetched_at, person_id) "
        "WHERE deleted_at IS NULL"
    )


@migrations(name="0012_media_post_media")
def m0012_media_post_media(db: Database) -> None:
    # Enclosures and attachments (podcast audio, video, images), in the feed's order.
    db.execute(
        """CREATE TABLE IF NOT EXISTS post_media (
            post_id INTEGER NOT NULL REFERENCES posts (id) ON DELETE CASCADE,
            position INTEGER NOT NULL,
            url TEXT NOT NULL,
            type TEXT,
            medium TEXT,
            length INTEGER,
            duration INTEGER,
            title TEXT,
            image TEXT,
            PRIMARY KEY (post_id, position)
        ) WITHOUT ROWID"""
    )


@migrations(name="0013_media_post_context")
def m0013_media_post_context(db: Database) -> None:
    # A Mastodon content warning (kept out of the text and titles) and whom a reply answers.
    columns = {row[1] for row in db.execute("PRAGMA table_info(posts)").fetchall()}
    for name in ("content_warning", "in_reply_to_handle"):
        if name not in columns:
            db.execute(f"ALTER TABLE posts ADD COLUMN {name} TEXT")


_STORED_FORM = "'[0-9][0-9][0-9][0-9]-[0-1][0-9]-[0-3][0-9]T[0-2][0-9]:[0-5][0-9]:[0-6][0-9]Z'"


def _bad_date(column: str) -> str:
    """SQL: ``column`` holds a date ingest would not let in (see plnctl.ingest.clean_date)."""
    return (
        f"({column} IS NOT NULL AND ({column} NOT GLOB {_STORED_FORM} "
        f"OR {column} < '1970-01-01T00:00:00Z' "
        f"OR {column} > strftime('%Y-%m-%dT%H:%M:%SZ', 'now', '+1 day')))"
    )


@migrations(name="0014_ingest_repair_dates")
def m0014_ingest_repair_dates(db: Database) -> None:
    # 0.1 stored what feeds sent: an RSS entry dated "01 Jan 0001" became 1-01-01T00:00:00Z
    # (read commands failed on it) and dates in 9999 sat on top of every list. Such dates
    # become "no date", as ingest now does (the post then sorts by fetched_at). Idempotent.
    for column in ("published_at", "updated_at", "edited_at"):
        db.execute(f"UPDATE posts SET {column} = NULL WHERE {_bad_date(column)}")
    db.execute(f"UPDATE answers SET answered_at = NULL WHERE {_bad_date('answered_at')}")
    db.execute(f"UPDATE questions SET asked_at = created_at WHERE {_bad_date('asked_at')}")


@migrations(name="0015_tui_reading_order")
def m0015_tui_reading_order(db: Database) -> None:
    # Lists (`post list`, the reader) order live posts by coalesce(published_at, fetched_at):
    # no index held that expression, so every page sorted the whole table. These partial
    # indexes give the order, per person, and the unread posts alone (the reader's first
    # screen and its sidebar counts), so a page reads ~50 index entries on 100,000 posts
    # (see benchmarks/bench_reader.py).
    for name, columns, where in (
        ("posts_when", "coalesce(published_at, fetched_at), id", ""),
        ("posts_person_when", "person_id, coalesce(published_at, fetched_at), id", ""),
        ("posts_unread_when", "coalesce(published_at, fetched_at), id", " AND read_at IS NULL"),
        (
            "posts_unread_person",
            "person_id, coalesce(published_at, fetched_at), id",
            " AND read_at IS NULL",
        ),
    ):
        db.execute(
            f"CREATE INDEX IF NOT EXISTS {name} ON posts ({columns}) "
            f"WHERE deleted_at IS NULL{where}"
        )


# --- 0006: stemmed search, an exact index beside it, and an FTS table other tools recognise --

# Set by ``open_store(progress=...)`` while migrations run: ``progress(label, done, total)``.
# Re-indexing a big database takes minutes; the CLI shows it as a progress bar.
progress: Callable[[str, int, int], None] | None = None
_REINDEX_CHUNK = 20_000

# posts_fts stems English (porter over unicode61, accents folded): "question" finds
# "questions". `content="posts"` is spelled with double quotes and no spaces because that is
# the form Datasette and sqlite-utils look for (`sqlite_master.sql LIKE '%content="posts"%'`);
# `content = 'posts'` made them treat posts as unsearchable. posts_fts_exact is the same text
# unstemmed, for `search --exact`; its single-quoted spelling keeps those tools on posts_fts.
_FTS_TABLES = {
    "posts_fts": 'content="posts", content_rowid="id", '
    'tokenize="porter unicode61 remove_diacritics 2"',
    "posts_fts_exact": "content = 'posts', content_rowid = 'id', "
    "tokenize = 'unicode61 remove_diacritics 2'",
}
_LIVE = "indexed = 1 AND deleted_at IS NULL"


# The indexed columns as 0016 made them; 0018 adds the article text fetched for full-text feeds.
_FTS_COLUMNS_0016 = ("title", "content_text")
FTS_COLUMNS = ("title", "content_text", "full_text")


def _fts_triggers(columns: tuple[str, ...] = FTS_COLUMNS) -> list[str]:
    """posts_fts_insert/_delete/_update, each writing to both FTS tables (the update deletes
    the old terms before inserting the new ones, in one trigger: see 0001)."""
    names = ", ".join(columns)
    add = f"INSERT INTO {{t}} (rowid, {names}) "
    remove = f"INSERT INTO {{t}} ({{t}}, rowid, {names}) "
    old = "'delete', old.id, " + ", ".join(f"old.{c}" for c in columns)
    new = "new.id, " + ", ".join(f"new.{c}" for c in columns)
    live_old = "old.indexed = 1 AND old.deleted_at IS NULL"
    live_new = "new.indexed = 1 AND new.deleted_at IS NULL"

    def each(*templates: str) -> str:
        return " ".join(t.format(t=table) for t in templates for table in _FTS_TABLES)

    return [
        f"CREATE TRIGGER posts_fts_insert AFTER INSERT ON posts WHEN {live_new} BEGIN "
        + each(add + f"VALUES ({new});")
        + " END",
        f"CREATE TRIGGER posts_fts_delete AFTER DELETE ON posts WHEN {live_old} BEGIN "
        + each(remove + f"VALUES ({old});")
        + " END",
        f"CREATE TRIGGER posts_fts_update AFTER UPDATE OF {names}, indexed, "
        "deleted_at ON posts BEGIN "
        + each(remove + f"SELECT {old} WHERE {live_old};", add + f"SELECT {new} WHERE {live_new};")
        + " END",
    ]


@migrations(name="0016_topics_fts_porter")
def m0016_topics_fts_porter(db: Database) -> None:
    _recreate_fts(db, _FTS_COLUMNS_0016)


def _recreate_fts(db: Database, columns: tuple[str, ...]) -> None:
    # Drop and recreate by name (the triggers write to both tables), then re-index only the
    # posts that may be indexed, in chunks so a big database shows progress.
    for trigger in ("posts_fts_insert", "posts_fts_delete", "posts_fts_update"):
        db.execute(f"DROP TRIGGER IF EXISTS {trigger}")
    for table, options in _FTS_TABLES.items():
        db.execute(f"DROP TABLE IF EXISTS {table}")
        db.execute(f"CREATE VIRTUAL TABLE {table} USING fts5 ({', '.join(columns)}, {options})")
    for statement in _fts_triggers(columns):
        db.execute(statement)
    reindex_posts(db, columns)


def reindex_posts(db: Database, columns: tuple[str, ...] = FTS_COLUMNS) -> None:
    """Fill both FTS tables from the posts that may be indexed, reporting progress."""
    total = db.execute(f"SELECT count(*) FROM posts WHERE {_LIVE}").fetchone()[0]
    top = db.execute("SELECT coalesce(max(id), 0) FROM posts").fetchone()[0]
    done, start = 0, 0
    report = progress
    while start < top:
        end = start + _REINDEX_CHUNK
        for table in _FTS_TABLES:
            names = ", ".join(columns)
            cursor = db.execute(
                f"INSERT INTO {table} (rowid, {names}) SELECT id, {names} "
                f"FROM posts WHERE id > ? AND id <= ? AND {_LIVE}",
                (start, end),
            )
        done += max(cursor.rowcount, 0)
        start = end
        if report is not None:
            report("Re-indexing posts for search", min(done, total), total)
        logger.info("re-indexed %d of %d posts", min(done, total), total)
    state = "SELECT 1 FROM sqlite_master WHERE name = 'posts_fts_exact_state'"
    if db.execute(state).fetchone():  # both indexes hold every post now
        db.execute("UPDATE posts_fts_exact_state SET upto = ?", (top,))


@migrations(name="0017_topics_exact_person_hints")
def m0017_topics_exact_person_hints(db: Database) -> None:
    # A topic can ask for exact matching (no stemming) of its keywords and excludes.
    columns = {row[1] for row in db.execute("PRAGMA table_info(topics)")}
    if "exact" not in columns:
        db.execute("ALTER TABLE topics ADD COLUMN exact INTEGER NOT NULL DEFAULT 0")
    # Live topic updates examine every post kept out of the search index: find them at once.
    db.execute(
        "CREATE INDEX IF NOT EXISTS posts_unindexed ON posts (id) "
        "WHERE indexed = 0 AND deleted_at IS NULL"
    )
    # A person's topics are now a hint about the person, not a rule for their posts: rule tags
    # that came only from the author's link are deleted, and the author part is dropped from
    # the reason of tags some other rule also gave. Manual and blocked tags are kept as they
    # are (topics.person_weight stays in the table, unused).
    pattern = "author % is linked to this topic"
    db.execute(
        "DELETE FROM post_topics WHERE origin = 'rule' AND reason LIKE ? AND reason NOT LIKE ?",
        (pattern, "%; %"),
    )
    mixed = db.execute(
        "SELECT post_id, topic_id, reason FROM post_topics WHERE origin = 'rule' AND reason LIKE ?",
        ("%" + pattern + "%",),
    ).fetchall()
    for post_id, topic_id, reason in mixed:
        kept = "; ".join(part for part in reason.split("; ") if not _PERSON_REASON.fullmatch(part))
        db.execute(
            "UPDATE post_topics SET reason = ? WHERE post_id = ? AND topic_id = ?",
            (kept, post_id, topic_id),
        )


_PERSON_REASON = re.compile(r"author .* is linked to this topic")


# --- 0018: full text of articles, fetched from the post's page for sources that ask for it --


@migrations(name="0018_fulltext_pages")
def m0018_fulltext_pages(db: Database) -> None:
    # sources.full_text: NULL follows [sync] full_text, 1 or 0 is the user's choice for the
    # source. posts.full_text is the article's main text (for search and the reader; digests
    # keep the author's own summary). post_pages remembers each page fetch: its validators for
    # a conditional re-fetch, and why no text was kept (noindex, robots.txt, not HTML, ...).
    if "full_text" not in {row[1] for row in db.execute("PRAGMA table_info(sources)")}:
        db.execute("ALTER TABLE sources ADD COLUMN full_text INTEGER")
    if "full_text" not in {row[1] for row in db.execute("PRAGMA table_info(posts)")}:
        db.execute("ALTER TABLE posts ADD COLUMN full_text TEXT")
    db.execute(
        """CREATE TABLE IF NOT EXISTS post_pages (
            post_id INTEGER PRIMARY KEY REFERENCES posts (id) ON DELETE CASCADE,
            url TEXT NOT NULL,
            status TEXT NOT NULL,
            detail TEXT,
            attempts INTEGER NOT NULL DEFAULT 1,
            etag TEXT,
            last_modified TEXT,
            fetched_at TEXT NOT NULL
        )"""
    )
    # A post whose link or text changed in its feed has its page fetched again (conditionally).
    db.execute(
        """CREATE TRIGGER IF NOT EXISTS post_pages_stale AFTER UPDATE OF url, content_html ON posts
           WHEN old.url IS NOT new.url OR old.content_html IS NOT new.content_html
           BEGIN UPDATE post_pages SET status = 'stale' WHERE post_id = new.id AND status = 'ok';
           END"""
    )
    _recreate_fts(db, FTS_COLUMNS)


@migrations(name="0019_identity_canonical")
def m0019_identity_canonical(db: Database) -> None:
    # Issue 12: one feed written six ways was six people, and a name could be taken twice.
    # Sources get an identity key (plnctl.urlkey) and are unique by it; posts get the key of
    # their link. Duplicates already stored are merged (plnctl.store.dedupe), people who still
    # share a name are told apart, and what was done is kept as notices the next command
    # prints once. source_aliases remembers a source's old keys (a feed that moved with a
    # 301); posts.orphan_of remembers the source of a removed person's posts so that
    # following it again re-attaches them instead of storing them twice.
    from plnctl.store import identity

    conn = db.conn
    db.execute(
        "CREATE TABLE IF NOT EXISTS notices (id INTEGER PRIMARY KEY AUTOINCREMENT, "
        "created_at TEXT NOT NULL, text TEXT NOT NULL, shown_at TEXT)"
    )
    db.execute(
        "CREATE TABLE IF NOT EXISTS source_aliases (kind TEXT NOT NULL, url_key TEXT NOT NULL, "
        "source_id INTEGER NOT NULL REFERENCES sources (id) ON DELETE CASCADE, "
        "PRIMARY KEY (url_key, kind)) WITHOUT ROWID"
    )
    db.execute("CREATE INDEX IF NOT EXISTS source_aliases_source ON source_aliases (source_id)")
    columns = {row[1] for row in db.execute("PRAGMA table_info(posts)")}
    for name in ("link_key", "orphan_of"):
        if name not in columns:
            db.execute(f"ALTER TABLE posts ADD COLUMN {name} TEXT")
    if "url_key" not in {row[1] for row in db.execute("PRAGMA table_info(sources)")}:
        db.execute("ALTER TABLE sources ADD COLUMN url_key TEXT")
    identity.fill_keys(conn, progress)
    db.execute("CREATE INDEX IF NOT EXISTS posts_link_key ON posts (link_key)")
    report = identity.merge_duplicate_sources(conn)
    report += identity.merge_orphan_copies(conn)
    report += identity.rename_duplicate_names(conn)
    db.execute("CREATE UNIQUE INDEX IF NOT EXISTS sources_identity ON sources (url_key, kind)")
    db.execute("CREATE UNIQUE INDEX IF NOT EXISTS people_name_unique ON people (lower(name))")
    db.execute(
        "CREATE INDEX IF NOT EXISTS posts_orphan_of ON posts (orphan_of) "
        "WHERE orphan_of IS NOT NULL"
    )
    for line in report:
        identity.add_notice(conn, line)


@migrations(name="0020_answers_kind_dismissed")
def m0020_answers_kind_dismissed(db: Database) -> None:
    # Issue 12: a reply or post that only shares the question's link is kept as a 'boost'
    # (listed as "Shared by", never counted), and an answer the user removed stays as a
    # dismissed row so the next check does not store it again (its answer_key is taken).
    columns = {row[1] for row in db.execute("PRAGMA table_info(answers)")}
    if "kind" not in columns:
        db.execute(
            "ALTER TABLE answers ADD COLUMN kind TEXT NOT NULL DEFAULT 'answer' "
            "CHECK (kind IN ('answer', 'boost'))"
        )
    if "dismissed_at" not in columns:
        db.execute("ALTER TABLE answers ADD COLUMN dismissed_at TEXT")


@migrations(name="0021_dbscale_list_indexes")
def m0021_dbscale_list_indexes(db: Database) -> None:
    # Issue 14, 1,000,000 posts: every list filter gets an index that holds its order too, so
    # a first page reads ~20 index entries instead of sorting the filter's posts.
    # - posts_arrived_cover: a window of arrivals (--since) answered from the index alone:
    #   the earliest list-order moment in it (the lower bound of a --since list, see
    #   store/reading.list_sql), and stats' counts per person, source and week. deleted_at
    #   is a column as well as the partial condition because SQLite (3.40) only treats a
    #   partial index as covering when the condition's columns are in it.
    # - posts_source_when, posts_saved_when: a source's posts, the reading list, in list order.
    for name, columns, where in (
        ("posts_arrived_cover", "fetched_at, person_id, source_id, published_at, deleted_at", ""),
        ("posts_source_when", "source_id, coalesce(published_at, fetched_at), id", ""),
        ("posts_saved_when", "coalesce(published_at, fetched_at), id", " AND saved_at IS NOT NULL"),
    ):
        db.execute(
            f"CREATE INDEX IF NOT EXISTS {name} ON posts ({columns}) "
            f"WHERE deleted_at IS NULL{where}"
        )


@migrations(name="0022_topicperf_deleted_posts")
def m0022_topicperf_deleted_posts(db: Database) -> None:
    # A topic's live update and `topic rebuild` drop the rule tags left on deleted posts (a
    # rebuild tags live posts only): find those posts without reading the whole posts table
    # (3 s at 1,000,000 posts; few posts are deleted).
    db.execute(
        "CREATE INDEX IF NOT EXISTS posts_deleted ON posts (id) WHERE deleted_at IS NOT NULL"
    )


@migrations(name="0023_grouping_one_item_per_idea")
def m0023_grouping_one_item_per_idea(db: Database) -> None:
    # Issue 12: a blog post and the toot that links it were two items. posts.points_to_key is
    # what a status points to (its card, else its one link); posts.group_id is the lead's id
    # on every post of a group (plnctl.store.grouping); boosts/replies are the status counts.
    # What 0.1 stored has no cards: a status points to its one stored link that is not media.
    from plnctl.store import grouping
    from plnctl.urlkey import url_key

    columns = {row[1] for row in db.execute("PRAGMA table_info(posts)")}
    for name, kind in (
        ("points_to_key", "TEXT"),
        ("group_id", "INTEGER"),
        ("boosts", "INTEGER"),
        ("replies", "INTEGER"),
    ):
        if name not in columns:
            db.execute(f"ALTER TABLE posts ADD COLUMN {name} {kind}")
    db.execute(
        "CREATE INDEX IF NOT EXISTS posts_points_to ON posts (points_to_key) "
        "WHERE points_to_key IS NOT NULL"
    )
    db.execute(
        "CREATE INDEX IF NOT EXISTS posts_group ON posts (group_id) WHERE group_id IS NOT NULL"
    )
    # Lists and unread counts show a group once ((group_id IS NULL OR group_id = id), the
    # store's grouping.VISIBLE): the unread indexes hold only such posts, so the reader's
    # counts stay index-only (200,000 unread: 18 ms; with a row lookup per post, 300 ms).
    for name, order in (
        ("posts_unread_when", "coalesce(published_at, fetched_at), id"),
        ("posts_unread_person", "person_id, coalesce(published_at, fetched_at), id"),
    ):
        db.execute(f"DROP INDEX IF EXISTS {name}")
        db.execute(
            f"CREATE INDEX {name} ON posts ({order}) WHERE deleted_at IS NULL "
            "AND read_at IS NULL AND (group_id IS NULL OR group_id = id)"
        )
    single = db.execute(
        """SELECT l.post_id, min(l.url) FROM post_links l JOIN posts p ON p.id = l.post_id
           WHERE p.kind = 'status' AND p.points_to_key IS NULL AND NOT EXISTS (
               SELECT 1 FROM post_media m WHERE m.post_id = l.post_id AND m.url = l.url)
           GROUP BY l.post_id HAVING count(*) = 1"""
    ).fetchall()
    db.conn.executemany(
        "UPDATE posts SET points_to_key = ? WHERE id = ?",
        [(key, post_id) for post_id, url in single if (key := url_key(url))],
    )
    grouped = grouping.regroup_all(db.conn)
    if grouped:
        from plnctl.store import identity

        identity.add_notice(
            db.conn, f"grouped {grouped} posts with the article by the same person they link"
        )


# Names are unique as people compare them (``plnctl.identity.canonical_name``: case in every
# script, Unicode forms, spaces): SQLite's lower() folds ASCII only, so "Élodie" and "élodie"
# could be two people. The key is computed in Python and stored.
@migrations(name="0024_names_unicode_key")
def m0024_names_unicode_key(db: Database) -> None:
    from plnctl.store import identity

    if "name_key" not in {row[1] for row in db.execute("PRAGMA table_info(people)")}:
        db.execute("ALTER TABLE people ADD COLUMN name_key TEXT")
    for line in identity.rename_duplicate_names(db.conn):
        identity.add_notice(db.conn, line)
    db.execute("DROP INDEX IF EXISTS people_name_unique")
    db.execute("CREATE UNIQUE INDEX IF NOT EXISTS people_name_key ON people (name_key)")


# Both FTS5 indexes write bigger leaf pages (16,000 bytes, not 1,000) and merge 8 segments of
# a level at once, not 4: a cold sync adds each batch of posts as a new segment, and with the
# defaults the merges rewrote the same terms again and again (issue 14: ~0.6 ms of CPU per
# 20-post feed, -18 % of the indexes' cost; queries measured unchanged). Stored in each
# table's %_config, so it holds for every connection and tool; a later migration that
# recreates the tables must call apply_fts_settings again.
FTS_SETTINGS = (("pgsz", 16000), ("automerge", 8))


def apply_fts_settings(db: Database) -> None:
    for table in _FTS_TABLES:
        for key, value in FTS_SETTINGS:
            db.execute(f"INSERT INTO {table} ({table}, rank) VALUES (?, ?)", (key, value))


@migrations(name="0025_cold3_fts_settings")
def m0025_cold3_fts_settings(db: Database) -> None:
    apply_fts_settings(db)


# posts_arrived (fetched_at, person_id) is a prefix of posts_arrived_cover, on the same live
# posts: every query it served reads the cover as well, and every new post paid one index
# write for nothing (issue 15's incremental Bluesky sync, issue 14's cold sync).
@migrations(name="0026_drop_redundant_arrival_index")
def m0026_drop_redundant_arrival_index(db: Database) -> None:
    db.execute("DROP INDEX IF EXISTS posts_arrived")


# The unstemmed index is filled when it is read (plnctl.store.exact_index), not on every insert:
# a third of a cold sync's storing CPU went to it (issue 14), for searches few users make. The
# posts with ids up to posts_fts_exact_state.upto are in it (all of them, here: the triggers
# kept it whole until now); the triggers keep exactly those right when they change.
_EXACT_UPTO = "(SELECT upto FROM posts_fts_exact_state)"


def _on_demand_exact_triggers(columns: tuple[str, ...] = FTS_COLUMNS) -> list[str]:
    names = ", ".join(columns)
    old = "'delete', old.id, " + ", ".join(f"old.{c}" for c in columns)
    new = "new.id, " + ", ".join(f"new.{c}" for c in columns)
    live_old = "old.indexed = 1 AND old.deleted_at IS NULL"
    live_new = "new.indexed = 1 AND new.deleted_at IS NULL"

    def remove(table: str, where: str) -> str:
        return f"INSERT INTO {table} ({table}, rowid, {names}) SELECT {old} WHERE {where};"

    def add(table: str, where: str) -> str:
        return f"INSERT INTO {table} (rowid, {names}) SELECT {new} WHERE {where};"

    exact_old = f"{live_old} AND old.id <= {_EXACT_UPTO}"
    exact_new = f"{live_new} AND new.id <= {_EXACT_UPTO}"
    return [
        f"CREATE TRIGGER posts_fts_insert AFTER INSERT ON posts WHEN {live_new} BEGIN "
        f"INSERT INTO posts_fts (rowid, {names}) VALUES ({new}); "
        f"{add('posts_fts_exact', exact_new)} END",
        f"CREATE TRIGGER posts_fts_delete AFTER DELETE ON posts WHEN {live_old} BEGIN "
        f"INSERT INTO posts_fts (posts_fts, rowid, {names}) VALUES ({old}); "
        f"{remove('posts_fts_exact', exact_old)} END",
        f"CREATE TRIGGER posts_fts_update AFTER UPDATE OF {names}, indexed, deleted_at ON posts "
        f"BEGIN {remove('posts_fts', live_old)} {remove('posts_fts_exact', exact_old)} "
        f"{add('posts_fts', live_new)} {add('posts_fts_exact', exact_new)} END",
    ]


@migrations(name="0027_exact_index_on_demand")
def m0027_exact_index_on_demand(db: Database) -> None:
    db.execute(
        "CREATE TABLE IF NOT EXISTS posts_fts_exact_state "
        "(id INTEGER PRIMARY KEY CHECK (id = 1), upto INTEGER NOT NULL)"
    )
    db.execute(
        "INSERT OR IGNORE INTO posts_fts_exact_state (id, upto) "
        "SELECT 1, coalesce(max(id), 0) FROM posts"
    )
    for trigger in ("posts_fts_insert", "posts_fts_delete", "posts_fts_update"):
        db.execute(f"DROP TRIGGER IF EXISTS {trigger}")
    for statement in _on_demand_exact_triggers():
        db.execute(statement)
