"""Plain-text renderings for the terminal: each function returns lines."""

from __future__ import annotations

import textwrap
from collections.abc import Sequence
from typing import TYPE_CHECKING

from plnctl.models import Note, Person, Post, Source
from plnctl.timeutil import humanize_age

if TYPE_CHECKING:
    from plnctl.insights import PersonActivity


def activity_lines(activity: PersonActivity) -> list[str]:
    from plnctl.render.charts import sparkline

    result = [
        f"Activity: {activity.posts_per_week:g} posts/week over {activity.weeks} weeks  "
        f"{sparkline(activity.weekly)}  ({activity.posts_total} posts in all, last "
        f"{humanize_age(activity.last_post_at)})"
    ]
    if activity.topics:
        result.append("Writes about: " + ", ".join(f"{t} ({n})" for t, n in activity.topics[:6]))
    if activity.answers_given:
        result.append(
            f"Answered {activity.questions_answered} of your questions "
            f"({activity.answers_given} answers)"
        )
    return result


def person_lines(
    person: Person,
    sources: Sequence[Source],
    posts: Sequence[Post],
    activity: PersonActivity | None = None,
) -> list[str]:
    result = [f"{person.name}  (id {person.id})"]
    if person.topics:
        result.append(f"Topics: {', '.join(person.topics)}")
    if person.note:
        result.append(f"Note: {person.note}")
    if activity is not None:
        result.extend(activity_lines(activity))
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
        if s.withheld:
            result.append(WITHHELD_NOTE)
    if posts:
        result.append("")
        result.append("Recent posts:")
        for p in posts:
            result.append(
                f"  [{p.id}] {humanize_age(p.published_at or p.fetched_at):>8}  "
                f"{p.title or (p.content_text or '')[:70]}"
            )
    return result


def bluesky_sites(source: Source) -> list[str]:
    """Where a Bluesky account points at its owner's website: the profile's website, and a
    handle on their own domain (anything but *.bsky.social is a domain they proved they own)."""
    if source.kind != "bluesky":
        return []
    sites = [source.site_url] if source.site_url else []
    domain = (source.handle or "").lstrip("@").lower()
    if domain and not domain.endswith(".bsky.social"):
        own = f"https://{domain}"
        if not any(s.rstrip("/").lower() == own for s in sites):
            sites.append(own)
    return sites


WITHHELD_NOTE = (
    "      asks apps not to show their posts to logged-out readers (Bluesky "
    "!no-unauthenticated): none are stored or shown"
)


def post_lines(post: Post, *, width: int = 80) -> list[str]:
    from plnctl.render import media

    width = max(40, min(width, 100))
    head = "Content warning" if post.content_warning and not post.title else display_title(post)
    result = [head or "(untitled)"]
    result.extend(context_lines(post))
    if post.url:
        result.append(post.url)
    if post.content_warning:
        result.append(f"! Content warning: {post.content_warning}")
    result.extend(media.line(m) for m in media.playable(post.media))
    result.extend(_group_lines(post))
    if post.tags:
        result.append("Topics:")
        result.extend(f"  {t.topic} ({t.origin.value}: {t.reason})" for t in post.tags)
    result.append("")
    if post.full_text:
        result.extend(["Full text, from the article page:", ""])
    for paragraph in (post.full_text or post.content_text or "").split("\n"):
        paragraph = paragraph.strip()
        if paragraph:
            result.extend(textwrap.wrap(paragraph, width=width) or [""])
            result.append("")
    if post.save_note:
        result.append(f"Your note: {post.save_note}")
    result += note_lines(post.notes)
    for share in post.shares:
        result.append(f"Shared to {share.network} {share.shared_at[:10]}: {share.url or '-'}")
    return result


def note_lines(notes: Sequence[Note]) -> list[str]:
    """Private notes, numbered as ``--edit N`` / ``--remove N`` take them."""
    result = ["", "Your notes (private):"] if notes else []
    for note in notes:
        edited = f", edited {note.updated_at[:10]}" if note.updated_at != note.created_at else ""
        result.append(f"  [{note.number}] {note.created_at[:10]}{edited}")
        result += [f"      {line}" for line in note.text.splitlines() if line.strip()]
    return result


