"""Pure mapping of Mastodon API JSON (Account, Status) to plnctl's plain data.

Entity docs: https://docs.joinmastodon.org/entities/Account/ and .../entities/Status/.
Nothing here does I/O, so it is tested with small recorded JSON bodies.
"""

from __future__ import annotations

import html as htmllib
import re
from datetime import UTC, datetime
from typing import Any

from plnctl import ingest
from plnctl.fetchers.content import (
    extract_hashtags,
    extract_links,
    first_line_title,
    html_to_text,
    sanitize_html,
)
from plnctl.fetchers.mastodon.addresses import Address, qualify
from plnctl.fetchers.media import clean_line, status_media
from plnctl.models import NewPost
from plnctl.timeutil import from_iso, to_iso

_OPT_OUT = re.compile(r"(?<![\w#])#(nobot|noindex)\b", re.IGNORECASE)


def iso(value: Any) -> str | None:
    """Mastodon timestamps (``...Z`` with ms, or ``+00:00`` with µs) -> plnctl's ISO form."""
    if not value or not isinstance(value, str):
        return None
    try:
        return to_iso(from_iso(value))
    except (ValueError, OverflowError):
        return None


def id_key(status_id: str) -> tuple[int, str]:
    """Mastodon ids are numeric strings: compare by length, then text."""
    return (len(status_id), status_id)


def opted_out(account: dict[str, Any]) -> bool:
    """``noindex`` set, or ``#nobot``/``#noindex`` in the bio (``indexable`` is Mastodon's own
    opt-in to its search and false by default, so it is not an opt-out signal here)."""
    if account.get("noindex") is True:
        return True
    note = account.get("note")
    return bool(_OPT_OUT.search(html_to_text(note if isinstance(note, str) else "")))


def profile_fields(account: dict[str, Any]) -> list[dict[str, Any]]:
    """Name, text value, the link it holds, and ``verified_at`` (a verified rel=me link)."""
    result = []
    for item in account.get("fields") or ():
        if not isinstance(item, dict):
            continue
        value_html = _text(item.get("value"))
        links = extract_links(value_html)
        result.append(
            {
                "name": html_to_text(_text(item.get("name"))),
                "value": html_to_text(value_html),
                "url": links[0] if links else None,
                "verified_at": iso(item.get("verified_at")),
            }
        )
    return result


def account_fields(account: dict[str, Any], address: Address) -> dict[str, Any]:
    """Source columns from an Account looked up on its home instance."""
    display_name = ingest.clean_line(account.get("display_name"))
    moved = account.get("moved")
    moved_to = None
    if isinstance(moved, dict) and moved.get("acct"):
        moved_to = "@" + qualify(str(moved["acct"]), address.host)
    return {
        "handle": address.handle,
        "remote_id": str(account["id"]),
        "display_name": display_name,
        "title": display_name or address.handle,
        "avatar_url": ingest.clean_url(account.get("avatar")),
        "profile_fields": ingest.clean_profile_fields(profile_fields(account)),
        "bot": bool(account.get("bot")),
        "noindex": opted_out(account),
        "moved_to": moved_to,
    }


def _media_html(status: dict[str, Any]) -> str:
    parts = []
    for media in status.get("media_attachments") or ():
        url = (media.get("url") or media.get("remote_url")) if isinstance(media, dict) else None
        if not url or not isinstance(url, str):
            continue
        label = media.get("description") or media.get("type") or "attachment"
        parts.append(
            f'<p><a href="{htmllib.escape(url, quote=True)}">'
            f"[{htmllib.escape(str(media.get('type') or 'media'))}] {htmllib.escape(label)}</a></p>"
        )
    return "".join(parts)


def _reply_handle(status: dict[str, Any], address: Address) -> str | None:
    """``@user@host`` of the account a reply answers (itself for a thread, else a mention)."""
    reply_account = status.get("in_reply_to_account_id")
    if not status.get("in_reply_to_id") or not reply_account:
        return None
    account = status.get("account") or {}
    if str(reply_account) == str(account.get("id")) and account.get("acct"):
        return "@" + qualify(str(account["acct"]), address.host)
    for mention in status.get("mentions") or ():
        if str(mention.get("id")) == str(reply_account) and mention.get("acct"):
            return "@" + qualify(str(mention["acct"]), address.host)
    return None


def _in_reply_to(status: dict[str, Any], address: Address) -> str | None:
    reply_id = status.get("in_reply_to_id")
    if not reply_id:
        return None
    reply_account = status.get("in_reply_to_account_id")
    account = status.get("account") or {}
    if reply_account and str(reply_account) == str(account.get("id")):
        return f"{address.base_url}/@{account.get('acct') or address.username}/{reply_id}"
    for mention in status.get("mentions") or ():
        if reply_account and str(mention.get("id")) == str(reply_account):
            return f"{address.base_url}/@{mention.get('acct')}/{reply_id}"
    return f"{address.base_url}/api/v1/statuses/{reply_id}"


def status_guid(status: dict[str, Any]) -> str:
    """Own statuses: the web URL, as in the account's RSS feed, so switching between the API and
    the RSS fallback never duplicates a post. A boost has no URL of its own: its URI."""
    boosted = isinstance(status.get("reblog"), dict)
    return str((status.get("url") if not boosted else None) or status.get("uri") or status["id"])


def _outbound_links(original: dict[str, Any], clean: str, url: str | None) -> tuple[str, ...]:
    """Links in a status other than its mentions' profiles, its hashtags' pages and itself."""
    profile_links = {m.get("url") for m in original.get("mentions") or ()}
    tag_links = {t.get("url") for t in original.get("tags") or ()}
    return tuple(
        u
        for u in extract_links(clean, url)
        if u not in profile_links and u not in tag_links and u != url
    )


