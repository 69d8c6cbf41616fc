"""Property tests for the output encoders: whatever a stranger writes, what comes out is safe
for its sink, and encoding twice changes nothing."""

from __future__ import annotations

import csv
import io

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from lxml import etree

from plnctl.errors import InvalidInput
from plnctl.render.exports import csv_cell, csv_text
from plnctl.render.mailheaders import check_header, header_text
from plnctl.render.terminal import clean, clean_line
from plnctl.render.xmltext import xml_text

# Text biased towards what attacks are made of: escapes, controls, bidi, formula starts.
PIECES = st.sampled_from(
    ["\x1b", "[", "]", "\x07", "\x9b", "\x9d", "\x9c", "\\", ";", "8", "52", "2J", "P",
     "\u202e", "\u2066", "\r", "\n", "\t", "=", "+", "-", "@", "\x00", "\x7f", "\ufffe", "a", "é"]
)  # fmt: skip
HOSTILE = st.one_of(st.text(), st.lists(PIECES, max_size=40).map("".join))
FORBIDDEN_ON_A_TERMINAL = (
    set(chr(c) for c in range(0x20) if chr(c) not in "\t\n")
    | set(chr(c) for c in range(0x7F, 0xA0))
    | set("\u202a\u202b\u202c\u202d\u202e\u2066\u2067\u2068\u2069")
)


@settings(max_examples=300)
@given(HOSTILE)
def test_terminal_text_carries_no_control(text: str) -> None:
    shown = clean(text)
    assert not set(shown) & FORBIDDEN_ON_A_TERMINAL
    assert clean(shown) == shown
    assert "\n" not in clean_line(text) and "\t" not in clean_line(text)


@settings(max_examples=300)
@given(st.lists(st.lists(HOSTILE, min_size=1, max_size=4), max_size=5))
def test_no_csv_cell_starts_a_formula(rows: list[list[str]]) -> None:
    width = max((len(r) for r in rows), default=1)
    rows = [r + [""] * (width - len(r)) for r in rows]
    parsed = list(csv.reader(io.StringIO(csv_text([f"c{i}" for i in range(width)], rows))))
    cells = [cell for row in parsed[1:] for cell in row]
    assert not [c for c in cells if c[:1] in ("=", "+", "-", "@", "\t", "\r")]
    assert csv_cell(csv_cell("=x")) == "'=x"  # a neutralised cell stays as it is


@settings(max_examples=300)
@given(HOSTILE)
def test_xml_text_always_parses(text: str) -> None:
    element = etree.Element("title")
    element.text = xml_text(text)  # lxml refuses what XML 1.0 forbids
    element.set("term", xml_text(text))
    assert etree.fromstring(etree.tostring(element)).text in (xml_text(text), None)


@settings(max_examples=300)
@given(HOSTILE)
def test_header_text_is_one_clean_line(text: str) -> None:
    line = header_text(text)
    assert check_header("x", line) == line
    if any(c in text for c in "\r\n"):
        with pytest.raises(InvalidInput):
            check_header("x", text)
