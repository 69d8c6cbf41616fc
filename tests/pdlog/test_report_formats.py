"""pd report in every format: CSV that Excel opens and cannot run, Markdown, JSON, and an HTML
page that escapes what users and the web wrote and prints on A4 in headless Chromium."""

from __future__ import annotations

import csv
import io
import json
import re
import shutil
import subprocess
from pathlib import Path

import pytest

from plnctl.api import Pln
from plnctl.render.csvsafe import csv_cell
from tests.conftest import Cli
from tests.pdlog.conftest import NESA_COLUMNS
from tests.share.test_sanitize import CHROMIUM, _chromium

PDFTOPPM = shutil.which("pdftoppm")
HOSTILE_TITLE = 'Asked my network <script>alert(1)</script> & "friends"'
RANGE = ["--from", "2026-11-01", "--to", "2026-11-30"]


@pytest.fixture
def logged(pln: Pln) -> Pln:
    pln.pd.add(
        "Retrieval practice webinar",
        date="2026-11-24",
        hours=1.5,
        type="webinar",
        provider="AITSL",
        standards=["6.2", "3.3"],
        priority="Literacy and numeracy",
        evidence=["https://aitsl.example/webinars/42"],
        reflection="Three questions from last week at the start of every lesson.",
    )
    pln.pd.add(
        "Read 3 posts on assessment",
        date="2026-11-25",
        minutes=25,
        type="reading",
        provider="Self-directed",
        standards=["6.2", "5.1"],
        evidence=[
            "https://rivera.example.edu/2026/retrieval",
            "javascript-free note: printed copy",
        ],
    )
    pln.pd.add(
        HOSTILE_TITLE,
        date="2026-11-27",
        minutes=12,
        type="network",
        standards=["6.3"],
        evidence=["https://edu.social/@me/1100"],
    )
    pln.pd.add(
        '=HYPERLINK("http://evil.example","x")',
        date="2026-11-28",
        hours=2,
        type="course",
        provider="+Region 4",
        standards=["4.3"],
        reflection="@SUM(A1:A9)",
    )
    return pln


@pytest.mark.parametrize(
    ("value", "cell"),
    [
        ("=1+1", "'=1+1"),
        ("+61 2 9999", "'+61 2 9999"),
        ("-2", "'-2"),
        ("@SUM(A1)", "'@SUM(A1)"),
        ("\tx", "'\tx"),
        ("\rx", "'\rx"),
        ("plain", "plain"),
        ("a=b", "a=b"),
        (None, ""),
        (1.5, "1.5"),
    ],
)
def test_csv_cell_neutralises_formulas(value: object, cell: str) -> None:
    assert csv_cell(value) == cell


def test_csv_for_excel(cli: Cli, logged: Pln, tmp_path: Path) -> None:
    out = tmp_path / "nesa.csv"
    result = cli(
        "pd", "report", "--framework", "nesa", *RANGE, "--format", "csv", "--excel", "-o", str(out)
    )
    assert result.exit_code == 0, result.stderr
    raw = out.read_bytes()
    assert raw.startswith(b"\xef\xbb\xbf") and b"\r\n" in raw
    rows = list(csv.reader(io.StringIO(raw.decode("utf-8-sig"), newline="")))
    assert rows[0] == [*NESA_COLUMNS, "Counted hours", "Check"]
    assert rows[1][:7] == [
        "2026-11-24",
        "webinar",
        "Retrieval practice webinar",
        "6.2, 3.3",
        "1.5",
        "AITSL",
        "Literacy and numeracy",
    ]
    hostile = rows[4]
    assert hostile[2] == '\'=HYPERLINK("http://evil.example","x")' and hostile[5] == "'+Region 4"
    assert not any(c.startswith(("=", "+", "-", "@")) for row in rows for c in row)
    assert ["Standard", "Hours", "Entries"] in rows
    assert ["6.2 Engage in professional learning and improve practice", "1.92", "2"] in rows
    plain = cli("pd", "report", "--framework", "nesa", *RANGE, "--format", "csv").stdout
    assert not plain.startswith("\ufeff") and "\r\n" not in plain
    assert cli("pd", "report", "--framework", "nesa", "--excel").exit_code == 2  # html + excel


def test_markdown_and_json(cli: Cli, logged: Pln) -> None:
    md = cli("pd", "report", "--framework", "texas", *RANGE, "--format", "md").stdout
    assert md.startswith("# Professional learning log: Texas SBEC")
    assert "Cap on independent study (reading, research): at most 30 h" in md
    assert "\\<script\\>" in md and "<script>" not in md
    assert "[https://aitsl.example/webinars/42](<https://aitsl.example/webinars/42>)" in md
    data = json.loads(cli("pd", "report", "--framework", "vit", *RANGE, "--format", "json").stdout)
    assert data["framework"]["id"] == "vit" and data["from"] == "2026-11-01"
    assert len(data["entries"]) == 4
    assert data["entries"][0]["fields"]["standards"] == ["6.2", "3.3"]
    assert data["progress"]["required_hours"] == 20
    assert data["progress"]["counted_hours"] == 4.12
    assert {t["key"] for t in data["totals"]["by_domain"]} == {"practice", "engagement"}
    assert data["progress"]["domains_missing"] == ["Professional Knowledge"]
    assert data["evidence"][0] == {
        "entry": 1,
        "title": "Retrieval practice webinar",
        "url": "https://aitsl.example/webinars/42",
    }


def test_html_escapes_untrusted_text(logged: Pln) -> None:
    page = logged.pd.report("nesa", start="2026-11-01", end="2026-11-30", fmt="html")
    assert "<script>" not in page
    assert "Asked my network &lt;script&gt;alert(1)&lt;/script&gt; &amp; &#34;friends&#34;" in page
    assert 'href="https://aitsl.example/webinars/42"' in page
    assert "javascript-free note: printed copy" in page and 'href="javascript' not in page
    assert "@page { size: A4" in page


@pytest.mark.skipif(CHROMIUM is None, reason="Chromium is not installed (apt-get install chromium)")
def test_html_prints_on_a4_in_chromium(cli: Cli, logged: Pln, tmp_path: Path) -> None:
    page, pdf = tmp_path / "texas.html", tmp_path / "texas.pdf"
    result = cli("pd", "report", "--framework", "texas", *RANGE, "-o", str(page))
    assert result.exit_code == 0, result.stderr
    _chromium(tmp_path, page, "--no-pdf-header-footer", f"--print-to-pdf={pdf}")
    assert pdf.read_bytes().startswith(b"%PDF")
    if not PDFTOPPM:
        pytest.skip("poppler-utils is not installed: cannot check the printed pages")
    info = subprocess.run(["pdfinfo", str(pdf)], capture_output=True, text=True, check=True)
    size = re.search(r"Page size:\s+([\d.]+) x ([\d.]+) pts \(A4\)", info.stdout)
    assert size and float(size[1]) > float(size[2])  # A4, landscape
    text = subprocess.run(
        ["pdftotext", "-layout", str(pdf), "-"], capture_output=True, text=True, check=True
    ).stdout
    assert "Professional learning log: Texas SBEC" in text
    assert "Cap on independent study" in text and "https://aitsl.example/webinars/42" in text
    assert "Asked my network <script>alert(1)</script>" in text  # shown as text, not run
    subprocess.run([PDFTOPPM, "-r", "60", "-png", str(pdf), str(tmp_path / "page")], check=True)
    pngs = sorted(tmp_path.glob("page-*.png"))
    assert pngs and all(p.read_bytes().startswith(b"\x89PNG") for p in pngs)
