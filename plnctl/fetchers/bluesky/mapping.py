"""Pure mapping of Bluesky AppView JSON (lexicons app.bsky.feed.defs, app.bsky.embed.*,
app.bsky.richtext.facet) to plnctl's plain data. No I/O: tested with small JSON documents.
"""

from __future__ import annotations

import html as htmllib
import re
from typing import Any

from plnctl.fetchers.bluesky.addresses import parse_at_uri, post_url, profile_url
from plnctl.fetchers.content import first_line_title, html_to_text, sanitize_html
from plnctl.models import NewPost
from plnctl.timeutil import from_iso, to_iso

NO_UNAUTHENTICATED = "!no-unauthenticated"
REPOST = "app.bsky.feed.defs#reasonRepost"
PIN = "app.bsky.feed.defs#reasonPin"


# What the AppView writes (``2026-11-30T08:00:00.000Z``): taken as it is, no parsing; a
# 100-post page is read on every sync, so this is most of an incremental sync's mapping cost.
_PLAIN_UTC = re.compile(r"(\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d)(?:\.\d{1,9})?Z", re.ASCII)
_MILLIS_UTC = re.compile(r"\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{3}Z", re.ASCII)
# A page's feed times, one a line, each in that form with a year in [1970, 2999] (iso's fast
# path): checked in one scan instead of one regex call per item (item_keys).
_MILLIS_YEAR = r"(?:19[7-9]\d|2\d{3})-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{3}Z"
_MILLIS_LINES = re.compile(rf"(?:{_MILLIS_YEAR}\n)*{_MILLIS_YEAR}", re.ASCII)


def iso(value: Any) -> str | None:
    if not isinstance(value, str) or not value:
        return None
    if _MILLIS_UTC.fullmatch(value) and "1970" <= value[:4] <= "2999":
        return value[:19] + "Z"  # the AppView's own form (one anchored match, no group)
    plain = _PLAIN_UTC.fullmatch(value)
    if plain is not None and "1970" <= value[:4] <= "2999":
        return plain.group(1) + "Z"
    try:
        return to_iso(from_iso(value))
    except (ValueError, OverflowError):
        return None


def _dict(value: Any) -> dict[str, Any]:
    return value if isinstance(value, dict) else {}


def _list(value: Any) -> list[Any]:
    return value if isinstance(value, list) else []


def withheld(profile: Any) -> bool:
    """The account asks logged-out clients not to show its content (a self-label)."""
    return any(
        _dict(label).get("val") == NO_UNAUTHENTICATED
        for label in _list(_dict(profile).get("labels"))
    )


def display_name(profile: Any) -> str | None:
    name = _dict(profile).get("displayName")
    return name.strip() or None if isinstance(name, str) else None


def profile_fields(profile: dict[str, Any]) -> dict[str, Any]:
    """Source columns from a profile view (the DID is the identity; the handle is shown)."""
    handle = str(profile.get("handle") or "")
    name = display_name(profile)
    avatar = profile.get("avatar")
    website = profile.get("website")
    return {
        "handle": "@" + handle if handle else None,
        "remote_id": str(profile.get("did") or ""),
        "display_name": name,
        "title": name or ("@" + handle if handle else None),
        "avatar_url": avatar if isinstance(avatar, str) and avatar.startswith("https://") else None,
        "site_url": website
        if isinstance(website, str) and website.startswith(("https://", "http://"))
        else None,
        "withheld": withheld(profile),
    }


def web_url(uri: str, handle: str | None = None) -> str | None:
    """``at://did/app.bsky.feed.post/RKEY`` -> ``https://bsky.app/profile/HANDLE/post/RKEY``."""
    try:
        parsed = parse_at_uri(uri)
    except Exception:
        return None
    if parsed.collection != "app.bsky.feed.post":
        return None
    return post_url(handle or parsed.repo, parsed.rkey)