def _group_lines(post: Post) -> list[str]:
    from plnctl.render.grouping import also_text, group_lines

    lead = next((a for a in post.also if a.lead), None)
    link = post.url if lead is None else lead.url  # the article's address
    said = also_text(post.also)
    return ([said[0].upper() + said[1:]] if said else []) + group_lines(
        post.id, post.also, link=link
    )


def list_title(post: Post, limit: int = 80) -> str:
    """``display_title`` and, for a group's lead, "also on Mastodon (3 boosts, 2 replies)"."""
    from plnctl.render.grouping import also_text

    said = also_text(post.also) if post.group_id == post.id else None
    return display_title(post, limit) + (f" · {said}" if said else "")


def display_title(post: Post, limit: int = 80) -> str:
    """A post's title for a list: its own, else "Content warning: ..." (the text stays out),
    else the start of its text."""
    if post.title:
        return post.title
    if post.content_warning:
        return f"Content warning: {post.content_warning}"
    snippet = " ".join((post.content_text or "").split())
    return snippet[: limit - 3] + "..." if len(snippet) > limit else snippet


def context_lines(post: Post) -> list[str]:
    """The byline as the post is: "Sam boosted Olu Mensah", "In reply to @x", a group blog's
    author beside the blog's person."""
    from plnctl.render.digest import fmt_time

    when = fmt_time(post.published_at) if post.published_at else None  # the display zone
    booster = post.person_name or post.source_label
    if post.boost_of_handle:
        boosted = post.boost_of_person or post.author or post.boost_of_handle
        lines = [f"{booster} boosted {boosted}" if booster else f"Boost of {boosted}"]
        lines.append(" · ".join(x for x in (post.boost_of_handle, when) if x))
        return lines
    who = post.person_name or post.author
    author, person = post.author or "", post.person_name or ""
    if author and person and post.kind != "status" and author.casefold() != person.casefold():
        who = f"{post.author} ({post.person_name})"
    byline = " · ".join(x for x in (who, when, post.source_label) if x)
    lines = [byline] if byline else []
    if post.in_reply_to_handle or post.in_reply_to:
        from plnctl.render.sanitize import excerpt  # not at the top: nh3 stays out of --help

        about = f': "{excerpt(post.in_reply_to_title, 80)}"' if post.in_reply_to_title else ""
        lines.append(f"In reply to {post.in_reply_to_handle or post.in_reply_to}{about}")
    return lines


def source_notes(source: Source, person_id: int) -> list[tuple[bool, str]]:
    """What a newly added source's profile says, as (is_warning, line): a moved account, an
    instance read through RSS, a verified website worth following."""
    notes: list[tuple[bool, str]] = []
    if source.moved_to:
        notes.append(
            (
                True,
                f"{source.label} has moved to {source.moved_to}; follow the new "
                f"account with: plnctl source add {person_id} {source.moved_to}",
            )
        )
    if source.withheld:
        notes.append(
            (
                True,
                f"  {source.label} asks apps not to show their posts to logged-out readers "
                "(!no-unauthenticated): plnctl keeps them in your network but stores none of "
                "their posts.",
            )
        )
    if source.via_rss:
        notes.append(
            (
                False,
                "  This instance does not share its API anonymously; plnctl "
                "reads the account's public RSS.",
            )
        )
    for site in bluesky_sites(source):
        notes.append(
            (
                False,
                f"  Their website: {site} "
                f"(follow its feed with: plnctl source add {person_id} {site})",
            )
        )
    for field in source.profile_fields:
        if field.get("verified_at") and field.get("url"):
            notes.append(
                (
                    False,
                    f"  Verified website: {field['url']} (follow its feed with: "
                    f"plnctl source add {person_id} {field['url']})",
                )
            )
    return notes
