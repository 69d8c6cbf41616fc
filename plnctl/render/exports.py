"""Reading-list exports in the formats other tools import: pure (items in, text out).

Notes are private: an item carries one only when the user asked for ``--include-notes``, and
the CSV/JSON formats add a ``note`` field only then.
"""

from __future__ import annotations

import csv
import io
import xml.etree.ElementTree as ET
from collections.abc import Iterable, Sequence
from datetime import datetime
from email.utils import format_datetime

from plnctl.errors import InvalidInput
from plnctl.opml import category
from plnctl.render import jsontext, media
from plnctl.render.digest import fmt_time, md_escape, md_link, md_media
from plnctl.render.model import EXPORT_FORMATS, ShareItem
from plnctl.render.sanitize import excerpt
from plnctl.render.xmltext import xml_attrs, xml_text
from plnctl.timeutil import from_iso

# Pocket's export, exactly: wallabag's importer reads these by position (0 title, 1 url,
# 2 time_added, 3 tags, 4 status), name-based importers by header.
POCKET_COLUMNS = ("title", "url", "time_added", "tags", "status")
POCKET_TITLE_MAX = 1000  # wallabag reads lines of at most 10,240 bytes (fgetcsv length)
CSV_COLUMNS = (
    "id", "title", "url", "person", "source_kind", "published_at", "saved_at", "topics",
    "excerpt", "media",
)  # fmt: skip


def render_reading_list(
    items: Sequence[ShareItem],
    fmt: str,
    *,
    now: datetime,
    include_notes: bool = False,
    title: str = "Reading list",
    self_url: str | None = None,
) -> str:
    """The items in one of EXPORT_FORMATS (``self_url``: where the Atom file is published)."""
    if fmt == "md":
        return markdown(items, now=now, title=title)
    if fmt == "csv":
        return plain_csv(items, include_notes=include_notes)
    if fmt == "json":
        return jsontext.dumps([i.to_dict() for i in items]) + "\n"
    if fmt == "opml":
        return opml(items, now=now, title=title)
    if fmt == "pocket-csv":
        return pocket_csv(items, include_notes=include_notes)
    if fmt in ("html", "bookmarks"):
        from plnctl.render import html

        if fmt == "html":
            return html.reading_list_html(items, now=now, title=title)
        return html.bookmarks_html(items, now=now)
    if fmt == "atom":
        from plnctl.render.atom import items_atom

        return items_atom(
            items, now=now, title=title, feed_id="urn:plnctl:reading-list",
            entry_scope="reading-list", self_url=self_url,
        )  # fmt: skip
    raise InvalidInput(f"unknown export format {fmt!r}: use one of {', '.join(EXPORT_FORMATS)}")


def markdown(items: Sequence[ShareItem], *, now: datetime, title: str) -> str:
    out = [f"# {md_escape(title)}", ""]
    for item in items:
        when = fmt_time(item.published_at or item.fetched_at, date_only=True)
        also = f", {item.also_text}" if item.also_text else ""
        out.append(f"- {md_link(item.title, item.url)}: {md_escape(item.person)}, {when}{also}")
        if item.topics:
            out.append(f"  Topics: {md_escape(', '.join(item.topics))}")
        if item.content_warning:
            out.append(f"  **Content warning: {md_escape(item.content_warning)}**")
        elif item.excerpt and item.excerpt != item.title:
            out.append(f"  > {md_escape(excerpt(item.excerpt, 280))}")
        out += md_media(item)
        out += [f"  Note: {md_escape(note)}" for note in item.all_notes]
    if not items:
        out.append("Nothing saved yet.")
    out += ["", f"_Exported by plnctl at {fmt_time(now.isoformat())}._", ""]
    return "\n".join(out)


# --- CSV: the spreadsheet sink ------------------------------------------------------------
# A spreadsheet runs a cell that starts with one of these as a formula (=HYPERLINK(...) phones
# home, +cmd|' /C calc'!A0 runs a program). The OWASP rule: prefix such a cell with ' so it is
# shown as text. Every CSV plnctl writes goes through csv_text.
_FORMULA_START = ("=", "+", "-", "@", "\t", "\r")


