"""The sanitizer against hostile HTML, and text/link/hashtag extraction."""

from __future__ import annotations

import pytest

from plnctl.fetchers.content import (
    extract_hashtags,
    extract_links,
    html_to_text,
    sanitize_html,
)

HOSTILE = [
    ('<p>hi<script>alert("x")</script></p>', "alert"),
    ('<img src="https://e.org/a.png" onerror="alert(1)">', "onerror"),
    ('<a href="javascript:alert(1)">click</a>', "javascript"),
    ('<a href="JaVaScRiPt:alert(1)">click</a>', "alert"),
    ('<a href=" javascript:alert(1)">click</a>', "alert"),
    ('<iframe src="https://evil.example/"></iframe>', "iframe"),
    ('<form action="https://evil.example/"><input name="pw"></form>', "form"),
    ("<style>body{display:none}</style><p>x</p>", "display"),
    ('<p style="position:fixed;top:0">x</p>', "position"),
    ('<div onclick="steal()">x</div>', "steal"),
    ('<img src="data:image/svg+xml;base64,PHN2Zz4=">', "data:"),
    ("<svg><script>alert(1)</script></svg>", "alert"),
    ('<object data="https://evil.example/x.swf"></object>', "object"),
    ('<meta http-equiv="refresh" content="0;url=https://evil.example/">', "refresh"),
    ('<base href="https://evil.example/">', "base"),
    ("<!-- <script>alert(1)</script> -->", "alert"),
]


@pytest.mark.parametrize(("hostile", "must_not_contain"), HOSTILE)
def test_sanitizer_removes_hostile_markup(hostile, must_not_contain):
    clean = sanitize_html(hostile)
    assert must_not_contain.lower() not in clean.lower()


def test_sanitizer_keeps_formatting_links_and_images():
    html = (
        '<h2>Plan</h2><p><strong>Bold</strong> <em>it</em> <a href="https://e.org/x">link</a></p>'
        '<ul><li>one</li></ul><blockquote>quote</blockquote><img src="https://e.org/a.png" alt="A">'
    )
    clean = sanitize_html(html)
    for kept in ("<h2>", "<strong>", "<em>", "<li>", "<blockquote>", 'alt="A"'):
        assert kept in clean
    assert '<a href="https://e.org/x" rel="noopener noreferrer">link</a>' in clean
    assert '<img src="https://e.org/a.png"' in clean


def test_sanitizer_makes_relative_urls_absolute():
    clean = sanitize_html(
        '<a href="../about">me</a><img src="pic.png">', base_url="https://t.example/blog/post/"
    )
    assert 'href="https://t.example/blog/about"' in clean
    assert 'src="https://t.example/blog/post/pic.png"' in clean


def test_sanitizer_of_nothing():
    assert sanitize_html(None) == ""
    assert sanitize_html("") == ""


def test_html_to_text_is_readable():
    html = (
        "<h1>Title</h1><p>First &amp; <b>bold</b>&nbsp;words.</p>"
        "<p>Second<br>line</p><ul><li>a</li><li>b</li></ul>"
    )
    text = html_to_text(html)
    assert text.startswith("Title\n")
    assert "First & bold words." in text
    assert "Second\nline" in text
    assert "<" not in text
    assert html_to_text("<script>var x = 1;</script>visible") == "visible"
    assert html_to_text("plain  text\n\n\n\nmore") == "plain text\n\nmore"
    assert html_to_text(None) == ""


def test_extract_links_absolute_http_only_without_duplicates():
    html = (
        '<a href="/a">a</a> <a href="https://x.org/b#frag">b</a> <a href="https://x.org/b">b</a>'
        '<a href="mailto:t@e.org">m</a> <a href="#top">top</a> <a href=\'https://y.org/q?a=1&amp;b=2\'>'
    )
    assert extract_links(html, "https://t.example/post/1") == (
        "https://t.example/a",
        "https://x.org/b",
        "https://y.org/q?a=1&b=2",
    )
    assert extract_links(None, "https://t.example/") == ()


@pytest.mark.parametrize(
    ("text", "tags"),
    [
        ("Loving #EdTech and #edtech and #UKEdChat!", ("edtech", "ukedchat")),
        ("see https://e.org/page#section and #1 and C#", ()),
        (
            "#startOfLine then (#paren) and #with_underscore",
            ("startofline", "paren", "with_underscore"),
        ),
        ("#Bildung #éducation", ("bildung", "éducation")),
        ("", ()),
        ("a#b x/#c &#39; _#d é#e ##f #g#h 3#i", ("g",)),
        ("#１２３ #٣x ½#k", ("٣x",)),
    ],
)
def test_extract_hashtags(text, tags):
    assert extract_hashtags(text) == tags