def _facet_spans(text_bytes: bytes, facets: Any) -> list[tuple[int, int, dict[str, Any]]]:
    """Facets as (start, end, feature), UTF-8 byte offsets; out-of-range, misaligned and
    overlapping ones are dropped (the text stays, unlinked)."""
    spans = []
    for facet in _list(facets):
        index = _dict(_dict(facet).get("index"))
        start, end = index.get("byteStart"), index.get("byteEnd")
        features = [f for f in _list(_dict(facet).get("features")) if isinstance(f, dict)]
        if not (isinstance(start, int) and isinstance(end, int) and features):
            continue
        if not 0 <= start < end <= len(text_bytes):
            continue
        try:
            text_bytes[start:end].decode("utf-8")
            text_bytes[:start].decode("utf-8")
        except UnicodeDecodeError:
            continue  # not on a character boundary
        spans.append((start, end, features[0]))
    spans.sort(key=lambda span: span[0])
    kept: list[tuple[int, int, dict[str, Any]]] = []
    for span in spans:
        if kept and span[0] < kept[-1][1]:
            continue
        kept.append(span)
    return kept


def _escape(text: str) -> str:
    return htmllib.escape(text).replace("\n", "<br>")


def rich_text(text: str, facets: Any) -> tuple[str, list[str], list[str], list[str]]:
    """Post text with its facets -> (HTML, links, hashtags, mentioned DIDs)."""
    data = text.encode("utf-8")
    parts: list[str] = []
    links: list[str] = []
    tags: list[str] = []
    mentions: list[str] = []
    position = 0
    for start, end, feature in _facet_spans(data, facets):
        parts.append(_escape(data[position:start].decode("utf-8")))
        label = _escape(data[start:end].decode("utf-8"))
        kind = str(feature.get("$type") or "")
        href = None
        if kind.endswith("#link") and isinstance(feature.get("uri"), str):
            if feature["uri"].startswith(("https://", "http://")):
                href = feature["uri"]
                links.append(href)
        elif kind.endswith("#mention") and isinstance(feature.get("did"), str):
            href = profile_url(feature["did"])
            mentions.append(feature["did"])
        elif kind.endswith("#tag") and isinstance(feature.get("tag"), str):
            tag = feature["tag"].lstrip("#").lower()
            if tag:
                tags.append(tag)
                href = f"https://bsky.app/hashtag/{htmllib.escape(tag, quote=True)}"
        parts.append(f'<a href="{htmllib.escape(href, quote=True)}">{label}</a>' if href else label)
        position = end
    parts.append(_escape(data[position:].decode("utf-8")))
    return "".join(parts), links, tags, mentions


def _images_html(view: dict[str, Any]) -> str:
    out = []
    for image in _list(view.get("images")):
        image = _dict(image)
        alt = str(image.get("alt") or "").strip() or "image without a description"
        out.append(f"<p>[image] {htmllib.escape(alt)}</p>")
    return "".join(out)


def _video_html(view: dict[str, Any]) -> str:
    alt = str(view.get("alt") or "").strip() or "video without a description"
    return f"<p>[video] {htmllib.escape(alt)}</p>"


def _external_html(view: dict[str, Any], links: list[str]) -> str:
    external = _dict(view.get("external"))
    uri = external.get("uri")
    if not isinstance(uri, str) or not uri.startswith(("https://", "http://")):
        return ""
    links.append(uri)
    title = htmllib.escape(str(external.get("title") or uri))
    description = htmllib.escape(str(external.get("description") or ""))
    card = f'<p><a href="{htmllib.escape(uri, quote=True)}">{title}</a></p>'
    return card + (f"<p>{description}</p>" if description else "")


