"""OPML 2.0 subscription lists: parse outlines (pure) and write them back.

Reading: the whole document goes through ``defusedxml`` (no entity declarations, no external
references, whatever the encoding or the padding), attribute names are matched without regard
to case (``xmlUrl``, ``xmlURL``, ``xmlurl``), and an outline's topics are the path of folders
around it joined with ``/`` (``Teaching`` > ``Maths`` is the topic ``Teaching/Maths``) plus the
OPML 2.0 ``category`` attribute (``"/Teaching/Maths,/assessment"``), which uses the same
slash-delimited paths.

Writing: one outline per source, ``category`` listing all of the person's topics, nested in
folders by the first topic (readers that only know folders keep that one), and two attributes
in plnctl's own namespace (``plnctl:person``, ``plnctl:personId``) so that plnctl puts the
sources of one person back together; other readers ignore them.
"""

from __future__ import annotations

import xml.etree.ElementTree as ET
from collections.abc import Iterable
from dataclasses import dataclass
from email.utils import format_datetime

from plnctl.errors import InvalidInput
from plnctl.render.xmltext import xml_text
from plnctl.timeutil import now

PLNCTL_NS = "urn:plnctl:opml"
MAX_DEPTH = 64  # folders inside folders; real subscription lists use one or two
# Characters XML 1.0 forbids even when escaped (C0 controls but tab/LF/CR, lone surrogates,
# U+FFFE/U+FFFF): a title carrying one would make the file unreadable, even by plnctl.


@dataclass(frozen=True)
class Subscription:
    title: str  # may be empty (newsboat exports a never-fetched feed with title="")
    xml_url: str  # "" only for a person plnctl wrote without sources
    html_url: str | None = None
    topics: tuple[str, ...] = ()  # folder path and categories, as plnctl topic names
    person: str | None = None  # plnctl:person, when plnctl wrote the file
    person_key: str | None = None  # plnctl:personId: the sources of one person share it


@dataclass(frozen=True)
class OpmlDocument:
    subscriptions: tuple[Subscription, ...]
    problems: tuple[str, ...] = ()  # outlines left out, one line each


def parse_opml(data: bytes) -> OpmlDocument:
    """Every outline with an xmlUrl, with its topics; refuses what is not OPML in one line."""
    from defusedxml import DefusedXmlException
    from defusedxml.ElementTree import fromstring

    try:
        root = fromstring(data, forbid_dtd=False, forbid_entities=True, forbid_external=True)
    except DefusedXmlException:
        raise InvalidInput(
            "OPML with entity declarations or external references is refused (possible entity bomb)"
        ) from None
    except ET.ParseError as e:
        raise InvalidInput(f"not a valid OPML file: {e}") from None
    except (LookupError, ValueError) as e:  # e.g. an encoding Python does not know
        raise InvalidInput(f"not a valid OPML file: {_one_line(e)}") from None
    if not isinstance(root.tag, str) or _local(root.tag).lower() != "opml":
        raise InvalidInput(f"not an OPML file: the root element is <{root.tag}>, not <opml>")
    body = next((c for c in root if _local(c.tag).lower() == "body"), None)
    if body is None:
        raise InvalidInput("not a valid OPML file: it has no <body>")
    return _walk(body)


def _walk(body: ET.Element) -> OpmlDocument:
    """Outlines in document order (an explicit stack: no recursion limit to hit)."""
    found: list[Subscription] = []
    problems: list[str] = []
    stack: list[tuple[ET.Element, tuple[str, ...], int]] = [
        (o, (), 1) for o in reversed(_outlines(body))
    ]
    while stack:
        outline, folders, depth = stack.pop()
        if depth > MAX_DEPTH:
            raise InvalidInput(f"not a usable OPML file: folders nested more than {MAX_DEPTH} deep")
        attrs = {_local(k).lower(): v.strip() for k, v in outline.attrib.items()}
        title = attrs.get("title") or attrs.get("text") or ""
        xml_url = attrs.get("xmlurl", "")
        if xml_url or outline.get(f"{{{PLNCTL_NS}}}personId"):
            # (plnctl writes a person without sources as an outline without xmlUrl)
            found.append(_subscription(outline, attrs, title, folders))
        elif attrs.get("type", "").lower() in ("rss", "atom"):
            problems.append(f"{title or 'an outline'}: type={attrs['type']} but no xmlUrl")
        inner = (*folders, title) if title and not xml_url else folders
        stack.extend((child, inner, depth + 1) for child in reversed(_outlines(outline)))
    return OpmlDocument(tuple(found), tuple(problems))


