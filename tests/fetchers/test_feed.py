"""parse_feed on realistic, broken and hostile feeds."""

from __future__ import annotations

import json

import pytest

from plnctl.errors import ParseError
from plnctl.fetchers.feed import parse_feed
from tests.servers.feeds import atom_feed, html_page, rss_feed

RSS = {"content-type": "application/rss+xml; charset=utf-8"}
URL = "https://rivera.example.edu/feed"


def test_rss_entries_are_mapped():
    parsed = parse_feed(rss_feed(3, comments=True).encode(), url=URL, headers=RSS)
    assert parsed.title == "Ms. Rivera Teaches"
    assert parsed.site_url == "https://rivera.example.edu/"
    assert parsed.warning is None
    assert len(parsed.entries) == 3
    newest = parsed.entries[0]
    assert newest.guid == "https://rivera.example.edu/?p=2"
    assert newest.url == "https://rivera.example.edu/2"
    assert newest.title == "Feedback that students actually read (2)"
    assert newest.published_at == "2026-11-03T09:00:00Z"
    assert newest.categories == ("feedback",)
    assert newest.hashtags == ("ukedchat",)
    assert newest.links == (
        "https://rivera.example.edu/notes/2",
        "https://research.example.org/papers/2",
    )
    assert "<strong>feedback</strong>" in (newest.content_html or "")
    assert (newest.content_text or "").startswith("This week my classes tried feedback again.")
    assert newest.kind == "article"
    assert parsed.comment_feeds[newest.guid] == "https://rivera.example.edu/2/comments/feed"


def test_atom_entries_are_mapped():
    parsed = parse_feed(atom_feed(2).encode(), url="https://okafor.example.net/atom.xml")
    entry = parsed.entries[0]
    assert parsed.title == "Mr. Okafor's Maths Notes"
    assert entry.guid == "tag:okafor,2026:1"
    assert entry.author == "Chidi Okafor"
    assert entry.published_at == entry.updated_at == "2026-11-02T09:00:00Z"
    assert entry.url == "https://okafor.example.net/posts/1"


def test_missing_published_falls_back_to_updated():
    body = atom_feed(1).replace("<published>2026-11-01T09:00:00Z</published>", "")
    (entry,) = parse_feed(body.encode(), url=URL).entries
    assert entry.published_at == "2026-11-01T09:00:00Z"


def test_guid_falls_back_to_link_then_a_stable_hash():
    body = rss_feed(1).replace(
        '<guid isPermaLink="false">https://rivera.example.edu/?p=0</guid>', ""
    )
    (entry,) = parse_feed(body.encode(), url=URL).entries
    assert entry.guid == "https://rivera.example.edu/0"
    body = body.replace("<link>https://rivera.example.edu/0</link>", "")
    first = parse_feed(body.encode(), url=URL).entries[0].guid
    assert first.startswith("sha256:")
    assert parse_feed(body.encode(), url=URL).entries[0].guid == first


def test_hostile_entry_content_is_sanitized():
    evil = (
        '<p onmouseover="steal()">Hi</p><script>alert(1)</script>'
        '<a href="javascript:alert(2)">x</a><iframe src="https://evil.example"></iframe>'
    )
    body = (
        '<?xml version="1.0"?><rss version="2.0"><channel><title>t</title>'
        f"<item><guid>1</guid><description><![CDATA[{evil}]]></description></item>"
        "</channel></rss>"
    )
    html = parse_feed(body.encode(), url=URL).entries[0].content_html or ""
    for bad in ("script", "alert", "onmouseover", "iframe", "javascript"):
        assert bad not in html
    assert "<p>Hi</p>" in html


def test_html_page_instead_of_a_feed():
    with pytest.raises(ParseError, match=r"not a feed: the server sent an HTML page \(text/html\)"):
        parse_feed(html_page().encode(), url=URL, headers={"content-type": "text/html"})


def test_html_page_sent_as_xml_is_still_recognised():
    with pytest.raises(ParseError, match="HTML page"):
        parse_feed(html_page().encode(), url=URL, headers={"content-type": "application/xml"})


@pytest.mark.parametrize("body", [b"", b"   ", b"{not json", b"just some text", b"\x00\xff\xfe"])
def test_unparseable_bodies(body):
    with pytest.raises(ParseError, match="not a feed"):
        parse_feed(body, url=URL, headers=RSS)


