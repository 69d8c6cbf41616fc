"""What a cold sync stores must not change when the ingest path is made faster (issue 14).

A real sync (HTTP on 127.0.0.1, the parser, nh3, the ingest boundary, topic matching at parse
time, the store with both FTS5 indexes) of every ``feedgen`` style plus a hand-written hostile
feed; every stored column of every post, its facets, media and topic tags, and the rowids each
FTS index finds for a set of queries, are compared with ``data/stored_golden.json``. That file
was written by the straightforward path (main before the cold-CPU work, commit 79fb650); each
value is a short hash, so a difference names the post and the column.

After an intended change to what is stored (not a speed-up), regenerate it and say why in the
commit:  PLNCTL_WRITE_GOLDEN=1 python -m pytest tests/ingest/test_stored_golden.py
"""

from __future__ import annotations

import hashlib
import json
import os
import sqlite3
import sys
from pathlib import Path

from plnctl.api import Pln
from plnctl.store import exact_index
from tests.servers.feed_server import FeedServer

ROOT = Path(__file__).resolve().parents[2]
GOLDEN = Path(__file__).parent / "data" / "stored_golden.json"
sys.path.insert(0, str(ROOT / "benchmarks"))
import feedgen  # noqa: E402

TOPICS = {
    "assessment": (["formative assessment", "feedback", "retrieval practice"], ["assessment"]),
    "reading": (["reading fluency", "phonics"], ["reading"]),
    "wellbeing": (["teacher wellbeing"], ["wellbeing"]),
    "ai": (["AI in the classroom"], ["edtech"]),
    "talk": (["oracy", "classroom talk"], []),
    "bücher": (["Bücher", "café"], ["bücher"]),
}
QUERIES = [
    "practice", "practise", "assessment", "feedback", "students", "classroom talk",
    "learn", "learning", '"cognitive load"', "bücher", "cafe", "café", "AT&T", "year",
    "podcast", "episode", "photo",
]  # fmt: skip

# Hostile and edge cases the faster paths must treat exactly as before: text with no tags but
# entities and '>', content equal to the summary, IDN and upper-case hosts, ports, tracking
# parameters, relative links under xml:base, scripts and event handlers, a summary-only entry.
HOSTILE = """<?xml version="1.0" encoding="utf-8"?>
<rss version="2.0" xmlns:content="http://purl.org/rss/1.0/modules/content/">
<channel><title>Hostile &amp; odd</title><link>http://127.0.0.1/site/</link>
<item><guid>plain-1</guid><title>AT&amp;T &gt; Verizon? 5 &lt; 6</title>
<description>Plain text, no tags: AT&amp;amp;T &gt; them &amp;amp; 5 &amp;lt; 6
#NoTags ©</description></item>
<item><guid>plain-2</guid><title>Only text</title>
<description>Bücher und café, nothing else. #Bücher #edtech   spaced   out</description>
</item>
<item><guid>same-1</guid><title>Same content and summary</title>
<description>&lt;p&gt;Equal &lt;b&gt;both&lt;/b&gt;
&lt;a href="/rel?utm_source=x&amp;amp;p=3"&gt;rel&lt;/a&gt;&lt;/p&gt;</description>
<content:encoded><![CDATA[<p>Equal <b>both</b>
<a href="/rel?utm_source=x&amp;p=3">rel</a></p>]]></content:encoded>
</item>
<item><guid>links-1</guid><title>Links of every kind</title>
<link>HTTP://Example.COM:8080/a/../b/?utm_medium=rss&amp;z=1&amp;a=2#frag</link>
<description>&lt;p onclick="evil()"&gt;See
&lt;a href="http://BÜCHER.example/ä?x=1"&gt;IDN&lt;/a&gt;,
&lt;a href="https://xn--bcher-kva.example/"&gt;punycode&lt;/a&gt;,
&lt;a href="javascript:alert(1)"&gt;js&lt;/a&gt;,
&lt;a href="//cdn.example.org/x"&gt;scheme-relative&lt;/a&gt;,
&lt;a href="http://[::1]:99/v6"&gt;v6&lt;/a&gt;,
&lt;a href="http://example.com:99999/bad"&gt;bad port&lt;/a&gt;
&lt;img src="pic.png" onerror="x()"&gt;&lt;script&gt;alert(1)&lt;/script&gt;
#EdTech&lt;/p&gt;</description>
</item>
<item><guid>amp-1</guid><title>Entities only</title>
<description>Tom &amp;amp; Jerry &amp;nbsp; &amp;#8217;quoted&amp;#8217; &amp;hellip;</description>
</item>
<item><title>No guid, no link</title>
<description>A title and text identify it. Retrieval practice!</description></item>
</channel></rss>
"""