def csv_cell(value: object) -> str:
    """One CSV cell as text a spreadsheet will not run as a formula (line breaks as \\n)."""
    text = "" if value is None else str(value)
    if text.startswith(_FORMULA_START):
        text = "'" + text
    # A lone CR is not quoted with "\n" line ends and then splits the row for every reader.
    return text.replace("\r\n", "\n").replace("\r", "\n")


def csv_text(header: Sequence[str], rows: Iterable[Sequence[object]]) -> str:
    """A whole CSV document (header first), every cell through ``csv_cell``."""
    buffer = io.StringIO()
    writer = csv.writer(buffer, lineterminator="\n")
    writer.writerow(header)
    writer.writerows([csv_cell(cell) for cell in row] for row in rows)
    return buffer.getvalue()


def plain_csv(items: Sequence[ShareItem], *, include_notes: bool = False) -> str:
    rows = []
    for i in items:
        row = [
            i.id, i.title, i.url or "", i.person, i.source_kind, i.published_at or "",
            i.saved_at or "", "|".join(i.topics), i.excerpt,
            " ".join(m.url for m in media.playable(i.media)),
        ]  # fmt: skip
        rows.append([*row, " | ".join(i.all_notes)] if include_notes else row)
    return csv_text((*CSV_COLUMNS, "note") if include_notes else CSV_COLUMNS, rows)


def pocket_csv(items: Sequence[ShareItem], *, include_notes: bool = False) -> str:
    """Pocket's export columns; ``tags`` joined with ``|``, ``time_added`` in epoch seconds,
    ``status`` unread or archive (read). Posts without a URL cannot be imported and are left
    out; a very long title is shortened so that the line fits wallabag's line limit. With
    ``include_notes`` a last ``note`` column (Pocket has none; importers that read by header
    skip it)."""
    from plnctl.render.html import epoch

    rows = []
    for i in items:
        if not i.url:
            continue
        tags = "|".join(t.replace("|", " ") for t in i.topics)
        added = epoch(i.saved_at or i.fetched_at)
        title = (
            i.title if len(i.title) <= POCKET_TITLE_MAX else i.title[: POCKET_TITLE_MAX - 1] + "…"
        )
        row = [title, i.url, added, tags, "archive" if i.read else "unread"]
        rows.append([*row, " | ".join(i.all_notes)] if include_notes else row)
    return csv_text((*POCKET_COLUMNS, "note") if include_notes else POCKET_COLUMNS, rows)


def opml(items: Sequence[ShareItem], *, now: datetime, title: str) -> str:
    """OPML 2.0 with ``type="link"`` outlines, one folder per first topic."""
    root = ET.Element("opml", version="2.0")
    head = ET.SubElement(root, "head")
    ET.SubElement(head, "title").text = xml_text(title)
    ET.SubElement(head, "dateCreated").text = format_datetime(now, usegmt=True)
    ET.SubElement(head, "docs").text = "http://opml.org/spec2.opml"
    body = ET.SubElement(root, "body")
    folders: dict[str, ET.Element] = {}
    for i in items:
        if not i.url:
            continue
        parent = body
        if i.topics:
            topic = i.topics[0]
            if topic not in folders:
                folders[topic] = ET.SubElement(
                    body, "outline", xml_attrs({"text": topic, "title": topic})
                )
            parent = folders[topic]
        name = xml_text(i.title)
        attrs = {"text": name, "title": name, "type": "link", "url": xml_text(i.url)}
        created = from_iso(i.saved_at or i.published_at)
        if created is not None:
            attrs["created"] = format_datetime(created, usegmt=True)
        if i.topics:
            attrs["category"] = category(i.topics)
        if i.all_notes:
            attrs["description"] = " | ".join(i.all_notes)
        ET.SubElement(parent, "outline", xml_attrs(attrs))
    ET.indent(root)
    return '<?xml version="1.0" encoding="UTF-8"?>\n' + ET.tostring(root, encoding="unicode") + "\n"
