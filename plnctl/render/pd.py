"""A professional-learning report as HTML (a printable A4 page), CSV, Markdown or JSON: pure.

The HTML goes through the Jinja2 environment of ``render.html`` (autoescape on), so every text
the user or the web wrote is escaped; links are only made from http(s) addresses.
"""

from __future__ import annotations

import csv
import io
import json
from collections.abc import Iterable
from typing import Any

from plnctl.errors import InvalidInput
from plnctl.models import PdEntry
from plnctl.pd_report import Report, Row, Total, fmt_hours
from plnctl.render.csvsafe import EXCEL_BOM, csv_cell
from plnctl.render.digest import fmt_time, md_escape, md_link
from plnctl.render.sanitize import safe_url

FORMATS = ("html", "csv", "md", "json")


def render_report(report: Report, fmt: str, *, excel: bool = False) -> str:
    if fmt == "html":
        return report_html(report)
    if fmt == "csv":
        return report_csv(report, excel=excel)
    if fmt == "md":
        return report_md(report)
    if fmt == "json":
        return json.dumps(report.to_dict(), indent=2, ensure_ascii=False) + "\n"
    raise InvalidInput(f"unknown report format {fmt!r}: use one of {', '.join(FORMATS)}")


def title(report: Report) -> str:
    return f"Professional learning log: {report.framework.name}"


def progress_lines(report: Report) -> list[str]:
    """The progress summary in words, one line each (shared by every format)."""
    p, fw = report.progress, report.framework
    per = f"per {fw.years}-year period" if fw.years > 1 else "per year"
    if p.required_hours:
        times = f" x {p.periods} periods" if p.periods > 1 else ""
        lines = [
            f"{p.counted_hours:g} h counted of {p.required_hours:g} h required "
            f"({fw.hours:g} h {per}{times}): {p.percent:g} %."
        ]
    else:
        lines = [f"No hours requirement; {p.logged_hours:g} h logged."]
    if p.logged_hours != p.counted_hours:
        lines.append(f"{p.logged_hours:g} h logged in all.")
    if p.cap_label:
        lines.append(
            f"Cap on {p.cap_label} ({', '.join(p.cap_types)}): at most {p.cap_limit_hours:g} h; "
            f"{p.cap_logged_hours:g} h logged, {p.cap_counted_hours:g} h counted."
        )
    if fw.domains_required:
        lines.append(
            "Domains without hours: " + ", ".join(p.domains_missing)
            if p.domains_missing
            else "Every domain of the Standards has hours."
        )
    if fw.warn_missing:
        names = ", ".join(fw.warn_missing)
        lines.append(f"{p.complete_entries} of {len(report.rows)} entries give {names}.")
    return lines


def cell_text(value: Any, key: str = "") -> str:
    """A cell as plain text: lists joined (evidence by spaces, standards by commas)."""
    if isinstance(value, tuple):
        return (" " if key == "evidence" else ", ").join(value)
    return str(value)


# --- HTML ------------------------------------------------------------------------------------


def report_html(report: Report) -> str:
    from plnctl.render.html import _env

    return (
        _env()
        .get_template("pd_report.html.j2")
        .render(
            report=report,
            page_title=title(report),
            progress=progress_lines(report),
            percent=min(100.0, report.progress.percent or 0.0),
            period=f"{fmt_time(report.start, date_only=True)} to "
            f"{fmt_time(report.end, date_only=True)}",
            generated=fmt_time(report.generated_at) if report.generated_at else "",
            hours=fmt_hours,
            safe_url=safe_url,
        )
    )


# --- CSV -------------------------------------------------------------------------------------


def report_csv(report: Report, *, excel: bool = False) -> str:
    """The entries (the framework's columns, counted hours, warnings), then the totals and the
    progress as small sections below a blank row. ``excel``: a UTF-8 BOM and CRLF lines."""
    buffer = io.StringIO()
    writer = csv.writer(buffer, lineterminator="\r\n" if excel else "\n")

    def put(cells: Iterable[Any]) -> None:
        writer.writerow([csv_cell(c) for c in cells])

    put([*(label for _, label in report.framework.fields), "Counted hours", "Check"])
    for row in report.rows:
        put([*(cell_text(v, k) for k, _, v in row.cells), fmt_hours(row.counted_minutes),
             "; ".join(row.warnings)])  # fmt: skip
    for heading, totals in _total_sections(report):
        put([])
        put([heading, "Hours", "Entries"])
        for t in totals:
            put([t.label, f"{t.hours:g}", t.entries])
    put([])
    put(["Progress"])
    for line in progress_lines(report):
        put([line])
    text = buffer.getvalue()
    return EXCEL_BOM + text if excel else text


def _total_sections(report: Report) -> list[tuple[str, tuple[Total, ...]]]:
    return [
        ("Standard", report.by_standard),
        ("Domain", report.by_domain),
        ("Type", report.by_type),
    ]


# --- Markdown --------------------------------------------------------------------------------


def report_md(report: Report) -> str:
    fw = report.framework
    out = [f"# {md_escape(title(report))}", ""]
    out.append(md_escape(f"{fw.body}. {report.start} to {report.end}. {fw.note}".lstrip(". ")))
    out += ["", "## Progress", ""] + [f"- {md_escape(line)}" for line in progress_lines(report)]
    out += ["", "## Entries", ""]
    labels = [label for _, label in fw.fields]
    out.append("| " + " | ".join(md_escape(x) for x in [*labels, "Counted (h)"]) + " |")
    out.append("|" + "---|" * (len(labels) + 1))
    for row in report.rows:
        out.append("| " + " | ".join([*(_md_cell(k, v) for k, _, v in row.cells),
                                      fmt_hours(row.counted_minutes)]) + " |")  # fmt: skip
    warned = [r for r in report.rows if r.warnings]
    if warned:
        out += ["", "Check: " + "; ".join(_md_warn(r) for r in warned)]
    for heading, totals in _total_sections(report):
        out += ["", f"## Hours by {heading.lower()}", "", f"| {heading} | Hours | Entries |",
                "|---|---|---|"]  # fmt: skip
        out += [f"| {md_escape(t.label)} | {t.hours:g} | {t.entries} |" for t in totals]
    if report.evidence:
        out += ["", "## Evidence", ""]
        out += [f"- {md_escape(t)}: {md_link(u, u)}" for _, t, u in report.evidence]
    out += ["", f"_Generated by plnctl at {fmt_time(report.generated_at)}._", ""]
    return "\n".join(out)


def _md_cell(key: str, value: Any) -> str:
    if key == "evidence":
        return " ".join(md_link(v, v) for v in value)
    return md_escape(cell_text(value, key)).replace("\n", " ")


def _md_warn(row: Row) -> str:
    return f"{md_escape(row.entry.title)} ({md_escape(', '.join(row.warnings))})"


# --- terminal ----------------------------------------------------------------------------------


def entry_lines(e: PdEntry) -> list[str]:
    lines = [f"{e.title}  (entry {e.id})", f"{e.date} · {round(e.hours, 2):g} h · {e.type}"]
    for label, value in (("Standards", ", ".join(e.standards)), ("Provider", e.provider),
                         ("Priority area", e.priority), ("Reflection", e.reflection),
                         ("Impact", e.impact)):  # fmt: skip
        if value:
            lines.append(f"{label}: {value}")
    lines += [f"Evidence: {item}" for item in e.evidence]
    if e.post_id:
        lines.append(f"From post {e.post_id}")
    if e.question_id:
        lines.append(f"From question {e.question_id}")
    return lines