HOST = ["127.0.0.1:0"]  # the test server's random port, written as PORT in the golden


def _h(value: object) -> object:
    """Short values as they are; long ones as a hash (the golden stays small and diffable)."""
    if value is None or isinstance(value, int):
        return value
    text = str(value).replace(HOST[0], "127.0.0.1:PORT")
    return text if len(text) <= 48 else "#" + hashlib.sha256(text.encode()).hexdigest()[:16]


def _rows(conn: sqlite3.Connection, sql: str, args: tuple = ()) -> list[dict[str, object]]:
    cursor = conn.execute(sql, args)
    names = [d[0] for d in cursor.description]
    return [dict(zip(names, r, strict=True)) for r in cursor]


def _dump(pln: Pln) -> dict[str, object]:
    conn = pln.store.conn
    guid_of = {r[0]: r[1] for r in conn.execute("SELECT id, guid FROM posts")}
    out: dict[str, object] = {}
    skip = {"id", "source_id", "person_id", "fetched_at"}
    for row in _rows(conn, "SELECT * FROM posts ORDER BY guid"):
        post = {k: _h(row[k]) for k in row if k not in skip}
        pid = row["id"]
        for table, column in (
            ("post_hashtags", "tag"),
            ("post_links", "url"),
            ("post_mentions", "handle"),
        ):
            found = conn.execute(f"SELECT {column} FROM {table} WHERE post_id = ?", (pid,))
            post[table] = sorted(str(_h(r[0])) for r in found)
        media = _rows(conn, "SELECT * FROM post_media WHERE post_id = ? ORDER BY position", (pid,))
        post["media"] = [[_h(v) for k, v in m.items() if k != "post_id"] for m in media]
        tags = conn.execute(
            "SELECT t.name, pt.origin, pt.reason FROM post_topics pt "
            "JOIN topics t ON t.id = pt.topic_id WHERE pt.post_id = ? ORDER BY t.name",
            (pid,),
        )
        post["topics"] = [list(t) for t in tags]
        out[f"{row['source_id']}:{_h(row['guid'])}"] = post
    fts = [
        r[0]
        for r in conn.execute(
            "SELECT name FROM sqlite_master WHERE type = 'table' AND sql LIKE '%fts5%' "
            "AND name LIKE 'posts%' ORDER BY name"
        )
    ]
    exact_index.table(pln.store)  # what every reader of the unstemmed index does first
    for table in fts:
        for query in QUERIES:
            match = conn.execute(
                f"SELECT rowid FROM {table} WHERE {table} MATCH ? ORDER BY rowid",
                (query if query.startswith('"') else f'"{query}"',),
            )
            out[f"fts {table} {query}"] = sorted(str(_h(guid_of[r[0]])) for r in match)
    return out


def test_a_cold_sync_stores_exactly_what_the_straightforward_path_stored(
    pln: Pln, feed_server: FeedServer
) -> None:
    base = feed_server.url("").rstrip("/")
    HOST[0] = base.split("://")[1]
    urls = []
    for style in feedgen.STYLES:
        for feed in feedgen.generate(2, seed=7, styles=[style], entries_per_feed=5):
            path = f"/{style}{feed.path}"
            urls.append(feed_server.add_feed(path, feedgen.render(feed, base)))
    urls.append(feed_server.add_feed("/hostile.xml", HOSTILE.encode()))
    pln.people.add("Golden Reader")
    for url in urls:
        pln.sources.add("Golden Reader", url, check=False)
    for name, (keywords, hashtags) in TOPICS.items():
        pln.topics.add(name, keywords=keywords, hashtags=hashtags)
    summary = pln.sync()
    assert summary.failed == 0, [r.error for r in summary.results if r.error]

    got = _dump(pln)
    if os.environ.get("PLNCTL_WRITE_GOLDEN"):
        GOLDEN.parent.mkdir(exist_ok=True)
        GOLDEN.write_text(json.dumps(got, indent=1, sort_keys=True, ensure_ascii=False) + "\n")
    want = json.loads(GOLDEN.read_text())
    # Not vacuous: every style and the hostile feed stored posts, topics and search hits exist.
    posts = [k for k in want if not k.startswith("fts ")]
    assert len(posts) == 7 * 2 * 5 + 6
    assert sum(bool(want[k]["topics"]) for k in posts) >= 10
    assert all(want[k] for k in want if k.startswith("fts ") and k.endswith(" feedback"))
    assert sorted(got) == sorted(want)
    for key in want:
        assert got[key] == want[key], key
