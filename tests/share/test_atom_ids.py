"""The Atom digest and the reading-list Atom: a rel="self" link, and entry ids (tag: URIs)
unique per feed, so a reader subscribed to both shows every entry of both."""

from __future__ import annotations

import shutil
import sqlite3
import subprocess
import xml.etree.ElementTree as ET
from pathlib import Path

import feedparser
import pytest

from tests.share.conftest import NOW, Sample

ATOM = "{http://www.w3.org/2005/Atom}"


def _write_both(sample: Sample, tmp_path: Path) -> tuple[Path, Path]:
    sample.pln.posts.save(sample.posts["feedback"])  # also in the digest: a shared post
    digest, reading = tmp_path / "digest.atom", tmp_path / "reading.atom"
    sample.pln.share.digest(since="24h", fmt="atom", output=digest, now=NOW)
    sample.pln.share.export_reading_list("atom", output=reading, now=NOW)
    return digest, reading


def test_both_feeds_link_to_themselves_and_their_ids_are_disjoint_tag_uris(
    sample: Sample, tmp_path: Path
) -> None:
    digest, reading = _write_both(sample, tmp_path)
    ids = {}
    for path in (digest, reading):
        parsed = feedparser.parse(path.read_bytes())
        assert not parsed.bozo, parsed.get("bozo_exception")
        root = ET.fromstring(path.read_bytes())
        selfs = [
            link.get("href") for link in root.findall(f"{ATOM}link") if link.get("rel") == "self"
        ]
        assert selfs == [path.resolve().as_uri()]
        ids[path.name] = [e.id for e in parsed.entries]
        assert all(i.startswith("tag:plnctl,2026:") for i in ids[path.name])
        assert len(set(ids[path.name])) == len(ids[path.name])
    shared = {e.link for e in feedparser.parse(digest.read_bytes()).entries} & {
        e.link for e in feedparser.parse(reading.read_bytes()).entries
    }
    assert shared, "the sample should have posts in both feeds"
    assert not set(ids["digest.atom"]) & set(ids["reading.atom"])
    # Stable: the same digest written again has the same ids.
    again = tmp_path / "again.atom"
    sample.pln.share.digest(since="24h", fmt="atom", output=again, now=NOW)
    assert [e.id for e in feedparser.parse(again.read_bytes()).entries] == ids["digest.atom"]


def test_feed_url_is_the_self_link(sample: Sample) -> None:
    text = sample.pln.share.export_reading_list(
        "atom", now=NOW, feed_url="https://school.example/pln/reading.atom"
    )
    parsed = feedparser.parse(text)
    assert [link.href for link in parsed.feed.links if link.rel == "self"] == [
        "https://school.example/pln/reading.atom"
    ]


@pytest.mark.skipif(shutil.which("newsboat") is None, reason="newsboat is not installed")
def test_newsboat_subscribed_to_both_shows_every_entry(sample: Sample, tmp_path: Path) -> None:
    digest, reading = _write_both(sample, tmp_path)
    expected = sum(len(feedparser.parse(p.read_bytes()).entries) for p in (digest, reading))
    urls = tmp_path / "urls"
    urls.write_text(f"{digest.resolve().as_uri()}\n{reading.resolve().as_uri()}\n")
    home = tmp_path / "nb-home"
    home.mkdir()
    cache = tmp_path / "cache.db"
    subprocess.run(
        ["newsboat", "-u", str(urls), "-c", str(cache), "-x", "reload"],
        check=True,
        capture_output=True,
        env={"HOME": str(home), "PATH": "/usr/bin:/bin"},
        timeout=60,
    )
    with sqlite3.connect(cache) as conn:
        (stored,) = conn.execute("SELECT count(*) FROM rss_item").fetchone()
    assert stored == expected
