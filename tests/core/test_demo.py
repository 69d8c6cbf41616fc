"""`plnctl demo`, the README's first command: offline, self-contained, repeatable."""

from __future__ import annotations

from pathlib import Path

from plnctl.api import open_pln
from tests.conftest import Cli


def test_demo_runs_the_pipeline_and_leaves_the_users_data_alone(
    cli: Cli, isolated_home: Path
) -> None:
    result = cli("demo")
    assert result.exit_code == 0, result.stderr
    assert "7 sources: 14 new posts, 0 failed" in result.stderr  # 5 feeds, Bluesky, a hashtag
    assert "7 unchanged" in result.stderr  # the second sync: feeds all 304s, nothing new
    assert "Retrieval practice starter" in result.stdout  # Amara's Bluesky post in the digest
    assert "--bluesky @amara.bsky.social" in result.stderr
    assert "tag follow '#edchat'" in result.stderr
    assert "Exit tickets that actually change tomorrow's lesson" in result.stdout
    assert "PLN digest" in result.stdout and "Questions" in result.stdout
    assert "<script>" not in result.stdout
    assert not (isolated_home / "plnctl.db").exists()


def test_demo_can_be_kept_and_run_again(cli: Cli, tmp_path: Path) -> None:
    db = tmp_path / "demo.db"
    assert cli("demo", "--db", str(db)).exit_code == 0
    again = cli("demo", "--db", str(db))  # a new run serves the feeds on another port
    assert again.exit_code == 0, again.stderr
    assert "0 failed" in again.stderr
    with open_pln(db) as pln:
        assert len(pln.people.list()) == 6
        assert len(pln.posts.list(limit=None)) == 14
        assert [t.tag for t in pln.tags.list()] == ["edchat"]
        assert len(pln.questions.list()) == 1
        (post,) = [p for p in pln.posts.list(limit=None) if (p.title or "").startswith("Exit")]
        tagged = pln.posts.get(post.id)
        assert any(t.topic == "assessment & online testing" for t in tagged.tags)
