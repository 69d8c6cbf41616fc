"""Deterministic generator of educator-blog-like RSS 2.0 and Atom feeds for benchmarks.

Same ``(n, seed)`` always gives byte-identical feeds, so runs, machines and tools compare.

    feeds = generate(1000)                    # the mix of STYLES (see MIX), 20 entries each
    feeds = generate(10, styles=["podcast"])  # only one style
    body = render(feeds[0], "http://127.0.0.1:8080")  # bytes, ~20 entries of 1-5 KB HTML
    changed = change_feeds(feeds, 0.10, step=1)        # 10 % of feeds get 1-2 new entries
    total_entries(changed)                             # what a tool must have stored afterwards

Styles (``feedstyles.py`` renders the ones beyond the first two): ``rss`` (HTML escaped in
``<description>``, typographic entities), ``atom`` (``type="html"``, the same), ``rss-cdata``
(``content:encoded`` in CDATA beside a short description), ``atom-xhtml`` (inline XHTML
content), ``podcast`` (``itunes:*``, audio enclosures), ``youtube`` (Atom + ``media:group``,
as YouTube's channel feeds) and ``media-rss`` (``media:content``/``media:thumbnail`` photos).
The default mix is 40 % ``rss``, 40 % ``atom`` (as Blogger and many WordPress setups serve)
and 4 % each of the other five.

A feed never drops an entry, so after a change the expected number of stored entries is simply
the number of entries currently served.
"""

from __future__ import annotations

import dataclasses
import hashlib
import random
from datetime import UTC, datetime, timedelta
from email.utils import format_datetime
from xml.sax.saxutils import escape, quoteattr

BASE_TIME = datetime(2025, 1, 6, 8, 0, tzinfo=UTC)
ENTRIES_PER_FEED = 20

FIRST_NAMES = [
    "Ana", "Ben", "Chioma", "Dana", "Elif", "Farid", "Grace", "Hiro", "Ines", "Jonas",
    "Kemi", "Liam", "Maya", "Noor", "Olu", "Priya", "Quinn", "Rosa", "Sami", "Tess",
    "Uma", "Victor", "Wen", "Ximena", "Yusuf", "Zoe",
]  # fmt: skip
LAST_NAMES = [
    "Alvarez", "Brennan", "Chen", "Dubois", "Eze", "Fischer", "Garcia", "Haddad", "Ito",
    "Johansson", "Kowalski", "Lindqvist", "Mensah", "Nakamura", "Okafor", "Petrov",
    "Quiroga", "Rahman", "Schmidt", "Tanaka", "Usman", "Varga", "Wright", "Yilmaz",
]  # fmt: skip
SUBJECTS = [
    "maths", "science", "history", "English", "languages", "art", "music", "computing",
    "geography", "physical education", "early years", "special education", "chemistry",
]  # fmt: skip
TOPICS = [
    "retrieval practice", "formative assessment", "project-based learning", "feedback",
    "cognitive load", "reading fluency", "classroom talk", "metacognition", "homework",
    "inclusion", "student voice", "spaced practice", "worked examples", "peer review",
    "behaviour routines", "oracy", "digital citizenship", "AI in the classroom",
    "curriculum sequencing", "teacher wellbeing", "parent communication", "questioning",
]  # fmt: skip
SENTENCES = [
    "This term I tried {topic} with my Year {year} {subject} class, and the results surprised me.",
    "The first week was messy: students were unsure what I expected and so was I.",
    "By the third lesson the routine was clear and the room felt calmer.",
    "I keep coming back to the idea that {topic} only works when it is low stakes.",
    "A colleague in the {subject} department suggested pairing it with short exit tickets.",
    "We spent a department meeting looking at student work instead of talking about it.",
    "The research is less settled than the conference slides suggest, but the principle holds.",
    "What made the difference was giving students a model answer before they started.",
    "I underestimated how much time it takes to write good questions for {topic}.",
    "Next half-term I want to see whether the gains last beyond the end-of-unit test.",
    "Several of you asked on Mastodon how I organise the resources, so here is the outline.",
    "Students who usually stay quiet were the ones asking the sharpest follow-up questions.",
    "None of this needed new software; a whiteboard and a timer did most of the work.",
    "I would love to hear how this looks in a primary setting or in {subject}.",
    "The hardest part was resisting the urge to rescue students too early.",
    "Our school's coaching cycle gave me the time to reflect on it properly.",
    "Marking load actually went down once the feedback moved into the lesson itself.",
    "If you try this, start with one class and one unit rather than everything at once.",
]  # fmt: skip
# Word lists for generated sentences, so bodies compress like real prose (~3-4x), not 12x.
NOUNS = (  # noqa: SIM905
    "students pupils learners class lesson unit term teacher colleague department school "
    "curriculum assessment feedback question answer task homework worksheet quiz rubric "
    "exam essay project portfolio routine seating plan timetable library notebook slide "
    "textbook example explanation misconception concept vocabulary skill strategy habit "
    "discussion debate presentation experiment model diagram graph poem novel source map "
    "parents governors leadership coaching research evidence study trial survey data "
    "progress attainment motivation attention memory practice reflection workload meeting "
    "week morning afternoon break deadline report target goal outcome criteria standard"
).split()
VERBS = (  # noqa: SIM905
    "noticed tried adapted planned taught explained modelled questioned reviewed shared "
    "marked revisited sequenced scaffolded practised compared discussed recorded tracked "
    "simplified changed dropped kept improved tested measured observed collected wrote "
    "read drafted rewrote presented organised rehearsed prompted encouraged supported"
).split()
ADJECTIVES = (  # noqa: SIM905
    "short clear messy quiet busy careful simple difficult useful surprising familiar new "
    "old weekly daily regular structured open honest practical small large key final "
    "early late shared individual collaborative visible explicit spaced interleaved"
).split()
CONNECTORS = (  # noqa: SIM905
    "because although so while after before when until since and but yet unless once"
).split()

