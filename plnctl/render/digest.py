"""Digests as text, Markdown and JSON (HTML and Atom live in html.py and atom.py): pure.

``render_digest(digest, fmt, now=...)`` is the one entry point; ``now`` is the clock the page
shows ("generated at"), passed in so output is deterministic.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from datetime import datetime

from plnctl.errors import InvalidInput
from plnctl.models import Question
from plnctl.render import jsontext, media
from plnctl.render.model import DIGEST_FORMATS, Digest, PersonGroup, ShareItem, TopicGroup
from plnctl.render.sanitize import excerpt, safe_url
from plnctl.timeutil import display_zone, local

OTHER = "Other"
# Posts shown in full per person and topic in the human formats (``digest --per-person``); the
# rest are listed by title and link, never dropped. JSON and Atom carry every post in full.
PER_PERSON = 20


def group_items(
    items: Iterable[ShareItem], *, prefer: Sequence[str] = ()
) -> tuple[TopicGroup, ...]:
    """Each post once, under its first preferred topic, else its first topic; a post without
    topics goes under its author's topic (preferred first), else "Other".
    Topics with more posts first ("Other" last); people with more posts first; newest first."""
    wanted = {name.lower(): name for name in prefer}
    buckets: dict[str, dict[str, list[ShareItem]]] = {}
    for item in items:
        hints = item.topics or item.person_topics
        topic = next((t for t in hints if t.lower() in wanted), None)
        topic = topic or (hints[0] if hints else OTHER)
        buckets.setdefault(topic, {}).setdefault(item.person, []).append(item)
    groups = []
    for topic, people in buckets.items():
        ordered = sorted(people.items(), key=lambda kv: (-len(kv[1]), kv[0].lower()))
        groups.append(
            TopicGroup(
                topic=topic,
                people=tuple(
                    PersonGroup(person=name, items=tuple(sorted(posts, key=_moment, reverse=True)))
                    for name, posts in ordered
                ),
            )
        )
    groups.sort(key=lambda g: (g.topic == OTHER, -g.count, g.topic.lower()))
    return tuple(groups)


def _moment(item: ShareItem) -> tuple[str, int]:
    return (item.published_at or item.fetched_at, item.id)


def fmt_time(iso: str | None, *, date_only: bool = False) -> str:
    """``1 Dec 2026 18:00 AEDT`` (or the date alone) in the display time zone."""
    moment = local(iso) if iso else None
    if moment is None:
        return "never"
    return moment.strftime("%-d %b %Y" if date_only else "%-d %b %Y %H:%M %Z")


def plural(count: int, word: str) -> str:
    return f"{count} {word}" if count == 1 else f"{count} {word}s"


def title(digest: Digest, *, now: datetime) -> str:
    name = "" if digest.name == "default" else f" ({digest.name})"
    return f"PLN digest{name}: {now.astimezone(display_zone()).strftime('%-d %b %Y')}"


def subject(digest: Digest, *, now: datetime) -> str:
    """The email subject: what is in it, at a glance."""
    if digest.empty:
        return f"{title(digest, now=now)}: nothing new"
    parts = [f"{plural(digest.post_count, 'new post')} from {_people(digest.people_count)}"]
    answers = sum(len(q.answers) for q in digest.answered)
    if answers:
        parts.append(plural(answers, "new answer"))
    return f"{title(digest, now=now)}: {', '.join(parts)}"


def _people(count: int) -> str:
    return f"{count} person" if count == 1 else f"{count} people"


def summary(digest: Digest) -> str:
    """The header: what arrived in the window (``--since`` is arrival; each post shows its own
    publication date)."""
    window = f"arrived {fmt_time(digest.since)} to {fmt_time(digest.until)}"
    if digest.empty:
        return f"Nothing new from your network ({window})."
    text = f"{plural(digest.post_count, 'new post')} from {_people(digest.people_count)}"
    if digest.topics_filter:
        text += f" about {', '.join(digest.topics_filter)}"
    return f"{text} ({window}; dates are publication dates)."


def render_digest(digest: Digest, fmt: str, *, now: datetime, self_url: str | None = None) -> str:
    """The digest in one of DIGEST_FORMATS (``self_url``: where the Atom file is published)."""
    if fmt == "text":  # for a terminal (and the email's text part): the terminal encoder
        from plnctl.render.terminal import clean

        return clean("\n".join(text_lines(digest, now=now))) + "\n"
    if fmt == "md":
        return markdown(digest, now=now)
    if fmt == "json":
        return jsontext.dumps(digest.to_dict()) + "\n"
    if fmt == "html":
        from plnctl.render.html import digest_html

        return digest_html(digest, now=now)
    if fmt == "atom":
        from plnctl.render.atom import digest_atom

        return digest_atom(digest, now=now, self_url=self_url)
    raise InvalidInput(f"unknown digest format {fmt!r}: use one of {', '.join(DIGEST_FORMATS)}")


def shown(
    group: PersonGroup, per_person: int = PER_PERSON
) -> tuple[tuple[ShareItem, ...], tuple[ShareItem, ...]]:
    """The posts a human format shows in full for one person, and the rest, which it lists
    compactly (title and link): a digest never drops a post."""
    limit = max(1, per_person)
    return group.items[:limit], group.items[limit:]


def context(item: ShareItem) -> str:
    """Who boosted it, whom it answers, its own author: ``, boosted by Sam, reply to @x``."""
    parts = []
    if item.boosted_by:
        parts.append(f"boosted by {item.boosted_by}")
    if item.author:
        parts.append(f"by {item.author}")
    if item.in_reply_to:
        parts.append(f"reply to {item.in_reply_to}")
    if item.also_text:
        parts.append(item.also_text)
    return "".join(f", {p}" for p in parts)


def item_line(item: ShareItem) -> str:
    when = fmt_time(item.published_at or item.fetched_at, date_only=True)
    return f"{item.title}  [{item.source_kind}, {when}{context(item)}]"


def hidden_line(item: ShareItem) -> str:
    """A post listed compactly after the ``--per-person`` cap."""
    when = fmt_time(item.published_at or item.fetched_at, date_only=True)
    return f"{item.title} ({when})" + (f" {item.url}" if item.url else f" [post {item.id}]")


# --- plain text ------------------------------------------------------------------------------


def text_lines(digest: Digest, *, now: datetime) -> list[str]:
    heading = title(digest, now=now)
    out = [heading, "=" * len(heading), summary(digest)]
    for group in digest.groups:
        heading = f"{group.topic} ({group.count})"
        out += ["", heading, "-" * len(heading)]
        for person in group.people:
            out.append(f"{person.person}")
            items, hidden = shown(person, digest.per_person)
            for item in items:
                out += _text_item(item)
            if hidden:
                out.append(f"  {len(hidden)} more from {person.person}:")
                out += [f"    - {hidden_line(item)}" for item in hidden]
    out += _text_extras(digest)
    out += ["", f"Generated by plnctl at {fmt_time(now.isoformat())}."]
    return out


def _text_item(item: ShareItem) -> list[str]:
    out = [f"  * {item_line(item)}"]
    if item.url:
        out.append(f"    {item.url}")
    if item.content_warning:
        warning = f"Content warning: {item.content_warning}"
        out.append(f"    ! {warning} (text folded: plnctl post show {item.id})")
    elif item.excerpt and item.excerpt != item.title:
        out.append(f"    {excerpt(item.excerpt, 200)}")
    out += [f"    {media.line(m)}" for m in media.playable(item.media)]
    out += [f"    Note: {note}" for note in item.all_notes]
    return out


def _text_extras(digest: Digest) -> list[str]:
    out: list[str] = []
    if digest.answered or digest.unanswered:
        out += ["", "Questions", "---------"]
        for q in digest.answered:
            out.append(f'  "{excerpt(q.text, 120)}": {_answer_count(q)}')
            for a in q.answers:
                who = a.author_name or a.author_handle or "someone"
                net = ", in your network" if a.in_network else ""
                out.append(f"    - {who}{net}: {excerpt(a.text, 160)}")
                if a.url:
                    out.append(f"      {a.url}")
            out += [f"    Note: {note}" for note in question_notes(q)]
        for q in digest.unanswered:
            asked = fmt_time(q.asked_at, date_only=True)
            out.append(f'  "{excerpt(q.text, 120)}": no answer yet (asked {asked})')
            out += [f"    Note: {note}" for note in question_notes(q)]
    if digest.quiet:
        heading = f"Gone quiet (no posts in {digest.quiet_weeks} weeks)"
        out += ["", heading, "-" * len(heading)]
        out += [f"  - {p.name}: {_last_post(p.last_post_at)}" for p in digest.quiet]
    if digest.suggestions:
        out += ["", "People worth following", "----------------------"]
        out += [f"  - {s.name}{_handle(s.name, s.handle)}: {s.reason}" for s in digest.suggestions]
    return out


def question_notes(q: Question) -> list[str]:
    """A question's private notes, dated (present only when the user asked for notes)."""
    return [f"{n.created_at[:10]}: {n.text}" for n in q.notes]


