"""What the share renderers take: a built digest and reading-list items (plain frozen data).

The API builds these from the store; every renderer is a pure function of them (and ``now``).
"""

from __future__ import annotations

from typing import Any

from plnctl.frozen import frozen
from plnctl.models import Also, Media, Note, Question, _Model

DIGEST_FORMATS = ("text", "md", "html", "json", "atom")
EXPORT_FORMATS = ("md", "html", "csv", "json", "opml", "atom", "pocket-csv", "bookmarks")


@frozen
class ShareItem(_Model):
    """One post as a digest or a reading list shows it.

    ``content_html`` is the stored (fetch-time sanitized) HTML; renderers sanitize it again.
    ``note`` is the private save note and ``notes`` the private reflections (``post note``);
    both are only set when the user asked for notes (``--include-notes``).
    """

    id: int
    title: str
    url: str | None
    excerpt: str
    person: str
    source_kind: str  # feed | mastodon
    published_at: str | None
    fetched_at: str
    topics: tuple[str, ...] = ()
    content_html: str | None = None
    boost_of: str | None = None
    saved_at: str | None = None
    read: bool = False
    note: str | None = None
    media: tuple[Media, ...] = ()
    content_warning: str | None = None  # the excerpt is empty: the text stays folded
    author: str | None = None  # the entry's own author when it is not ``person`` (group blogs)
    boosted_by: str | None = None  # a boost: ``person`` is the boosted author, this the booster
    in_reply_to: str | None = None  # a reply: @user@host (or the URL) it answers
    notes: tuple[Note, ...] = ()  # private reflections, only when the user asked for notes
    also: tuple[Also, ...] = ()  # the same idea elsewhere: the toots that link this article

    @property
    def also_text(self) -> str | None:
        """``also on Mastodon (3 boosts, 2 replies)``, or None."""
        from plnctl.render.grouping import also_text

        return also_text(self.also)

    @property
    def all_notes(self) -> tuple[str, ...]:
        """The save note and the dated reflections, one string each (empty unless asked)."""
        dated = tuple(f"{n.created_at[:10]}: {n.text}" for n in self.notes)
        return ((self.note,) if self.note else ()) + dated

    person_topics: tuple[str, ...] = ()  # the author's topics: a hint where a post has none

    def to_dict(self) -> dict[str, Any]:
        data = super().to_dict()
        data.pop("content_html")
        if not self.person_topics:
            data.pop("person_topics")
        if self.note is None:
            data.pop("note")
        if not self.notes:
            data.pop("notes")
        if not self.also:
            data.pop("also")
        return data


@frozen
class PersonGroup(_Model):
    person: str
    items: tuple[ShareItem, ...]


@frozen
class TopicGroup(_Model):
    topic: str
    people: tuple[PersonGroup, ...]

    @property
    def count(self) -> int:
        return sum(len(group.items) for group in self.people)


@frozen
class QuietPerson(_Model):
    person_id: int
    name: str
    last_post_at: str | None


@frozen
class Suggestion(_Model):
    """Someone outside the network worth following, and why."""

    name: str
    handle: str | None
    reason: str
    command: str | None = None  # e.g. plnctl person add ... --mastodon ...


@frozen
class Digest(_Model):
    """New posts stored in (since, until], grouped by topic then person, and the rest."""

    name: str
    since: str
    until: str
    topics_filter: tuple[str, ...] = ()
    groups: tuple[TopicGroup, ...] = ()
    answered: tuple[Question, ...] = ()  # questions with new answers (only those answers)
    unanswered: tuple[Question, ...] = ()
    quiet: tuple[QuietPerson, ...] = ()
    suggestions: tuple[Suggestion, ...] = ()
    quiet_weeks: int = 6
    week: tuple[tuple[str, int], ...] = ()  # posts arrived per day, the last 7 days (chart)
    per_person: int = 20  # posts shown in full per person and topic; the rest as links

    @property
    def post_count(self) -> int:
        return sum(group.count for group in self.groups)

    @property
    def people_count(self) -> int:
        return len({item.person for item in self.items})

    @property
    def items(self) -> list[ShareItem]:
        """Every post once, in digest order."""
        seen: dict[int, ShareItem] = {}
        for group in self.groups:
            for person in group.people:
                for item in person.items:
                    seen.setdefault(item.id, item)
        return list(seen.values())

    @property
    def empty(self) -> bool:
        """Nothing new: no posts and no new answers (quiet people and open questions are
        standing information, not news)."""
        return not self.groups and not self.answered

    def to_dict(self) -> dict[str, Any]:
        data = super().to_dict()
        data["post_count"] = self.post_count
        data["people_count"] = self.people_count
        data["empty"] = self.empty
        data["answered"] = [q.to_dict() for q in self.answered]
        data["unanswered"] = [q.to_dict() for q in self.unanswered]
        data["groups"] = [
            {
                "topic": g.topic,
                "people": [
                    {"person": p.person, "items": [i.to_dict() for i in p.items]} for p in g.people
                ],
            }
            for g in self.groups
        ]
        return data