LIST_ITEMS = [
    "Start with a two-minute recall quiz on last week's content",
    "Model the thinking aloud, then fade the support",
    "Use mini whiteboards so every student answers",
    "Collect three pieces of evidence before changing the plan",
    "Share success criteria before the task, not after",
    "Keep a shared bank of hinge questions per unit",
    "End with one sentence: what would you tell a friend who missed today?",
    "Plan the misconceptions first, then the explanation",
    "Give feedback as actions, not grades",
    "Revisit the topic after one week and again after one month",
]  # fmt: skip
LINK_TARGETS = [
    ("https://educationendowmentfoundation.org.uk/", "the EEF toolkit"),
    ("https://www.learningscientists.org/", "The Learning Scientists"),
    ("https://researchschool.org.uk/", "our local research school"),
    ("https://en.wikipedia.org/wiki/Formative_assessment", "formative assessment"),
    ("https://www.edutopia.org/", "Edutopia"),
    ("https://mastodon.social/@edutooters", "the #EduToot crowd"),
    ("/resources/", "my resources page"),
    ("../archive/", "earlier posts"),
    ("/about/#contact", "get in touch"),
]  # fmt: skip


@dataclasses.dataclass(frozen=True)
class Feed:
    """One generated feed; the HTML of its entries is derived from (seed, index, entry)."""

    seed: int
    index: int
    kind: str  # "rss" or "atom": the format
    author: str
    subject: str
    entries: tuple[int, ...]  # entry numbers, oldest first; numbers never reused
    version: int = 0
    base: datetime = BASE_TIME  # publication time of the newest initial entry
    style: str = ""  # one of STYLES; "" is the format's plain style (rss / atom)

    @property
    def path(self) -> str:
        return f"/feeds/{self.index}.xml"

    @property
    def site(self) -> str:
        slug = self.author.lower().replace(" ", "-")
        return f"https://{slug}-{self.index}.blog.example.org"

    @property
    def title(self) -> str:
        return f"{self.author} — notes on teaching {self.subject}"

    @property
    def etag(self) -> str:
        digest = hashlib.sha1(f"{self.seed}:{self.index}:{self.version}".encode()).hexdigest()
        return f'"{self.index}-{self.version}-{digest[:12]}"'

    @property
    def updated(self) -> datetime:
        return entry_time(self, self.entries[-1])

    @property
    def last_modified(self) -> str:
        return format_datetime(self.updated, usegmt=True)


