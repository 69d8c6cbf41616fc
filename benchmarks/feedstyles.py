"""The content styles of ``feedgen`` beyond plain escaped RSS and Atom: what users subscribe to.

- ``rss-cdata``: WordPress's full text in ``content:encoded`` (CDATA) beside a short excerpt.
- ``atom-xhtml``: Atom ``type="xhtml"`` content inline (a namespaced ``<div>``).
- ``podcast``: RSS with ``itunes:*`` (duration, image, author, summary, category, explicit)
  and an ``audio/mpeg`` enclosure per episode.
- ``youtube``: Atom with ``yt:videoId`` and ``media:group`` (title, flash content, thumbnail,
  description), as https://www.youtube.com/feeds/videos.xml?channel_id=... serves.
- ``media-rss``: RSS photo posts with ``media:content`` + ``media:thumbnail`` + ``media:title``.

Same determinism as feedgen: (seed, index, entry) decide everything.
"""

from __future__ import annotations

import random
import re
from email.utils import format_datetime
from xml.sax.saxutils import escape, quoteattr

import feedgen

_NS = {
    "content": "http://purl.org/rss/1.0/modules/content/",
    "itunes": "http://www.itunes.com/dtds/podcast-1.0.dtd",
    "media": "http://search.yahoo.com/mrss/",
    "yt": "http://www.youtube.com/xml/schemas/2015",
    "dc": "http://purl.org/dc/elements/1.1/",
    "atom": "http://www.w3.org/2005/Atom",
}
_TAG = re.compile(r"<[^>]+>")
_RSS_NS = {"rss-cdata": "content dc atom", "podcast": "itunes atom", "media-rss": "media dc atom"}


def render(feed: feedgen.Feed, base_url: str) -> bytes:
    self_url = base_url.rstrip("/") + feed.path
    entries = list(reversed(feed.entries))
    if feed.style in _RSS_NS:
        return _rss(feed, self_url, entries).encode("utf-8")
    if feed.style == "atom-xhtml":
        return _atom(feed, self_url, entries, _xhtml_entry).encode("utf-8")
    if feed.style == "youtube":
        return _atom(feed, self_url, entries, _youtube_entry).encode("utf-8")
    raise ValueError(f"unknown feed style {feed.style!r}")


def _rss(feed: feedgen.Feed, self_url: str, entries: list[int]) -> str:
    ns = " ".join(f'xmlns:{p}="{_NS[p]}"' for p in _RSS_NS[feed.style].split())
    out = [
        f'<?xml version="1.0" encoding="UTF-8"?>\n<rss version="2.0" {ns}>\n<channel>\n',
        f"<title>{escape(feed.title)}</title>\n<link>{feed.site}/</link>\n",
        f'<atom:link href={quoteattr(self_url)} rel="self" type="application/rss+xml"/>\n',
        f"<description>Classroom notes by {escape(feed.author)}</description>\n",
        f"<language>en</language>\n<lastBuildDate>{feed.last_modified}</lastBuildDate>\n",
    ]
    if feed.style == "podcast":
        out.append(
            f"<itunes:author>{escape(feed.author)}</itunes:author>\n"
            f'<itunes:image href="{feed.site}/cover.jpg"/>\n'
            "<itunes:explicit>false</itunes:explicit>\n"
            '<itunes:category text="Education"><itunes:category text="Courses"/>'
            "</itunes:category>\n"
        )
    item = {"rss-cdata": _cdata_item, "podcast": _podcast_item, "media-rss": _media_item}
    out.extend(item[feed.style](feed, e) for e in entries)
    out.append("</channel>\n</rss>\n")
    return "".join(out)


def _item_head(feed: feedgen.Feed, e: int) -> str:
    slug = feedgen.entry_slug(feed, e)
    return (
        f"<item>\n<title>{escape(feedgen.entry_title(feed, e))}</title>\n"
        f"<link>{feed.site}/posts/{slug}/</link>\n"
        f'<guid isPermaLink="false">{feed.site}/?p={feed.index * 100000 + e}</guid>\n'
        f"<pubDate>{format_datetime(feedgen.entry_time(feed, e), usegmt=True)}</pubDate>\n"
    )


def _plain(html: str) -> str:
    """A video description: plain text, paragraphs as lines."""
    return "\n".join(" ".join(_TAG.sub("", p).split()) for p in html.split("\n"))


def _cdata_item(feed: feedgen.Feed, e: int) -> str:
    html = feedgen.typographic(feedgen.entry_html(feed, e))
    first = html.split("</p>", 1)[0].removeprefix("<p>")
    return (
        f"{_item_head(feed, e)}<dc:creator><![CDATA[{feed.author}]]></dc:creator>\n"
        f"<category><![CDATA[{feed.subject}]]></category>\n"
        f"<description><![CDATA[{first[:300]} [&#8230;]]]></description>\n"
        f"<content:encoded><![CDATA[{html}]]></content:encoded>\n</item>\n"
    )


