"""The fast parse path (lxml) against feedparser: what is stored must not depend on which ran.

Differential: every file of feedparser's own test corpus (its sdist's ``tests/``, fetched by
``.ci/run``) and every benchmark feed style is parsed both ways; where the fast path does not
fall back, every stored field of every entry (and the feed's title and site) must be equal.
Then the shapes the fast path must refuse, each written as the hostile feed it is.
"""

from __future__ import annotations

import logging
import re
import sys
import tarfile
from dataclasses import asdict
from pathlib import Path
from xml.sax.saxutils import escape, quoteattr

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from plnctl.errors import ParseError
from plnctl.fetchers.feed import ParsedFeed, parse_feed
from tests.archives import extract

ROOT = Path(__file__).resolve().parents[2]
SDISTS = ROOT / ".cache" / "feedparser-sdist"
sys.path.insert(0, str(ROOT / "benchmarks"))
import feedgen  # noqa: E402

URL = "http://127.0.0.1:8097/feeds/feed.xml"
XML = {"content-type": "application/xml"}
# Allowed differences between the paths: none. (Add one here only with the reason it is fine.)
ALLOWED: dict[str, str] = {}


def _stored(parsed: ParsedFeed | str) -> object:
    """What plnctl stores of a parse: every field of every post, the feed's title and site,
    the warning; or the one-line error for a body that is not a feed."""
    if isinstance(parsed, str):
        return parsed
    return (
        parsed.title,
        parsed.site_url,
        parsed.warning,
        parsed.comment_feeds,
        [asdict(post) for post in parsed.entries],
    )


def _both(body: bytes, headers: dict[str, str], url: str = URL) -> tuple[str, object, object]:
    """(the parser the default path used, stored via feedparser, stored via the default path)"""

    def run(fast: bool) -> ParsedFeed | str:
        try:
            return parse_feed(body, url=url, headers=headers, fast=fast)
        except ParseError as e:
            return f"ParseError: {e}"

    slow, default = run(False), run(True)
    ran = default.parser if isinstance(default, ParsedFeed) else "error"
    return ran, _stored(slow), _stored(default)


# --- feedparser's corpus -------------------------------------------------------------------


@pytest.fixture(scope="module")
def corpus(tmp_path_factory: pytest.TempPathFactory) -> Path:
    import feedparser

    sdist = SDISTS / f"feedparser-{feedparser.__version__}.tar.gz"
    if not sdist.exists():
        pytest.skip(
            f"feedparser's sdist is not in {SDISTS} (.ci/run downloads it: pip download "
            f"--no-binary :all: --no-deps feedparser=={feedparser.__version__} -d {SDISTS})"
        )
    target = tmp_path_factory.mktemp("feedparser-corpus")
    with tarfile.open(sdist) as tar:
        members = [m for m in tar.getmembers() if "/tests/" in m.name and m.isfile()]
        extract(tar, target, members)
    return next(target.glob("feedparser-*/tests"))


def _headers(body: bytes) -> dict[str, str]:
    """The corpus's own ``Header:`` lines (content types, charsets), over a realistic default."""
    found = re.findall(rb"^Header:\s*([\w-]+):\s*(.*?)\s*$", body[:2000], re.M)
    return {**XML, **{k.decode().lower(): v.decode() for k, v in found}}


@pytest.mark.parametrize("folder", ["wellformed", "illformed", "encoding", "entities"])
def test_the_paths_store_the_same_on_feedparsers_corpus(corpus: Path, folder: str) -> None:
    files = sorted((corpus / folder).rglob("*.xml"))
    assert files, f"no test files under {corpus / folder}"
    fast, differences = 0, []
    for path in files:
        body = path.read_bytes()
        ran, slow, default = _both(body, _headers(body))
        if ran != "fast":
            assert slow == default  # the fallback IS feedparser
            continue
        fast += 1
        name = str(path.relative_to(corpus))
        if slow != default and name not in ALLOWED:
            differences.append(name)
    print(f"{folder}: {fast} of {len(files)} files on the fast path")
    assert differences == []
    if folder == "wellformed":  # the test must not pass by the fast path never running
        assert fast >= len(files) // 3