def entry_time(feed: Feed, entry: int) -> datetime:
    """Entries 0..19 go back in time from ``feed.base``; entries >= 1000 (added later) go forward
    (6 h apart, so keep ``base`` a day or more in the past if tools must not see future dates)."""
    offset = timedelta(minutes=(feed.index * 7) % 600)
    if entry >= 1000:
        return feed.base + timedelta(hours=6 * (entry - 999)) - offset
    return feed.base - timedelta(hours=31 * entry) - offset


def recent_base(days_ago: int = 2) -> datetime:
    """Midnight UTC ``days_ago`` days before today: recent dates, stable for a whole day."""
    today = datetime.now(UTC).replace(hour=0, minute=0, second=0, microsecond=0)
    return today - timedelta(days=days_ago)


STYLES = ("rss", "atom", "rss-cdata", "atom-xhtml", "podcast", "youtube", "media-rss")
ATOM_STYLES = frozenset({"atom", "atom-xhtml", "youtube"})


def mix_style(i: int) -> str:
    """The default mix: of every 25 feeds 10 rss, 10 atom and one of each other style."""
    slot = i % 25
    return ("rss", "atom")[slot % 2] if slot < 20 else STYLES[slot - 18]


def generate(
    n: int,
    seed: int = 0,
    entries_per_feed: int = ENTRIES_PER_FEED,
    base: datetime = BASE_TIME,
    styles: list[str] | None = None,
) -> list[Feed]:
    """N feeds in the mix of styles (``styles``: cycle through these instead). ``base`` dates
    the entries (default: a fixed date; ``recent_base()`` for dates a few days old)."""
    feeds = []
    for i in range(n):
        rng = random.Random(f"feed:{seed}:{i}")
        author = f"{rng.choice(FIRST_NAMES)} {rng.choice(LAST_NAMES)}"
        style = styles[i % len(styles)] if styles else mix_style(i)
        feeds.append(
            Feed(
                seed=seed,
                index=i,
                kind="atom" if style in ATOM_STYLES else "rss",
                style=style,
                author=author,
                subject=rng.choice(SUBJECTS),
                # newest last in the tuple; entry 0 is the newest of the initial set
                entries=tuple(range(entries_per_feed - 1, -1, -1)),
                base=base,
            )
        )
    return feeds


def change_feeds(feeds: list[Feed], fraction: float = 0.10, step: int = 1) -> list[Feed]:
    """Return a copy where ``fraction`` of the feeds got 1-2 new entries and a new ETag.

    ``step`` numbers successive changes (1, 2, ...); the same step always picks the same feeds.
    """
    if not feeds:
        return []
    seed = feeds[0].seed
    rng = random.Random(f"change:{seed}:{step}")
    k = max(1, round(len(feeds) * fraction))
    chosen = set(rng.sample(range(len(feeds)), k))
    out = []
    for feed in feeds:
        if feed.index in chosen:
            last = max(e for e in feed.entries if e >= 1000) if feed.version else 999
            new = tuple(range(last + 1, last + 1 + rng.choice((1, 2))))
            feed = dataclasses.replace(feed, entries=feed.entries + new, version=feed.version + 1)
        out.append(feed)
    return out


def changed_indexes(before: list[Feed], after: list[Feed]) -> list[int]:
    return [a.index for a, b in zip(before, after, strict=True) if a.version != b.version]


def total_entries(feeds: list[Feed]) -> int:
    return sum(len(f.entries) for f in feeds)


# --- rendering --------------------------------------------------------------------------------


def entry_slug(feed: Feed, entry: int) -> str:
    rng = random.Random(f"slug:{feed.seed}:{feed.index}:{entry}")
    return f"{rng.choice(TOPICS).lower().replace(' ', '-')}-{entry}"


def entry_title(feed: Feed, entry: int) -> str:
    rng = random.Random(f"title:{feed.seed}:{feed.index}:{entry}")
    topic = rng.choice(TOPICS)
    pattern = rng.choice(
        [
            "What I learned from a term of {t}",
            "{T}: notes from my {s} classroom",
            "Trying {t} with Year {y}",
            "Why {t} keeps failing (and what helped)",
            "A short reading list on {t}",
            "Week {y}: {t}, revisited",
        ]
    )
    return pattern.format(t=topic, T=topic.capitalize(), s=feed.subject, y=rng.randint(3, 13))


