"""Podcasts, video and media: enclosures, Media RSS and itunes:* read from real feeds on a
loopback server, stored, and shown in post show, --json, digests, the Atom digest and exports."""

from __future__ import annotations

import csv
import io
import json
import xml.etree.ElementTree as ET

import pytest

from plnctl.api import Pln
from plnctl.fetchers.feed import parse_feed
from plnctl.fetchers.media import MAX_MEDIA, medium_of, parse_duration
from plnctl.models import Media
from tests.conftest import Cli
from tests.servers.feed_server import FeedServer
from tests.servers.feeds import podcast_feed, youtube_feed

ATOM = "{http://www.w3.org/2005/Atom}"


@pytest.mark.parametrize(
    ("value", "seconds"),
    [
        ("3723", 3723), ("1:02:03", 3723), ("62:03", 3723), ("02:03", 123), ("45.5", 45),
        (3723, 3723), ("", None), ("abc", None), ("-5", None), ("1:99:99:99", None),
        ("9" * 40, None), (None, None), ("0", None),
    ],
)  # fmt: skip
def test_parse_duration(value: object, seconds: int | None) -> None:
    assert parse_duration(value) == seconds


def test_medium_of() -> None:
    assert medium_of("audio/mpeg") == "audio"
    assert medium_of("video/mp4") == "video"
    assert medium_of("application/pdf") == "other"
    assert medium_of(None, "Video") == "video"
    assert medium_of("image/png", "bogus") == "image"


def test_podcast_episode_keeps_its_audio_and_its_show_notes() -> None:
    base = "https://staffroom.example"
    parsed = parse_feed(podcast_feed(base).encode(), url=f"{base}/feed.xml")
    episode = parsed.entries[0]
    assert episode.media == (
        Media(
            url=f"{base}/audio/ep2.mp3",  # relative enclosure URL made absolute
            type="audio/mpeg",
            medium="audio",
            length=24_691_356,
            duration=3722,
            image=f"{base}/art/ep2.jpg",
        ),
    )
    # the longest of description / content:encoded / itunes:summary is the text
    assert (episode.content_text or "").count("Show note") == 12
    assert episode.author == "Two Teachers"


def test_youtube_media_group_is_a_video_with_its_watch_link() -> None:
    url = "https://www.youtube.com/feeds/videos.xml?channel_id=UC_teacher"
    parsed = parse_feed(youtube_feed().encode(), url=url)
    video = parsed.entries[0]
    (media,) = video.media
    assert media.url == "https://www.youtube.com/watch?v=vid0002" == video.url
    assert (media.medium, media.type) == ("video", "text/html")
    assert media.image == "https://i1.ytimg.com/vi/vid0002/hqdefault.jpg"
    assert "Timestamps" in (video.content_text or "")  # media:description is the text


def test_atom_enclosure_links() -> None:
    feed = (
        '<feed xmlns="http://www.w3.org/2005/Atom"><title>t</title><entry><id>e1</id>'
        "<title>Talk</title><link href='https://a.example/talk'/>"
        '<link rel="enclosure" href="https://a.example/talk.ogg" type="audio/ogg" length="999"/>'
        "<summary>s</summary></entry></feed>"
    )
    (entry,) = parse_feed(feed.encode(), url="https://a.example/atom").entries
    assert [(m.url, m.medium, m.length) for m in entry.media] == [
        ("https://a.example/talk.ogg", "audio", 999)
    ]


def test_hostile_enclosures() -> None:
    items = "".join(
        f'<enclosure url="https://cdn.example/{n}.mp3" type="audio/mpeg" length="{n}"/>'
        for n in range(50)
    )
    feed = (
        '<rss version="2.0" xmlns:itunes="http://www.itunes.com/dtds/podcast-1.0.dtd"><channel>'
        "<title>t</title><item><title>Many</title><guid>x</guid>"
        '<enclosure url="javascript:alert(1)" type="audio/mpeg"/>'
        '<enclosure url="data:audio/mpeg;base64,AAAA" type="audio/mpeg"/>'
        '<enclosure url="https://cdn.example/odd.mp3" type="audio/mpeg" length="12abc"/>'
        f"{items}<itunes:duration>forever</itunes:duration></item></channel></rss>"
    )
    (entry,) = parse_feed(feed.encode(), url="https://cdn.example/feed").entries
    assert len(entry.media) == MAX_MEDIA
    assert all(m.url.startswith("https://cdn.example/") for m in entry.media)
    assert entry.media[0].length is None and entry.media[0].duration is None


# --- end to end: a loopback podcast and a YouTube channel -------------------------------------


@pytest.fixture
def media_pln(pln: Pln, feed_server: FeedServer) -> Pln:
    base = feed_server.url("")
    feed_server.add_feed("/podcast.xml", podcast_feed(base))
    feed_server.add_feed("/videos.xml", youtube_feed(), content_type="application/atom+xml")
    pln.people.add("Two Teachers", feeds=[feed_server.url("/podcast.xml")])
    pln.people.add("Maths with Mo", feeds=[feed_server.url("/videos.xml")])
    summary = pln.sync()
    assert summary.failed == 0 and summary.new_posts == 4
    return pln