# --- the benchmark's styles ----------------------------------------------------------------


@pytest.mark.parametrize("style", feedgen.STYLES)
def test_every_benchmark_style_takes_the_fast_path_and_stores_the_same(style: str) -> None:
    for feed in feedgen.generate(4, styles=[style], entries_per_feed=6):
        body = feedgen.render(feed)
        ran, slow, default = _both(body, {"content-type": "application/rss+xml"}, URL)
        assert ran == "fast", style
        assert slow == default
        assert len(default[4]) == 6  # type: ignore[index]


def test_the_default_mix_has_every_style() -> None:
    styles = {f.style for f in feedgen.generate(25)}
    assert styles == set(feedgen.STYLES)
    half = feedgen.generate(100)
    assert sum(f.style == "rss" for f in half) == sum(f.style == "atom" for f in half) == 40


# --- what the fast path must refuse (feedparser parses those) --------------------------------

LATIN1 = (
    '<?xml version="1.0" encoding="iso-8859-1"?><rss version="2.0"><channel><title>Caf\xe9</title>'
    "<item><title>R\xe9sum\xe9</title><link>http://e.example/1</link></item></channel></rss>"
).encode("latin-1")
UNDECLARED = (
    '<rss version="2.0"><channel><title>Café</title><item><title>Ünïcode</title>'
    "<link>http://e.example/1</link></item></channel></rss>"
).encode()
BROKEN = (
    b'<?xml version="1.0" encoding="utf-8"?><rss version="2.0"><channel><title>T</title>'
    b"<item><title>One & two</title><link>http://e.example/1</link></item></channel></rss>"
)
ENTITIES = (
    b'<?xml version="1.0" encoding="utf-8"?><!DOCTYPE rss [<!ENTITY a "aaaaaaaaaa">'
    b'<!ENTITY b "&a;&a;&a;&a;&a;&a;&a;&a;">]><rss version="2.0"><channel><title>&b;</title>'
    b"<item><title>&b;</title><link>http://e.example/1</link></item></channel></rss>"
)
RDF = (
    b'<?xml version="1.0" encoding="utf-8"?><rdf:RDF xmlns:rdf="http://www.w3.org/1999/02/22-'
    b'rdf-syntax-ns#" xmlns="http://purl.org/rss/1.0/"><channel rdf:about="http://e.example/">'
    b"<title>RDF</title><link>http://e.example/</link></channel><item rdf:about="
    b'"http://e.example/1"><title>One</title><link>http://e.example/1</link></item></rdf:RDF>'
)
XHTML_BODY = (
    b'<?xml version="1.0" encoding="utf-8"?><rss version="2.0" xmlns:xhtml="http://www.w3.org/'
    b'1999/xhtml"><channel><title>T</title><item><title>One</title><link>http://e.example/1'
    b"</link><xhtml:body><xhtml:p>Full text</xhtml:p></xhtml:body></item></channel></rss>"
)
UNESCAPED = (
    b'<?xml version="1.0" encoding="utf-8"?><rss version="2.0"><channel><title>T</title><item>'
    b"<title>One</title><description><p>raw <b>markup</b></p></description></item></channel></rss>"
)


@pytest.mark.parametrize(
    ("body", "headers", "why"),
    [
        (LATIN1, XML, "encoding"),
        (UNDECLARED, XML, "no BOM"),
        (UNDECLARED, {"content-type": "text/xml; charset=iso-8859-1"}, "encoding"),
        ("\ufeff<rss version='2.0'/>".encode("utf-16"), XML, "UTF-16"),
        (BROKEN, XML, "XML error"),
        (ENTITIES, XML, "DOCTYPE"),
        (RDF, XML, "root element"),
        (XHTML_BODY, XML, "unmapped element"),
        (UNESCAPED, XML, "markup inside a text element"),
    ],
    ids=["latin-1", "undeclared", "charset-disagrees", "utf-16", "broken", "entities", "rdf",
         "xhtml-body", "unescaped-markup"],
)  # fmt: skip
def test_shapes_the_fast_path_does_not_map_go_to_feedparser(
    body: bytes, headers: dict[str, str], why: str, caplog: pytest.LogCaptureFixture
) -> None:
    with caplog.at_level(logging.DEBUG, logger="plnctl.fetchers.fastfeed"):
        ran, slow, default = _both(body, headers)
    assert ran in ("feedparser", "error")
    assert slow == default
    assert why in caplog.text  # the debug log says why feedparser ran