def entry_html(feed: Feed, entry: int) -> str:
    """1-5 KB of blog-like HTML: paragraphs, links (some relative), lists, a quote, an image."""
    rng = random.Random(f"html:{feed.seed}:{feed.index}:{entry}")
    target = rng.randint(1000, 5000)
    topic = rng.choice(TOPICS)
    year = rng.randint(3, 13)
    parts: list[str] = []
    size = 0

    def sentence() -> str:
        if rng.random() < 0.35:
            return rng.choice(SENTENCES).format(topic=topic, subject=feed.subject, year=year)
        c = rng.choice
        words = [c(("The", "My", "Our", "Every", "Each", "Some")), c(ADJECTIVES), c(NOUNS)]
        words += [c(VERBS), "the", c(ADJECTIVES), c(NOUNS), c(CONNECTORS), c(("we", "they", "I"))]
        words += [c(VERBS), c(("a", "the", "every", "one")), c(NOUNS)]
        if rng.random() < 0.5:
            words += ["in", c(("the", "our", "their")), c(NOUNS), f"{rng.randint(1, 40)}"]
        return " ".join(words) + c((".", ".", ".", "!", "?"))

    while size < target:
        kind = rng.random()
        if kind < 0.55 or not parts:
            words = [sentence() for _ in range(rng.randint(2, 5))]
            if rng.random() < 0.5:
                href, text = rng.choice(LINK_TARGETS)
                words.insert(rng.randrange(len(words) + 1), f'See <a href="{href}">{text}</a>.')
            if rng.random() < 0.3:
                words[0] = f"<strong>{words[0]}</strong>"
            if rng.random() < 0.2:
                words[-1] = f"<em>{words[-1]}</em>"
            block = "<p>" + " ".join(words) + "</p>"
        elif kind < 0.75:
            tag = rng.choice(("ul", "ol"))
            items = rng.sample(LIST_ITEMS, rng.randint(3, 6))
            block = f"<{tag}>" + "".join(f"<li>{escape(i)}</li>" for i in items) + f"</{tag}>"
        elif kind < 0.85:
            block = f"<blockquote><p>{sentence()}</p><p>— a Year {year} student</p></blockquote>"
        elif kind < 0.93:
            block = f"<h3>{escape(rng.choice(TOPICS).capitalize())}</h3>"
        else:
            n = rng.randint(1, 99)
            block = (
                f'<p><img src="/images/{feed.index}-{entry}-{n}.jpg" alt="Slide {n} from the '
                f'session on {topic}" width="640" height="360"></p>'
            )
        parts.append(block)
        size += len(block)
    return "\n".join(parts)


def _rfc3339(dt: datetime) -> str:
    return dt.strftime("%Y-%m-%dT%H:%M:%SZ")


def typographic(html: str) -> str:
    """Blog-engine HTML: curly quotes, dashes and spaces as named entities (WordPress's
    wptexturize, Blogger), so escaped feeds carry many entity references."""
    return (
        html.replace("'", "&rsquo;")
        .replace(" — ", "&nbsp;&mdash; ")
        .replace("? ", "?&nbsp; ")
        .replace(": ", ":&nbsp;")
    )


