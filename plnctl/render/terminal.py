"""The terminal sink: what an untrusted string may carry to a person's terminal. Pure.

Feeds, Mastodon profiles and servers' error messages are written by strangers. A terminal
obeys what it is sent: ``ESC [ 2 J`` clears the screen, ``ESC ] 0 ;`` sets the window title,
``ESC ] 8 ;`` makes a hidden link, ``ESC ] 52 ;`` writes the clipboard, and right-to-left
overrides reorder what is shown. ``clean`` removes every escape sequence (7-bit and 8-bit
CSI, OSC, DCS, SOS, PM, APC, and two-byte escapes), every other C0/C1 control except
newline and tab, DEL, and the bidi embedding/override/isolate controls. ``clean_line`` also
turns newlines and tabs into spaces, for one table cell or one line. Rich markup
(``[bold]``, ``[link=...]``) is not interpreted here; the CLI prints these strings with
markup off, so it shows literally.
"""

from __future__ import annotations

import re

_ESCAPE_SEQUENCE = re.compile(
    r"""
      (?:\x1b\[|\x9b) [\x30-\x3f]* [\x20-\x2f]* [\x40-\x7e]?      # CSI ... final byte
    | (?:\x1b[\]PX^_]|[\x90\x98\x9d\x9e\x9f]) .*? (?:\x07|\x1b\\|\x9c|\Z)
                                                     # OSC, DCS, SOS, PM, APC ... BEL or ST
    | \x1b [\x20-\x2f]* [\x30-\x7e]?                  # ESC c (reset), ESC ( B, ESC 7 ...
    """,
    re.VERBOSE | re.DOTALL,
)
# C0 except tab and newline, DEL, C1, and the bidi embeddings, overrides and isolates.
_CONTROL = re.compile("[\x00-\x08\x0b-\x1f\x7f-\x9f\u202a-\u202e\u2066-\u2069]")
_LINE_BREAKS = re.compile("[\t\n\u2028\u2029]")


def strip_escapes(text: str) -> str:
    """``text`` without whole escape sequences (their parameters too, not just the ESC)."""
    return _ESCAPE_SEQUENCE.sub("", text)


def clean(text: str) -> str:
    """``text`` without escape sequences, controls (newline and tab kept) or bidi overrides."""
    if text.isprintable():  # the common case: nothing to strip, no regex work
        return text
    text = text.replace("\r\n", "\n")
    return _CONTROL.sub("", _ESCAPE_SEQUENCE.sub("", text))


def clean_line(text: str) -> str:
    """``clean`` for one line: newlines and tabs become spaces."""
    return _LINE_BREAKS.sub(" ", clean(text))
