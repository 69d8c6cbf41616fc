"""The ingest boundary: every entry from every fetcher passes here before it is stored.

Fetchers map their wire format (feedparser entries, JSON Feed items, Mastodon statuses, and
the next network's posts) to ``NewPost`` inside a ``Batch``; the batch normalises each post and
skips, with a reason, the entries that cannot be mapped or have no identity. What comes out is
what the store and every renderer may rely on:

- text is valid Unicode without C0/C1 control characters (lone surrogates become U+FFFD; tab
  and newline stay in multi-line text, one-line fields get spaces);
- dates are plnctl's ISO form inside [1970-01-01, now + 1 day], else None (the post then sorts
  by when it was first seen, ``fetched_at``);
- URLs are absolute http(s), else None (links and lists drop them);
- sizes are capped (title, names, text, HTML, every list and its items).

Pure and cheap (one C-level regex scan per text field, no per-character Python): it runs in
the parser processes beside feedparser. ``source_updates`` (feed titles, profile fields) get
the same treatment from the sync engine via ``clean_source_updates``.
"""

from __future__ import annotations

import hashlib
import logging
import re
from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass, field, replace
from datetime import UTC, datetime, timedelta
from typing import Any, TypeVar

from plnctl.models import FetchOutcome, Media, NewPost
from plnctl.render.terminal import strip_escapes
from plnctl.urlkey import url_key

log = logging.getLogger(__name__)

T = TypeVar("T")

EARLIEST = "1970-01-01T00:00:00Z"
FUTURE_SLACK = timedelta(days=1)  # clocks and time zones: a post may be a little "ahead"
MAX_TITLE = 1_000
MAX_NAME = 300  # author, handles, categories, hashtags
MAX_TEXT = 200_000
MAX_HTML = 500_000
MAX_URL = 4_096
MAX_GUID = 1_024  # longer guids are replaced by their hash (still stable)
MAX_LANGUAGE = 35  # the longest sensible BCP 47 tag
MAX_ITEMS = 200  # categories, hashtags, links, mentions per post
MAX_LISTED = 10  # skipped entries named in the warning
KINDS = frozenset({"article", "status"})

# C0 controls but tab/LF/CR, DEL, C1, the two non-characters XML also forbids, lone surrogates.
_BAD = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\x7f-\x9f\ufffe\uffff\ud800-\udfff]")
_NOT_URL = "\x00-\x20\x7f-\x9f\ufffe\uffff\ud800-\udfff"  # controls, spaces, broken text
_URL = re.compile(
    rf"https?://(?:[^/?#@{_NOT_URL}]*@)?"  # scheme, user info
    rf"(?:\[[0-9a-f:.]+\]|[^\[\]/?#:@{_NOT_URL}]+)"  # host: [IPv6] or a name
    rf"(?::(\d{{1,5}}))?(?:[/?#][^{_NOT_URL}]*)?\Z",  # port, the rest
    re.IGNORECASE,
)
_BAD_LINE = re.compile("[\x00-\x1f\x7f-\x9f\u2028\u2029\ufffe\uffff\ud800-\udfff]")
_LINE_BREAKS = frozenset("\t\n\r\u2028\u2029")
_SURROGATE_LOW, _SURROGATE_HIGH = "\ud800", "\udfff"


class BadEntry(ValueError):
    """An entry that cannot be stored (no identity, wrong shape); the message says why."""


# --- fields ------------------------------------------------------------------------------


def _fix(match: re.Match[str]) -> str:
    char = match.group()
    if _SURROGATE_LOW <= char <= _SURROGATE_HIGH:
        return "\ufffd"
    return " " if char in _LINE_BREAKS else ""


def _cap(value: str, limit: int) -> str:
    return value if len(value) <= limit else value[: limit - 1].rstrip() + "…"


def clean_text(value: object, *, limit: int = MAX_TEXT) -> str | None:
    """Valid text without control characters, at most ``limit`` characters; None when empty or
    not text. Tabs and newlines stay (CR and CRLF become LF). One regex scan when clean."""
    if not isinstance(value, str) or not value:
        return None
    if _BAD.search(value) is not None:
        value = _BAD.sub(_fix, strip_escapes(value))
    if "\r" in value:
        value = value.replace("\r\n", "\n").replace("\r", "\n")
    return _cap(value, limit) or None


