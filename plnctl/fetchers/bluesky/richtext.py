"""Writing a Bluesky post: facets for links, mentions and hashtags, and the length limits
(pure; lexicons app.bsky.feed.post and app.bsky.richtext.facet).

Facet offsets are UTF-8 byte offsets into the text (start inclusive, end exclusive). What is
detected follows the official client's rules where they matter to a teacher's post:

- links: ``http(s)://...`` (trailing ``.,;:!?`` and an unbalanced ``)`` are not part of it);
- mentions: ``@handle.domain`` after a space, a bracket or the start (``a@b.org`` is an
  address, not a mention); each needs its DID, looked up by the caller; one that does not
  resolve stays plain text;
- hashtags: ``#word`` after a space or the start, not only digits, at most 64 characters,
  trailing punctuation dropped.

A post holds at most 300 graphemes (what a reader sees as one character: ``👩‍🏫`` is one)
and 3,000 bytes; ``check_length`` says by how much a text is over.
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

from plnctl.errors import InvalidInput

MAX_GRAPHEMES = 300
MAX_BYTES = 3000
MAX_TAG = 64
LINK = "app.bsky.richtext.facet#link"
MENTION = "app.bsky.richtext.facet#mention"
TAG = "app.bsky.richtext.facet#tag"

_LINK = re.compile(r"(?:^|(?<=[\s(\[]))(https?://[^\s]+)", re.IGNORECASE)
_MENTION = re.compile(
    r"(?:^|(?<=[\s(\[]))@((?>(?:[a-z0-9](?:[a-z0-9-]{0,61}[a-z0-9])?\.)+[a-z][a-z0-9-]*[a-z0-9]))"
    r"(?![\w@])",
    re.IGNORECASE,
)
_TAG = re.compile(r"(?:^|(?<=\s))[#＃]([^\s#＃\u00ad\u2060\u200a\u200b\u200c\u200d\u20e2]+)")
_TRAILING = ".,;:!?'\"…"


@dataclass(frozen=True)
class Span:
    start: int  # character offsets into the text
    end: int
    kind: str  # LINK | MENTION | TAG
    value: str  # the URI, the handle (without @) or the tag (without #)


def graphemes(text: str) -> int:
    """User-perceived characters (extended grapheme clusters), as Bluesky counts them."""
    import regex  # only when writing a post: the stdlib cannot split grapheme clusters

    return len(regex.findall(r"\X", text))


def check_length(text: str, *, what: str = "the post") -> None:
    """InvalidInput when ``text`` is over Bluesky's 300 graphemes or 3,000 bytes."""
    count = graphemes(text)
    if count > MAX_GRAPHEMES:
        raise InvalidInput(
            f"{what} is {count} characters long; Bluesky allows {MAX_GRAPHEMES}: shorten it "
            f"by {count - MAX_GRAPHEMES}"
        )
    size = len(text.encode("utf-8"))
    if size > MAX_BYTES:
        raise InvalidInput(f"{what} is {size} bytes long; Bluesky allows {MAX_BYTES}")


def _trim_link(url: str) -> str:
    url = url.rstrip(_TRAILING)
    while url.endswith(")") and url.count(")") > url.count("("):
        url = url[:-1].rstrip(_TRAILING)
    return url


def spans(text: str) -> list[Span]:
    """Every link, mention and hashtag in ``text``, in order, none overlapping."""
    found: list[Span] = []
    for match in _LINK.finditer(text):
        url = _trim_link(match.group(1))
        if "://" in url and len(url) > url.index("://") + 3:
            found.append(Span(match.start(1), match.start(1) + len(url), LINK, url))
    for match in _MENTION.finditer(text):
        handle = match.group(1)
        found.append(Span(match.start(), match.start(1) + len(handle), MENTION, handle.lower()))
    for match in _TAG.finditer(text):
        tag = match.group(1).rstrip(_TRAILING)
        if tag and not tag.isdigit() and len(tag) <= MAX_TAG:
            found.append(Span(match.start(), match.start(1) + len(tag), TAG, tag))
    found.sort(key=lambda s: (s.start, -s.end))
    kept: list[Span] = []
    for span in found:
        if not kept or span.start >= kept[-1].end:
            kept.append(span)  # a #tag or @name inside a URL belongs to the URL
    return kept


def mentioned_handles(text: str) -> list[str]:
    return list(dict.fromkeys(s.value for s in spans(text) if s.kind == MENTION))


def facets(text: str, dids: Mapping[str, str]) -> list[dict[str, Any]]:
    """The ``facets`` of a post record; ``dids`` maps a mentioned handle to its DID (a mention
    without one is left as plain text)."""
    result: list[dict[str, Any]] = []
    for span in spans(text):
        if span.kind == LINK:
            feature: dict[str, Any] = {"$type": LINK, "uri": span.value}
        elif span.kind == MENTION:
            did = dids.get(span.value)
            if not did:
                continue
            feature = {"$type": MENTION, "did": did}
        else:
            feature = {"$type": TAG, "tag": span.value}
        start = len(text[: span.start].encode("utf-8"))
        end = start + len(text[span.start : span.end].encode("utf-8"))
        result.append({"index": {"byteStart": start, "byteEnd": end}, "features": [feature]})
    return result


def post_record(
    text: str,
    *,
    created_at: str,
    dids: Mapping[str, str],
    lang: str | None = None,
    reply: dict[str, Any] | None = None,
) -> dict[str, Any]:
    """An ``app.bsky.feed.post`` record, checked against the length limits first."""
    check_length(text)
    record: dict[str, Any] = {"$type": "app.bsky.feed.post", "text": text}
    found = facets(text, dids)
    if found:
        record["facets"] = found
    if lang:
        record["langs"] = [lang]
    if reply:
        record["reply"] = reply
    record["createdAt"] = created_at
    return record