def _podcast_item(feed: feedgen.Feed, e: int) -> str:
    rng = random.Random(f"podcast:{feed.seed}:{feed.index}:{e}")
    seconds = rng.randint(600, 4000)
    notes = feedgen.entry_html(feed, e)
    size = seconds * 16000
    return (
        f"{_item_head(feed, e)}<itunes:author>{escape(feed.author)}</itunes:author>\n"
        f"<itunes:duration>{seconds // 3600:02d}:{seconds // 60 % 60:02d}:{seconds % 60:02d}"
        f"</itunes:duration>\n<itunes:episode>{e + 1}</itunes:episode>\n"
        f'<itunes:image href="{feed.site}/episodes/{e}.jpg"/>\n'
        f"<itunes:summary>{escape(feedgen.entry_title(feed, e))}</itunes:summary>\n"
        f"<itunes:explicit>false</itunes:explicit>\n"
        f"<description>{escape(notes)}</description>\n"
        f'<enclosure url="{feed.site}/audio/episode-{e}.mp3" length="{size}" type="audio/mpeg"/>\n'
        "</item>\n"
    )


def _media_item(feed: feedgen.Feed, e: int) -> str:
    rng = random.Random(f"photo:{feed.seed}:{feed.index}:{e}")
    photos = "".join(
        f'<media:content url="{feed.site}/photos/{e}-{n}.jpg" type="image/jpeg" medium="image" '
        f'width="1600" height="1200" fileSize="{rng.randint(200_000, 900_000)}">'
        f"<media:title>Photo {n} of {escape(feedgen.entry_title(feed, e))}</media:title>"
        f'<media:thumbnail url="{feed.site}/photos/{e}-{n}-thumb.jpg" width="320"/>'
        "</media:content>\n"
        for n in range(1, rng.randint(2, 5))
    )
    html = feedgen.entry_html(feed, e)
    return (
        f"{_item_head(feed, e)}<dc:creator>{escape(feed.author)}</dc:creator>\n"
        f"<description>{escape(html)}</description>\n{photos}</item>\n"
    )


def _atom(feed: feedgen.Feed, self_url: str, entries: list[int], entry) -> str:
    extra = (
        ' xmlns:yt="{yt}" xmlns:media="{media}"'.format(**_NS) if feed.style == "youtube" else ""
    )
    out = [
        f'<?xml version="1.0" encoding="UTF-8"?>\n<feed xmlns="{_NS["atom"]}"{extra}>\n',
        f"<title>{escape(feed.title)}</title>\n",
        f'<link rel="alternate" href="{feed.site}/"/>\n',
        f'<link rel="self" href={quoteattr(self_url)}/>\n',
        f"<id>tag:blog.example.org,2025:feed-{feed.index}</id>\n",
        f"<updated>{feedgen._rfc3339(feed.updated)}</updated>\n",
        f"<author><name>{escape(feed.author)}</name><uri>{feed.site}/about/</uri></author>\n",
    ]
    out.extend(entry(feed, e) for e in entries)
    out.append("</feed>\n")
    return "".join(out)


def _xhtml_entry(feed: feedgen.Feed, e: int) -> str:
    # XML has no named HTML entities: inline XHTML carries the characters themselves.
    html = feedgen.entry_html(feed, e).replace("'", "\u2019")
    html = html.replace("<br>", "<br/>")
    img = html.replace('height="360">', 'height="360"/>')
    ts = feedgen._rfc3339(feedgen.entry_time(feed, e))
    return (
        f"<entry>\n<title>{escape(feedgen.entry_title(feed, e))}</title>\n"
        f'<link href="{feed.site}/posts/{feedgen.entry_slug(feed, e)}/"/>\n'
        f"<id>tag:blog.example.org,2025:feed-{feed.index}:entry-{e}</id>\n"
        f"<published>{ts}</published>\n<updated>{ts}</updated>\n"
        f'<category term="{escape(feed.subject)}"/>\n'
        f'<content type="xhtml"><div xmlns="http://www.w3.org/1999/xhtml">{img}</div></content>\n'
        "</entry>\n"
    )


def _youtube_entry(feed: feedgen.Feed, e: int) -> str:
    vid = f"v{feed.index:05d}x{e:04d}"
    title = escape(feedgen.entry_title(feed, e))
    ts = feedgen._rfc3339(feedgen.entry_time(feed, e))
    text = _plain(feedgen.entry_html(feed, e))
    return (
        f"<entry>\n<id>yt:video:{vid}</id>\n<yt:videoId>{vid}</yt:videoId>\n"
        f"<yt:channelId>UC{feed.index:020d}</yt:channelId>\n<title>{title}</title>\n"
        f'<link rel="alternate" href="https://www.youtube.com/watch?v={vid}"/>\n'
        f"<author><name>{escape(feed.author)}</name><uri>{feed.site}/</uri></author>\n"
        f"<published>{ts}</published>\n<updated>{ts}</updated>\n<media:group>\n"
        f"<media:title>{title}</media:title>\n"
        f'<media:content url="https://www.youtube.com/v/{vid}?version=3" '
        'type="application/x-shockwave-flash" width="640" height="390"/>\n'
        f'<media:thumbnail url="https://i.ytimg.com/vi/{vid}/hqdefault.jpg" '
        'width="480" height="360"/>\n'
        f"<media:description>{escape(text)}</media:description>\n"
        '<media:community><media:starRating count="12" average="5.00" min="1" max="5"/>'
        '<media:statistics views="345"/></media:community>\n</media:group>\n</entry>\n'
    )