def clean_line(value: object, *, limit: int = MAX_NAME) -> str | None:
    """One line of text (a title, a name): as ``clean_text``, with line breaks and tabs made
    spaces and the ends stripped."""
    if not isinstance(value, str):
        return None
    plain = value.isascii() and value.isprintable()  # the fast path: ASCII without controls
    if not plain and _BAD_LINE.search(value) is not None:
        value = " ".join(_BAD_LINE.sub(_fix, strip_escapes(value)).split())
    return _cap(value.strip(), limit) or None


def clean_html(value: object) -> str | None:
    """Already-sanitised HTML: valid text, capped at a tag boundary (renderers sanitise again,
    so a tag left open by the cut is closed there)."""
    html = clean_text(value, limit=MAX_HTML + 1)
    if html is None or len(html) <= MAX_HTML:
        return html
    cut = html.rfind("<", 0, MAX_HTML)
    return html[: cut if cut > 0 else MAX_HTML]


def clean_url(value: object) -> str | None:
    """An absolute http(s) URL with a host (an IPv6 one in brackets), a port under 65536 and
    no spaces or control characters; else None. One regex match, no urlsplit: this runs for
    every link of every entry."""
    if not isinstance(value, str) or len(value) > MAX_URL:
        return None
    url = value.strip()
    match = _URL.match(url)
    if match is None or (match.group(1) and int(match.group(1)) > 65535):
        return None
    return url


def latest_date(reference: datetime | None = None) -> str:
    moment = (reference or datetime.now(UTC)) + FUTURE_SLACK
    return moment.astimezone(UTC).strftime("%Y-%m-%dT%H:%M:%SZ")


def clean_date(value: object, latest: str) -> str | None:
    """A stored-form date (``2026-11-28T16:42:53Z``) inside [1970-01-01, ``latest``]; None for
    anything else (year 1, year 9999, junk). The fixed form sorts as text, so no parsing."""
    if not isinstance(value, str) or len(value) != 20 or value[10] != "T" or value[-1] != "Z":
        return None
    if not EARLIEST <= value <= latest or not value[:4].isdigit():
        return None
    return value


def clean_guid(value: object) -> str | None:
    """A usable identity: one line of text; a very long one becomes its (stable) hash."""
    if isinstance(value, int) and not isinstance(value, bool):
        value = str(value)
    guid = clean_line(value, limit=10 * MAX_GUID)
    if guid is None:
        return None
    if len(guid) > MAX_GUID:
        return "sha256:" + hashlib.sha256(guid.encode()).hexdigest()[:32]
    return guid


def _lines(values: object, *, limit: int = MAX_NAME) -> tuple[str, ...]:
    if not isinstance(values, (tuple, list)):
        return ()
    out = (clean_line(v, limit=limit) for v in values[:MAX_ITEMS])
    return tuple(dict.fromkeys(v for v in out if v))


def _urls(values: object) -> tuple[str, ...]:
    if not isinstance(values, (tuple, list)):
        return ()
    # clean_url inlined: a post may have a hundred links, and the call was most of the cost.
    out = [
        u
        for u in values[:MAX_ITEMS]
        if isinstance(u, str)
        and len(u) <= MAX_URL
        and (m := _URL.match(u)) is not None
        and not (m.group(1) and int(m.group(1)) > 65535)
    ]
    return tuple(dict.fromkeys(out))


# --- posts -------------------------------------------------------------------------------