def render(feed: Feed, base_url: str = "http://127.0.0.1:8080") -> bytes:
    """The feed's XML document (UTF-8). ``base_url`` is where the feed itself is served."""
    if feed.style not in ("", "rss", "atom"):
        import feedstyles

        return feedstyles.render(feed, base_url)
    self_url = base_url.rstrip("/") + feed.path
    newest_first = list(reversed(feed.entries))
    out: list[str] = []
    w = out.append
    if feed.kind == "rss":
        w('<?xml version="1.0" encoding="UTF-8"?>\n')
        w('<rss version="2.0" xmlns:atom="http://www.w3.org/2005/Atom" ')
        w('xmlns:dc="http://purl.org/dc/elements/1.1/">\n<channel>\n')
        w(f"<title>{escape(feed.title)}</title>\n<link>{feed.site}/</link>\n")
        w(f'<atom:link href={quoteattr(self_url)} rel="self" type="application/rss+xml"/>\n')
        w(f"<description>Classroom notes by {escape(feed.author)}</description>\n")
        w("<language>en</language>\n")
        w(f"<lastBuildDate>{feed.last_modified}</lastBuildDate>\n")
        for e in newest_first:
            slug = entry_slug(feed, e)
            body = escape(typographic(entry_html(feed, e)))
            w("<item>\n")
            w(f"<title>{escape(entry_title(feed, e))}</title>\n")
            w(f"<link>{feed.site}/posts/{slug}/</link>\n")
            w(f'<guid isPermaLink="false">{feed.site}/?p={feed.index * 100000 + e}</guid>\n')
            w(f"<pubDate>{format_datetime(entry_time(feed, e), usegmt=True)}</pubDate>\n")
            w(f"<dc:creator>{escape(feed.author)}</dc:creator>\n")
            w(f"<category>{escape(feed.subject)}</category>\n")
            w(f"<description>{body}</description>\n")
            w("</item>\n")
        w("</channel>\n</rss>\n")
    else:
        w('<?xml version="1.0" encoding="utf-8"?>\n')
        w(f'<feed xmlns="http://www.w3.org/2005/Atom" xml:base="{feed.site}/">\n')
        w(f"<title>{escape(feed.title)}</title>\n")
        w(f'<link href="{feed.site}/" rel="alternate" type="text/html"/>\n')
        w(f'<link href={quoteattr(self_url)} rel="self" type="application/atom+xml"/>\n')
        w(f"<id>tag:blog.example.org,2025:feed-{feed.index}</id>\n")
        w(f"<updated>{_rfc3339(feed.updated)}</updated>\n")
        w(f"<author><name>{escape(feed.author)}</name></author>\n")
        for e in newest_first:
            slug = entry_slug(feed, e)
            ts = _rfc3339(entry_time(feed, e))
            w("<entry>\n")
            w(f'<title type="html">{escape(entry_title(feed, e))}</title>\n')
            w(f'<link href="{feed.site}/posts/{slug}/" rel="alternate" type="text/html"/>\n')
            w(f"<id>tag:blog.example.org,2025:feed-{feed.index}:entry-{e}</id>\n")
            w(f"<published>{ts}</published>\n<updated>{ts}</updated>\n")
            w(f'<category term="{escape(feed.subject)}"/>\n')
            w(f'<content type="html">{escape(typographic(entry_html(feed, e)))}</content>\n')
            w("</entry>\n")
        w("</feed>\n")
    return "".join(out).encode("utf-8")


def opml(feeds: list[Feed], base_url: str, urls: list[str] | None = None) -> str:
    """An OPML 2.0 subscription list of the feeds as served at ``base_url`` (or, when given,
    at ``urls``, one per feed: the server's many-hosts mode)."""
    base = base_url.rstrip("/")
    lines = [
        '<?xml version="1.0" encoding="UTF-8"?>',
        '<opml version="2.0">',
        "<head><title>plnctl benchmark feeds</title></head>",
        "<body>",
    ]
    for i, f in enumerate(feeds):
        xml_url = urls[i] if urls else base + f.path
        lines.append(
            f'<outline type="rss" text={quoteattr(f.author)} title={quoteattr(f.title)} '
            f"xmlUrl={quoteattr(xml_url)} htmlUrl={quoteattr(f.site + '/')}/>"
        )
    lines += ["</body>", "</opml>", ""]
    return "\n".join(lines)


def urls(feeds: list[Feed], base_url: str) -> list[str]:
    base = base_url.rstrip("/")
    return [base + f.path for f in feeds]


if __name__ == "__main__":  # quick look: python benchmarks/feedgen.py 2
    import sys

    count = int(sys.argv[1]) if len(sys.argv) > 1 else 2
    fs = generate(count)
    sizes = [len(render(f)) for f in fs]
    print(f"{count} feeds, {total_entries(fs)} entries, {sum(sizes) / 1e6:.1f} MB")
    print(render(fs[0])[:1500].decode())
