"""The post as text to read: lists, quotes, numbered links, images as alt text, folded
content warnings, and nothing a terminal would obey."""

from __future__ import annotations

import dataclasses

from plnctl.models import Post, PostTag, TagOrigin
from plnctl.render.readable import post_view, readable, terminal_safe

HTML = (
    '<p>Read <a href="https://a.example/one">this</a> and <a href="https://b.example/">that</a>'
    ' and <a href="https://a.example/one">this again</a>.</p>'
    "<ul><li>apples</li><li>pears<ul><li>conference</li></ul></li></ul>"
    '<ol start="3"><li>three</li><li>four</li></ol>'
    "<blockquote><p>A quoted paragraph.</p><p>Another one.</p></blockquote>"
    '<p><img src="https://a.example/cat.png" alt="A cat  asleep"> <img src="x.png"></p>'
    "<pre>def f():\n    return 1</pre>"
    "<p>line one<br>line two</p><script>alert(1)</script><style>p{}</style>"
    '<p><a href="javascript:alert(1)">not a link</a></p>'
)


def test_structure_is_kept_and_links_are_numbered_once() -> None:
    result = readable(HTML, width=60)
    assert result.links == ("https://a.example/one", "https://b.example/")
    assert result.lines[0] == "Read this [1] and that [2] and this again [1]."
    text = "\n".join(result.lines)
    assert "- apples\n- pears\n  - conference" in text
    assert "3. three\n4. four" in text
    assert "> A quoted paragraph.\n>\n> Another one." in text
    assert "[image: A cat asleep] [image]" in text
    assert "def f():\n    return 1" in text  # pre keeps its spaces
    assert "line one\nline two" in text
    assert "alert" not in text and "p{}" not in text
    assert "not a link" in text and "[3]" not in text


def test_wrapping_keeps_prefixes() -> None:
    html = (
        "<blockquote><p>" + "word " * 40 + "</p></blockquote><ul><li>" + "item " * 30 + "</li></ul>"
    )
    lines = readable(html, width=40).lines
    assert all(len(line) <= 40 for line in lines)
    quoted = [line for line in lines if line.startswith(">")]
    assert len(quoted) > 3
    items = [line for line in lines if line.startswith(("- ", "  "))]
    assert items[0].startswith("- ") and all(i.startswith("  ") for i in items[1:])


def test_plain_text_without_html() -> None:
    assert readable(None, "First para.\n\nSecond   para.").lines == (
        "First para.",
        "",
        "Second para.",
    )
    assert readable("", None).lines == ()


def _post(**changes: object) -> Post:
    base = Post(
        id=7, source_id=1, person_id=1, guid="g", url="https://blog.example/p", title="A title",
        author=None, published_at="2026-11-30T08:15:00Z", updated_at=None,
        content_html="<p>Body with a <a href='https://x.example/'>link</a>.</p>",
        content_text="Body with a link.", fetched_at="2026-11-30T09:00:00Z",
        person_name="Sam Okafor", source_label="Sam's blog",
        tags=(PostTag("assessment", TagOrigin.RULE, 'keyword "rubric" in text'),),
        save_note="for Monday",
    )  # fmt: skip
    return dataclasses.replace(base, **changes)  # type: ignore[arg-type]


def test_post_view_shows_byline_topic_reasons_links_and_note() -> None:
    view = post_view(_post(), width=70)
    text = "\n".join(view.lines)
    assert view.lines[0] == "A title"
    assert "Sam Okafor · 2026-11-30 08:15 UTC · Sam's blog" in text
    assert 'Topic: assessment (rule: keyword "rubric" in text)' in text
    assert "Body with a link [1]." in text
    assert "Links:\n[1] https://x.example/" in text
    assert text.endswith("Your note: for Monday")


def test_a_content_warning_folds_the_text_until_unfolded() -> None:
    warned = dataclasses.replace(_post(), content_warning="Book spoiler")
    folded = "\n".join(post_view(warned).lines)
    assert "CW: Book spoiler" in folded and "Body with" not in folded
    unfolded = "\n".join(post_view(warned, unfold=True).lines)
    assert "CW: Book spoiler" in unfolded and "Body with a link [1]." in unfolded


def test_control_characters_never_reach_the_terminal() -> None:
    hostile = _post(title="\x1b[2JGone\x07", content_html="<p>a\x1b]8;;https://evil\x07b\x9bc</p>")
    text = "\n".join(post_view(hostile).lines)
    assert not any((ord(c) < 32 and c != "\n") or 127 <= ord(c) < 160 for c in text)
    assert "[2JGone" in text
    assert terminal_safe("a\tb\nc\x00") == "a    b\nc"


def test_boosts_and_media_show_once_the_post_carries_them() -> None:
    @dataclasses.dataclass(frozen=True)
    class Media:
        url: str
        mime_type: str

    @dataclasses.dataclass(frozen=True)
    class RichPost(Post):  # fields another part of plnctl adds to Post; the view reads them
        boosted_by: str | None = None
        enclosures: tuple[Media, ...] = ()

    fields = {f.name: getattr(_post(), f.name) for f in dataclasses.fields(Post)}
    fields["author"] = "Olu Mensah"
    post = RichPost(
        **fields,
        boosted_by="Sam Okafor",
        enclosures=(Media("https://cdn.example/ep42.mp3", "audio/mpeg"),),
    )
    view = post_view(post)
    text = "\n".join(view.lines)
    assert "Sam Okafor boosted Olu Mensah" in text
    assert "audio/mpeg: [2]" in text and "[2] https://cdn.example/ep42.mp3" in text
    assert view.links == ("https://x.example/", "https://cdn.example/ep42.mp3")
