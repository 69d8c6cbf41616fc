"""Importing and exporting the network itself (OPML)."""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING

from plnctl.errors import InvalidInput
from plnctl.models import SourceKind, _Model
from plnctl.opml import OpmlEntry, parse_opml, render_opml
from plnctl.store import people as db

if TYPE_CHECKING:
    from plnctl.api import Pln


@dataclass(frozen=True)
class ImportReport(_Model):
    created: int = 0
    merged: int = 0
    skipped: int = 0
    problems: tuple[str, ...] = field(default=())


def import_opml(pln: Pln, path: Path) -> ImportReport:
    """Each outline with an xmlUrl becomes a person with a feed source; folders become topics.
    Feeds already followed are skipped and counted. All or nothing."""
    try:
        data = path.read_bytes()
    except OSError as e:
        raise InvalidInput(f"cannot read {path}: {e.strerror}") from None
    subscriptions = parse_opml(data)
    created = skipped = 0
    problems: list[str] = []
    seen: set[str] = set()
    with pln.store.transaction():
        for sub in subscriptions:
            try:
                plan = pln.sources.plan_feed(sub.xml_url)
            except InvalidInput as e:
                problems.append(f"{sub.title}: {e}")
                continue
            if plan.url in seen or db.find_source(pln.store, plan.url):
                skipped += 1
                continue
            seen.add(plan.url)
            person_id = db.insert_person(pln.store, sub.title)
            for topic in sub.folders:
                db.add_person_topic(pln.store, person_id, topic)
            fields = {"site_url": sub.html_url} if sub.html_url else {}
            db.insert_source(
                pln.store, person_id, SourceKind.FEED, plan.url, title=sub.title, **fields
            )
            created += 1
    return ImportReport(created=created, skipped=skipped, problems=tuple(problems))


def write_export(path: Path, text: str) -> None:
    """An export written to ``path`` atomically (never half-written, no temp file left);
    DeliveryError when it cannot be (a missing directory, a directory, no permission)."""
    from plnctl.deliver import write_atomic

    write_atomic(path, text)


def export_opml(pln: Pln) -> str:
    """Every feed source (and Mastodon account RSS) with the person's first topic as folder."""
    people = {p.id: p for p in db.list_people(pln.store)}
    entries = []
    for source in db.list_sources(pln.store):
        person = people.get(source.person_id)
        name = person.name if person else (source.title or source.url)
        if source.kind is SourceKind.FEED:
            xml_url, html_url = source.url, source.site_url
        else:
            xml_url, html_url = source.url.rstrip("/") + ".rss", source.url
        title = name if not source.title or source.title == name else f"{name}: {source.title}"
        category = person.topics[0] if person and person.topics else None
        entries.append(
            OpmlEntry(title=title, xml_url=xml_url, html_url=html_url, category=category)
        )
    return render_opml(entries)
