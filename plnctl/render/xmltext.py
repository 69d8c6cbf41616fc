"""The XML sink: text and attribute values as XML 1.0 allows them. Pure.

XML 1.0 forbids most C0 controls (all but tab, newline and carriage return), lone surrogates
and U+FFFE/U+FFFF even as character references: one such character from a feed title makes the
whole Atom or OPML file unreadable, plnctl's own backups included. Escaping ``<``, ``&`` and
quotes is the serializer's job (ElementTree); this drops what no escaping can carry. Used by the
Atom writer and the reading-list OPML; any other XML writer should call it too.
"""

from __future__ import annotations

import re
from collections.abc import Mapping

_NOT_XML = re.compile("[^\t\n\r\x20-\ud7ff\ue000-\ufffd\U00010000-\U0010ffff]")


def xml_text(value: str) -> str:
    """``value`` without the characters XML 1.0 forbids."""
    return _NOT_XML.sub("", value)


def xml_attrs(attrs: Mapping[str, str]) -> dict[str, str]:
    """Attribute values through ``xml_text``."""
    return {name: xml_text(value) for name, value in attrs.items()}
