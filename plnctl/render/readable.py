"""A post's HTML as text to read in a terminal: paragraphs wrapped, lists and quotes kept,
links numbered (``text [1]``, listed at the end), images as their alt text.

Pure and quick (stdlib ``html.parser``, ~1 ms for a long post): the reader renders a post each
time it is opened. The HTML was sanitized when it was stored; this only reads it.
"""

from __future__ import annotations

import textwrap
from dataclasses import dataclass, field
from html.parser import HTMLParser

from plnctl.models import Post

_BLOCKS = frozenset(
    {
        "p", "div", "section", "article", "header", "footer", "figure", "figcaption", "table",
        "tr", "dl", "dt", "dd", "details", "summary", "h1", "h2", "h3", "h4", "h5", "h6",
    }
)  # fmt: skip
_SKIP = frozenset({"script", "style", "template", "noscript"})
# C0 and C1 control characters but newline (tabs become spaces): a feed's ESC sequences must
# not reach a terminal.
_CONTROLS: dict[int, str | None] = {
    c: None for c in (*range(0, 9), *range(11, 32), *range(127, 160))
}
_CONTROLS[9] = "    "


@dataclass(frozen=True)
class Readable:
    lines: tuple[str, ...]
    links: tuple[str, ...]  # link n is links[n - 1]


@dataclass
class _Block:
    first: str  # prefix of the first line ("> ", "  - ")
    rest: str  # prefix of the lines after it
    text: str
    pre: bool = False
    tight: bool = False  # a list item: no blank line between it and the item before
    quotes: int = 0


@dataclass
class _Parser(HTMLParser):
    blocks: list[_Block] = field(default_factory=list)
    links: dict[str, int] = field(default_factory=dict)
    _buffer: list[str] = field(default_factory=list)
    _lists: list[list[object]] = field(default_factory=list)  # [kind, next number]
    _quotes: int = 0
    _pre: int = 0
    _skip: int = 0
    _hrefs: list[str | None] = field(default_factory=list)
    _item: tuple[str, str] | None = None  # the pending list item's prefixes

    def __post_init__(self) -> None:
        super().__init__(convert_charrefs=True)

    def _prefixes(self) -> tuple[str, str, bool]:
        quote = "> " * self._quotes
        if self._item is not None:
            first, rest = self._item
            return quote + first, quote + rest, True
        indent = "  " * len(self._lists)
        return quote + indent, quote + indent, bool(self._lists)

    def flush(self) -> None:
        text = "".join(self._buffer)
        self._buffer = []
        if not self._pre:
            text = "\n".join(" ".join(line.split()) for line in text.split("\n")).strip("\n ")
        if not text.strip():
            return
        first, rest, tight = self._prefixes()
        self.blocks.append(_Block(first, rest, text, bool(self._pre), tight, self._quotes))
        self._item = None

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        if tag in _SKIP:
            self._skip += 1
        elif tag in _BLOCKS or tag in ("ul", "ol", "li", "blockquote", "pre", "hr"):
            self.flush()
            self._open_block(tag, dict(attrs))
        elif tag == "br":
            self._buffer.append("\n")
        elif tag == "a":
            self._hrefs.append(dict(attrs).get("href"))
        elif tag == "img":
            alt = " ".join((dict(attrs).get("alt") or "").split())
            self._buffer.append(f"[image: {alt}]" if alt else "[image]")

    def _open_block(self, tag: str, attrs: dict[str, str | None]) -> None:
        if tag in ("ul", "ol"):
            start = attrs.get("start") or "1"
            self._lists.append([tag, int(start) if start.isdigit() else 1])
        elif tag == "li":
            indent = "  " * max(len(self._lists) - 1, 0)
            kind = self._lists[-1] if self._lists else ["ul", 1]
            if kind[0] == "ol":
                marker = f"{kind[1]}. "
                kind[1] = int(str(kind[1])) + 1
            else:
                marker = "- "
            self._item = (indent + marker, indent + " " * len(marker))
        elif tag == "blockquote":
            self._quotes += 1
        elif tag == "pre":
            self._pre += 1
        elif tag == "hr":
            self.blocks.append(_Block("", "", "* * *"))

    def handle_endtag(self, tag: str) -> None:
        if tag in _SKIP:
            self._skip = max(self._skip - 1, 0)
        elif tag == "a" and self._hrefs:
            href = self._hrefs.pop()
            if href and href.startswith(("http://", "https://", "mailto:")):
                number = self.links.setdefault(href, len(self.links) + 1)
                self._buffer.append(f" [{number}]")
        elif tag in _BLOCKS or tag in ("ul", "ol", "li", "blockquote", "pre"):
            self.flush()
            if tag in ("ul", "ol") and self._lists:
                self._lists.pop()
            elif tag == "blockquote":
                self._quotes = max(self._quotes - 1, 0)
            elif tag == "pre":
                self._pre = max(self._pre - 1, 0)

    def handle_data(self, data: str) -> None:
        if not self._skip:
            self._buffer.append(data)


