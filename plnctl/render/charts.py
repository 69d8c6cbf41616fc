"""Small pure charts: unicode sparklines for the terminal, an SVG bar chart of a week for the
HTML digest (static SVG: no script, no external references, inline attributes only), and the
same chart as an HTML table for email (Gmail and Outlook strip inline SVG)."""

from __future__ import annotations

import math
from collections.abc import Iterable, Mapping, Sequence
from datetime import date
from xml.sax.saxutils import escape, quoteattr

BLOCKS = "▁▂▃▄▅▆▇█"

WIDTH, HEIGHT = 280, 120
_TOP, _BOTTOM, _SIDE = 18, 22, 6  # room for the value labels above and day labels below
_BAR_COLOR = "#4a7bb7"
_TEXT_COLOR = "#444444"


def sparkline(values: Sequence[int]) -> str:
    """Unicode block sparkline scaled to the largest value; zero is the lowest block."""
    if not values:
        return ""
    top = max(values)
    if top <= 0:
        return BLOCKS[0] * len(values)
    last = len(BLOCKS) - 1
    return "".join(BLOCKS[min(last, math.ceil(max(v, 0) / top * last))] for v in values)


def _label(key: str) -> str:
    """``2026-11-23`` -> ``Mon``; any other label is kept (shortened to 5 characters)."""
    try:
        return date.fromisoformat(key[:10]).strftime("%a")
    except ValueError:
        return key[:5]


def week_chart_svg(
    counts_by_day: Mapping[str, int] | Iterable[tuple[str, int]],
    *,
    title: str = "Posts this week",
) -> str:
    """An SVG bar chart, one bar per day in the given order, each labelled with its count.

    ``counts_by_day`` maps ISO dates (``2026-11-23``, labelled ``Mon``) or any short labels to
    counts; ``InsightsService.posts_by_day()`` returns exactly this. The SVG has a <title> and
    an aria-label for screen readers and scales with its viewBox.
    """
    items = list(counts_by_day.items() if isinstance(counts_by_day, Mapping) else counts_by_day)
    top = max([count for _, count in items] + [0])
    total = sum(count for _, count in items)
    summary = f"{title}: {total} post{'s' if total != 1 else ''}"
    slot = (WIDTH - 2 * _SIDE) / max(len(items), 1)
    plot = HEIGHT - _TOP - _BOTTOM
    parts = [
        f'<svg xmlns="http://www.w3.org/2000/svg" width="{WIDTH}" height="{HEIGHT}" '
        f'viewBox="0 0 {WIDTH} {HEIGHT}" role="img" aria-label={quoteattr(summary)} '
        f'font-family="Helvetica, Arial, sans-serif" font-size="11">',
        f"<title>{escape(summary)}</title>",
    ]
    for index, (key, count) in enumerate(items):
        height = round(plot * count / top, 1) if top else 0
        x = round(_SIDE + index * slot + slot * 0.15, 1)
        middle = round(_SIDE + index * slot + slot / 2, 1)
        y = round(_TOP + plot - height, 1)
        day = escape(_label(str(key)))
        parts.append(
            f'<rect x="{x}" y="{y}" width="{round(slot * 0.7, 1)}" height="{height}" '
            f'fill="{_BAR_COLOR}"><title>{escape(str(key))}: {int(count)}</title></rect>'
        )
        parts.append(
            f'<text x="{middle}" y="{round(y - 4, 1)}" text-anchor="middle" '
            f'fill="{_TEXT_COLOR}">{int(count)}</text>'
        )
        parts.append(
            f'<text x="{middle}" y="{HEIGHT - 6}" text-anchor="middle" '
            f'fill="{_TEXT_COLOR}">{day}</text>'
        )
    parts.append("</svg>")
    return "\n".join(parts)


def week_chart_table(
    counts_by_day: Mapping[str, int] | Iterable[tuple[str, int]],
    *,
    title: str = "Posts this week",
    width: int = 200,
) -> str:
    """The week as an HTML table, one row per day with a bar made of a coloured cell: what
    every mail client renders (attributes as well as inline styles, for Outlook)."""
    items = list(counts_by_day.items() if isinstance(counts_by_day, Mapping) else counts_by_day)
    top = max([count for _, count in items] + [0])
    total = sum(count for _, count in items)
    summary = f"{title}: {total} post{'s' if total != 1 else ''}"
    cell = f'style="padding:1px 6px;font:11px Helvetica,Arial,sans-serif;color:{_TEXT_COLOR}"'
    rows = []
    for key, count in items:
        bar = max(1, round(width * count / top)) if top and count else 0
        fill = (
            f'<td width="{bar}" height="12" bgcolor="{_BAR_COLOR}" '
            f'style="width:{bar}px;height:12px;background:{_BAR_COLOR};font-size:0;'
            f'line-height:0">&nbsp;</td>'
            if bar
            else ""
        )
        rows.append(
            f"<tr><td {cell}>{escape(_label(str(key)))}</td>"
            f'<td style="padding:1px 0"><table role="presentation" cellpadding="0" '
            f'cellspacing="0" border="0"><tr>{fill}<td {cell}>{int(count)}</td></tr></table>'
            f"</td></tr>"
        )
    return (
        f'<table role="presentation" cellpadding="0" cellspacing="0" border="0" '
        f"aria-label={quoteattr(summary)}>"
        f'<caption style="text-align:left;font:bold 12px Helvetica,Arial,sans-serif;'
        f'color:{_TEXT_COLOR}">{escape(summary)}</caption>' + "".join(rows) + "</table>"
    )
