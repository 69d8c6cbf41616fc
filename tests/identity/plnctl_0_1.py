"""A database made by the real plnctl 0.1 (commit 67f841f, taken from this repository's
history with ``git archive``), holding the duplicates issue 12 reports: one feed written four
ways as four people (two spellings of the name), two people of one name with different
feeds, and a removed person whose feed was added again (their old posts beside new copies).
The 0.1 code runs in a subprocess of its own against the test's loopback feed server."""

from __future__ import annotations

import os
import subprocess
import sys
import tarfile
import tempfile
from pathlib import Path

import pytest

from tests.archives import extract

COMMIT_0_1 = "67f841f"
REPO = Path(__file__).resolve().parents[2]

# Runs with 0.1's plnctl first on sys.path: only 0.1's API, as a 0.1 user would have used it.
BUILD = r"""
import sqlite3, sys
from plnctl.api import open_pln

db, base = sys.argv[1], sys.argv[2]
maria = [base + "/maria/feed", base + "/maria/feed/", base + "/maria/feed?utm_source=newsletter",
         base.replace("http://", "HTTP://") + "/maria/feed"]
with open_pln(db) as pln:
    for i, url in enumerate(maria):
        pln.people.add("Maria Rivera" if i % 2 == 0 else "maria rivera", feeds=[url])
    pln.people.add("Sam Lee", feeds=[base + "/sam/a"])
    pln.people.add("Sam Lee", feeds=[base + "/sam/b"])
    pln.people.add("Priya Natarajan", feeds=[base + "/priya/feed"])
    pln.sync(force=True)
    ids = {}  # (source id, link) -> post id
    for post in pln.posts.list(limit=None):
        ids[(post.source_id, post.url)] = post.id
    link = lambda n: f"https://rivera.example.edu/{n}"
    pln.posts.mark_read([ids[(2, link(0))]])
    pln.posts.save(ids[(1, link(1))], note="team meeting")
    pln.posts.save(ids[(3, link(1))], note="for Y9")
    pln.topics.add("assessment")
    pln.topics.tag_post(ids[(4, link(2))], "assessment")
    question = pln.questions.add("Who uses exit tickets?")
    pln.questions.answer(question.id, from_="3", text="Every lesson")  # by name: "matches 4 people"
    priya = [p for p in pln.posts.list(limit=None) if p.source_id == 7]
    pln.posts.save(priya[0].id, note="try this")
    pln.posts.mark_read([priya[1].id])
    pln.people.remove("Priya Natarajan")
    pln.people.add("Priya Natarajan", feeds=[base + "/priya/feed"])
    pln.sync(force=True)
conn = sqlite3.connect(db)
with conn:  # 0.1 linked answers found as backlinks to the post: one points at a duplicate
    conn.execute("UPDATE answers SET post_id = ?", (ids[(3, link(3))],))
conn.close()
"""


def plnctl_0_1(tmp_path: Path) -> Path:
    """0.1's source tree, from git; the test is skipped where the history is not at hand."""
    archive = tmp_path / "plnctl-0.1.tar"
    try:
        subprocess.run(
            ["git", "-C", str(REPO), "archive", "-o", str(archive), COMMIT_0_1, "plnctl"],
            check=True, capture_output=True, timeout=60,
        )  # fmt: skip
    except (OSError, subprocess.SubprocessError) as e:
        pytest.skip(f"plnctl 0.1 ({COMMIT_0_1}) is not in this checkout's git history: {e}")
    tree = tmp_path / "plnctl-0.1"
    with tarfile.open(archive) as tar:
        extract(tar, tree)
    return tree


def build_0_1_database(tmp_path: Path, db: Path, base_url: str) -> None:
    tree = plnctl_0_1(tmp_path)
    home = Path(tempfile.mkdtemp(dir=tmp_path))
    env = {**os.environ, "PYTHONPATH": str(tree), "PLNCTL_HOME": str(home)}
    done = subprocess.run(
        [sys.executable, "-c", BUILD, str(db), base_url],
        env=env, cwd=tree, capture_output=True, text=True, timeout=300,
    )  # fmt: skip
    assert done.returncode == 0, done.stderr[-3000:]