def readable(html: str | None, text: str | None = None, *, width: int = 80) -> Readable:
    """``html`` (else the plain ``text``) as wrapped lines and the links it numbered."""
    width = max(width, 20)
    if not html:
        paragraphs = [p for p in (text or "").split("\n") if p.strip()]
        blocks = [_Block("", "", " ".join(p.split())) for p in paragraphs]
        return Readable(tuple(_wrap(blocks, width)), ())
    parser = _Parser()
    parser.feed(html)
    parser.close()
    parser.flush()
    return Readable(tuple(_wrap(parser.blocks, width)), tuple(parser.links))


def _wrap(blocks: list[_Block], width: int) -> list[str]:
    out: list[str] = []
    previous: _Block | None = None
    for block in blocks:
        if previous is not None and not (block.tight and previous.tight):
            out.append(">" * min(block.quotes, previous.quotes))
        previous = block
        if block.pre:
            out.extend(block.first + line for line in block.text.split("\n"))
            continue
        first = block.first
        for line in block.text.split("\n"):
            out.extend(
                textwrap.wrap(
                    line,
                    width=width,
                    initial_indent=first,
                    subsequent_indent=block.rest,
                    break_on_hyphens=False,
                )
                or [first.rstrip()]
            )
            first = block.rest
    return out


def terminal_safe(text: str) -> str:
    """``text`` without control characters (newlines kept): fit for any terminal."""
    return text.translate(_CONTROLS)


def link_lines(links: tuple[str, ...]) -> list[str]:
    return [f"[{n}] {url}" for n, url in enumerate(links, start=1)]


def post_view(post: Post, *, width: int = 80, unfold: bool = False) -> Readable:
    """A whole post for the reader: title, byline, why it has its topics, the text, media,
    the numbered links and the user's note. A post with a content warning shows the warning
    and keeps its text folded unless ``unfold``."""
    head = [post.title or "(untitled)"]
    when = post.published_at or post.fetched_at
    who = post.person_name or post.author
    source = post.source_label if post.source_label != who else None
    head.append(" · ".join(x for x in (who, f"{when[:16].replace('T', ' ')} UTC", source) if x))
    # Fields another part of plnctl may add to Post (boosts, replies, warnings, media) are
    # read with getattr so this view shows them as soon as they exist.
    boosted_by = getattr(post, "boosted_by", None)
    if boosted_by:
        head.append(f"{boosted_by} boosted {post.author or post.boost_of_handle or ''}".rstrip())
    elif post.boost_of_handle:
        head.append(f"Boost of {post.boost_of_handle}")
    if post.in_reply_to:
        head.append(f"In reply to {post.in_reply_to}")
    from plnctl.render.grouping import also_text

    also = also_text(post.also) if post.group_id == post.id else None
    if also:
        head.append(also[0].upper() + also[1:])
    head.extend(f"Topic: {t.topic} ({t.origin.value}: {t.reason})" for t in post.tags)
    warning = getattr(post, "content_warning", None) or getattr(post, "spoiler_text", None)
    lines = [*_wrap([_Block("", "  ", h) for h in head], width)]
    lines = [line for line in lines if line]  # the head is one block of lines
    if warning and not unfold:
        lines += ["", f"CW: {warning}", "(folded: press enter to show the text)"]
        body = Readable((), ())
    else:
        if warning:
            lines += ["", f"CW: {warning}"]
        if post.full_text:
            body = readable(None, post.full_text, width=width)
            lines += ["", "(full text, from the article page)"]
        else:
            body = readable(post.content_html, post.content_text, width=width)
        lines += ["", *body.lines]
    links = list(body.links)
    for item in _media(post):
        url = getattr(item, "url", None)
        if url:
            kind = next(
                (v for a in ("media_type", "mime_type", "type") if (v := getattr(item, a, None))),
                "media",
            )
            links.append(url)
            lines += ["", f"{kind}: [{len(links)}]"]
    if links:
        lines += ["", "Links:", *link_lines(tuple(links))]
    if post.save_note:
        lines += ["", f"Your note: {post.save_note}"]
    return Readable(tuple(terminal_safe(line) for line in lines), tuple(links))


def _media(post: Post) -> tuple[object, ...]:
    found = getattr(post, "enclosures", None) or getattr(post, "media", None) or ()
    return tuple(found) if isinstance(found, (list, tuple)) else ()
