"""Enclosures and media of a feed entry or a Mastodon status -> ``Media`` (plain data): pure.

Sources: RSS ``<enclosure>`` and Atom ``<link rel="enclosure">`` (feedparser's ``links``), Media
RSS ``media:content``/``media:thumbnail`` (YouTube's ``media:group``), ``itunes:duration`` and
``itunes:image``, and Mastodon ``media_attachments``. Only absolute http(s) URLs are kept, at most
``MAX_MEDIA`` per post, each once.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Mapping
from typing import Any

from plnctl.fetchers.content import join_url
from plnctl.models import Media

MAX_MEDIA = 20
MAX_URL = 2048  # longer is not a media link but an attack or a data blob
_CONTROL = re.compile(r"[\x00-\x1f\x7f-\x9f]")
_MIME = re.compile(r"^[A-Za-z0-9][\w.+-]*/[\w.+-]+$")
_MEDIUMS = ("audio", "video", "image")
_CLOCK = re.compile(r"^(?:(\d{1,3}):)?(\d{1,2}):(\d{1,2})(?:\.\d+)?$")
_FLASH = "application/x-shockwave-flash"  # YouTube's embed player: the entry link is the video


def _url(value: Any, base: str) -> str | None:
    if not isinstance(value, str) or not value.strip():
        return None
    try:
        joined = join_url(base, value.strip())
    except ValueError:
        return None
    if len(joined) > MAX_URL or _CONTROL.search(joined):
        return None
    return joined if joined.lower().startswith(("http://", "https://")) else None


def _int(value: Any) -> int | None:
    text = str(value).strip() if value is not None else ""
    if not text.isdigit() or len(text) > 15:
        return None
    return int(text) or None


def parse_duration(value: Any) -> int | None:
    """``itunes:duration`` / ``media:content@duration``: seconds, ``MM:SS`` or ``HH:MM:SS``."""
    if value is None:
        return None
    text = str(value).strip()
    if text.isdigit():
        return _int(text)
    match = _CLOCK.match(text)
    if not match:
        try:
            seconds = float(text)
        except ValueError:
            return None
        return int(seconds) if 0 < seconds < 1e9 else None
    hours, minutes, seconds = (int(g) if g else 0 for g in match.groups())
    return hours * 3600 + minutes * 60 + seconds or None


def medium_of(mime: str | None, given: str | None = None) -> str:
    """audio | video | image | other, from Media RSS's ``medium`` or the MIME type."""
    if given and given.lower() in _MEDIUMS:
        return given.lower()
    major = (mime or "").split("/", 1)[0].lower()
    return major if major in _MEDIUMS else "other"


def entry_media(entry: Mapping[str, Any], *, link: str | None, base: str) -> tuple[Media, ...]:
    """The media of one feedparser entry: enclosures first, then Media RSS content."""
    image = _entry_image(entry, base)
    duration = parse_duration(entry.get("itunes_duration"))
    found: list[Media] = []
    for item in entry.get("links") or ():
        if isinstance(item, Mapping) and item.get("rel") == "enclosure":
            url = _url(item.get("href"), base)
            if url:
                mime = _mime(item.get("type"))
                found.append(
                    Media(url, mime, medium_of(mime), _int(item.get("length")), duration, None,
                          image)
                )  # fmt: skip
    title = clean_line(entry.get("media_title")) or None
    for item in entry.get("media_content") or ():
        if not isinstance(item, Mapping):
            continue
        mime = _mime(item.get("type"))
        url = _url(item.get("url"), base)
        if mime == _FLASH and link:
            url, mime = link, "text/html"
            medium = "video"
        else:
            medium = medium_of(mime, clean_line(item.get("medium")))
        if url:
            seconds = parse_duration(item.get("duration")) or duration
            length = _int(item.get("filesize") or item.get("fileSize"))
            found.append(Media(url, mime, medium, length, seconds, title, image))
    return unique(found)


def _entry_image(entry: Mapping[str, Any], base: str) -> str | None:
    image = entry.get("image")
    if isinstance(image, Mapping):
        url = _url(image.get("href") or image.get("url"), base)
        if url:
            return url
    for thumb in entry.get("media_thumbnail") or ():
        if isinstance(thumb, Mapping):
            url = _url(thumb.get("url"), base)
            if url:
                return url
    return None


def status_media(status: Mapping[str, Any], base: str) -> tuple[Media, ...]:
    """A Mastodon status's ``media_attachments`` (https://docs.joinmastodon.org/entities/MediaAttachment/)."""
    found = []
    for item in status.get("media_attachments") or ():
        if not isinstance(item, Mapping):
            continue
        url = _url(item.get("url") or item.get("remote_url"), base)
        if not url:
            continue
        kind = clean_line(item.get("type")) or ""
        medium = {"gifv": "video"}.get(kind, kind if kind in _MEDIUMS else "other")
        meta = item.get("meta")
        original = meta.get("original") if isinstance(meta, Mapping) else None
        duration = original.get("duration") if isinstance(original, Mapping) else None
        seconds = int(duration) if isinstance(duration, (int, float)) and duration > 0 else None
        preview = _url(item.get("preview_url"), base)
        found.append(
            Media(url, None, medium, None, seconds, clean_line(item.get("description")),
                  preview if preview != url else None)
        )  # fmt: skip
    return unique(found)


def unique(media: Iterable[Media]) -> tuple[Media, ...]:
    """Each URL once (an enclosure is often repeated as media:content), at most MAX_MEDIA."""
    seen: dict[str, Media] = {}
    for item in media:
        if item.url not in seen and len(seen) < MAX_MEDIA:
            seen[item.url] = item
    return tuple(seen.values())


def clean_line(value: Any) -> str | None:
    """Plain text from a feed: control characters (terminal escapes) out, at most 500."""
    if value is None or isinstance(value, (dict, list)):
        return None
    return " ".join(_CONTROL.sub(" ", str(value)).split())[:500] or None


def _mime(value: Any) -> str | None:
    text = clean_line(value)
    return text.lower() if text and len(text) <= 100 and _MIME.match(text) else None
