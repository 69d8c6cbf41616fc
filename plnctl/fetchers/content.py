"""Post content: sanitize untrusted HTML, turn it into plain text, pull out links and hashtags.

Everything here is pure and fast: it runs once per stored entry. ``sanitize_html`` uses nh3
(Rust's ammonia); the rest are regular expressions over HTML that nh3 already normalised.
"""

from __future__ import annotations

import html as htmllib
import re
from functools import cache, lru_cache
from urllib.parse import urljoin

import nh3

_TAGS = frozenset(
    {
        "a", "abbr", "acronym", "b", "bdi", "bdo", "blockquote", "br", "caption", "cite",
        "code", "col", "colgroup", "dd", "del", "details", "dfn", "div", "dl", "dt", "em",
        "figcaption", "figure", "h1", "h2", "h3", "h4", "h5", "h6", "hr", "i", "img", "ins",
        "kbd", "li", "mark", "ol", "p", "pre", "q", "s", "samp", "small", "span", "strike",
        "strong", "sub", "summary", "sup", "table", "tbody", "td", "tfoot", "th", "thead",
        "time", "tr", "u", "ul", "var", "wbr",
    }
)  # fmt: skip
_ATTRIBUTES = {
    "a": {"href", "hreflang", "title"},
    "img": {"src", "alt", "title", "width", "height"},
    "td": {"colspan", "rowspan"},
    "th": {"colspan", "rowspan", "scope"},
    "ol": {"start"},
    "blockquote": {"cite"},
    "q": {"cite"},
    "time": {"datetime"},
    "*": {"lang", "dir"},
}
_SCHEMES = frozenset({"http", "https", "mailto"})
# Removed together with everything inside them (the rest keep their text).
_DROP_CONTENT = frozenset({"script", "style", "iframe", "object", "embed", "form", "noscript"})

# nh3 writes each attribute after one space, its value in double quotes: a literal prefix the
# regex engine can scan for (``\s`` made it try every position: twice the cost). Values that
# are already absolute (or a fragment, or empty) are left out by the lookahead, not by a call.
_URL_ATTR = re.compile(r'( (?:href|src)=")(?!https?://|mailto:|#|")([^"]*)(")')
_HREF = re.compile(r"""<a\s[^>]*?\bhref\s*=\s*(?:"([^"]*)"|'([^']*)'|([^\s>"']+))""", re.I)
_BLOCK_TAGS = (
    "p|div|br|li|ul|ol|h[1-6]|blockquote|pre|tr|table|hr|dd|dt|dl|figure|figcaption|details|"
    "summary|section|article|header|footer"
)
_BLOCK = re.compile(rf"<\s*/?\s*(?:{_BLOCK_TAGS})\b[^>]*>", re.I)
# nh3's output: tag names in lower case right after the '<' (a literal prefix), no comments
# and nothing of script/style/template/noscript (``html_to_text(..., sanitized=True)``).
_BLOCK_SANITIZED = re.compile(rf"</?(?:{_BLOCK_TAGS})\b[^>]*>")
_DROP = re.compile(r"<(script|style|template|noscript)\b.*?</\1\s*>", re.I | re.S)
_COMMENT = re.compile(r"<!--.*?-->", re.S)
_TAG = re.compile(r"<[^>]*>")
# A hashtag starts at a '#' that follows no word character, '/', '&' or '#' (URLs, entities,
# C#). That check is done in ``extract_hashtags``: as a lookbehind, the regex had no literal
# prefix and tried every position of the text (20x the cost).
_HASHTAG = re.compile(r"#(\w*[^\W\d_]\w*)")
_NOT_BEFORE_HASHTAG = frozenset("_/&#")
# An absolute http(s) URL that urljoin gives back as it is: a host without brackets, a path
# without ';' (urlparse's params), a query and a fragment that are not empty, no spaces or
# controls (urlsplit strips some), ASCII (``join_url`` checks). Anything else goes to urljoin.
_PLAIN_ABSOLUTE = re.compile(
    r"https?://[^/?#\[\]\x00-\x20\x7f]+(?:/[^?#;\x00-\x20\x7f]*)?"
    r"(?:\?[^#\x00-\x20\x7f]+)?(?:#[^\x00-\x20\x7f]+)?"
)
# The same for a path from the root ("/2026/11/post.html"), with no "." or ".." segment (urljoin
# removes those; "/." sends any such URL to urljoin): under a plain absolute base, urljoin
# answers the base's scheme and host followed by it, unchanged.
_PLAIN_ROOTED = re.compile(
    r"/(?!/)[^?#;\x00-\x20\x7f]*(?:\?[^#\x00-\x20\x7f]+)?(?:#[^\x00-\x20\x7f]+)?"
)
_ORIGIN = re.compile(r"https?://[^/?#]+")


@cache
def _cleaner() -> nh3.Cleaner:
    """One sanitizer, built once: ``nh3.clean(...)`` builds its rules on every call, which was
    half of its cost on a short post (~155 -> ~85 us)."""
    return nh3.Cleaner(
        tags=set(_TAGS),
        clean_content_tags=set(_DROP_CONTENT),
        attributes={k: set(v) for k, v in _ATTRIBUTES.items()},
        url_schemes=set(_SCHEMES),
        link_rel="noopener noreferrer",
        strip_comments=True,
    )