def _quote_html(view: dict[str, Any], links: list[str]) -> str:
    record = _dict(view.get("record"))
    kind = str(record.get("$type") or "")
    if record.get("notFound") or kind.endswith("#viewNotFound"):
        return "<blockquote><p>(the quoted post was deleted)</p></blockquote>"
    if record.get("blocked") or kind.endswith("#viewBlocked"):
        return "<blockquote><p>(the quoted post is blocked)</p></blockquote>"
    if record.get("detached") or kind.endswith("#viewDetached"):
        return "<blockquote><p>(the quote was removed by its author)</p></blockquote>"
    if not kind.endswith("#viewRecord"):
        return ""  # a feed generator, list, labeler or starter pack: nothing to quote
    author = _dict(record.get("author"))
    if withheld(author):
        return "<blockquote><p>(a quoted post shown only to logged-in readers)</p></blockquote>"
    value = _dict(record.get("value"))
    body, _, _, _ = rich_text(str(value.get("text") or ""), value.get("facets"))
    url = web_url(str(record.get("uri") or ""), author.get("handle"))
    if url:
        links.append(url)
    who = htmllib.escape("@" + str(author.get("handle") or "someone"))
    link = f' (<a href="{htmllib.escape(url, quote=True)}">post</a>)' if url else ""
    return f"<blockquote><p>Quoting {who}{link}:</p><p>{body}</p></blockquote>"


def embed_html(embed: Any, links: list[str]) -> str:
    view = _dict(embed)
    kind = str(view.get("$type") or "")
    if kind.startswith("app.bsky.embed.images"):
        return _images_html(view)
    if kind.startswith("app.bsky.embed.video"):
        return _video_html(view)
    if kind.startswith("app.bsky.embed.external"):
        return _external_html(view, links)
    if kind.startswith("app.bsky.embed.recordWithMedia"):
        return embed_html(view.get("media"), links) + _quote_html(_dict(view.get("record")), links)
    if kind.startswith("app.bsky.embed.record"):
        return _quote_html(view, links)
    return ""


def _reply_parent(item: dict[str, Any], record: dict[str, Any]) -> str | None:
    parent = _dict(_dict(item.get("reply")).get("parent"))
    if parent.get("uri"):
        handle = _dict(parent.get("author")).get("handle")
        return web_url(str(parent["uri"]), handle if isinstance(handle, str) else None)
    uri = _dict(_dict(record.get("reply")).get("parent")).get("uri")
    return web_url(uri) if isinstance(uri, str) else None


def item_key(item: dict[str, Any]) -> tuple[str, str | None]:
    """A feed item's guid and its time in the author's feed, in one look (every item of every
    page read needs both: paging, the deletion span, the listing).

    The guid is the post's at-URI; a repost's is its own record URI (or, from older AppViews,
    a stable stand-in). The time is the repost's, else the post's creation."""
    post = _dict(item.get("post"))
    reason = item.get("reason")
    if isinstance(reason, dict) and reason.get("$type") == REPOST:
        uri = reason.get("uri")
        if not uri:
            by = _dict(reason.get("by")).get("did") or "someone"
            uri = f"{post.get('uri')}#repost-by-{by}"
        return str(uri), iso(reason.get("indexedAt"))
    record = post.get("record")
    created = record.get("createdAt") if isinstance(record, dict) else None
    return str(post.get("uri") or ""), iso(created) or iso(post.get("indexedAt"))


def _raw_key(item: dict[str, Any]) -> tuple[str, object]:
    """item_key before the time is checked: the guid and the time as written."""
    post = _dict(item.get("post"))
    reason = item.get("reason")
    if isinstance(reason, dict) and reason.get("$type") == REPOST:
        return item_key(item)[0], reason.get("indexedAt")
    record = post.get("record")
    return str(post.get("uri") or ""), record.get("createdAt") if isinstance(record, dict) else None


def item_keys(items: list[dict[str, Any]]) -> list[tuple[str, str | None]]:
    """``item_key`` of every item of a page. A page whose times are all the AppView's own form
    is checked in one regex scan (an incremental sync reads ~100 items for every new one);
    any other page goes item by item."""
    raw = [_raw_key(item) for item in items]
    try:
        lines = "\n".join([stamp for _, stamp in raw])  # type: ignore[misc]
    except TypeError:  # a time that is not text
        lines = ""
    # One line per item (a time with a line break in it is no time): 24 characters each.
    if len(lines) != 25 * len(raw) - 1 or _MILLIS_LINES.fullmatch(lines) is None:
        return [item_key(item) for item in items]
    return [(guid, stamp[:19] + "Z") for guid, stamp in raw]  # type: ignore[index]


