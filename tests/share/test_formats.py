"""Every digest and reading-list format on the fixed sample: snapshots, and each one parsed
back with a real parser for that format."""

from __future__ import annotations

import csv
import io
import json
import xml.etree.ElementTree as ET

import feedparser
import lxml.html
import pytest

from plnctl.render.digest import render_digest
from plnctl.render.model import DIGEST_FORMATS, EXPORT_FORMATS
from tests.share.conftest import NOW, Sample, add_post, check_snapshot

EXT = {
    "text": "txt",
    "md": "md",
    "html": "html",
    "json": "json",
    "atom": "atom.xml",
    "csv": "csv",
    "opml": "opml",
    "pocket-csv": "pocket.csv",
    "bookmarks": "bookmarks.html",
}


@pytest.mark.parametrize("fmt", DIGEST_FORMATS)
def test_digest_snapshot(sample: Sample, fmt: str) -> None:
    digest = sample.pln.share.build_digest(since="24h", now=NOW)
    check_snapshot(f"digest.{EXT[fmt]}", render_digest(digest, fmt, now=NOW))


@pytest.mark.parametrize("fmt", EXPORT_FORMATS)
def test_reading_list_snapshot(sample: Sample, fmt: str) -> None:
    text = sample.pln.share.export_reading_list(fmt, include_notes=fmt in ("md", "json"), now=NOW)
    check_snapshot(f"reading-list.{EXT[fmt]}", text)


def test_digest_content(sample: Sample) -> None:
    digest = sample.pln.share.build_digest(since="24h", now=NOW)
    assert digest.post_count == 6
    assert [g.topic for g in digest.groups] == ["assessment", "literacy", "Other"]
    titles = [i.title for i in digest.items]
    assert "Exam season, revisited" in titles  # published weeks ago, arrived today: not skipped
    assert "Signing off for a while" not in titles
    sam_post = next(i for i in digest.items if i.person == "Sam Okafor")
    assert sam_post.source_kind == "mastodon"
    assert sam_post.title.startswith("Anyone tried #retrievalpractice")
    assert [q.text for q in digest.unanswered] == ["Best read-aloud novels for 14-year-olds?"]
    assert [len(q.answers) for q in digest.answered] == [2]
    assert [p.name for p in digest.quiet] == ["Quentin Quiet"]
    assert [s.name for s in digest.suggestions] == ["Dr. Lee"]


def test_topic_filter_keeps_only_that_topic(sample: Sample) -> None:
    digest = sample.pln.share.build_digest(since="24h", topics=["literacy"], now=NOW)
    assert [g.topic for g in digest.groups] == ["literacy"]
    assert sorted(i.title for i in digest.items) == [
        "Feedback that students actually read",
        "Reading aloud with teenagers",
    ]


def test_digest_atom_parses_back_with_the_same_items(sample: Sample) -> None:
    digest = sample.pln.share.build_digest(since="24h", now=NOW)
    parsed = feedparser.parse(render_digest(digest, "atom", now=NOW))
    assert not parsed.bozo, parsed.get("bozo_exception")
    assert parsed.version == "atom10"
    got = {(e.title, e.link, e.author) for e in parsed.entries}
    want = {(i.title, i.url, i.person) for i in digest.items}
    assert got == want
    retrieval = next(e for e in parsed.entries if e.title.startswith("Retrieval"))
    assert [t.term for t in retrieval.tags] == ["assessment"]
    assert "retrieval practice" in retrieval.content[0].value


def test_digest_json_is_the_digest(sample: Sample) -> None:
    digest = sample.pln.share.build_digest(since="24h", now=NOW)
    data = json.loads(render_digest(digest, "json", now=NOW))
    assert data["post_count"] == 6 and data["empty"] is False
    ids = [i["id"] for g in data["groups"] for p in g["people"] for i in p["items"]]
    assert sorted(ids) == sorted(i.id for i in digest.items)
    assert "content_html" not in data["groups"][0]["people"][0]["items"][0]


def test_digest_html_parses_and_shows_every_post(sample: Sample) -> None:
    digest = sample.pln.share.build_digest(since="24h", now=NOW)
    page = lxml.html.document_fromstring(render_digest(digest, "html", now=NOW))
    links = {a.get("href") for a in page.iter("a")}
    assert {i.url for i in digest.items} <= links
    assert page.findtext(".//title") == "PLN digest: 28 Nov 2026"
    assert 'Notes from "ResearchEd" <north>' in page.text_content()  # escaped, not markup
    assert not list(page.iter("north"))


def _export(sample: Sample, fmt: str, **kwargs: object) -> str:
    return sample.pln.share.export_reading_list(fmt, now=NOW, **kwargs)  # type: ignore[arg-type]


