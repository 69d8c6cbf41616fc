"""Small realistic feeds (educator blogs) for tests: RSS 2.0 and Atom generators."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from email.utils import format_datetime
from xml.sax.saxutils import escape

TOPICS = [
    ("Retrieval practice in Year 9 science", "retrieval practice", "#edchat"),
    ("What I learned from a term of flipped lessons", "flipped classroom", "#flippedclass"),
    ("Feedback that students actually read", "feedback", "#ukedchat"),
    ("Using AI tools for lesson planning, carefully", "AI", "#edtech"),
    ("Reading aloud with teenagers", "literacy", "#literacy"),
    ("Cognitive load theory, in plain words", "cognitive load", "#edresearch"),
]
BASE_TIME = datetime(2026, 11, 1, 9, 0, tzinfo=UTC)


def entry_html(i: int, base: str) -> str:
    _title, topic, tag = TOPICS[i % len(TOPICS)]
    return (
        f"<p>This week my classes tried <strong>{topic}</strong> again. {tag}</p>"
        f'<p>Background: <a href="{base}/notes/{i}">my notes</a> and '
        f'<a href="https://research.example.org/papers/{i}">the paper</a>.</p>'
        f"<ul><li>What worked</li><li>What did not</li></ul>"
    )


def rss_feed(
    count: int = 3,
    *,
    title: str = "Ms. Rivera Teaches",
    base: str = "https://rivera.example.edu",
    start: int = 0,
    encoding: str = "utf-8",
    comments: bool = False,
) -> str:
    """An RSS 2.0 feed with ``count`` items numbered from ``start`` (newest first)."""
    items = []
    for i in range(start + count - 1, start - 1, -1):
        entry_title = TOPICS[i % len(TOPICS)][0]
        when = format_datetime(BASE_TIME + timedelta(days=i), usegmt=True)
        comment = f"<wfw:commentRss>{base}/{i}/comments/feed</wfw:commentRss>" if comments else ""
        items.append(
            f"<item><title>{escape(entry_title)} ({i})</title><link>{base}/{i}</link>"
            f'<guid isPermaLink="false">{base}/?p={i}</guid><pubDate>{when}</pubDate>'
            f"<category>{escape(TOPICS[i % len(TOPICS)][1])}</category>"
            f"<description>{escape(entry_html(i, base))}</description>{comment}</item>"
        )
    return (
        f'<?xml version="1.0" encoding="{encoding}"?>\n'
        '<rss version="2.0" xmlns:wfw="http://wellformedweb.org/CommentAPI/">'
        f"<channel><title>{escape(title)}</title><link>{base}/</link>"
        f"<description>Notes from a classroom</description>{''.join(items)}</channel></rss>"
    )


def atom_feed(
    count: int = 3,
    *,
    title: str = "Mr. Okafor's Maths Notes",
    base: str = "https://okafor.example.net",
    start: int = 0,
) -> str:
    """An Atom 1.0 feed with ``count`` entries numbered from ``start``."""
    entries = []
    for i in range(start + count - 1, start - 1, -1):
        when = (BASE_TIME + timedelta(days=i)).strftime("%Y-%m-%dT%H:%M:%SZ")
        entries.append(
            f"<entry><title>{escape(TOPICS[i % len(TOPICS)][0])} ({i})</title>"
            f'<link rel="alternate" href="{base}/posts/{i}"/><id>tag:okafor,2026:{i}</id>'
            f"<published>{when}</published><updated>{when}</updated>"
            f"<author><name>Chidi Okafor</name></author>"
            f'<category term="{escape(TOPICS[i % len(TOPICS)][1])}"/>'
            f'<content type="html">{escape(entry_html(i, base))}</content></entry>'
        )
    return (
        '<?xml version="1.0" encoding="utf-8"?>\n'
        '<feed xmlns="http://www.w3.org/2005/Atom">'
        f'<title>{escape(title)}</title><link rel="alternate" href="{base}/"/>'
        f"<id>{base}/</id><updated>{BASE_TIME.strftime('%Y-%m-%dT%H:%M:%SZ')}</updated>"
        f"{''.join(entries)}</feed>"
    )


def html_page(title: str = "Ms. Rivera Teaches", feed_href: str | None = None) -> str:
    link = (
        f'<link rel="alternate" type="application/rss+xml" title="RSS" href="{feed_href}">'
        if feed_href
        else ""
    )
    return (
        f"<!DOCTYPE html><html><head><title>{escape(title)}</title>{link}</head>"
        f"<body><h1>{escape(title)}</h1><p>Welcome to my classroom blog.</p></body></html>"
    )
