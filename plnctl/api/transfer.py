"""Importing and exporting the network itself (OPML)."""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING, Any
from urllib.parse import urlsplit

from plnctl.errors import InvalidInput
from plnctl.models import Person, Source, SourceKind, _Model
from plnctl.opml import OpmlEntry, Subscription, parse_opml, render_opml
from plnctl.store import people as db
from plnctl.urlkey import source_key

if TYPE_CHECKING:
    from plnctl.api import Pln

# A Mastodon account's public RSS: https://host/@user.rss (what plnctl and Mastodon publish)
_MASTODON_RSS = re.compile(r"^(https?://[^/?#]+/@[A-Za-z0-9_.-]+)\.rss$")


@dataclass(frozen=True)
class ImportReport(_Model):
    created: int = 0
    merged: int = 0
    skipped: int = 0
    problems: tuple[str, ...] = field(default=())


@dataclass
class _Planned:
    """One source to create, with the person it belongs to."""

    sub: Subscription
    kind: SourceKind
    url: str
    fields: dict[str, Any]
    topics: dict[str, None]  # ordered set: a feed listed in two folders keeps both


def read_input(path: Path | bytes) -> bytes:
    """The bytes of a file (or the bytes already read from stdin)."""
    if isinstance(path, bytes):
        return path
    try:
        return path.read_bytes()
    except OSError as e:
        raise InvalidInput(f"cannot read {path}: {e.strerror}") from None


def import_opml(pln: Pln, path: Path | bytes) -> ImportReport:
    """Each outline with an xmlUrl becomes a source; its folders and categories the person's
    topics. Outlines plnctl wrote for one person (``plnctl:personId``) become one person with
    all those sources; any other outline a person of its own. A Mastodon RSS address becomes
    the Mastodon account. Feeds already followed are skipped and counted; an outline with a
    bad address is reported and left out; the rest is stored in one transaction."""
    document = parse_opml(read_input(path))
    problems = list(document.problems)
    planned: dict[str, _Planned] = {}
    followed: set[str] = set()  # already in the database: counted once, however often listed
    lone: list[Subscription] = []  # people plnctl wrote without sources
    for sub in document.subscriptions:
        if not sub.xml_url:
            lone.append(sub)
            continue
        try:
            kind, url, fields = _plan(pln, sub.xml_url)
        except (InvalidInput, ValueError) as e:
            problems.append(f"{sub.title or sub.xml_url}: {e} (left out)")
            continue
        key = f"{kind} {source_key(url)}"  # one feed written six ways is one source
        if key in planned:
            planned[key].topics.update(dict.fromkeys(sub.topics))
            continue
        if key in followed or _followed(pln, url, fields.get("handle")):
            followed.add(key)
            continue
        title = _source_title(sub)
        if title and kind is SourceKind.FEED:
            fields["title"] = title
        planned[key] = _Planned(sub, kind, url, fields, dict.fromkeys(sub.topics))
    before = len(db.list_people(pln.store))
    with pln.store.transaction():
        people: dict[str, int] = {}
        for source, item in planned.items():
            key = f"id:{item.sub.person_key}" if item.sub.person_key else source
            if key not in people:  # one name, one person: a second feed of theirs joins them
                people[key] = db.person_id_for_name(pln.store, _person_name(item))
            for topic in item.topics:
                db.add_person_topic(pln.store, people[key], topic)
            db.insert_source(pln.store, people[key], item.kind, item.url, **item.fields)
        for sub in lone:
            if f"id:{sub.person_key}" not in people:
                person_id = db.person_id_for_name(pln.store, sub.person or sub.title or "(no name)")
                for topic in sub.topics:
                    db.add_person_topic(pln.store, person_id, topic)
        created = len(db.list_people(pln.store)) - before
    return ImportReport(created=created, skipped=len(followed), problems=tuple(problems))


def _followed(pln: Pln, url: str, handle: str | None) -> bool:
    return bool(
        db.find_source(pln.store, url) or (handle and db.find_source_by_handle(pln.store, handle))
    )


def _plan(pln: Pln, xml_url: str) -> tuple[SourceKind, str, dict[str, Any]]:
    urlsplit(xml_url)  # raises ValueError for an address like http://[zz/x
    mastodon = _MASTODON_RSS.match(xml_url.strip())
    if mastodon:
        from plnctl.fetchers.mastodon import parse_address

        try:
            address = parse_address(mastodon.group(1))
        except InvalidInput:
            pass  # plain http to a public host: keep it as the feed it is
        else:
            return SourceKind.MASTODON, address.profile_url, {"handle": address.handle}
    return SourceKind.FEED, pln.sources.plan_feed(xml_url).url, {}


