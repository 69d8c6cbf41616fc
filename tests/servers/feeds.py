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


def podcast_feed(base: str, *, episodes: int = 2) -> str:
    """A podcast's RSS as hosts write it: ``<enclosure>``, ``itunes:*``, a one-line
    description, fuller ``content:encoded`` and the full show notes in ``itunes:summary``."""
    items = []
    for n in range(episodes, 0, -1):
        when = format_datetime(BASE_TIME + timedelta(days=7 * n), usegmt=True)
        notes = " ".join(
            f"Show note {k} for episode {n}: a link, a book, a study." for k in range(12)
        )
        items.append(
            f"<item><title>Episode {n}: talking about marking</title>"
            f'<link>{base}/episodes/{n}</link><guid isPermaLink="false">pod-{n}</guid>'
            f"<pubDate>{when}</pubDate><description>Episode {n}.</description>"
            f"<content:encoded><![CDATA[<p>In episode {n} we talk about marking.</p>]]>"
            f"</content:encoded><itunes:summary>{escape(notes)}</itunes:summary>"
            f'<enclosure url="/audio/ep{n}.mp3" type="audio/mpeg" length="{12_345_678 * n}"/>'
            f"<itunes:duration>1:02:0{n}</itunes:duration>"
            f'<itunes:image href="{base}/art/ep{n}.jpg"/>'
            "<itunes:author>Two Teachers</itunes:author>"
            "</item>"
        )
    return (
        '<?xml version="1.0" encoding="UTF-8"?><rss version="2.0" '
        'xmlns:itunes="http://www.itunes.com/dtds/podcast-1.0.dtd" '
        'xmlns:content="http://purl.org/rss/1.0/modules/content/"><channel>'
        f"<title>The Staffroom Podcast</title><link>{base}/</link>{''.join(items)}"
        "</channel></rss>"
    )


def youtube_feed(channel: str = "UC_teacher", *, videos: int = 2) -> str:
    """A YouTube channel feed: Atom with ``yt:`` ids and a Media RSS ``media:group`` per video."""
    entries = []
    for n in range(videos, 0, -1):
        vid = f"vid{n:04d}"
        entries.append(
            f"<entry><id>yt:video:{vid}</id><yt:videoId>{vid}</yt:videoId>"
            f"<title>Fractions with paper, part {n}</title>"
            f'<link rel="alternate" href="https://www.youtube.com/watch?v={vid}"/>'
            f"<author><name>Maths with Mo</name>"
            f"<uri>https://www.youtube.com/channel/{channel}</uri></author>"
            f"<published>2026-11-2{n}T10:00:00+00:00</published>"
            f"<media:group><media:title>Fractions with paper, part {n}</media:title>"
            f'<media:content url="https://www.youtube.com/v/{vid}?version=3" '
            'type="application/x-shockwave-flash" width="640" height="390"/>'
            f'<media:thumbnail url="https://i1.ytimg.com/vi/{vid}/hqdefault.jpg" '
            'width="480" height="360"/>'
            f"<media:description>We fold paper to see fractions (part {n}). Materials: A4 paper, "
            "scissors. Timestamps: 0:00 intro, 2:10 halves, 5:40 thirds.</media:description>"
            "</media:group></entry>"
        )
    return (
        '<?xml version="1.0" encoding="UTF-8"?>'
        '<feed xmlns:yt="http://www.youtube.com/xml/schemas/2015" '
        'xmlns:media="http://search.yahoo.com/mrss/" xmlns="http://www.w3.org/2005/Atom">'
        f"<title>Maths with Mo</title>"
        f'<link rel="alternate" href="https://www.youtube.com/channel/{channel}"/>'
        f"{''.join(entries)}</feed>"
    )