def normalize_post(post: NewPost, *, latest: str | None = None) -> NewPost:
    """The post as the store accepts it; BadEntry when it has no usable identity."""
    if not isinstance(post, NewPost):
        raise BadEntry("the fetcher made no post of it")
    guid = clean_guid(post.guid)
    if guid is None:
        raise BadEntry("it has no id, link or content to identify it")
    if post.kind not in KINDS:
        raise BadEntry(f"unknown kind of post {str(post.kind)[:20]!r}")
    latest = latest or latest_date()
    published = clean_date(post.published_at, latest)
    updated = clean_date(post.updated_at, latest)
    url = clean_url(post.url)
    return NewPost(  # not dataclasses.replace: building it directly costs a third
        guid=guid,
        url=url,
        title=clean_line(post.title, limit=MAX_TITLE),
        author=clean_line(post.author),
        published_at=published or updated,
        updated_at=updated,
        content_html=clean_html(post.content_html),
        content_text=clean_text(post.content_text),
        kind=post.kind,
        language=clean_line(post.language, limit=MAX_LANGUAGE),
        categories=_lines(post.categories),
        hashtags=_lines(post.hashtags),
        links=_urls(post.links),
        mentions=_lines(post.mentions),
        in_reply_to=clean_url(post.in_reply_to),
        boost_of_url=clean_url(post.boost_of_url),
        boost_of_handle=clean_line(post.boost_of_handle),
        edited_at=clean_date(post.edited_at, latest),
        media=_media(post.media),
        content_warning=clean_line(post.content_warning, limit=MAX_TITLE),
        in_reply_to_handle=clean_line(post.in_reply_to_handle),
        author_url=clean_url(post.author_url),
        link_key=url_key(url),  # what "the same link" means everywhere (grouping, merging)
        points_to=(points_to := clean_url(post.points_to)),
        points_to_key=url_key(points_to) if points_to else None,
        boosts=_count(post.boosts),
        replies=_count(post.replies),
    )


def _media(items: object) -> tuple[Media, ...]:
    """Enclosures with an http(s) URL; their text fields one clean line each."""
    if not isinstance(items, tuple | list):
        return ()
    kept = []
    for item in items[:MAX_ITEMS]:
        url = clean_url(item.url) if isinstance(item, Media) else None
        if url is None:
            continue
        kept.append(
            Media(
                url=url, type=clean_line(item.type), medium=clean_line(item.medium),
                length=_count(item.length), duration=_count(item.duration),
                title=clean_line(item.title, limit=MAX_TITLE), image=clean_url(item.image),
            )
        )  # fmt: skip
    return tuple(kept)


def _count(value: object) -> int | None:
    """A size or a duration SQLite can hold."""
    return value if isinstance(value, int) and 0 <= value < 2**63 else None


class Entries(tuple[NewPost, ...]):
    """Posts that passed ``normalize_post``: what a Batch hands out. The type survives the
    parser processes (pickle keeps it), so ``clean_outcome`` knows not to normalise them again
    and normalises every other fetcher's posts."""

    __slots__ = ()


@dataclass(frozen=True)
class Skipped:
    entry: str  # how the entry names itself (id, link, title or position), cleaned, short
    reason: str


@dataclass
class Batch:
    """The entries of one feed or timeline, mapped and normalised one by one.

    ``add(raw, to_post)`` returns the normalised post, or None when the entry was skipped
    (mapping raised, or it has no identity: named in ``warning()``), repeats a guid already
    added, or ``to_post`` returned None (the fetcher leaves it out on purpose)."""

    latest: str = field(default_factory=latest_date)
    posts: dict[str, NewPost] = field(default_factory=dict)
    skipped: list[Skipped] = field(default_factory=list)
    seen: int = 0  # entries offered, for naming one by its position

    def add(self, raw: object, to_post: Callable[[], NewPost | None]) -> NewPost | None:
        self.seen += 1
        try:
            mapped = to_post()
            if mapped is None:  # the fetcher's own choice (e.g. a pinned repeat): not an error
                return None
            post = normalize_post(mapped, latest=self.latest)
        except BadEntry as e:
            self._skip(raw, str(e))
            return None
        except Exception as e:  # the wire format held a surprise: skip this entry, keep the rest
            log.debug("skipping an entry that could not be mapped", exc_info=True)
            self._skip(raw, f"its fields have unexpected types or values ({type(e).__name__})")
            return None
        if post.guid in self.posts:
            return None
        self.posts[post.guid] = post
        return post

    def _skip(self, raw: object, reason: str) -> None:
        self.skipped.append(Skipped(describe(raw, self.seen), reason))

    @property
    def entries(self) -> Entries:
        return Entries(self.posts.values())

    def warning(self, other: str | None = None) -> str | None:
        """One line naming the skipped entries (joined to ``other``, a feed-level warning)."""
        if not self.skipped:
            return other
        count = len(self.skipped)
        named = "; ".join(f"{s.entry} ({s.reason})" for s in self.skipped[:MAX_LISTED])
        more = f"; and {count - MAX_LISTED} more" if count > MAX_LISTED else ""
        text = f"skipped {count} bad {'entry' if count == 1 else 'entries'}: {named}{more}"
        return f"{other}; {text}" if other else text