def _source_title(sub: Subscription) -> str | None:
    """The feed's own title: what follows "Name: " in a file plnctl wrote."""
    if not sub.person:
        return sub.title if sub.title and sub.title != sub.xml_url else None
    prefix = f"{sub.person}: "
    return sub.title[len(prefix) :] if sub.title.startswith(prefix) else None


def _person_name(item: _Planned) -> str:
    """plnctl's own person name, else the outline's title, else the feed's host (newsboat
    writes ``title=""`` for a feed it never fetched): never the bare URL."""
    sub = item.sub
    if sub.person:
        return sub.person
    if sub.title and sub.title != sub.xml_url:
        return sub.title
    if item.kind is SourceKind.MASTODON:
        return str(item.fields["handle"])
    host = urlsplit(item.url).hostname or item.url
    return host.removeprefix("www.")


def write_export(path: Path, text: str) -> Path:
    """Write an export durably (temp file, fsync, rename); DeliveryError (exit 7) if not."""
    from plnctl.files import write_atomic

    return write_atomic(path, text)


def export_opml(pln: Pln) -> str:
    """Every source (a Mastodon account as its public RSS), each with all its person's topics
    and plnctl's person attributes, so that importing the file back keeps people together."""
    people = {p.id: p for p in db.list_people(pln.store)}
    sources = [s for s in db.list_sources(pln.store) if s.kind is not SourceKind.TAG]
    entries = [_entry(s, people.get(s.person_id) if s.person_id else None) for s in sources]
    with_sources = {s.person_id for s in sources}
    entries += [
        OpmlEntry(p.name, "", None, tuple(p.topics), p.name, p.id)
        for p in people.values()
        if p.id not in with_sources
    ]
    return render_opml(entries)


def _entry(source: Source, person: Person | None) -> OpmlEntry:
    name = person.name if person else (source.title or source.url)
    if source.kind is SourceKind.FEED:
        xml_url, html_url = source.url, source.site_url
    elif source.kind is SourceKind.BLUESKY:  # bsky.app serves every profile as RSS
        xml_url, html_url = f"{source.url}/rss", source.url
    else:
        xml_url, html_url = source.url.rstrip("/") + ".rss", source.url
    title = name if not source.title or source.title == name else f"{name}: {source.title}"
    return OpmlEntry(
        title=title,
        xml_url=xml_url,
        html_url=html_url,
        topics=tuple(person.topics) if person else (),
        person=name,
        person_id=person.id if person else None,
    )


@dataclass(frozen=True)
class BackupReport(_Model):
    path: str | None  # the file written or read (None: stdout or stdin)
    counts: dict[str, int] = field(default_factory=dict)  # rows per table it holds


def export_backup(pln: Pln, path: Path | None) -> tuple[BackupReport, bytes | None]:
    """A consistent copy of the whole database at ``path``; with ``path=None`` its bytes
    (for stdout). Mastodon and SMTP credentials live outside the database and are not in it."""
    from plnctl.store import backup

    if path is not None:
        backup.write_backup(pln.store, path)
        return BackupReport(str(path), backup.content_counts(pln.store)), None
    import tempfile

    with tempfile.TemporaryDirectory(prefix="plnctl-backup-") as folder:
        target = Path(folder) / "backup.db"
        backup.write_backup(pln.store, target)
        return BackupReport(None, backup.content_counts(pln.store)), target.read_bytes()


def import_backup(pln: Pln, path: Path | bytes, *, replace: bool = False) -> BackupReport:
    """Restore a backup made by ``export_backup`` into this database, which must be empty
    unless ``replace``; anything that is not a plnctl database is refused."""
    from plnctl.store import backup

    if isinstance(path, Path):
        return BackupReport(str(path), backup.restore_backup(pln.store, path, replace=replace))
    import tempfile

    with tempfile.TemporaryDirectory(prefix="plnctl-restore-") as folder:
        source = Path(folder) / "backup.db"
        source.write_bytes(path)
        return BackupReport(None, backup.restore_backup(pln.store, source, replace=replace))