def test_broken_xml_recovers_entries_with_a_warning():
    body = rss_feed(3).replace("(1)</title>", "(1) & more</title>")  # a bare '&' is not XML
    parsed = parse_feed(body.encode(), url=URL, headers=RSS)
    assert len(parsed.entries) == 3
    assert parsed.warning is not None
    assert parsed.warning.startswith("broken feed, 3 entries recovered:")
    assert "\n" not in parsed.warning


def test_charset_from_content_type_header_is_honoured():
    body = rss_feed(1, title="Café Müller", encoding="iso-8859-1").encode("iso-8859-1")
    headers = {"content-type": "application/rss+xml; charset=ISO-8859-1"}
    parsed = parse_feed(body.replace(b' encoding="iso-8859-1"', b""), url=URL, headers=headers)
    assert parsed.title == "Café Müller"


def test_latin1_bytes_with_wrong_utf8_declaration_still_parse():
    body = rss_feed(1, title="Café Müller").encode("utf-8").replace("é".encode(), b"\xe9")
    parsed = parse_feed(body, url=URL, headers=RSS)
    assert len(parsed.entries) == 1
    assert parsed.title and parsed.title.startswith("Caf")


def test_empty_but_valid_feed_is_not_an_error():
    parsed = parse_feed(rss_feed(0).encode(), url=URL, headers=RSS)
    assert parsed.entries == ()
    assert parsed.title == "Ms. Rivera Teaches"


def test_duplicate_guids_are_kept_once():
    body = rss_feed(2).replace("?p=0<", "?p=1<")
    parsed = parse_feed(body.encode(), url=URL, headers=RSS)
    assert [e.guid for e in parsed.entries] == ["https://rivera.example.edu/?p=1"]


def test_json_feed():
    doc = {
        "version": "https://jsonfeed.org/version/1.1",
        "title": "JSON teacher",
        "home_page_url": "https://j.example/",
        "items": [
            {
                "id": "1",
                "url": "https://j.example/1",
                "title": "Hello #EduSky",
                "content_html": "<p>Hi</p>",
                "date_published": "2026-11-20T10:00:00Z",
            }
        ],
    }
    parsed = parse_feed(
        json.dumps(doc).encode(), url=URL, headers={"content-type": "application/feed+json"}
    )
    (entry,) = parsed.entries
    assert (entry.guid, entry.title, entry.published_at) == (
        "1",
        "Hello #EduSky",
        "2026-11-20T10:00:00Z",
    )
    assert entry.hashtags == ("edusky",)


def test_latin1_feed_over_http_with_charset_header(feed_server, fetch):
    body = rss_feed(1, title="Café Müller").replace(' encoding="utf-8"', "")
    url = feed_server.add_feed(
        "/latin1.xml",
        body.encode("iso-8859-1"),
        content_type="application/rss+xml; charset=ISO-8859-1",
    )
    response = fetch(url)
    parsed = parse_feed(response.body, url=response.url, headers=response.headers)
    assert parsed.title == "Café Müller"
    assert len(parsed.entries) == 1


def test_empty_feed_served_as_html_is_still_a_feed():
    parsed = parse_feed(rss_feed(0).encode(), url=URL, headers={"content-type": "text/html"})
    assert parsed.entries == ()
    assert parsed.version == "rss20"


def test_billion_laughs_does_not_expand():
    entities = '<!ENTITY lol0 "lollollollollollollollollollol">' + "".join(
        f'<!ENTITY lol{i} "{f"&lol{i - 1};" * 10}">' for i in range(1, 10)
    )
    body = (
        f'<?xml version="1.0"?><!DOCTYPE rss [{entities}]><rss version="2.0"><channel>'
        "<title>&lol9;</title><item><title>x</title><guid>1</guid></item></channel></rss>"
    )
    parsed = parse_feed(body.encode(), url=URL)
    assert len(parsed.title or "") < 1000
    assert [e.title for e in parsed.entries] == ["x"]


def test_external_entities_are_not_read():
    body = (
        '<?xml version="1.0"?><!DOCTYPE rss [<!ENTITY xxe SYSTEM "file:///etc/passwd">]>'
        '<rss version="2.0"><channel><title>&xxe;</title>'
        "<item><title>x</title><guid>1</guid><description>&xxe;</description></item>"
        "</channel></rss>"
    )
    parsed = parse_feed(body.encode(), url=URL)
    assert "root:" not in f"{parsed.title} {parsed.entries[0].content_text}"
