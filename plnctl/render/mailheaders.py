"""The email-header sink: what may go into To, From and Subject. Pure.

A header value with CR or LF in it ends the header and starts another (``Bcc:`` injection);
other controls are refused by mail servers or shown as garbage. Values the user gives
(``--email``, ``--name``) are checked and refused with a clear message (``check_address``,
``check_header``); a value made from stored text (the subject) is made safe (``header_text``).
"""

from __future__ import annotations

import re

from plnctl.errors import InvalidInput

_CONTROL = re.compile("[\x00-\x1f\x7f-\x9f\u2028\u2029]")
# One plain address: local@domain, no display name, no spaces, quotes, brackets or lists.
_ADDRESS = re.compile(r"[^\s@<>()\[\]\\,;:\"]+@[^\s@<>()\[\]\\,;:\"]+")
_DOMAIN = re.compile(r"(?!-)[^.\-][^.]*(?<!-)(\.(?!-)[^.]+(?<!-))*")


def check_header(what: str, value: str) -> str:
    """``value`` if it can be part of a header, else InvalidInput naming ``what``."""
    if _CONTROL.search(value):
        raise InvalidInput(
            f"{what} cannot contain line breaks, tabs or other control characters: {value!r}"
        )
    return value


def check_address(value: str) -> str:
    """One email address (``me@example.org``), stripped; else InvalidInput."""
    address = value.strip()
    check_header("an email address", address)
    local, _, domain = address.rpartition("@")
    if not _ADDRESS.fullmatch(address) or not _DOMAIN.fullmatch(domain) or not local:
        raise InvalidInput(
            f"not an email address: {value!r} (give one address like me@example.org per --email)"
        )
    return address


def header_text(value: str) -> str:
    """Stored text made fit for a header: each run of controls becomes one space."""
    return " ".join(_CONTROL.sub(" ", value).split())
