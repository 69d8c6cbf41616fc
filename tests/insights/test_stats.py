"""`pln.insights.stats` and `person_activity` on the generated network: exact numbers."""

from __future__ import annotations

import pytest

from plnctl.api import Pln
from plnctl.config import InsightsSettings
from plnctl.errors import InvalidInput, NotFound
from tests.insights.conftest import Network


@pytest.fixture
def report(pln: Pln, network: Network):
    return pln.insights.stats(since="90d", now=network.now)


def test_window_and_totals(report) -> None:
    assert (report.since, report.until, report.weeks) == (
        "2026-03-03T12:00:00Z",
        "2026-06-01T12:00:00Z",
        13,
    )
    assert (report.people_total, report.people_active) == (6, 4)
    assert (report.sources_total, report.sources_active) == (7, 5)
    # the deleted post and Finn's post from 200 days ago are not counted
    assert report.posts == 12
    assert report.weekly == (0, 0, 0, 1, 0, 0, 0, 0, 0, 0, 3, 2, 6)


def test_posts_per_person(report) -> None:
    rows = [(p.name, p.posts, p.active_sources, p.weekly[-3:]) for p in report.people]
    assert rows == [
        ("Ana", 5, 2, (0, 2, 3)),
        ("Ben", 4, 1, (2, 0, 2)),
        ("Cleo", 2, 1, (1, 0, 1)),
        ("Dev", 1, 1, (0, 0, 0)),
    ]
    assert report.people[3].weekly[3] == 1  # 68 days ago: nine weeks back


def test_topics_and_few_voices(report) -> None:
    assert [(t.name, t.posts, t.voices) for t in report.topics] == [
        ("assessment", 4, 2),  # the tag the user blocked on Cleo's post does not count
        ("maths", 3, 3),
    ]
    assert report.topics[0].weekly[-3:] == (1, 0, 3)
    assert [(t.name, t.voices) for t in report.few_voices] == [("ai", 0), ("assessment", 2)]


def test_dormant_people_with_last_post(report) -> None:
    assert [(d.name, d.last_post_at, d.weeks_silent) for d in report.dormant] == [
        ("Eve", None, None),
        ("Finn", "2025-11-13T12:00:00Z", 28),
        ("Dev", "2026-03-25T12:00:00Z", 9),
    ]
    assert report.quiet_weeks == 6


def test_quiet_weeks_setting(pln: Pln, network: Network) -> None:
    from dataclasses import replace

    pln.settings = replace(pln.settings, insights=InsightsSettings(quiet_weeks=20))
    report = pln.insights.stats(now=network.now)
    assert [d.name for d in report.dormant] == ["Eve", "Finn"]


def test_failing_sources(report, network: Network) -> None:
    failing = [
        (f.source_id, f.person, f.state, f.error_count, f.last_error)
        for f in report.failing_sources
    ]
    assert failing == [
        (network.sources["finn-feed"], "Finn", "active", 3, "HTTP 500"),
        (network.sources["eve-feed"], "Eve", "gone", 0, None),
    ]


def test_diversity(report) -> None:
    d = report.diversity
    assert d.kinds == {"feed": 4, "mastodon": 3}
    assert [(i.host, i.sources, i.people) for i in d.instances] == [
        ("edu.social", 2, 2),
        ("mastodon.example", 1, 1),
    ]
    assert d.largest_instance_share == 0.667
    assert d.feed_hosts == 4


def test_questions_answer_rate_and_top_answerers(report) -> None:
    q = report.questions
    # in the window: three questions (the deleted one and the 200-day-old one are out)
    assert (q.asked, q.answered, q.answered_in_network, q.answer_rate) == (3, 2, 1, 0.667)
    assert [
        (a.name, a.handle, a.answers, a.questions, a.person_id is not None) for a in q.top_answerers
    ] == [
        ("Xena", "xena@far.example", 2, 2, False),
        ("Ben", "ben@edu.social", 1, 1, True),
    ]