def test_fallbacks_still_store_what_feedparser_finds() -> None:
    assert parse_feed(LATIN1, url=URL, headers=XML).entries[0].title == "Résumé"
    recovered = parse_feed(BROKEN, url=URL, headers=XML)
    assert recovered.parser == "feedparser"
    assert recovered.warning and "broken feed" in recovered.warning
    assert parse_feed(RDF, url=URL, headers=XML).entries[0].url == "http://e.example/1"
    assert "aaaaaaaaaa" in (parse_feed(ENTITIES, url=URL, headers=XML).title or "")


# --- what the fast path maps, hostile or odd, equal to feedparser -----------------------------

_HEAD = b'<?xml version="1.0" encoding="UTF-8"?>'
MAPPED = {
    "double-escaped-title": _HEAD + b'<rss version="2.0"><channel><title>A &amp;amp; B</title>'
    b"<item><title>Tom &amp;amp; Jerry &lt;b&gt;bold&lt;/b&gt;</title><link>/x?a=1&amp;b=2</link>"
    b"</item></channel></rss>",
    "atom-xml-base": _HEAD + b'<feed xmlns="http://www.w3.org/2005/Atom" xml:base="https://b.'
    b'example/blog/"><title type="html">&lt;i&gt;T&lt;/i&gt;</title><link href="./"/><entry>'
    b'<id>tag:b.example,2025:1</id><link rel="alternate" href="posts/1" xml:base="../"/>'
    b'<title>One</title><content type="html" xml:base="https://other.example/">&lt;a href='
    b'"rel"&gt;x&lt;/a&gt; &lt;img src="/i.png"&gt;</content><author><name>N</name><email>'
    b"n@b.example</email><uri>/me</uri></author><updated>2025-01-02T03:04:05+01:00</updated>"
    b"</entry></feed>",
    "guid-permalink": _HEAD + b'<rss version="2.0"><channel><title>T</title><item><guid>rel/1'
    b'</guid><title>G</title></item><item><guid isPermaLink="false">abc</guid><title>H</title>'
    b"<pubDate>not a date</pubDate></item></channel></rss>",
    "content-vs-description": _HEAD + b'<rss version="2.0" xmlns:content="http://purl.org/rss/'
    b'1.0/modules/content/"><channel><title>T</title><item><title>A</title><content:encoded>'
    b"&lt;p&gt;long long long text&lt;/p&gt;</content:encoded><description>short</description>"
    b"</item><item><title>B</title><description>a much longer description here</description>"
    b"<content:encoded>short</content:encoded></item></channel></rss>",
    "foreign-media-prefix": _HEAD + b'<rss version="2.0" xmlns:media="http://example.com/not-'
    b'mrss"><channel><title>T</title><item><title>M</title><link>http://e.example/m</link>'
    b'<media:content url="http://e.example/a.mp3" type="audio/mpeg"/></item></channel></rss>',
    "mojibake-and-cp1252": _HEAD
    + '<rss version="2.0"><channel><title>Ã©t&#233; &#150;</title>'
    "<item><title>Ã©t&#233; &#150; x</title><link>http://e.example/1</link></item></channel>"
    "</rss>".encode(),
    "podcast-categories": _HEAD + b'<rss version="2.0" xmlns:itunes="http://www.itunes.com/dtds/'
    b'podcast-1.0.dtd"><channel><title>P</title><item><title>E</title><itunes:category text="A">'
    b'<itunes:category text="B"/></itunes:category><itunes:keywords>x, y ,,z</itunes:keywords>'
    b'<category domain="d">C</category><category>C</category><itunes:author>I</itunes:author>'
    b"<author>a@b.example (Al)</author><itunes:duration>1:02:03</itunes:duration><enclosure url="
    b'"/e.mp3" length="12" type="audio/mpeg"/></item></channel></rss>',
}


