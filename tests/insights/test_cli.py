"""`plnctl stats`: exit codes, the stdout/stderr split, text sections and --json."""

from __future__ import annotations

from tests.insights.conftest import Network


def test_stats_json(cli, live_network: Network) -> None:
    result = cli("stats", "--json")
    assert result.exit_code == 0, result.stderr
    assert result.stderr == ""
    data = result.json()
    assert isinstance(data, dict)
    assert (data["people_active"], data["people_total"], data["posts"]) == (4, 6, 12)
    assert [p["name"] for p in data["people"]] == ["Ana", "Ben", "Cleo", "Dev"]
    assert [d["name"] for d in data["dormant"]] == ["Eve", "Finn", "Dev"]
    assert data["dormant"][2]["weeks_silent"] == 9
    assert [t["name"] for t in data["few_voices"]] == ["ai", "assessment"]
    assert data["diversity"]["kinds"] == {"feed": 4, "mastodon": 3}
    assert data["questions"]["answer_rate"] == 0.667
    assert data["questions"]["top_answerers"][0]["name"] == "Xena"


def test_stats_text_report(cli, live_network: Network) -> None:
    result = cli("stats", "--since", "90d")
    assert result.exit_code == 0, result.stderr
    out = result.stdout
    assert "People active: 4 of 6   Sources active: 5 of 7   Posts: 12" in out
    assert "All posts  ▁▁▁▃▁▁▁▁▁▁▅▄█" in out
    assert "Ana\t5\t▁▁▁▁▁▁▁▁▁▁▁▆█\t2" in out
    assert "Quiet: no post in 6 weeks (3)" in out
    assert "Eve\tnever\t" in out
    assert "Finn\thttps://finn.example.com/feed\tactive\t3\tHTTP 500" in out
    assert "edu.social\t2\t2" in out
    assert "ai\t0\t0" in out
    assert "Asked 3, answered 2 (answer rate 67%), 1 answered by your network" in out
    assert "Xena\t2\t2\tno" in out


def test_stats_top_limits_rows(cli, live_network: Network) -> None:
    out = cli("stats", "--top", "1").stdout
    assert "Ana\t5" in out and "Ben\t4" not in out


def test_stats_empty_database(cli) -> None:
    result = cli("stats", "--since", "2w")
    assert result.exit_code == 0
    assert "posts that arrived" in result.stdout
    assert "(2 weeks, one bar per week)" in result.stdout
    assert "People active: 0 of 0" in result.stdout
    assert "  none" in result.stdout
    assert "answer rate –" in result.stdout


def test_stats_bad_since_is_a_usage_error(cli) -> None:
    result = cli("stats", "--since", "lately")
    assert result.exit_code == 2
    assert result.stdout == ""
    assert result.stderr.startswith("Error: invalid --since 'lately'")