def _answer_count(q: Question) -> str:
    return f"{plural(len(q.answers), 'new answer')}, {q.answer_count} in all"


def _last_post(iso: str | None) -> str:
    return f"last post {fmt_time(iso, date_only=True)}" if iso else "no posts yet"


def _handle(name: str, handle: str | None) -> str:
    return f" ({handle})" if handle and handle != name else ""


# --- Markdown --------------------------------------------------------------------------------

_MD_SPECIAL = str.maketrans({c: "\\" + c for c in "\\`*_[]<>#|"})


def md_escape(text: str) -> str:
    """A value for Markdown: no controls or escape sequences (the file is often read in a
    terminal), one line, and Markdown's special characters escaped."""
    from plnctl.render.terminal import clean_line

    return clean_line(text).translate(_MD_SPECIAL)


def md_link(text: str, url: str | None) -> str:
    url = safe_url(url)
    if not url:
        return md_escape(text)
    return f"[{md_escape(text)}](<{url.replace('<', '%3C').replace('>', '%3E')}>)"


def markdown(digest: Digest, *, now: datetime) -> str:
    out = [f"# {md_escape(title(digest, now=now))}", "", md_escape(summary(digest))]
    for group in digest.groups:
        out += ["", f"## {md_escape(group.topic)} ({group.count})"]
        for person in group.people:
            out += ["", f"### {md_escape(person.person)}", ""]
            items, hidden = shown(person, digest.per_person)
            for item in items:
                out += _md_item(item)
            if hidden:
                links = " · ".join(_md_hidden(item) for item in hidden)
                out.append(f"- {len(hidden)} more from {md_escape(person.person)}: {links}")
    out += _md_extras(digest)
    out += ["", f"_Generated by plnctl at {fmt_time(now.isoformat())}._", ""]
    return "\n".join(out)