def join_url(base: str | None, url: str) -> str:
    """``urllib.parse.urljoin(base, url)``, without its two parses and an unparse for the
    common case it returns unchanged (an absolute http(s) URL, most links in feeds). Raises
    ValueError where urljoin does (those URLs take urljoin's path)."""
    if url.startswith(("http://", "https://")) and url.isascii() and _PLAIN_ABSOLUTE.fullmatch(url):
        return url
    if url.startswith("/") and base and url.isascii() and "/." not in url:
        origin = _origin(base)
        if origin is not None and _PLAIN_ROOTED.fullmatch(url):
            return origin + url
    return urljoin(base or "", url)


@lru_cache(maxsize=64)
def _origin(base: str) -> str | None:
    """``http(s)://host[:port]`` of a plain absolute base URL (see ``_PLAIN_ABSOLUTE``)."""
    plain = base.startswith(("http://", "https://")) and base.isascii()
    if plain and _PLAIN_ABSOLUTE.fullmatch(base):
        match = _ORIGIN.match(base)
        return match.group() if match else None
    return None


def sanitize_html(html: str | None, *, base_url: str | None = None) -> str:
    """Safe HTML to store and show: formatting, links and images only.

    Drops script/style/iframe/form (with their content), event handlers, ``style`` and
    non-http(s)/mailto URLs (``javascript:``, ``data:``); links get
    ``rel="noopener noreferrer"``. With ``base_url``, relative href/src become absolute.
    """
    if not html:
        return ""
    clean = _cleaner().clean(html)
    if base_url and (' href="' in clean or ' src="' in clean):
        clean = _URL_ATTR.sub(lambda m: _absolute_attr(m, base_url), clean)
    return clean


def _absolute_attr(match: re.Match[str], base_url: str) -> str:
    value = match.group(2)  # relative: _URL_ATTR leaves out the rest
    try:
        joined = join_url(base_url, htmllib.unescape(value))
    except ValueError:  # an unparsable URL (http://[zz/x): drop the attribute
        return ""
    if not joined.lower().startswith(("http://", "https://", "mailto:")):
        return ""  # a relative URL under a file:/ftp: base must not become file:/ftp:
    return f"{match.group(1)}{htmllib.escape(joined, quote=True)}{match.group(3)}"


def html_to_text(html: str | None, *, sanitized: bool = False) -> str:
    """Readable plain text: block elements become line breaks, entities are decoded.
    ``sanitized``: ``html`` is ``sanitize_html``'s output (the same text, found faster)."""
    if not html:
        return ""
    if "<" not in html and "&" not in html:
        return _tidy(html)
    if sanitized:
        text = _BLOCK_SANITIZED.sub("\n", html)
    else:
        text = _DROP.sub(" ", html)
        text = _COMMENT.sub(" ", text)
        text = _BLOCK.sub("\n", text)
    text = _TAG.sub("", text)
    return _tidy(htmllib.unescape(text))


def _tidy(text: str) -> str:
    """Collapse runs of spaces within lines and runs of blank lines to one (str methods: the
    regex version of this cost more than all the rest of html_to_text)."""
    out: list[str] = []
    blank = False
    for raw in text.split("\n"):
        line = " ".join(raw.split())
        if not line:
            blank = True
            continue
        if blank and out:
            out.append("")
        out.append(line)
        blank = False
    return "\n".join(out)


def extract_links(html: str | None, base_url: str | None = None) -> tuple[str, ...]:
    """Absolute http(s) targets of ``<a href>`` in ``html``, in order, without duplicates."""
    if not html or "href" not in html:
        return ()
    links: dict[str, None] = {}
    for match in _HREF.finditer(html):
        raw = htmllib.unescape(next(g for g in match.groups() if g is not None)).strip()
        if not raw or raw.startswith("#"):
            continue
        try:
            url = join_url(base_url, raw) if base_url else raw
        except ValueError:
            continue
        if url.lower().startswith(("http://", "https://")):
            links[url.split("#")[0] if "#" in url else url] = None
    return tuple(links)


def extract_hashtags(text: str | None) -> tuple[str, ...]:
    """``#EdTech #edtech #ukedchat`` -> ``("edtech", "ukedchat")``: lower case, no '#'."""
    if not text or "#" not in text:
        return ()
    tags: dict[str, None] = {}
    for match in _HASHTAG.finditer(text):
        start = match.start()
        if start:
            before = text[start - 1]
            if before.isalnum() or before in _NOT_BEFORE_HASHTAG:  # isalnum + "_" is \w
                continue
        tags[match.group(1).lower()] = None
    return tuple(tags)


def first_line_title(text: str, limit: int = 80) -> str | None:
    """A status's title: its first non-empty line, cut at a word near ``limit``."""
    line = next((x.strip() for x in text.splitlines() if x.strip()), "")
    line = " ".join(line.split())
    if len(line) <= limit:
        return line or None
    cut = line[: limit - 1].rsplit(" ", 1)[0] if " " in line[: limit - 1] else line[: limit - 1]
    return cut.rstrip(" ,;:.") + "…"
