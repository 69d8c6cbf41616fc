"""The shipped standards and frameworks, and each framework's fields, totals and progress on
known entries (caps included): pure."""

from __future__ import annotations

from importlib.resources import files

import pytest
from hypothesis import given
from hypothesis import strategies as st

from plnctl import pd
from plnctl.errors import InvalidInput, NotFound
from plnctl.pd_report import build_report, period_start
from tests.pdlog.conftest import entry


def test_apst_standards_are_complete_and_grouped_in_three_domains() -> None:
    apst = [s for s in pd.all_standards() if s.framework == "apst"]
    standards = [s for s in apst if s.parent is None]
    focus = [s for s in apst if s.parent is not None]
    assert [s.code for s in standards] == ["1", "2", "3", "4", "5", "6", "7"]
    assert len(focus) == 37
    assert focus[0].code == "1.1" and focus[-1].code == "7.4"
    by_domain = {d: sorted({s.parent for s in focus if s.domain == d}) for d in pd.domain_names()}
    assert by_domain == {
        "knowledge": ["1", "2"],
        "practice": ["3", "4", "5"],
        "engagement": ["6", "7"],
    }
    assert pd.standard("6.2").title == "Engage in professional learning and improve practice"
    assert pd.standard("6.3").title == "Engage with colleagues and improve practice"
    assert pd.domain_names()["engagement"] == "Professional Engagement"


def test_the_data_files_say_where_they_come_from() -> None:
    text = files("plnctl").joinpath("data", "standards.toml").read_text(encoding="utf-8")
    assert "Source: written by the plnctl developers from the published numbering" in text
    assert "AITSL" in text
    assert "Source:" in files("plnctl").joinpath("data", "frameworks.toml").read_text("utf-8")
    assert [s.code for s in pd.all_standards() if s.framework == "other"] == [
        "G1",
        "G2",
        "G3",
        "G4",
        "G5",
        "G6",
    ]


def test_checking_what_users_type() -> None:
    assert pd.check_standards(["6.2", " 3.3", "6.2", "g5"]) == ("6.2", "3.3", "G5")
    with pytest.raises(InvalidInput, match=r"unknown standard '8\.1'"):
        pd.check_standards(["8.1"])
    assert pd.check_standards(["6.2.2"]) == ("6.2.2",)
    assert pd.standard("6.2.2").title.endswith("(Proficient)")
    assert pd.standard("6.2.2").domain == "engagement"
    for bad in ("6.2.5", "6.9.2", "6.2.x", "6.2.2.2"):
        with pytest.raises(InvalidInput):
            pd.check_standards([bad])
    assert pd.check_type("Webinar") == "webinar"
    with pytest.raises(InvalidInput, match="reading, network, course"):
        pd.check_type("party")
    assert pd.to_minutes(1.5, None) == 90 and pd.to_minutes(None, 45) == 45
    for bad in ((None, None), (1.0, 30), (0.0, None), (None, -5)):
        with pytest.raises(InvalidInput):
            pd.to_minutes(*bad)
    with pytest.raises(NotFound, match="nesa, vit, trb-sa, gtcs, texas, ny-ctle, generic"):
        pd.framework("ofsted")


def _fields(report, n: int = 0) -> dict:  # type: ignore[no-untyped-def]
    return {label: value for _, label, value in report.rows[n].cells}


def test_nesa_fields_and_totals() -> None:
    entries = [
        entry(
            1,
            "2026-03-02",
            90,
            "webinar",
            title="Explicit teaching",
            standards=("6.2", "3.3"),
            provider="AITSL",
            priority="Literacy and numeracy",
            evidence=("https://x.example/1",),
        ),
        entry(2, "2026-05-10", 30, "reading", standards=("6.2.2",)),  # a descriptor
        entry(3, "2019-01-01", 600, "course"),  # outside the period
    ]
    report = build_report("nesa", entries, start="2026-01-01", end="2026-12-31")
    assert _fields(report) == {
        "Date": "2026-03-02",
        "Activity type": "webinar",
        "Activity name": "Explicit teaching",
        "Standard descriptors addressed": ("6.2", "3.3"),
        "Duration (h)": "1.5",
        "Provider": "AITSL",
        "Priority area": "Literacy and numeracy",
        "Evidence": ("https://x.example/1",),
    }
    assert [r.entry.id for r in report.rows] == [1, 2]
    assert report.rows[1].warnings == ("missing provider", "missing priority")
    assert [(t.key, t.hours, t.entries) for t in report.by_standard] == [
        ("3.3", 1.5, 1),
        ("6.2", 2.0, 2),
    ]
    assert [(t.key, t.hours) for t in report.by_domain] == [("practice", 1.5), ("engagement", 2.0)]
    assert [(t.key, t.hours) for t in report.by_type] == [("reading", 0.5), ("webinar", 1.5)]
    p = report.progress
    assert (p.required_hours, p.periods, p.logged_hours, p.counted_hours, p.percent) == (
        100,
        1,
        2.0,
        2.0,
        2.0,
    )
    assert report.evidence == ((1, "Explicit teaching", "https://x.example/1"),)


