"""Built-in sample network: educators and what they published, rendered as RSS 2.0 and Atom
with the quirks real feeds have (content:encoded, categories, missing dates, Latin-1, a broken
ampersand, relative links)."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta
from email.utils import format_datetime
from html import escape


@dataclass(frozen=True)
class SamplePost:
    slug: str
    title: str
    html: str
    hours_ago: int
    categories: tuple[str, ...] = ()
    audio: str | None = None  # a podcast episode's enclosure (path under the feed's site)


@dataclass(frozen=True)
class SamplePerson:
    name: str
    path: str  # where the demo server serves the feed
    format: str  # rss | atom | rss-latin1 | rss-broken
    topics: tuple[str, ...]
    note: str
    posts: tuple[SamplePost, ...]


P = SamplePost

PEOPLE: tuple[SamplePerson, ...] = (
    SamplePerson(
        "Maria Rivera",
        "/maria/feed.xml",
        "rss",
        ("assessment & online testing", "maths education"),
        "Year 5 teacher; great on formative assessment",
        (
            P(
                "exit-tickets",
                "Exit tickets that actually change tomorrow's lesson",
                "<p>Three <strong>exit ticket</strong> prompts I use for formative assessment, and"
                " how I sort the answers in two minutes.</p><ul><li>What surprised you?</li>"
                "<li>Rate your confidence 1-4</li></ul><p>#edchat</p>",
                5,
                ("Assessment",),
            ),
            P(
                "retrieval",
                "Retrieval practice with low-stakes quizzes",
                "<p>Low-stakes quizzing every Monday: what worked, what did not, and why"
                " <em>spacing</em> matters more than the quiz tool.</p>",
                30,
                ("Assessment",),
            ),
            P(
                "parents",
                "Talking to parents about grades",
                "<p>Notes from our parents' evening on feedback instead of grades.</p>",
                80,
            ),
        ),
    ),
    SamplePerson(
        "Library Lab (Sam Okafor)",
        "/librarylab/atom.xml",
        "atom",
        ("literacy & picture books", "digital literacy"),
        "School librarian; picture books and media literacy",
        (
            P(
                "picture-books",
                "Picture books for teaching empathy",
                "<p>Twelve picture books our Year 2 classes loved this term, with discussion"
                " questions. <a href='/librarylab/empathy-list'>The full list</a>.</p>",
                8,
            ),
            P(
                "fake-news",
                "Spotting fake news: a lesson for 11-year-olds",
                "<p>A digital literacy lesson: lateral reading, reverse image search and"
                " checking the source.</p><script>alert('x')</script>",
                26,
            ),
        ),
    ),
    SamplePerson(
        "Jonas Weber",
        "/jonas/rss",
        "rss-latin1",
        ("STEM & micro:bit",),
        "Physics teacher in Zürich; micro:bit projects",
        (
            P(
                "microbit-weather",
                "Eine Wetterstation mit dem micro:bit",
                "<p>Our weather station project: the micro:bit logs temperature every"
                " 10 minutes. Schüler loved the graphs.</p>",
                12,
            ),
            P(
                "computational",
                "Computational thinking without computers",
                "<p>Unplugged activities for computational thinking: sorting networks,"
                " binary bracelets.</p>",
                50,
            ),
        ),
    ),
    SamplePerson(
        "Priya Shah",
        "/priya/feed",
        "rss-broken",
        ("data & privacy", "edtech tools"),
        "Data protection lead; honest reviews of edtech tools",
        (
            P(
                "dpia",
                "A DPIA checklist for new edtech tools",
                "<p>Before you sign up a class: data & privacy questions to ask every vendor.</p>",
                3,
            ),
            P(
                "ai-tools",
                "AI tools in the classroom & what they keep",
                "<p>What five popular AI tools keep about your students.</p>",
                40,
            ),
        ),
    ),
    SamplePerson(
        "Open Learning Podcast",
        "/olp/episodes.atom",
        "atom",
        ("professional learning",),
        "Weekly podcast on professional learning networks",
        (
            P(
                "ep42",
                "Episode 42: Building a PLN that answers back",
                "<p>How to ask your network a question tonight and get six answers by"
                " morning: Seek, Sense, Share.</p>",
                20,
                audio="ep42.mp3",
            ),
        ),
    ),
)


def render_feed(person: SamplePerson, *, base_url: str, now: datetime) -> tuple[bytes, str]:
    """The feed body and its Content-Type."""
    if person.format == "atom":
        return _atom(person, base_url, now).encode("utf-8"), "application/atom+xml"
    body = _rss(person, base_url, now)
    if person.format == "rss-latin1":
        body = body.replace('encoding="utf-8"', 'encoding="iso-8859-1"')
        return body.encode("iso-8859-1"), "application/rss+xml; charset=iso-8859-1"
    if person.format == "rss-broken":
        # A real-world bug: an unescaped ampersand in a title. feedparser recovers the entries.
        body = body.replace("data &amp; privacy", "data & privacy", 1)
    return body.encode("utf-8"), "application/rss+xml; charset=utf-8"


def _rss(person: SamplePerson, base_url: str, now: datetime) -> str:
    site = base_url + person.path.rsplit("/", 1)[0] + "/"
    items = []
    for post in person.posts:
        link = site + post.slug
        cats = "".join(f"<category>{escape(c)}</category>" for c in post.categories)
        items.append(
            f"<item><title>{escape(post.title)}</title><link>{link}</link>"
            f'<guid isPermaLink="false">tag:plnctl-demo,2026:{post.slug}</guid>'
            f"<pubDate>{format_datetime(now - timedelta(hours=post.hours_ago))}"
            f"</pubDate>{cats}<description>{escape(_text(post.html))}</description>"
            f"<content:encoded><![CDATA[{post.html}]]></content:encoded></item>"
        )
    return (
        '<?xml version="1.0" encoding="utf-8"?>\n<rss version="2.0" '
        'xmlns:content="http://purl.org/rss/1.0/modules/content/"><channel>'
        f"<title>{escape(person.name)}</title><link>{site}</link>"
        f"<description>{escape(person.note)}</description>{''.join(items)}</channel></rss>\n"
    )


def _atom(person: SamplePerson, base_url: str, now: datetime) -> str:
    site = base_url + person.path.rsplit("/", 1)[0] + "/"
    entries = []
    for index, post in enumerate(person.posts):
        stamp = (now - timedelta(hours=post.hours_ago)).strftime("%Y-%m-%dT%H:%M:%SZ")
        # Quirk: the second entry has no <published>, only <updated>.
        published = f"<published>{stamp}</published>" if index != 1 else ""
        if post.audio:
            published += (
                f'<link rel="enclosure" href="{site}{post.audio}" type="audio/mpeg" '
                'length="31457280"/>'
            )
        entries.append(
            f"<entry><title>{escape(post.title)}</title><id>tag:demo,2026:{post.slug}</id>"
            f'<link href="{site}{post.slug}"/>{published}<updated>{stamp}</updated>'
            f"<author><name>{escape(person.name)}</name></author>"
            f'<content type="html" xml:base="{site}">{escape(post.html)}</content></entry>'
        )
    return (
        '<?xml version="1.0" encoding="utf-8"?>\n<feed xmlns="http://www.w3.org/2005/Atom">'
        f"<title>{escape(person.name)}</title><id>{site}</id>"
        f'<link href="{site}"/><updated>{now.strftime("%Y-%m-%dT%H:%M:%SZ")}</updated>'
        f"{''.join(entries)}</feed>\n"
    )


def _text(html: str) -> str:
    import re

    return re.sub(r"<[^>]+>", "", html)
