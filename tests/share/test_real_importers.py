"""Reading-list exports read by the real tools that import them (skipped where absent)."""

from __future__ import annotations

import json
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

from tests.share.conftest import NOW, Sample

_NEXT_TO_PYTHON = Path(sys.executable).parent / "buku"  # pip's script in this venv
BUKU = shutil.which("buku") or (str(_NEXT_TO_PYTHON) if _NEXT_TO_PYTHON.exists() else None)


@pytest.mark.skipif(BUKU is None, reason="buku is not installed (pip install buku)")
def test_buku_imports_the_bookmarks_export_with_titles_and_tags(
    sample: Sample, tmp_path: Path
) -> None:
    path = tmp_path / "reading.html"
    sample.pln.share.export_reading_list("bookmarks", output=path, now=NOW)
    env = {"HOME": str(tmp_path), "XDG_DATA_HOME": str(tmp_path), "PATH": "/usr/bin:/bin"}
    buku = [str(BUKU), "--nostdin", "--nc"]
    subprocess.run([*buku, "--tacit", "-i", str(path)], env=env, check=True,
                   capture_output=True, timeout=60, stdin=subprocess.DEVNULL)  # fmt: skip
    listed = subprocess.run([*buku, "-p", "-j"], env=env, check=True, capture_output=True,
                            timeout=60, stdin=subprocess.DEVNULL, text=True).stdout  # fmt: skip
    got = {b["uri"]: (b["title"], set(b["tags"].split(","))) for b in json.loads(listed)}
    items = sample.pln.share.reading_list()
    assert set(got) == {i.url for i in items}
    for item in items:
        title, tags = got[item.url or ""]
        assert title == item.title and set(item.topics) <= tags