def test_shorter_window(pln: Pln, network: Network) -> None:
    report = pln.insights.stats(since="7d", now=network.now)
    assert (report.weeks, report.posts, report.people_active, report.sources_active) == (1, 6, 3, 3)
    assert report.weekly == (6,)
    assert report.questions.asked == 1  # "Homework?", unanswered
    assert report.questions.answer_rate == 0.0


def test_the_window_is_by_arrival_as_everywhere(pln: Pln, network: Network) -> None:
    """One meaning of --since (issue 11): a post published long ago that reached the user two
    days ago (a blog back from an outage) counts in this week, not in a week outside the
    window; one that arrived before the window counts nowhere, however recent its date."""
    from datetime import timedelta

    from plnctl.models import NewPost
    from plnctl.store import posts as posts_db
    from plnctl.timeutil import to_iso

    def add(guid: str, published_days: int, arrived_days: int) -> None:
        post = NewPost(
            guid=guid, title=guid, published_at=to_iso(network.now - timedelta(days=published_days))
        )
        with pln.store.transaction():
            posts_db.upsert_posts(
                pln.store,
                network.sources["dev-feed"],
                network.people["Dev"],
                [post],
                fetched_at=to_iso(network.now - timedelta(days=arrived_days)) or "",
            )

    before = pln.insights.stats(since="7d", now=network.now)
    add("late", published_days=400, arrived_days=2)
    late = pln.insights.stats(since="7d", now=network.now)
    assert late.posts == before.posts + 1
    assert late.weekly == (before.weekly[0] + 1,)
    dev = next(p for p in late.people if p.name == "Dev")
    assert (dev.posts, dev.weekly) == (1, (1,))
    add("early", published_days=5, arrived_days=8)  # a future-dated entry seen 8 days ago
    assert pln.insights.stats(since="7d", now=network.now).posts == late.posts


def test_since_a_date(pln: Pln, network: Network) -> None:
    report = pln.insights.stats(since="2026-05-01", now=network.now)
    assert report.since == "2026-05-01T00:00:00Z"
    assert report.posts == 11


def test_empty_database(pln: Pln) -> None:
    report = pln.insights.stats()
    assert (report.people_total, report.posts, report.dormant, report.people) == (0, 0, (), ())
    assert report.questions.answer_rate is None
    assert report.diversity.largest_instance_share is None


def test_bad_since(pln: Pln) -> None:
    with pytest.raises(InvalidInput):
        pln.insights.stats(since="soon")
    with pytest.raises(InvalidInput, match="is in the future"):
        pln.insights.stats(since="2999-01-01")


def test_person_activity(pln: Pln, network: Network) -> None:
    ana = pln.insights.person_activity("Ana", now=network.now)
    assert ana.weeks == 12
    assert ana.weekly[-2:] == (2, 3) and sum(ana.weekly) == 5
    assert (ana.posts_per_week, ana.posts_total) == (0.42, 5)
    assert ana.topics == (("assessment", 3), ("maths", 1))
    assert (ana.answers_given, ana.questions_answered) == (0, 0)
    assert ana.last_post_at == "2026-05-31T12:00:00Z"
    ben = pln.insights.person_activity(network.people["Ben"], weeks=4, now=network.now)
    assert (ben.weekly, ben.posts_total) == ((0, 2, 0, 2), 4)
    assert (ben.answers_given, ben.questions_answered) == (1, 1)
    eve = pln.insights.person_activity("Eve", now=network.now)
    assert (eve.posts_total, eve.last_post_at, sum(eve.weekly)) == (0, None, 0)


def test_person_activity_unknown_person(pln: Pln) -> None:
    with pytest.raises(NotFound):
        pln.insights.person_activity("Nobody")


def test_posts_by_day_for_the_week_chart(pln: Pln, network: Network) -> None:
    days = pln.insights.posts_by_day(now=network.now)
    assert days == {
        "2026-05-26": 0,
        "2026-05-27": 0,
        "2026-05-28": 0,
        "2026-05-29": 2,
        "2026-05-30": 2,
        "2026-05-31": 2,
        "2026-06-01": 0,
    }
