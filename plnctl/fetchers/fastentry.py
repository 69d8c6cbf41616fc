"""The fast path's entries: feedparser's per-entry rules for the elements on the allow-lists.

``Entry`` walks one RSS item or Atom entry and fills the dict feedparser would (only the keys
``feed.entry_to_post`` reads must match; the differential test checks what is stored). The
element allow-lists live here: a mapped element follows feedparser's handler, an ignored one
is skipped (feedparser keeps it under a key plnctl never reads), anything else is Fallback.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from plnctl.fetchers.fastfeed import _Walker

ATOM = "http://www.w3.org/2005/Atom"
XML_NS = "http://www.w3.org/XML/1998/namespace"
_TEXT_TYPES = frozenset({"text/plain", "text/html", "application/xhtml+xml"})

# Entry children, by feedparser's prefix ('' is RSS without namespace and Atom 1.0) and lower-case
# local name, that the walker maps ...
_TITLE = {("", "title"), ("dc", "title")}
_SUMMARY = {("", "description"), ("dc", "description"), ("media", "description")}
_SUMMARY2 = {("", "summary"), ("itunes", "summary")}
_CONTENT = {("", "content"), ("content", "encoded")}
_ID = {("", "guid"), ("", "id")}
_PUBLISHED = {("", "pubdate"), ("", "published"), ("", "issued"), ("dcterms", "issued")}
_UPDATED = {("", "updated"), ("", "modified"), ("dc", "date"), ("dcterms", "modified")}
_AUTHOR = {("", "author"), ("dc", "creator"), ("dc", "author"), ("itunes", "author")}
_CATEGORY = {("", "category"), ("dc", "subject"), ("media", "category")}
_KEYWORDS = {("itunes", "keywords"), ("media", "keywords")}
_PLAIN = {("", "language"), ("dc", "language"), ("itunes", "duration"), ("wfw", "commentrss")}
_GROUPS = {("media", "group"), ("media", "content")}  # their children are entry children too
# ... and those it may ignore: feedparser maps them only to keys plnctl does not read.
_IGNORED = {
    ("", "comments"), ("", "source"), ("", "rights"), ("", "copyright"),
    ("", "created"), ("", "expirationdate"), ("dc", "rights"), ("dc", "publisher"),
    ("dc", "contributor"), ("dcterms", "created"), ("dcterms", "valid"), ("itunes", "subtitle"),
    ("itunes", "explicit"), ("itunes", "block"), ("media", "rating"), ("media", "credit"),
    ("media", "restriction"), ("media", "license"), ("media", "player"),
}  # fmt: skip
_IGNORED_PREFIXES = frozenset({"georss", "gml", "psc", "cc", "creativeCommons", "sy", "slash"})
# Keys the mapping reads: an unknown element feedparser would store under one must not pass.
_READ_KEYS = frozenset(
    {"id", "link", "links", "title", "summary", "content", "tags", "author", "author_detail",
     "language", "image", "media_title", "media_content", "media_thumbnail", "itunes_duration",
     "wfw_commentrss", "published_parsed", "updated_parsed", "title_detail", "summary_detail"}
)  # fmt: skip


class Fallback(Exception):
    """The fast path does not map this feed exactly; the message says why (for the log)."""


class Entry:
    """One item/entry: feedparser's per-entry state and its handlers for the allow-listed
    elements. Depths count from the entry (feedparser compares them, never their origin)."""

    def __init__(self, walker: _Walker) -> None:
        self.w = walker
        # feedparser's dict: its aliases (url -> href, ...) name a skipped entry the same way
        self.e: dict[str, Any] = walker.dict_class()
        self.depths: dict[str, int] = {}
        self.title_depth = -1
        self.has_content = False
        self.persons = 0

    def walk(self, el: Any, base: str) -> dict[str, Any]:
        if any(not k.startswith(f"{{{XML_NS}}}") for k in el.attrib):
            raise Fallback("attributes on an item/entry (rdf:about, CDF)")
        self.children(el, self.w.enter(el, base), 1)
        return self.e

    def children(self, parent: Any, base: str, depth: int) -> None:
        for el in parent:
            name = self.w.name(el)
            self.one(el, name, self.w.enter(el, base), depth)

    def store(self, key: str, value: Any, depth: int, detail: dict | None = None) -> None:
        """feedparser's generic store: a deeper element never overrides a shallower one."""
        old = self.depths.get(key)
        if old is None or depth <= old:
            self.depths[key] = depth
            self.e[key] = value
        if detail is not None:
            self.e[f"{key}_detail"] = {**detail, "value": value}

    def one(self, el: Any, name: tuple[str, str], base: str, depth: int) -> None:
        w, e = self.w, self.e
        if name in _TITLE or name == ("media", "title"):
            self.title(el, name, base, depth)
        elif name in _SUMMARY or name in _SUMMARY2:
            if "summary" in e and not self.has_content:
                self.content(el, base, "text/plain")
            else:
                value, detail = w.text_construct(
                    el, base, "text/html" if name in _SUMMARY else "text/plain"
                )
                self.store("summary", value, depth, detail)
        elif name in _CONTENT:
            self.content(el, base, "text/plain" if name[0] == "" else "text/html")
        elif name in _ID:
            self.guid(el, base, depth)
        elif name in _PUBLISHED or name in _UPDATED:
            key = "published_parsed" if name in _PUBLISHED else "updated_parsed"
            e[key] = w.parse_date(w.text(el))
        elif name in _AUTHOR:
            self.author(el, base, depth)
        elif name in _CATEGORY or name == ("itunes", "category"):
            self.category(el, name)
        elif name in _KEYWORDS:
            scheme = "http://www.itunes.com/" if name[0] == "itunes" else None
            for term in w.text(el).split(","):
                if term.strip():
                    self.tag(term.strip(), scheme, None)
        else:
            self.media(el, name, base, depth)

    def media(self, el: Any, name: tuple[str, str], base: str, depth: int) -> None:
        w, e = self.w, self.e
        if name == ("", "link"):
            w.link(e, el, base, in_entry=True)
        elif name in _PLAIN:
            if _unknown_attrs(el):
                raise Fallback(f"attributes on {name[1]}")
            self.store(f"{name[0]}_{name[1]}".lstrip("_"), w.text(el), depth)
        elif name == ("", "enclosure"):
            attrs = enforce_href(w.attrs(el))
            attrs["rel"] = "enclosure"
            e.setdefault("links", []).append(attrs)
        elif name == ("itunes", "image"):
            attrs = w.attrs(el)
            href = attrs.get("href") or attrs.get("url")
            if href:
                e["image"] = {"href": href}
        elif name == ("", "contributor"):
            self.contributor(el, base, depth)
        elif name in _GROUPS:
            if name[1] == "content":
                e.setdefault("media_content", []).append(w.attrs(el))
            self.children(el, base, depth + 1)
        elif name == ("media", "thumbnail"):
            attrs = w.attrs(el)
            e.setdefault("media_thumbnail", []).append(attrs)
            url = w.text(el)
            if url.strip() and "url" not in attrs:
                attrs["url"] = url
        else:
            self.other(el, name)

    def contributor(self, el: Any, base: str, depth: int) -> None:
        """Kept apart from the author by feedparser, but its URL lands on the entry's href."""
        for child in el:
            prefix, part = self.w.name(child)
            if prefix != "" or part not in ("name", "email", "uri", "url"):
                raise Fallback("an unknown part of an Atom contributor")
            value = self.w.text(child)
            if part in ("uri", "url"):
                href = self.w.join(self.w.enter(child, base), value) if value else ""
                self.store("href", href, depth + 1)

    def other(self, el: Any, name: tuple[str, str]) -> None:
        if name in _IGNORED:
            if name[1] != "source" and len(el):
                raise Fallback(f"markup inside {name[1]}")
            return
        _police(self.w, el, name)

    def title(self, el: Any, name: tuple[str, str], base: str, depth: int) -> None:
        value, detail = self.w.text_construct(el, base)
        if -1 < self.title_depth <= depth:
            return  # feedparser keeps the first title at a depth
        self.store("title", value, depth, detail)
        if value and name != ("media", "title"):  # media:title restores the title depth
            self.title_depth = depth

    def content(self, el: Any, base: str, default: str) -> None:
        self.has_content = True
        value, detail = self.w.text_construct(el, base, default)
        self.e.setdefault("content", []).append({**detail, "value": value})
        if detail["type"] in _TEXT_TYPES:
            self.e.setdefault("summary", value)

    def guid(self, el: Any, base: str, depth: int) -> None:
        is_link = self.w.attrs(el).get("ispermalink", "true") == "true"
        value = self.w.text(el)
        if is_link and value:
            value = self.w.join(base, value)
        self.store("id", value, depth)
        if is_link:
            self.e.setdefault("link", value)

    def author(self, el: Any, base: str, depth: int) -> None:
        self.persons += 1
        if not len(el):  # RSS: a line of text
            self.store("author", self.w.text(el), depth)
            return
        if self.persons > 1 or (el.text or "").strip():
            raise Fallback("an Atom person beside another author")
        detail: dict[str, str] = {}
        for child in el:
            part = self.w.name(child)
            key = {"name": "name", "email": "email", "uri": "href", "url": "href"}.get(part[1])
            if part[0] != "" or key is None or (child.tail or "").strip():
                raise Fallback("an unknown part of an Atom person")
            value = self.w.text(child)
            if key == "href" and value:
                value = self.w.join(self.w.enter(child, base), value)
            detail[key] = value
            if key == "href":  # feedparser also leaves it on the entry (and FeedParserDict's url)
                self.store("href", value, depth + 1)
        name, email = detail.get("name"), detail.get("email")
        self.store("author", "", depth)
        if name or email:
            self.e["author"] = f"{name} ({email})" if name and email else name or email
        self.e["author_detail"] = detail

    def category(self, el: Any, name: tuple[str, str]) -> None:
        attrs = self.w.attrs(el)
        if name == ("itunes", "category"):
            self.tag(attrs.get("text"), "http://www.itunes.com/", None)
            for child in el:
                if self.w.name(child) != name:
                    raise Fallback("an unknown element inside itunes:category")
                self.category(child, name)
            value = (el.text or "").strip()
        else:
            scheme = attrs.get("scheme", attrs.get("domain"))
            if name[0] == "media" and scheme is None:
                scheme = "http://search.yahoo.com/mrss/category_schema"
            self.tag(attrs.get("term"), scheme, attrs.get("label"))
            value = self.w.text(el)
        if not value:
            return
        tags = self.e["tags"]
        if tags and not tags[-1]["term"]:
            tags[-1]["term"] = self.w.repair(value)
        else:
            self.tag(self.w.repair(value), None, None)

    def tag(self, term: str | None, scheme: str | None, label: str | None) -> None:
        tags = self.e.setdefault("tags", [])
        if not term and not scheme and not label:
            return
        value = {"term": term, "scheme": scheme, "label": label}
        if value not in tags:
            tags.append(value)


def _police(walker: _Walker, el: Any, name: tuple[str, str]) -> None:
    """An element the walker does not map: fine only where feedparser keeps it under a key
    plnctl never reads (and so for everything inside it)."""
    prefix, local = name
    if prefix in _IGNORED_PREFIXES:
        return
    if prefix == "":
        raise Fallback(f"an unmapped element <{local[:40]}>")
    cls = walker.parser_class
    if hasattr(cls, f"_start_{prefix}_{local}") or hasattr(cls, f"_end_{prefix}_{local}"):
        raise Fallback(f"an unmapped element <{prefix}:{local[:40]}> that feedparser maps")
    if f"{prefix}_{local}" in _READ_KEYS:
        raise Fallback(f"<{prefix}:{local[:40]}> would land on a key plnctl reads")
    for child in el:
        _police(walker, child, walker.name(child))


def _unknown_attrs(el: Any) -> bool:
    return any(not k.startswith(f"{{{XML_NS}}}") for k in el.attrib)


def enforce_href(attrs: dict[str, str]) -> dict[str, str]:
    href = attrs.get("url", attrs.get("uri", attrs.get("href")))
    if href:
        attrs.pop("url", None)
        attrs.pop("uri", None)
        attrs["href"] = href
    return attrs