def _points_to(original: dict[str, Any], url: str | None, address: Address) -> str | None:
    """What a status is about (issue 12): its link card, else its one link in the text that
    is not a mention, a hashtag or a media attachment; None when it has none or several."""
    card = original.get("card")
    if isinstance(card, dict) and isinstance(card.get("url"), str) and card["url"]:
        return str(card["url"])
    text = sanitize_html(original.get("content") or "", base_url=url or address.base_url)
    attached = original.get("media_attachments")
    attached = attached if isinstance(attached, list) else []
    media = {m.get(k) for m in attached if isinstance(m, dict) for k in ("url", "remote_url")}
    links = [u for u in _outbound_links(original, text, url) if u not in media]
    return links[0] if len(links) == 1 else None


def _count(value: object) -> int | None:
    return value if isinstance(value, int) and not isinstance(value, bool) else None


def status_to_post(status: dict[str, Any], address: Address) -> NewPost:
    """One Status from ``address``'s instance -> NewPost (a boost keeps the original's content,
    URL and author in boost_of_*; its guid and date are the boost's own)."""
    boosted = status.get("reblog") if isinstance(status.get("reblog"), dict) else None
    original = boosted or status
    url = original.get("url") or original.get("uri")
    author = original.get("account") or {}
    raw = (original.get("content") or "") + _media_html(original)
    clean = sanitize_html(raw, base_url=url or address.base_url)
    text = html_to_text(clean)
    # A content warning stays a warning: out of the text and the title, for the reader to fold.
    spoiler = clean_line(original.get("spoiler_text"))
    tags = [str(t.get("name") or "").lower() for t in original.get("tags") or ()]
    hashtags = tuple(dict.fromkeys([t for t in tags if t] + list(extract_hashtags(text))))
    mentions = tuple(
        qualify(str(m["acct"]), address.host)
        for m in original.get("mentions") or ()
        if m.get("acct")
    )
    guid = status_guid(status)
    edited = iso(original.get("edited_at"))
    return NewPost(
        guid=guid,
        url=url,
        title=None if spoiler else first_line_title(text),
        author=(author.get("display_name") or "").strip() or author.get("acct") or None,
        published_at=iso(status.get("created_at")),
        updated_at=edited,
        content_html=clean or None,
        content_text=text or None,
        kind="status",
        language=original.get("language") or None,
        hashtags=hashtags,
        links=_outbound_links(original, clean, url),
        mentions=mentions,
        in_reply_to=_in_reply_to(original, address) if not boosted else None,
        boost_of_url=url if boosted else None,
        boost_of_handle="@" + qualify(str(author.get("acct") or ""), address.host)
        if boosted and author.get("acct")
        else None,
        edited_at=edited,
        media=status_media(original, url or address.base_url),
        content_warning=spoiler,
        in_reply_to_handle=_reply_handle(original, address) if not boosted else None,
        author_url=author.get("url") or None,
        points_to=_points_to(original, url, address),
        boosts=_count(original.get("reblogs_count")),
        replies=_count(original.get("replies_count")),
    )


def status_summary(status: dict[str, Any], host: str) -> dict[str, Any]:
    """The plain fields the questions feature needs from a Status (see the package docs)."""
    account = status.get("account")
    account = account if isinstance(account, dict) else {}
    url = ingest.clean_url(status.get("url")) or ingest.clean_url(status.get("uri"))
    clean = ingest.clean_html(
        sanitize_html(ingest.clean_text(status.get("content")) or "", base_url=url)
    )
    latest = ingest.latest_date()
    return {
        "id": str(status.get("id")),
        "url": url,
        "uri": ingest.clean_line(status.get("uri"), limit=ingest.MAX_URL),
        "account": {
            "id": str(account.get("id")) if account.get("id") is not None else None,
            "acct": ingest.clean_line(
                qualify(str(account.get("acct") or account.get("username") or ""), host)
            )
            or "",
            "display_name": ingest.clean_line(account.get("display_name")),
            "url": ingest.clean_url(account.get("url")),
        },
        "content_html": clean or "",
        "content_text": ingest.clean_text(html_to_text(clean)) or "",
        "created_at": ingest.clean_date(iso(status.get("created_at")), latest),
        "edited_at": ingest.clean_date(iso(status.get("edited_at")), latest),
        "in_reply_to_id": _str_or_none(status.get("in_reply_to_id")),
        "in_reply_to_account_id": _str_or_none(status.get("in_reply_to_account_id")),
        "visibility": status.get("visibility"),
    }


def _text(value: Any) -> str:
    """A field that should hold text (HTML): anything else reads as empty."""
    return value if isinstance(value, str) else ""


def _str_or_none(value: Any) -> str | None:
    return None if value is None else str(value)


def parse_rate_limit_reset(value: str | None, now: datetime) -> float | None:
    """Seconds until an ``X-RateLimit-Reset``: ISO 8601 (real Mastodon) or epoch seconds."""
    if not value or not value.strip():
        return None
    text = value.strip()
    try:
        number = float(text)
    except ValueError:
        try:
            moment = from_iso(text)
        except ValueError:
            return None
        if moment is None:
            return None
        return max(0.0, (moment - now).total_seconds())
    if number > 1e9:  # an epoch timestamp, not a delta
        return max(0.0, number - now.timestamp())
    return max(0.0, number)


def utcnow() -> datetime:
    return datetime.now(UTC)
