"""The JSON sink: JSON text that keeps every character of the data and carries none that a
terminal obeys. Pure.

``json.dumps`` escapes C0 controls itself, but with ``ensure_ascii=False`` it writes C1 controls
(8-bit CSI and OSC), DEL, bidi overrides and U+2028/U+2029 raw, and ``plnctl post list --json``
often lands on a terminal. Escaped as ``\\uXXXX`` the document holds the same data (those
characters can only occur inside JSON strings).
"""

from __future__ import annotations

import json
import re
from typing import Any

_RAW = re.compile("[\x7f-\x9f\u202a-\u202e\u2066-\u2069\u2028\u2029]")


def dumps(data: Any, **options: Any) -> str:
    """``json.dumps(data, indent=2, ensure_ascii=False, **options)``, controls escaped."""
    text = json.dumps(data, indent=2, ensure_ascii=False, **options)
    return _RAW.sub(lambda m: f"\\u{ord(m.group()):04x}", text)
