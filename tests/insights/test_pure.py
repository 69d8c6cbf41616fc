"""The pure parts: series, sparklines, identities, ranking, dormancy, the SVG chart."""

from __future__ import annotations

import shlex
import xml.etree.ElementTree as ET
from datetime import UTC, datetime

import pytest
from hypothesis import given
from hypothesis import strategies as st

from plnctl import insights as calc
from plnctl.render.charts import BLOCKS, sparkline, week_chart_svg

SVG = "{http://www.w3.org/2000/svg}"


@given(st.lists(st.tuples(st.integers(-5, 60), st.integers(0, 1000))), st.integers(1, 60))
def test_series_keeps_every_post(pairs: list[tuple[int, int]], weeks: int) -> None:
    counts = calc.series(pairs, weeks)
    assert len(counts) == weeks
    assert sum(counts) == sum(n for _, n in pairs)


def test_series_orders_oldest_first_and_clamps() -> None:
    assert calc.series([(0, 5), (2, 1), (-1, 1), (99, 2)], 3) == (3, 0, 6)


@given(st.lists(st.integers(0, 10_000), min_size=1, max_size=60))
def test_sparkline_shape(values: list[int]) -> None:
    line = sparkline(values)
    assert len(line) == len(values)
    assert set(line) <= set(BLOCKS)
    if max(values) > 0:
        assert line[values.index(max(values))] == "█"
    for value, block in zip(values, line, strict=True):
        if value == 0:
            assert block == "▁"


@pytest.mark.parametrize(
    ("values", "expected"),
    [([], ""), ([0, 0], "▁▁"), ([0, 1, 2, 4, 8], "▁▂▃▅█"), ([3], "█")],
)
def test_sparkline_table(values: list[int], expected: str) -> None:
    assert sparkline(values) == expected


@pytest.mark.parametrize(
    ("handle", "expected"),
    [
        ("@Ana@Edu.Social", "ana@edu.social"),
        ("ana@edu.social", "ana@edu.social"),
        ("  @x_y.z@host.example:8443 ", "x_y.z@host.example:8443"),
        ("ana", None),
        ("ana@localhost", None),
        ("@a@b@c.example", None),
        ("", None),
        (None, None),
    ],
)
def test_normalize_handle(handle: str | None, expected: str | None) -> None:
    assert calc.normalize_handle(handle) == expected


@pytest.mark.parametrize(
    ("url", "expected"),
    [
        ("https://far.example/@yan/1111", "yan@far.example"),
        ("https://far.example/@yan", "yan@far.example"),
        ("https://Far.Example/users/Yan/statuses/1", "yan@far.example"),
        ("https://far.example/@yan@other.example", None),  # a remote profile view
        ("https://blog.example/2026/post", None),
        ("not a url", None),
        ("https://[bad", None),
    ],
)
def test_profile_handle(url: str, expected: str | None) -> None:
    assert calc.profile_handle(url) == expected


KNOWN = calc.Known.from_sources(
    [
        ("mastodon", "@ana@edu.social", "https://edu.social/@ana", None),
        ("feed", None, "https://feeds.example.net/ana.xml", "https://www.ana.example.org/"),
    ]
)


@pytest.mark.parametrize(
    ("target", "expected"),
    [
        ("zoe@other.social", ("mastodon", "zoe@other.social")),
        ("ANA@edu.social", None),
        ("https://edu.social/@ana/123", None),
        ("https://edu.social/@bob", ("mastodon", "bob@edu.social")),
        ("https://edu.social/about", None),  # an instance page, not a person
        ("https://ana.example.org/post", None),
        ("https://feeds.example.net/other", None),
        ("https://en.wikipedia.org/wiki/Rubric", None),
        ("https://quinn.example/x", ("site", "quinn.example")),
        ("https://www.quinn.example/y", ("site", "quinn.example")),
        ("mailto:someone@example.org", None),
    ],
)
def test_suggestion_key(target: str, expected: tuple[str, str] | None) -> None:
    assert calc.suggestion_key(target, KNOWN) == expected