def _outlines(node: ET.Element) -> list[ET.Element]:
    return [c for c in node if isinstance(c.tag, str) and _local(c.tag).lower() == "outline"]


def _subscription(
    outline: ET.Element, attrs: dict[str, str], title: str, folders: tuple[str, ...]
) -> Subscription:
    topics = ["/".join(f.strip("/") for f in folders)] if folders else []
    for path in attrs.get("category", "").split(","):
        path = "/".join(part.strip() for part in path.strip().strip("/").split("/"))
        if path:
            topics.append(path)
    return Subscription(
        title=title,
        xml_url=attrs.get("xmlurl", ""),
        html_url=attrs.get("htmlurl") or None,
        topics=tuple(dict.fromkeys(t for t in topics if t)),
        person=outline.get(f"{{{PLNCTL_NS}}}person") or None,
        person_key=outline.get(f"{{{PLNCTL_NS}}}personId") or None,
    )


def _local(tag: str) -> str:
    return tag.rpartition("}")[2] if isinstance(tag, str) else ""


def _one_line(e: BaseException) -> str:
    return " ".join(str(e).split())[:200] or type(e).__name__


@dataclass(frozen=True)
class OpmlEntry:
    title: str
    xml_url: str  # "": a person without sources (other readers see an empty folder)
    html_url: str | None
    topics: tuple[str, ...] = ()
    person: str | None = None
    person_id: int | None = None


def render_opml(entries: Iterable[OpmlEntry], *, title: str = "plnctl subscriptions") -> str:
    """OPML 2.0: entries in nested folders by their first topic, all topics in ``category``."""
    ET.register_namespace("plnctl", PLNCTL_NS)
    root = ET.Element("opml", version="2.0")
    head = ET.SubElement(root, "head")
    ET.SubElement(head, "title").text = xml_text(title)
    ET.SubElement(head, "dateCreated").text = format_datetime(now())
    ET.SubElement(head, "docs").text = "http://opml.org/spec2.opml"
    body = ET.SubElement(root, "body")
    folders: dict[tuple[str, ...], ET.Element] = {}
    for entry in entries:
        parent = _folder(body, folders, entry.topics[0].split("/") if entry.topics else [])
        attrs = {"text": xml_text(entry.title), "title": xml_text(entry.title)}
        if entry.xml_url:
            attrs = {"type": "rss", **attrs, "xmlUrl": xml_text(entry.xml_url)}
        if entry.html_url:
            attrs["htmlUrl"] = xml_text(entry.html_url)
        if entry.topics:
            attrs["category"] = category(entry.topics)
        if entry.person is not None:
            attrs[f"{{{PLNCTL_NS}}}person"] = xml_text(entry.person)
        if entry.person_id is not None:
            attrs[f"{{{PLNCTL_NS}}}personId"] = str(entry.person_id)
        ET.SubElement(parent, "outline", attrs)
    ET.indent(root)
    return '<?xml version="1.0" encoding="UTF-8"?>\n' + ET.tostring(root, encoding="unicode") + "\n"


def category(topics: Iterable[str]) -> str:
    """OPML 2.0's category attribute: comma-separated, slash-delimited paths."""
    return ",".join("/" + xml_text(t).replace(",", " ").strip("/") for t in topics)


def _folder(
    body: ET.Element, folders: dict[tuple[str, ...], ET.Element], path: list[str]
) -> ET.Element:
    parent: ET.Element = body
    key: tuple[str, ...] = ()
    for part in (p.strip() for p in path):
        if not part:
            continue
        key = (*key, part)
        if key not in folders:
            folders[key] = ET.SubElement(
                parent, "outline", text=xml_text(part), title=xml_text(part)
            )
        parent = folders[key]
    return parent
