"""The text of a share back to Mastodon and of a thank-you reply: pure.

Mastodon counts every link as 23 characters and a mention by its local part; a status holds
500. The shared post's title is shortened to fit; a comment that cannot fit is refused.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Sequence

from plnctl.errors import InvalidInput
from plnctl.render.sanitize import excerpt

MASTODON_LIMIT = 500
LINK_LENGTH = 23
_URL = re.compile(r"https?://\S+")
_MENTION = re.compile(r"(@[\w.-]+)@[\w.-]+\w")
_AT_WORD = re.compile(r"@(?=\w)")
_WORD_JOINER = "\u2060"  # invisible; keeps Mastodon from reading "@name" as a mention


def defang(text: str) -> str:
    """Text from the web (a title, a blog's or an answerer's name) without mentions or hidden
    line breaks: a post titled "read this @someone@example.social" must not make the user's
    share notify a stranger."""
    return _AT_WORD.sub("@" + _WORD_JOINER, " ".join(text.split()))


def mastodon_length(text: str) -> int:
    """Characters as Mastodon counts them (links 23 each, @user@host as @user)."""
    text = _URL.sub("x" * LINK_LENGTH, text)
    return len(_MENTION.sub(r"\1", text))


def mention(handle: str, local_host: str | None = None) -> str:
    """``@user@host``, or ``@user`` for an account on the poster's own instance (as Mastodon
    clients write local mentions)."""
    user, _, host = handle.strip().lstrip("@").partition("@")
    if not host or (local_host and host.lower() == local_host.lower()):
        return f"@{user}"
    return f"@{user}@{host}"


def credit_line(
    handle: str | None, blog: str | None, name: str | None, local_host: str | None = None
) -> str | None:
    """``via @user@host`` (the author's handle), else ``via Blog name``, else the name."""
    if handle:
        return f"via {mention(handle, local_host)}"
    who = blog or name
    return f"via {defang(who)}" if who and who.strip() else None


def share_text(
    title: str,
    url: str | None,
    credit: str | None,
    comment: str | None,
    *,
    limit: int = MASTODON_LIMIT,
    length: Callable[[str], int] = mastodon_length,
    network: str = "Mastodon",
) -> str:
    """``comment`` (if any), a blank line, the title, the link, the credit. The comment is
    the user's own; the title comes from the web and is defanged. ``limit`` and ``length``:
    the network's size rule (Bluesky: 300 graphemes, links counted in full)."""
    comment = (comment or "").strip()
    tail = [line for line in (url, credit) if line]
    fixed = "\n".join([*([comment, ""] if comment else []), "", *tail])
    room = limit - length(fixed) - 1
    if room < 20:
        over = length(fixed) + 20 - limit
        raise InvalidInput(
            f"the comment is too long for {network}: shorten it by {over} characters"
        )
    head = [comment, ""] if comment else []
    return "\n".join([*head, excerpt(defang(title), room), *tail])


def thank_text(
    handles: Sequence[str],
    names: Sequence[str],
    comment: str | None,
    link: str | None = None,
    local_host: str | None = None,
) -> str:
    """One reply mentioning every answerer with a handle (others by name); ``link``: the
    question, when the thanks is a new status rather than a reply in its thread."""
    if not handles and not names:
        raise InvalidInput("nobody has answered this question yet: nothing to thank")
    mentions = " ".join(mention(h, local_host) for h in handles)
    names = [defang(name) for name in names]
    others = f" (and {', '.join(names)})" if names else ""
    body = (comment or "").strip() or "Thank you for your answers, they really helped!"
    text = f"{mentions}{others} {body}" if mentions else f"Thanks to {', '.join(names)}: {body}"
    if link:
        text += f"\n{link}"
    if mastodon_length(text) > MASTODON_LIMIT:
        raise InvalidInput("the thank-you is too long for one Mastodon reply: shorten the comment")
    return text