def _md_item(item: ShareItem) -> list[str]:
    when = fmt_time(item.published_at or item.fetched_at, date_only=True)
    extra = md_escape(context(item))
    out = [f"- {md_link(item.title, item.url)} ({item.source_kind}, {when}{extra})"]
    if item.content_warning:
        out.append(f"  **Content warning: {md_escape(item.content_warning)}** (text folded)")
    elif item.excerpt and item.excerpt != item.title:
        out.append(f"  {md_escape(excerpt(item.excerpt, 280))}")
    return out + md_media(item) + [f"  Note: {md_escape(note)}" for note in item.all_notes]


def md_media(item: ShareItem) -> list[str]:
    """``  [Listen](<url>) audio/mpeg, 1:02:03`` per playable medium."""
    return [
        f"  {md_link(media.verb(m), m.url)} {md_escape(media.details(m))}".rstrip()
        for m in media.playable(item.media)
    ]


def _md_hidden(item: ShareItem) -> str:
    when = fmt_time(item.published_at or item.fetched_at, date_only=True)
    return f"{md_link(item.title, item.url)} ({when})"


def _md_extras(digest: Digest) -> list[str]:
    out: list[str] = []
    if digest.answered or digest.unanswered:
        out += ["", "## Questions", ""]
        for q in digest.answered:
            out.append(f"- {md_link(excerpt(q.text, 120), q.url)}: {_answer_count(q)}")
            for a in q.answers:
                who = md_escape(a.author_name or a.author_handle or "someone")
                net = " (in your network)" if a.in_network else ""
                out.append(f"  - {who}{net}: {md_link(excerpt(a.text, 160), a.url)}")
            out += [f"  - Note: {md_escape(note)}" for note in question_notes(q)]
        for q in digest.unanswered:
            when = fmt_time(q.asked_at, date_only=True)
            out.append(f"- {md_link(excerpt(q.text, 120), q.url)}: no answer yet (asked {when})")
            out += [f"  - Note: {md_escape(note)}" for note in question_notes(q)]
    if digest.quiet:
        out += ["", f"## Gone quiet (no posts in {digest.quiet_weeks} weeks)", ""]
        out += [f"- {md_escape(p.name)}: {_last_post(p.last_post_at)}" for p in digest.quiet]
    if digest.suggestions:
        out += ["", "## People worth following", ""]
        out += [
            f"- {md_escape(s.name + _handle(s.name, s.handle))}: {md_escape(s.reason)}"
            for s in digest.suggestions
        ]
    return out