def test_vit_needs_hours_in_every_domain_each_year() -> None:
    entries = [
        entry(1, "2026-02-01", 600, standards=("6.2",)),
        entry(2, "2026-03-01", 300, standards=("1.2", "2.5")),
    ]
    report = build_report("vit", entries, start="2026-01-01", end="2026-12-31")
    assert report.progress.required_hours == 20 and report.progress.counted_hours == 15
    assert report.progress.percent == 75.0
    assert report.progress.domains_missing == ("Professional Practice",)
    assert _fields(report, 1)["Domains"] == ("Professional Knowledge",)
    two_years = build_report("vit", entries, start="2025-01-01", end="2026-12-31")
    assert two_years.progress.periods == 2 and two_years.progress.required_hours == 40


def test_trb_sa_asks_for_one_or_two_standards_and_how_the_learning_connects() -> None:
    entries = [
        entry(1, "2026-02-01", 60, standards=("6.2", "3.3", "5.1"), reflection="Used it in 9B"),
        entry(2, "2026-02-02", 60, standards=("6.3",)),
    ]
    report = build_report("trb-sa", entries, start="2026-01-01", end="2026-12-31")
    assert list(_fields(report)) == [
        "Title",
        "Type",
        "Date(s)",
        "Hours",
        "Evidence held",
        "Standards (1-2)",
        "How the learning connects",
    ]
    assert report.rows[0].warnings == ("names 3 standards (1-2 expected)",)
    assert report.rows[1].warnings == ("missing reflection",)
    assert report.progress.required_hours == 60 and report.progress.counted_hours == 2


def test_gtcs_is_a_reflective_record_with_impact() -> None:
    entries = [
        entry(1, "2026-02-01", 60, reflection="Learned X", impact="Pupils now Y"),
        entry(2, "2026-02-02", 60, reflection="Learned Z"),
    ]
    report = build_report("gtcs", entries, start="2026-01-01", end="2026-12-31")
    assert _fields(report)["Impact on my practice and learners"] == "Pupils now Y"
    assert report.rows[1].warnings == ("missing impact",)
    assert report.progress.required_hours == 0 and report.progress.percent is None
    assert report.progress.complete_entries == 1


def test_texas_caps_independent_study_at_20_percent() -> None:
    entries = [
        entry(1, "2026-01-10", 20 * 60, "reading"),
        entry(2, "2026-02-10", 15 * 60, "research"),  # 5 h of it over the 30 h cap
        entry(3, "2026-03-10", 10 * 60, "reading"),  # wholly over the cap
        entry(4, "2026-04-10", 50 * 60, "course", provider="Region 4 ESC"),
    ]
    report = build_report("texas", entries, start="2022-06-01", end="2027-05-31")
    p = report.progress
    assert (p.required_hours, p.cap_limit_hours, p.cap_logged_hours, p.cap_counted_hours) == (
        150,
        30,
        45,
        30,
    )
    assert (p.logged_hours, p.counted_hours, p.percent) == (95, 80, 53.3)
    counted = {r.entry.id: r.counted_minutes // 60 for r in report.rows}
    assert counted == {1: 20, 2: 10, 3: 0, 4: 50}
    assert report.rows[1].warnings[-1] == (
        "10 of 15 h counted: independent study is capped at 20 %"
    )
    assert dict(p.not_counted)[3].startswith("0 of 10 h counted")


def test_new_york_ctle_counts_only_hours_from_a_sponsor() -> None:
    entries = [entry(1, "2026-01-10", 600, provider="BOCES"), entry(2, "2026-01-11", 300)]
    report = build_report("ny-ctle", entries, start="2026-01-01", end="2026-12-31")
    assert _fields(report)["CTLE sponsor"] == "BOCES"
    assert report.progress.counted_hours == 10 and report.progress.logged_hours == 15
    assert report.progress.not_counted == ((2, "not counted: no provider"),)


def test_generic_shows_every_field() -> None:
    report = build_report(
        "generic", [entry(1, "2026-01-10", 60, impact="i")], start="2026-01-01", end="2026-01-31"
    )
    assert [k for k, _, _ in report.rows[0].cells] == [
        "date",
        "title",
        "type",
        "hours",
        "standards",
        "provider",
        "priority",
        "reflection",
        "impact",
        "evidence",
    ]
    assert report.progress.required_hours == 0


def test_a_period_ends_on_the_day_given() -> None:
    fw = pd.framework("nesa")
    assert period_start(fw, "2026-12-01") == "2021-12-02"
    assert period_start(pd.framework("vit"), "2028-02-29") == "2027-03-01"


@given(
    st.lists(
        st.tuples(st.sampled_from(["reading", "research", "course"]), st.integers(1, 3000)),
        max_size=12,
    )
)
def test_texas_counts_never_exceed_the_cap_or_what_was_logged(items: list) -> None:  # type: ignore[type-arg]
    entries = [entry(i, "2026-01-01", m, t, provider="P") for i, (t, m) in enumerate(items, 1)]
    p = build_report("texas", entries, start="2026-01-01", end="2026-12-31").progress
    independent = sum(m for t, m in items if t != "course")
    assert p.cap_counted_hours == round(min(independent, 30 * 60) / 60, 2)
    assert p.counted_hours <= p.logged_hours
    assert p.counted_hours == round(
        (min(independent, 1800) + sum(m for t, m in items if t == "course")) / 60, 2
    )
