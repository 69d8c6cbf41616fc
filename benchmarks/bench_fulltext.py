"""Main-text extractors on saved pages: quality and CPU per page, side by side.

    python benchmarks/bench_fulltext.py --corpus /path/to/trafilatura-checkout [--pages 300]

The corpus is trafilatura's evaluation set (``tests/evaldata.json``: for each saved page in
``tests/eval/`` or ``tests/cache/``, snippets that the main text must contain and snippets of
navigation, footers and comments it must not). It is not in trafilatura's sdist: clone
``adbar/trafilatura`` (or ``fetch`` it) and point ``--corpus`` at it. The set is trafilatura's
own, so it may flatter trafilatura; readability-lxml is measured only if installed
(``pip install readability-lxml``).

Reported per extractor: precision and recall of the snippets, F1, and CPU ms per page. The
"plnctl" row is ``plnctl.fetchers.article.extract`` as sync runs it (noindex check, charset,
trafilatura with the options plnctl uses).
"""

from __future__ import annotations

import argparse
import json
import sys
import time
from collections.abc import Callable
from pathlib import Path

HERE = Path(__file__).resolve().parent
sys.path.insert(0, str(HERE.parent))


def _plnctl(html: bytes, url: str) -> str:
    from plnctl.fetchers.article import extract
    from plnctl.fetchers.http import HttpResponse

    response = HttpResponse(url, 200, {"content-type": "text/html"}, html)
    return extract(response).text or ""


def _trafilatura(html: bytes, url: str) -> str:
    import trafilatura

    return trafilatura.extract(html, url=url) or ""


def _readability(html: bytes, url: str) -> str:
    import lxml.html
    from readability import Document

    summary = Document(html, url=url).summary(html_partial=True)
    return lxml.html.fromstring(summary).text_content() if summary.strip() else ""


def _extractors() -> dict[str, Callable[[bytes, str], str]]:
    found = {"plnctl (trafilatura, as synced)": _plnctl, "trafilatura (defaults)": _trafilatura}
    try:
        import readability  # noqa: F401
    except ImportError:
        print("readability-lxml not installed: its row is skipped", file=sys.stderr)
    else:
        found["readability-lxml"] = _readability
    return found


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--corpus", type=Path, required=True, help="a trafilatura checkout")
    parser.add_argument("--pages", type=int, default=300)
    args = parser.parse_args()
    tests = args.corpus / "tests"
    gold = json.loads((tests / "evaldata.json").read_text(encoding="utf-8"))
    pages = []
    for url, case in gold.items():
        for folder in ("eval", "cache"):
            path = tests / folder / case["file"]
            if path.exists():
                pages.append((url, path.read_bytes(), case["with"], case["without"]))
                break
        if len(pages) >= args.pages:
            break
    print(f"{len(pages)} pages from {tests}")
    print(f"{'extractor':34} {'precision':>9} {'recall':>7} {'F1':>6} {'ms/page':>8}")
    for name, extract in _extractors().items():
        hit = missed = leaked = 0
        spent = 0.0
        for url, html, wanted, unwanted in pages:
            started = time.process_time()
            try:
                text = extract(html, url)
            except Exception:
                text = ""
            spent += time.process_time() - started
            hit += sum(s in text for s in wanted)
            missed += sum(s not in text for s in wanted)
            leaked += sum(s in text for s in unwanted)
        precision = hit / max(hit + leaked, 1)
        recall = hit / max(hit + missed, 1)
        f1 = 2 * precision * recall / max(precision + recall, 1e-9)
        ms = 1000 * spent / max(len(pages), 1)
        print(f"{name:34} {precision:9.3f} {recall:7.3f} {f1:6.3f} {ms:8.1f}")


if __name__ == "__main__":
    main()