def _episode(pln: Pln) -> int:
    return next(p.id for p in pln.posts.list() if p.title and p.title.startswith("Episode 2"))


def test_stored_and_shown_in_post_show_and_json(
    media_pln: Pln, cli: Cli, feed_server: FeedServer
) -> None:
    post_id = _episode(media_pln)
    mp3 = feed_server.url("/audio/ep2.mp3")
    shown = cli("post", "show", str(post_id), "--keep-unread")
    assert shown.exit_code == 0, shown.stderr
    assert f"Listen: {mp3} (audio/mpeg, 1:02:02, 23.5 MB)" in shown.stdout
    data = cli("post", "show", str(post_id), "--json").json()
    assert data["media"] == [  # type: ignore[index]
        {"url": mp3, "type": "audio/mpeg", "medium": "audio", "length": 24_691_356,
         "duration": 3722, "title": None, "image": feed_server.url("/art/ep2.jpg")}
    ]  # fmt: skip
    listed = cli("post", "list", "--json").json()
    assert any(p["media"] for p in listed)  # type: ignore[union-attr, index]
    # a second sync (unchanged feed) neither duplicates nor rewrites the media
    assert media_pln.sync(force=True).updated_posts == 0
    assert len(media_pln.posts.get(post_id).media) == 1


def test_digests_link_to_listen_and_watch(media_pln: Pln, feed_server: FeedServer) -> None:
    from plnctl.render.digest import render_digest
    from plnctl.timeutil import now

    digest = media_pln.share.build_digest(since="1h")
    moment = now()
    mp3 = feed_server.url("/audio/ep2.mp3")
    text = render_digest(digest, "text", now=moment)
    assert f"Listen: {mp3} (audio/mpeg, 1:02:02, 23.5 MB)" in text
    assert "Watch: https://www.youtube.com/watch?v=vid0002" in text
    assert f"[Listen](<{mp3}>)" in render_digest(digest, "md", now=moment)
    html = render_digest(digest, "html", now=moment)
    assert f'<a href="{mp3}" style="color:#0b57d0;">Listen</a>' in html
    atom = ET.fromstring(render_digest(digest, "atom", now=moment))
    enclosures = [
        (link.get("href"), link.get("type"), link.get("length"))
        for link in atom.iter(f"{ATOM}link")
        if link.get("rel") == "enclosure"
    ]
    assert (mp3, "audio/mpeg", "24691356") in enclosures


@pytest.mark.parametrize("fmt", ["md", "csv", "json", "atom", "html"])
def test_reading_list_exports_carry_the_media(
    media_pln: Pln, feed_server: FeedServer, fmt: str
) -> None:
    media_pln.posts.save(_episode(media_pln))
    text = media_pln.share.export_reading_list(fmt)
    mp3 = feed_server.url("/audio/ep2.mp3")
    assert mp3 in text
    if fmt == "csv":
        (row,) = list(csv.DictReader(io.StringIO(text)))
        assert row["media"] == mp3
    if fmt == "json":
        assert json.loads(text)[0]["media"][0]["medium"] == "audio"


def test_changed_enclosure_updates_the_stored_media(
    media_pln: Pln, feed_server: FeedServer
) -> None:
    post_id = _episode(media_pln)
    body = podcast_feed(feed_server.url("")).replace("/audio/ep2.mp3", "/audio/ep2-fixed.mp3")
    feed_server.add_feed("/podcast.xml", body)
    media_pln.sync(force=True)
    assert [m.url for m in media_pln.posts.get(post_id).media] == [
        feed_server.url("/audio/ep2-fixed.mp3")
    ]


def test_hostile_media_fields_are_cleaned() -> None:
    long_url = "https://cdn.example/" + "a" * 5000 + ".mp3"
    feed = (
        '<rss version="2.0" xmlns:media="http://search.yahoo.com/mrss/"><channel><title>t</title>'
        "<item><title>Odd</title><guid>x</guid>"
        f'<enclosure url="{long_url}" type="audio/mpeg"/>'
        '<enclosure url="https://cdn.example/ok.mp3" type="audio/mpeg&#27;[31m"/>'
        '<media:content url="https://cdn.example/v.mp4" type="VIDEO/MP4" duration="12"/>'
        "</item></channel></rss>"
    )
    (entry,) = parse_feed(feed.encode(), url="https://cdn.example/feed").entries
    assert [(m.url, m.type, m.medium, m.duration) for m in entry.media] == [
        ("https://cdn.example/ok.mp3", None, "other", None),  # a type with an escape: dropped
        ("https://cdn.example/v.mp4", "video/mp4", "video", 12),
    ]


def test_terminal_escapes_never_reach_media_fields() -> None:
    from plnctl.fetchers.media import status_media

    status = {"media_attachments": [
        {"type": "audio", "url": "https://f.example/a\x1b[2J.mp3"},
        {"type": "audio", "url": "https://f.example/b.mp3",
         "description": "Episode\x1b]0;pwned\x07 one\nsecond line"},
    ]}  # fmt: skip
    (media,) = status_media(status, "https://f.example")
    assert media.url == "https://f.example/b.mp3"
    assert media.title == "Episode ]0;pwned one second line"