def test_pocket_csv_round_trip(sample: Sample) -> None:
    rows = list(csv.DictReader(io.StringIO(_export(sample, "pocket-csv"))))
    assert list(rows[0]) == ["title", "url", "time_added", "tags", "status"]
    by_url = {r["url"]: r for r in rows}
    assert len(rows) == 3
    conference = by_url["https://ada.example.org/conference?a=1&b=2"]
    assert conference["title"] == 'Notes from "ResearchEd" <north>'
    assert int(conference["time_added"]) == int(NOW.timestamp()) - 1800  # saved 06:30
    assert by_url["https://ada.example.org/reading-aloud"]["status"] == "archive"
    assert by_url["https://rivera.example.edu/2026/retrieval"]["tags"] == "assessment"


def test_pocket_csv_read_by_position_as_wallabag_does(sample: Sample) -> None:
    """wallabag's PocketCsvImport (src/Import/PocketCsvImport.php) skips the header and reads
    $data[0] title, [1] url, [2] time_added (epoch), [3] tags ('|'), [4] status ('archive')."""
    sample.pln.posts.save(sample.posts["feedback"])
    rows = list(csv.reader(io.StringIO(_export(sample, "pocket-csv"))))[1:]
    assert rows and all(len(row) == 5 for row in rows)
    by_url = {row[1]: row for row in rows}
    aloud = by_url["https://ada.example.org/reading-aloud"]
    assert aloud[0] == "Reading aloud with teenagers" and aloud[3] == "literacy"
    assert (
        aloud[4] == "archive"
        and by_url["https://ada.example.org/conference?a=1&b=2"][4] == "unread"
    )
    assert by_url[next(u for u in by_url if u.endswith("/feedback"))][3].split("|") == [
        "assessment", "literacy",
    ]  # fmt: skip
    assert all(row[2].isdigit() for row in rows)


def test_pocket_csv_lines_fit_wallabags_line_limit(sample: Sample) -> None:
    """wallabag reads with fgetcsv($handle, 10240, ...): a longer line is cut in two rows."""
    post = add_post(sample.pln, sample.people["ada"], fetched_at="2026-11-28T06:00:00Z",
                    title="Long " * 5000, url="https://ada.example.org/long")  # fmt: skip
    sample.pln.posts.save(post)
    text = _export(sample, "pocket-csv")
    assert all(len(line.encode()) < 10240 for line in text.splitlines())
    row = next(r for r in csv.reader(io.StringIO(text)) if r[1].endswith("/long"))
    assert row[0].startswith("Long Long") and row[0].endswith("…")


def test_pocket_tags_are_pipe_separated(sample: Sample) -> None:
    sample.pln.posts.save(sample.posts["feedback"])
    rows = list(csv.DictReader(io.StringIO(_export(sample, "pocket-csv"))))
    feedback = next(r for r in rows if r["url"].endswith("/feedback"))
    assert feedback["tags"].split("|") == ["assessment", "literacy"]


def test_csv_round_trip_and_notes(sample: Sample) -> None:
    rows = list(csv.DictReader(io.StringIO(_export(sample, "csv"))))
    assert "note" not in rows[0]
    assert rows[0]["title"] == 'Notes from "ResearchEd" <north>'  # newest save first
    with_notes = list(csv.DictReader(io.StringIO(_export(sample, "csv", include_notes=True))))
    assert {r["note"] for r in with_notes} == {"", "share with the maths team"}


def test_json_round_trip(sample: Sample) -> None:
    data = json.loads(_export(sample, "json"))
    assert [d["id"] for d in data] == [
        sample.posts[k] for k in ("conference", "aloud", "retrieval")
    ]
    assert all("note" not in d for d in data)
    noted = json.loads(_export(sample, "json", include_notes=True))
    assert noted[2]["note"] == "share with the maths team"


def test_opml_round_trip(sample: Sample) -> None:
    root = ET.fromstring(_export(sample, "opml"))
    assert root.tag == "opml" and root.get("version") == "2.0"
    links = [o for o in root.iter("outline") if o.get("type") == "link"]
    assert {o.get("url") for o in links} == {
        "https://ada.example.org/conference?a=1&b=2",
        "https://ada.example.org/reading-aloud",
        "https://rivera.example.edu/2026/retrieval",
    }
    folders = [o.get("text") for o in root.find("body") if o.get("type") is None]  # type: ignore[union-attr]
    assert folders == ["literacy", "assessment"]


def test_atom_round_trip(sample: Sample) -> None:
    parsed = feedparser.parse(_export(sample, "atom"))
    assert not parsed.bozo
    assert [e.link for e in parsed.entries] == [
        "https://ada.example.org/conference?a=1&b=2",
        "https://ada.example.org/reading-aloud",
        "https://rivera.example.edu/2026/retrieval",
    ]