@given(st.text(min_size=1, max_size=40))
def test_add_command_is_one_safe_shell_line(name: str) -> None:
    command = calc.add_command(name, "mastodon", "@zoe@other.social")
    assert shlex.split(command) == [
        "plnctl",
        "person",
        "add",
        name,
        "--mastodon",
        "@zoe@other.social",
    ]


def test_add_command_quotes_hostile_names() -> None:
    command = calc.add_command('$(rm -rf ~)"; echo', "site", "https://x.example")
    assert shlex.split(command)[3] == '$(rm -rf ~)"; echo'
    assert command.startswith("plnctl person add '")


def test_rank_merges_kinds_and_breaks_ties_by_target() -> None:
    signals = [
        calc.Signal("boost", "b@x.example", 1, 1),
        calc.Signal("mention", "a@x.example", 1, 1),
        calc.Signal("link", "https://x.example/@a/9", 2, 1),
        calc.Signal("mention", "c@x.example", 1, 1),
        calc.Signal("answer", "c@x.example", 1, 1, name="Cy"),
    ]
    ranked = calc.rank_suggestions(signals, calc.Known(frozenset(), frozenset()))
    assert [(s.target, s.score, s.name) for s in ranked] == [
        ("@c@x.example", 14, "Cy"),
        ("@a@x.example", 7, "a"),
        ("@b@x.example", 6, "b"),
    ]
    assert ranked[1].evidence == (
        "mentioned once by 1 person you follow",
        "linked twice by 1 person you follow",
    )


def test_dormancy_boundaries() -> None:
    now = datetime(2026, 6, 1, tzinfo=UTC)
    people = [
        (1, "Just quiet", "2026-04-20T00:00:00Z", "2020-01-01T00:00:00Z"),  # exactly 6 weeks
        (2, "Recent", "2026-04-21T00:00:00Z", "2020-01-01T00:00:00Z"),
        (3, "New, no posts", None, "2026-05-30T00:00:00Z"),
        (4, "Old, no posts", None, "2026-01-01T00:00:00Z"),
    ]
    found = calc.dormant_people(people, now=now, quiet_weeks=6)
    assert [(d.name, d.weeks_silent) for d in found] == [("Old, no posts", None), ("Just quiet", 6)]


def test_week_chart_svg_is_static_and_labelled() -> None:
    counts = {"2026-05-25": 3, "2026-05-26": 0, "2026-05-27": 12, "2026-05-31": 1}
    svg = week_chart_svg(counts)
    root = ET.fromstring(svg)
    assert root.tag == f"{SVG}svg"
    assert root.get("aria-label") == "Posts this week: 16 posts"
    bars = root.findall(f"{SVG}rect")
    assert [b.findtext(f"{SVG}title") for b in bars] == [
        "2026-05-25: 3",
        "2026-05-26: 0",
        "2026-05-27: 12",
        "2026-05-31: 1",
    ]
    heights = [float(b.get("height", "")) for b in bars]
    assert heights[2] == max(heights) and heights[1] == 0
    labels = [t.text for t in root.findall(f"{SVG}text")]
    assert labels == ["3", "Mon", "0", "Tue", "12", "Wed", "1", "Sun"]
    lowered = svg.lower()
    for forbidden in ("<script", "onload", "javascript:", "href", "<style", "url("):
        assert forbidden not in lowered


def test_week_chart_svg_escapes_labels_and_handles_no_posts() -> None:
    svg = week_chart_svg([("<b>&", 0), ("x", 0)], title='A "title" <i>')
    root = ET.fromstring(svg)  # still well-formed
    assert root.findtext(f"{SVG}title") == 'A "title" <i>: 0 posts'
    assert [float(b.get("height", "")) for b in root.findall(f"{SVG}rect")] == [0, 0]
    assert ET.fromstring(week_chart_svg({})).tag == f"{SVG}svg"


def test_profile_handles_keep_the_port() -> None:
    """A followed account on 127.0.0.1:3111 must not be suggested again as @sam@127.0.0.1."""
    from plnctl.insights import profile_handle

    assert profile_handle("http://127.0.0.1:3111/@sam/42") == "sam@127.0.0.1:3111"
    assert profile_handle("https://Social.Example/@Sam") == "sam@social.example"
    assert profile_handle("http://[zz/x") is None