def map_entries(items: Iterable[T], to_post: Callable[[T], NewPost | None]) -> Batch:
    """Every item through ``to_post`` and the normaliser, in one Batch."""
    batch = Batch()
    for item in items:
        batch.add(item, lambda item=item: to_post(item))  # type: ignore[misc]
    return batch


_NAME_KEYS = ("id", "guid", "uri", "url", "link", "title")


def describe(raw: object, position: int) -> str:
    """How a skipped entry is named in a warning: its own id/link/title when it has a readable
    one (cleaned and shortened: it is untrusted text), else its position."""
    if isinstance(raw, (Mapping, NewPost)):
        for key in _NAME_KEYS:
            value = raw.get(key) if isinstance(raw, Mapping) else getattr(raw, key, None)
            if isinstance(value, int) and not isinstance(value, bool):
                value = str(value)
            text = clean_line(value, limit=80)
            if text:
                return repr(text)
    return f"entry {position}"


# --- source fields -------------------------------------------------------------------------

_SOURCE_URLS = frozenset({"site_url", "avatar_url", "url"})
_SOURCE_LINES = frozenset({"title", "display_name", "moved_to", "handle"})


def clean_source_updates(updates: Mapping[str, Any], *, latest: str | None = None) -> dict:
    """A fetcher's changes to its source (feed title, site, Mastodon profile) made as safe as
    post fields; other keys (state, cursor, flags) pass unchanged."""
    out = dict(updates)
    for key, value in updates.items():
        if key in _SOURCE_URLS and value is not None:
            out[key] = clean_url(value)
        elif key in _SOURCE_LINES and value is not None:
            out[key] = clean_line(value, limit=MAX_TITLE)
        elif key == "profile_fields":
            out[key] = clean_profile_fields(value, latest=latest)
    if "url" in out and out["url"] is None:
        del out["url"]  # never blank a source's own URL
    return out


def clean_outcome(outcome: FetchOutcome) -> FetchOutcome:
    """The sync engine's last look at any fetcher's outcome before it is stored: posts that did
    not come out of a Batch are normalised (a bad one skipped and named in the warning), source
    fields cleaned, error and warning made one line of plain text."""
    posts, warning = outcome.posts, outcome.warning
    if (
        outcome.error is None
        and warning is None
        and not outcome.source_updates
        and (not posts or isinstance(posts, Entries))
    ):
        return outcome  # nothing to clean: most outcomes (a 304, a parsed feed without news)
    if posts and not isinstance(posts, Entries):
        batch = Batch()
        for post in posts:
            batch.add(post, lambda post=post: post)  # type: ignore[misc]
        posts, warning = batch.entries, batch.warning(warning)
    updates = outcome.source_updates
    return replace(
        outcome,
        posts=posts,
        source_updates=clean_source_updates(updates) if updates else updates,
        error=clean_line(outcome.error, limit=MAX_TITLE) if outcome.error else outcome.error,
        warning=clean_line(warning, limit=2 * MAX_TITLE) if warning else None,
    )


def clean_profile_fields(value: object, *, latest: str | None = None) -> list[dict[str, Any]]:
    """A Mastodon profile's fields (name, value, url, verified_at), each made safe."""
    latest = latest or latest_date()
    if not isinstance(value, (list, tuple)):
        return []
    return [
        {
            "name": clean_line(item.get("name")),
            "value": clean_line(item.get("value"), limit=MAX_TITLE),
            "url": clean_url(item.get("url")),
            "verified_at": clean_date(item.get("verified_at"), latest),
        }
        for item in value[:MAX_ITEMS]
        if isinstance(item, Mapping)
    ]
