"""The full-text indexes always agree with the posts they should hold, whatever happens to them:
new posts, edits, deletions, opt-outs and the override, in any order. The unstemmed index is
brought up to date when it is read (``exact_index``), which may happen between any two steps."""

from __future__ import annotations

import tempfile
from pathlib import Path

from hypothesis import given, settings
from hypothesis import strategies as st

from plnctl.models import NewPost, SourceKind
from plnctl.store import exact_index, open_store
from plnctl.store import people as people_db
from plnctl.store import posts as posts_db

WORDS = ("exit", "tickets", "retrieval", "practice", "picture", "books", "microbit", "quiz")
text = st.lists(st.sampled_from(WORDS), min_size=1, max_size=4).map(" ".join)
operation = st.one_of(
    st.tuples(st.just("upsert"), st.integers(0, 4), text, text),
    st.tuples(st.just("delete"), st.integers(0, 4)),
    st.tuples(st.just("noindex"), st.booleans()),
    st.tuples(st.just("override"), st.booleans()),
    st.tuples(st.just("exact search")),  # brings the unstemmed index up to date
)


@settings(max_examples=100, deadline=None)
@given(st.lists(operation, max_size=25))
def test_index_matches_a_simple_model(ops: list[tuple]) -> None:  # type: ignore[type-arg]
    with tempfile.TemporaryDirectory() as tmp:
        store = open_store(Path(tmp) / "p.db")
        with store.transaction():
            pid = people_db.insert_person(store, "Ada")
            url, handle = "https://m.example/@ada", "@ada@m.example"
            sid = people_db.insert_source(store, pid, SourceKind.MASTODON, url, handle=handle)
        model: dict[str, tuple[str, str]] = {}
        deleted: set[str] = set()
        noindex = override = False
        for op in ops:
            with store.transaction():
                if op[0] == "upsert":
                    guid = f"g{op[1]}"
                    indexed = not noindex or override
                    post = NewPost(guid=guid, title=op[2], content_text=op[3])
                    posts_db.upsert_posts(store, sid, pid, [post], fetched_at="t",
                                          indexed=indexed)  # fmt: skip
                    if guid not in deleted:
                        model[guid] = (op[2], op[3])
                elif op[0] == "delete":
                    guid = f"g{op[1]}"
                    posts_db.mark_deleted(store, sid, [guid], at="t")
                    if guid in model:
                        deleted.add(guid)
                elif op[0] == "noindex":
                    noindex = op[1]
                    people_db.update_source(store, sid, noindex=noindex)
                elif op[0] == "exact search":
                    exact_index.table(store)
                else:
                    override = op[1]
                    people_db.update_person(store, pid, index_override=int(override))
                    people_db.reindex_source(store, sid)
        searchable = not noindex or override
        exact_index.table(store)
        for table in ("posts_fts", "posts_fts_exact"):  # the index's own structure is whole
            store.conn.execute(f"INSERT INTO {table} ({table}) VALUES ('integrity-check')")
        for word in WORDS:
            expected = {
                guid for guid, (title, body) in model.items()
                if searchable and guid not in deleted and word in f"{title} {body}".split()
            }  # fmt: skip
            for table in ("posts_fts", "posts_fts_exact"):  # stemmed, and as written
                found = {
                    row[0] for row in store.conn.execute(
                        f"SELECT p.guid FROM {table} JOIN posts p ON p.id = {table}.rowid "
                        f"WHERE {table} MATCH ?", (word,))
                }  # fmt: skip
                assert found == expected, (table, word, ops)
        store.close()
