"""CSV cells that spreadsheets will not run: pure.

Excel, LibreOffice and Google Sheets treat a cell that starts with ``=``, ``+``, ``-`` or ``@``
(and, after some imports, a tab or carriage return) as a formula, so text from the web or from
a user could run as one (CSV injection). ``csv_cell`` prefixes such a cell with ``'``, which the
spreadsheet shows as plain text. Every CSV plnctl writes should pass its cells through it.
"""

from __future__ import annotations

from typing import Any

FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r")
EXCEL_BOM = "\ufeff"  # Excel reads a CSV as UTF-8 only when it starts with a BOM


def csv_cell(value: Any) -> str:
    """The value as CSV text, neutralised if a spreadsheet would read it as a formula."""
    text = "" if value is None else str(value)
    return "'" + text if text.startswith(FORMULA_STARTS) else text
