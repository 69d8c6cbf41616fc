"""Plain-text renderings for the terminal: each function returns lines."""

from __future__ import annotations

import textwrap
from collections.abc import Sequence

from plnctl.models import Person, Post, Source
from plnctl.timeutil import humanize_age


def person_lines(person: Person, sources: Sequence[Source], posts: Sequence[Post]) -> list[str]:
    result = [f"{person.name}  (id {person.id})"]
    if person.topics:
        result.append(f"Topics: {', '.join(person.topics)}")
    if person.note:
        result.append(f"Note: {person.note}")
    result.append("")
    result.append("Sources:" if sources else "Sources: none")
    for s in sources:
        health = (
            s.state.value
            if s.state.value != "active"
            else (f"failing x{s.error_count}: {s.last_error}" if s.error_count else "ok")
        )
        result.append(
            f"  [{s.id}] {s.kind}: {s.label} ({health}, fetched {humanize_age(s.last_fetched_at)})"
        )
    if posts:
        result.append("")
        result.append("Recent posts:")
        for p in posts:
            result.append(
                f"  [{p.id}] {humanize_age(p.published_at or p.fetched_at):>8}  "
                f"{p.title or (p.content_text or '')[:70]}"
            )
    return result


def post_lines(post: Post, *, width: int = 80) -> list[str]:
    width = max(40, min(width, 100))
    result = [post.title or "(untitled)"]
    byline = " · ".join(
        x for x in (post.person_name or post.author, post.published_at, post.source_label) if x
    )
    if byline:
        result.append(byline)
    if post.url:
        result.append(post.url)
    if post.boost_of_handle:
        result.append(f"Boost of {post.boost_of_handle}")
    if post.tags:
        result.append("Topics:")
        result.extend(f"  {t.topic} ({t.origin.value}: {t.reason})" for t in post.tags)
    result.append("")
    for paragraph in (post.content_text or "").split("\n"):
        paragraph = paragraph.strip()
        if paragraph:
            result.extend(textwrap.wrap(paragraph, width=width) or [""])
            result.append("")
    if post.save_note:
        result.append(f"Your note: {post.save_note}")
    return result