def feed_item_to_post(item: dict[str, Any]) -> NewPost | None:
    """One ``feedViewPost`` -> NewPost; None for a pin or a post whose author withholds it."""
    post = _dict(item.get("post"))
    reason = _dict(item.get("reason"))
    if reason.get("$type") == PIN or not post.get("uri"):
        return None
    author = _dict(post.get("author"))
    if withheld(author):
        return None
    record = _dict(post.get("record"))
    raw_text = record.get("text")
    text = raw_text if isinstance(raw_text, str) else ""
    body, links, tags, mention_dids = rich_text(text, record.get("facets"))
    html = f"<p>{body}</p>" if body else ""
    points_to = _points_to(post.get("embed"), links)
    html += embed_html(post.get("embed"), links)
    handle = str(author.get("handle") or "")
    url = web_url(str(post["uri"]), handle or None)
    clean = sanitize_html(html, base_url=url)
    extra_tags = [
        str(t).lstrip("#").lower() for t in _list(record.get("tags")) if isinstance(t, str)
    ]
    langs = [lang for lang in _list(record.get("langs")) if isinstance(lang, str)]
    reposted = reason.get("$type") == REPOST
    guid, published = item_key(item)
    return NewPost(
        guid=guid,
        url=url,
        title=first_line_title(text),  # as for Mastodon: the first line, not "(untitled)"
        author=display_name(author) or ("@" + handle if handle else None),
        published_at=published,
        content_html=clean or None,
        content_text=html_to_text(clean) or None,
        kind="status",
        language=langs[0] if langs else None,
        hashtags=tuple(dict.fromkeys(t for t in tags + extra_tags if t)),
        links=tuple(dict.fromkeys(link for link in links if link != url)),
        mentions=tuple(dict.fromkeys(mention_dids)),
        in_reply_to=None if reposted else _reply_parent(item, record),
        boost_of_url=url if reposted else None,
        boost_of_handle=("@" + handle) if reposted and handle else None,
        points_to=points_to,
        boosts=_count(post.get("repostCount")),
        replies=_count(post.get("replyCount")),
    )


def _points_to(embed: Any, text_links: list[str]) -> str | None:
    """What a post is about (issue 12): its link card, else its one link in the text."""
    view = _dict(embed)
    if str(view.get("$type") or "").startswith("app.bsky.embed.external"):
        uri = _dict(view.get("external")).get("uri")
        if isinstance(uri, str) and uri:
            return uri
    unique = list(dict.fromkeys(text_links))
    return unique[0] if len(unique) == 1 else None


def _count(value: object) -> int | None:
    return value if isinstance(value, int) and not isinstance(value, bool) else None


def thread_replies(thread: Any) -> list[dict[str, Any]]:
    """Every post below a ``threadViewPost`` (depth first, thread order), as postViews;
    not-found and blocked replies are skipped."""
    found: list[dict[str, Any]] = []
    stack = list(reversed(_list(_dict(thread).get("replies"))))
    while stack:
        node = _dict(stack.pop())
        post = _dict(node.get("post"))
        if post.get("uri"):
            found.append(post)
            stack.extend(reversed(_list(node.get("replies"))))
    return found


def post_view_summary(post: dict[str, Any]) -> dict[str, Any]:
    """The plain fields the questions feature needs from a postView."""
    author = _dict(post.get("author"))
    record = _dict(post.get("record"))
    raw = record.get("text")
    text = raw if isinstance(raw, str) else ""
    body, _, _, _ = rich_text(text, record.get("facets"))
    handle = str(author.get("handle") or "")
    uri = str(post.get("uri") or "")
    return {
        "uri": uri,
        "url": web_url(uri, handle or None),
        "author_did": str(author.get("did") or ""),
        "author_handle": "@" + handle if handle else None,
        "author_name": display_name(author),
        "withheld": withheld(author),
        "content_html": sanitize_html(f"<p>{body}</p>") if body else "",
        "content_text": text,
        "created_at": iso(record.get("createdAt")) or iso(post.get("indexedAt")),
        "reply_parent": _dict(_dict(record.get("reply")).get("parent")).get("uri"),
    }
