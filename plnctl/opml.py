"""OPML 2.0 subscription lists: parse outlines (pure) and write them back."""

from __future__ import annotations

import xml.etree.ElementTree as ET
from collections.abc import Iterable
from dataclasses import dataclass
from email.utils import format_datetime

from plnctl.errors import InvalidInput
from plnctl.timeutil import now


@dataclass(frozen=True)
class Subscription:
    title: str
    xml_url: str
    html_url: str | None = None
    folders: tuple[str, ...] = ()  # enclosing outline folders, outermost first


def parse_opml(data: bytes) -> list[Subscription]:
    """Every outline with an xmlUrl, with the titles of the folders around it."""
    if b"<!ENTITY" in data[:4096].upper():
        raise InvalidInput("OPML with entity declarations is refused (possible entity bomb)")
    try:
        root = ET.fromstring(data)
    except ET.ParseError as e:
        raise InvalidInput(f"not a valid OPML file: {e}") from None
    if root.tag.lower() != "opml":
        raise InvalidInput(f"not an OPML file: the root element is <{root.tag}>, not <opml>")
    body = root.find("body")
    if body is None:
        raise InvalidInput("not a valid OPML file: it has no <body>")
    found: list[Subscription] = []
    _walk(body, (), found)
    return found


def _walk(node: ET.Element, folders: tuple[str, ...], found: list[Subscription]) -> None:
    for outline in node.findall("outline"):
        title = (outline.get("title") or outline.get("text") or "").strip()
        xml_url = (outline.get("xmlUrl") or outline.get("xmlurl") or "").strip()
        if xml_url:
            found.append(
                Subscription(
                    title=title or xml_url,
                    xml_url=xml_url,
                    html_url=(outline.get("htmlUrl") or "").strip() or None,
                    folders=folders,
                )
            )
        _walk(outline, (*folders, title) if title and not xml_url else folders, found)


@dataclass(frozen=True)
class OpmlEntry:
    title: str
    xml_url: str
    html_url: str | None
    category: str | None = None


def render_opml(entries: Iterable[OpmlEntry], *, title: str = "plnctl subscriptions") -> str:
    """OPML 2.0 with one folder per category, flat entries for the rest."""
    root = ET.Element("opml", version="2.0")
    head = ET.SubElement(root, "head")
    ET.SubElement(head, "title").text = title
    ET.SubElement(head, "dateCreated").text = format_datetime(now())
    ET.SubElement(head, "docs").text = "http://opml.org/spec2.opml"
    body = ET.SubElement(root, "body")
    folders: dict[str, ET.Element] = {}
    for entry in entries:
        parent = body
        if entry.category:
            if entry.category not in folders:
                folders[entry.category] = ET.SubElement(
                    body, "outline", text=entry.category, title=entry.category
                )
            parent = folders[entry.category]
        attrs = {"type": "rss", "text": entry.title, "title": entry.title, "xmlUrl": entry.xml_url}
        if entry.html_url:
            attrs["htmlUrl"] = entry.html_url
        ET.SubElement(parent, "outline", attrs)
    ET.indent(root)
    return '<?xml version="1.0" encoding="UTF-8"?>\n' + ET.tostring(root, encoding="unicode") + "\n"
