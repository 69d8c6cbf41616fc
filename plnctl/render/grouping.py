"""One item per idea (issue 12): how a group of posts is said, in every format.

Pure: "also on Mastodon (3 boosts, 2 replies)" for a lead, and for ``post show`` why a post is
grouped with the others.
"""

from __future__ import annotations

from collections.abc import Sequence

from plnctl.models import Also


def _plural(count: int, one: str, many: str) -> str:
    return f"{count} {one if count == 1 else many}"


def _counts(also: Also) -> str:
    share = "repost" if also.network == "Bluesky" else "boost"
    parts = [
        _plural(n, one, many)
        for n, one, many in ((also.boosts, share, share + "s"), (also.replies, "reply", "replies"))
        if n is not None
    ]
    return " (" + ", ".join(parts) + ")" if parts else ""


def also_text(also: Sequence[Also]) -> str | None:
    """``also on Mastodon (3 boosts, 2 replies)`` for a lead's grouped posts (the lead itself,
    seen from a grouped post, is left out); None when there are none."""
    others = [a for a in also if not a.lead]
    if not others:
        return None
    return "also on " + ", ".join(f"{a.network}{_counts(a)}" for a in others)


def group_lines(post_id: int, also: Sequence[Also], *, link: str | None) -> list[str]:
    """Why ``post_id`` is one item with the others: ``Grouped with post 12 (Mastodon,
    @sam@host): both link https://blog/x (canonical blog/x)``. ``link`` is the article's
    address as written."""
    lines = []
    for other in also:
        where = ", ".join(x for x in (other.network, other.handle) if x)
        key = other.key or "?"
        role = "the article shown for both" if other.lead else "shown through this post"
        lines.append(
            f"Grouped with post {other.post_id} ({where}; {role}): both link "
            f"{link or other.url or key} (canonical {key}), same person"
        )
    return lines
