"""How a post's media reads in every format: "Listen", "Watch", with duration and size: pure."""

from __future__ import annotations

from plnctl.models import Media
from plnctl.render.sanitize import safe_url

VERBS = {"audio": "Listen", "video": "Watch", "image": "View"}


def verb(media: Media) -> str:
    return VERBS.get(media.medium or "", "Download")


def duration(seconds: int | None) -> str | None:
    if not seconds:
        return None
    hours, rest = divmod(int(seconds), 3600)
    minutes, secs = divmod(rest, 60)
    return f"{hours}:{minutes:02d}:{secs:02d}" if hours else f"{minutes}:{secs:02d}"


def size(length: int | None) -> str | None:
    if not length or length < 1024:
        return None
    if length < 1024 * 1024:
        return f"{length / 1024:.0f} KB"
    return f"{length / (1024 * 1024):.1f} MB"


def details(media: Media) -> str:
    """``audio/mpeg, 1:02:03, 11.8 MB`` (the parts that are known)."""
    parts = [media.type or media.medium, duration(media.duration), size(media.length)]
    return ", ".join(p for p in parts if p)


def playable(items: tuple[Media, ...]) -> tuple[Media, ...]:
    """The media worth a link of their own (with a safe URL)."""
    return tuple(m for m in items if safe_url(m.url))


def line(media: Media) -> str:
    """``Listen: https://... (audio/mpeg, 1:02:03)`` for text formats."""
    extra = details(media)
    label = f"{verb(media)}: {media.url}"
    return f"{label} ({extra})" if extra else label