def test_bookmarks_round_trip(sample: Sample) -> None:
    text = _export(sample, "bookmarks")
    assert text.startswith("<!DOCTYPE NETSCAPE-Bookmark-file-1>")
    page = lxml.html.fromstring(text)
    anchors = page.xpath("//dt/a")
    assert [a.get("href") for a in anchors] == [
        "https://ada.example.org/conference?a=1&b=2",
        "https://ada.example.org/reading-aloud",
        "https://rivera.example.edu/2026/retrieval",
    ]
    assert anchors[0].text == 'Notes from "ResearchEd" <north>'
    assert anchors[2].get("tags") == "assessment"
    assert int(anchors[2].get("add_date")) == int(NOW.timestamp()) - 19 * 3600
    assert "maths team" not in text  # private note left out
    assert "maths team" in _export(sample, "bookmarks", include_notes=True)


def test_html_and_markdown_leave_notes_out_unless_asked(sample: Sample) -> None:
    for fmt in ("html", "md", "atom"):
        assert "maths team" not in _export(sample, fmt), fmt
        assert "maths team" in _export(sample, fmt, include_notes=True), fmt
    page = lxml.html.document_fromstring(_export(sample, "html"))
    assert [a.get("href") for a in page.xpath("//div/div/a")] == [
        "https://ada.example.org/conference?a=1&b=2",
        "https://ada.example.org/reading-aloud",
        "https://rivera.example.edu/2026/retrieval",
    ]


def test_all_and_topic_and_since_filters(sample: Sample) -> None:
    everything = json.loads(_export(sample, "json", saved=False))
    assert len(everything) == 7
    literacy = json.loads(_export(sample, "json", saved=False, topic="literacy"))
    assert {d["title"] for d in literacy} == {
        "Feedback that students actually read",
        "Reading aloud with teenagers",
    }
    recent = json.loads(_export(sample, "json", since="2026-11-27T15:00:00Z"))
    assert [d["id"] for d in recent] == [sample.posts["conference"], sample.posts["aloud"]]


def test_suggestions_include_the_insights_service(sample: Sample) -> None:
    """Someone the network keeps mentioning shows up after this window's outside answerers."""
    for key in ("rivera", "ada"):
        add_post(
            sample.pln,
            sample.people[key],
            fetched_at="2026-11-28T06:30:00Z",
            url=f"https://example.org/{key}/mention",
            title="Shout-out",
            content_text="Follow @newvoice@edu.social",
            mentions=("newvoice@edu.social",),
        )
    digest = sample.pln.share.build_digest(since="24h", now=NOW)
    assert digest.suggestions[0].name == "Dr. Lee"
    newcomer = next(s for s in digest.suggestions if "newvoice" in (s.handle or ""))
    assert newcomer.command and "newvoice@edu.social" in newcomer.command
    assert "newvoice" in render_digest(digest, "text", now=NOW)


def test_worth_following_counts_the_recent_weeks_not_all_history(sample: Sample) -> None:
    """The digest's suggestions come from posts that arrived in its window or the week before
    its end (all of history took seconds at 1,000,000 posts); `person suggest` still counts
    everything."""
    for key, when in (("rivera", "2026-09-01T06:30:00Z"), ("ada", "2026-09-02T06:30:00Z")):
        add_post(
            sample.pln,
            sample.people[key],
            fetched_at=when,
            url=f"https://example.org/{key}/old-mention",
            title="Shout-out",
            content_text="Follow @oldvoice@edu.social",
            mentions=("oldvoice@edu.social",),
        )
    digest = sample.pln.share.build_digest(since="24h", now=NOW)
    assert not any("oldvoice" in (s.handle or "") for s in digest.suggestions)
    month = sample.pln.share.build_digest(since="120d", now=NOW)
    assert any("oldvoice" in (s.handle or "") for s in month.suggestions)
    assert any("oldvoice" in s.target for s in sample.pln.insights.suggest())


def test_reading_list_opml_drops_characters_xml_forbids(sample: Sample) -> None:
    from plnctl.opml import parse_opml

    post = add_post(sample.pln, sample.people["ada"], fetched_at="2026-11-28T06:00:00Z",
                    title="Bell\x07 and \x1b[2J clear\x0c", url="https://ada.example.org/ctl",
                    topics=("lit\x01eracy",))  # fmt: skip
    sample.pln.posts.save(post, note="mine\x00")
    text = _export(sample, "opml", include_notes=True)
    root = ET.fromstring(text)  # well-formed
    titles = {o.get("title") for o in root.iter("outline")}
    assert "Bell and [2J clear" in titles and "literacy" in titles
    parse_opml(text.encode())  # and plnctl reads its own file
