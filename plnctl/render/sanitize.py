"""Render-time sanitizing: feed HTML is cleaned again right before it goes into a page or mail.

Content was sanitized when it was fetched, but a database can be older than today's rules, be
edited by hand or come from an import; a digest is HTML that lands in a mail client, so it is
cleaned again with a stricter allowlist: text formatting and links only. No scripts, event
handlers, ``style`` attributes, ``javascript:``/``data:`` URLs, iframes, forms, ``<link>``,
``<style>`` or images (remote images in mail are read receipts for whoever hosts them).
"""

from __future__ import annotations

import html as htmllib
import re
from functools import cache

import nh3

_TAGS = frozenset(
    {
        "a", "abbr", "b", "blockquote", "br", "cite", "code", "del", "em", "h3", "h4", "h5",
        "h6", "i", "li", "ol", "p", "pre", "q", "s", "small", "strong", "sub", "sup", "u", "ul",
    }
)  # fmt: skip
_ATTRIBUTES = {"a": {"href", "title"}}
_SCHEMES = frozenset({"http", "https", "mailto"})
# Dropped together with everything inside them; other unknown tags keep their text.
_DROP_CONTENT = frozenset(
    {
        "script", "style", "iframe", "object", "embed", "form", "noscript", "template",
        "svg", "math", "link", "meta", "title", "frameset", "frame", "select", "textarea",
        "button", "audio", "video", "canvas", "applet", "head",
    }
)  # fmt: skip
_SPACES = re.compile(r"\s+")
_TAG = re.compile(r"<[^>]*>")


def clean_html(html: str | None) -> str:
    """Safe HTML for a digest page or mail: formatting and http(s)/mailto links only."""
    if not html:
        return ""
    return _cleaner().clean(html).strip()


@cache
def _cleaner() -> nh3.Cleaner:
    """Built once, as fetchers/content.py does: ``nh3.clean(...)`` builds its rules per call."""
    return nh3.Cleaner(
        tags=set(_TAGS),
        clean_content_tags=set(_DROP_CONTENT),
        attributes={k: set(v) for k, v in _ATTRIBUTES.items()},
        url_schemes=set(_SCHEMES),
        link_rel="noopener noreferrer nofollow",
        strip_comments=True,
    )


def safe_url(url: str | None) -> str | None:
    """The URL when it is http(s) or mailto; None for ``javascript:``, ``data:``, relative or
    otherwise odd links, which a digest must never turn into a clickable link."""
    if not url:
        return None
    candidate = url.strip()
    scheme = candidate.split(":", 1)[0].lower() if ":" in candidate else ""
    if scheme not in _SCHEMES or any(ord(c) < 0x20 for c in candidate):
        return None
    return candidate


def excerpt(text: str | None, limit: int = 280) -> str:
    """One line of at most ``limit`` characters, cut at a word boundary with an ellipsis."""
    flat = _SPACES.sub(" ", text or "").strip()
    if len(flat) <= limit:
        return flat
    cut = flat[: limit - 1]
    if " " in cut[limit // 2 :]:
        cut = cut[: cut.rindex(" ")]
    return cut.rstrip(" ,.;:-") + "…"


def short_html(html: str | None, *, limit: int = 600) -> str | None:
    """The cleaned HTML when its text is short enough to show whole (a Mastodon status, a
    short note); None for long articles, which a digest shows as an excerpt instead."""
    clean = clean_html(html)
    if not clean:
        return None
    text = htmllib.unescape(_TAG.sub(" ", clean))
    return clean if len(_SPACES.sub(" ", text).strip()) <= limit else None