@pytest.mark.parametrize("name", sorted(MAPPED))
def test_odd_but_mapped_feeds_store_the_same_on_both_paths(name: str) -> None:
    ran, slow, default = _both(MAPPED[name], XML, "http://127.0.0.1:8097/dir/feed.xml")
    assert ran == "fast"
    assert slow == default


def test_the_fast_path_resolves_xml_base_as_feedparser_does(
    caplog: pytest.LogCaptureFixture,
) -> None:
    with caplog.at_level(logging.DEBUG, logger="plnctl.fetchers.fastfeed"):
        parsed = parse_feed(MAPPED["atom-xml-base"], url=URL, headers=XML)
    assert parsed.parser == "fast"
    assert f"parsed {URL} with the fast path" in caplog.text
    post = parsed.entries[0]
    assert post.url == "https://b.example/posts/1"
    assert 'href="https://other.example/rel"' in (post.content_html or "")
    assert post.author_url == "https://b.example/me"
    assert post.updated_at == "2025-01-02T02:04:05Z"
    assert parsed.site_url == "https://b.example/blog/"


# --- generated feeds: random text in every mapped field --------------------------------------

_TEXT = st.text(
    # XML's characters (others make the document an XML error: a fallback, tested above)
    st.characters(blacklist_categories=("Cs", "Cc"), blacklist_characters="\ufffe\uffff"),
    max_size=40,
)
_PIECES = st.sampled_from(
    ["&amp;", "&lt;b&gt;", "&lt;/b&gt;", "&#150;", "&#233;", "Ã©", " ", "\n", "/rel",
     "<![CDATA[<i>x</i>]]>", "http://e.example/a?b=1&amp;c=2", "#x", "&amp;amp;", "é", "\u2014"]
)  # fmt: skip
_FIELD = st.lists(st.one_of(_TEXT.map(escape), _PIECES), max_size=6).map("".join)


@settings(max_examples=150, deadline=None)
@given(
    items=st.lists(
        st.tuples(_FIELD, _FIELD, _FIELD, _FIELD, st.booleans(), st.sampled_from(
            ["Mon, 06 Jan 2025 08:00:00 GMT", "2025-01-06T08:00:00+02:00", "junk", ""])),
        min_size=1, max_size=4,
    ),
    atom=st.booleans(),
)  # fmt: skip
def test_generated_feeds_store_the_same_on_both_paths(
    items: list[tuple[str, str, str, str, bool, str]], atom: bool
) -> None:
    body = (_atom if atom else _rss)(items).encode("utf-8", "surrogatepass")
    ran, slow, default = _both(body, XML)
    assert ran == "fast"  # every generated shape is one the fast path maps
    assert slow == default


def _rss(items: list[tuple[str, str, str, str, bool, str]]) -> str:
    out = [f'{_HEAD.decode()}<rss version="2.0"><channel><title>{items[0][0]}</title>']
    for title, link, text, guid, permalink, date in items:
        flag = "" if permalink else ' isPermaLink="false"'
        out.append(
            f"<item><title>{title}</title><link>{link}</link><description>{text}</description>"
            f"<guid{flag}>{guid}</guid><pubDate>{date}</pubDate></item>"
        )
    return "".join(out) + "</channel></rss>"


def _atom(items: list[tuple[str, str, str, str, bool, str]]) -> str:
    out = [
        f'{_HEAD.decode()}<feed xmlns="http://www.w3.org/2005/Atom"><title>{items[0][0]}</title>'
    ]
    for title, link, text, guid, html, date in items:
        kind = "html" if html else "text"
        out.append(
            f'<entry><title type="{kind}">{title}</title><link href={quoteattr(link)}/>'
            f'<id>{guid}</id><content type="{kind}">{text}</content><updated>{date}</updated>'
            "</entry>"
        )
    return "".join(out) + "</feed>"