def test_extract_hashtags_finds_what_the_lookbehind_rule_finds() -> None:
    """The rule as one regex (a '#' after no word character, '/', '&' or '#'), checked against
    the faster scan on generated text."""
    import re

    from hypothesis import given, settings
    from hypothesis import strategies as st

    rule = re.compile(r"(?<![\w/&#])#(\w*[^\W\d_]\w*)")
    alphabet = st.sampled_from([*"#a1_/&; \n.é٣½ß", "\u0301", "１", "C#"])

    @settings(max_examples=800, deadline=None)
    @given(st.lists(alphabet, max_size=16).map("".join))
    def check(text: str) -> None:
        expected = tuple(dict.fromkeys(m.group(1).lower() for m in rule.finditer(text)))
        assert extract_hashtags(text) == expected

    check()


# --- join_url: urljoin's answer, with a shortcut for plain absolute URLs -----------------

JOIN_BASES = [
    "http://a.example/dir/page",
    "https://a.example/x/",
    "",
    "file:///etc/",
    "http://[::1]/",
    "http://a.example:8080/feeds/3.xml?x=1#f",
    "https://u:p@a.example",
    "HTTP://A.example/x",
    "http://a.example?q",
    "http:///x",
    "http://bücher.example/",
]
JOIN_URLS = [
    "http://b.example/p?q=1#f", "https://b.example", "http://b.example/a;params",
    "http://b.example/a;", "http://b.example/a?", "http://b.example/a#", "http://b.example/a?#f", "http:///x",
    "http://?x", "http://b.example/\ta\nb\r", "http://[zz/x", "http://[::1]:99/v6",
    "http://b.example/a b", "http://bücher.example/ä", "http://b.example/%zz", "HTTP://B.example/",
    "http://b.example:99999/x", "//cdn.example/x", "/root", "rel/x", "?q", "#frag",
    "http://b.example/a/../b/./c", "https://b.example/x?a=1;b=2#x[1]", "http:b.example",
    "http://user@b.example/", "http://b.example\x00/x", "http://b.example/\x7f",
    "/2026/11/post.html", "/a//b", "/a/./b", "/.well-known/x", "/a/..", "/a?q=1#f", "/a?",
    "/a#", "/a;p", "/a b", "/ä", "/\tx", "//host/x", "/", "/a?#f", "/a?q#", "/#f", "/%2e/x",
]  # fmt: skip


def _urljoin_or_error(base: str, url: str) -> str:
    from urllib.parse import urljoin

    try:
        return urljoin(base, url)
    except ValueError:
        return "ValueError"


def _join_or_error(base: str, url: str) -> str:
    from plnctl.fetchers.content import join_url

    try:
        return join_url(base, url)
    except ValueError:
        return "ValueError"


@pytest.mark.parametrize("base", JOIN_BASES)
@pytest.mark.parametrize("url", JOIN_URLS)
def test_join_url_answers_what_urljoin_answers(base: str, url: str) -> None:
    assert _join_or_error(base, url) == _urljoin_or_error(base, url)


def test_join_url_agrees_with_urljoin_on_generated_urls() -> None:
    from hypothesis import given, settings
    from hypothesis import strategies as st

    alphabet = st.sampled_from([*"ab:/?#;[]@.%&= \t\n\x00\x7fé", "http://", "https://"])
    urls = st.lists(alphabet, max_size=14).map("".join)

    @settings(max_examples=600, deadline=None)
    @given(st.sampled_from(JOIN_BASES), st.sampled_from(["http://", "https://", "", "/"]), urls)
    def check(base: str, prefix: str, rest: str) -> None:
        url = prefix + rest
        assert _join_or_error(base, url) == _urljoin_or_error(base, url)

    check()


def test_text_of_sanitized_html_is_found_the_same_faster_way() -> None:
    """``html_to_text(clean, sanitized=True)`` (what a sync uses on nh3's output) gives what
    ``html_to_text(clean)`` gives, for markup in any case, comments, scripts and odd spacing."""
    from hypothesis import given, settings
    from hypothesis import strategies as st

    from plnctl.fetchers.content import html_to_text, sanitize_html

    pieces = st.sampled_from([
        "<P>", "</p>", "<BR/>", "< br >", "<div class=x>", "</DIV >", "<li>", "<h2>", "<hr>",
        "<!-- c -->", "<script>x</script>", "<style>p{}</style>", "<template>t</template>",
        "<noscript>n</noscript>", "<a href='/x'>", "</a>", "<pre>", "&amp;", "&lt;p&gt;",
        "&#10;", "text", " ", "\n", "\t", "<section>", "<table><tr><td>", "<b>", "<!--", "<",
    ])  # fmt: skip

    @settings(max_examples=500, deadline=None)
    @given(st.lists(pieces, max_size=14).map("".join))
    def check(html: str) -> None:
        clean = sanitize_html(html, base_url="https://a.example/")
        assert html_to_text(clean, sanitized=True) == html_to_text(clean)

    check()
