"""Network insights: who is active, who went quiet, who answers, whom to follow next.

The SQL lives in ``plnctl.store.insights``, the computations in ``plnctl.insights`` (pure);
this service reads the rows and hands them over. Every method takes an optional ``now`` so a
report can be computed as of a moment (and tests can pin the clock).
"""

from __future__ import annotations

from datetime import datetime, timedelta
from typing import TYPE_CHECKING

from plnctl import insights as calc
from plnctl.errors import InvalidInput
from plnctl.identity import is_me, is_me_target
from plnctl.store import insights as db
from plnctl.timeutil import display_zone, local_midnight, parse_since, to_iso
from plnctl.timeutil import now as utc_now

if TYPE_CHECKING:
    from plnctl.api import Pln


def _iso(moment: datetime) -> str:
    return to_iso(moment)  # type: ignore[return-value]


class InsightsService:
    def __init__(self, pln: Pln):
        self.pln = pln
        self.store = pln.store

    def stats(
        self, *, since: str = "90d", now: datetime | None = None, top_answerers: int = 10
    ) -> calc.StatsReport:
        """The network report for the window from ``since`` (``90d``, ``2w``, a date) to now."""
        until = now or utc_now()
        start = parse_since(since, reference=until)
        if start >= until:
            raise InvalidInput(f"--since {since!r} is not in the past")
        weeks = calc.week_count(start, until)
        since_iso, until_iso = _iso(start), _iso(until)
        people = db.last_posts(self.store)
        sources = db.sources(self.store)
        rows = db.activity(self.store, since_iso, until_iso)
        active = calc.people_stats(rows, people, weeks)
        topic_weeks, voices = db.topic_activity(self.store, since_iso, until_iso)
        topics = calc.topic_stats(
            topic_weeks, [(i, name, voices.get(i, 0)) for i, name in db.topics(self.store)], weeks
        )
        return calc.StatsReport(
            since=since_iso,
            until=until_iso,
            weeks=weeks,
            people_total=len(people),
            people_active=len(active),
            sources_total=len(sources),
            sources_active=len({source_id for _, source_id, _, _ in rows if source_id}),
            posts=sum(p.posts for p in active),
            weekly=calc.series(((back, n) for _, _, back, n in rows), weeks),
            people=active,
            topics=tuple(t for t in topics if t.posts),
            few_voices=tuple(
                sorted(
                    (t for t in topics if t.voices < calc.FEW_VOICES),
                    key=lambda t: (t.voices, t.name.lower()),
                )
            ),
            dormant=calc.dormant_people(
                people, now=until, quiet_weeks=self.pln.settings.quiet_weeks
            ),
            failing_sources=tuple(
                calc.FailingSource(*row) for row in db.failing_sources(self.store)
            ),
            diversity=calc.diversity((r[1], r[2], r[3], r[4], r[5]) for r in sources),
            questions=self._questions(since_iso, top_answerers),
            quiet_weeks=self.pln.settings.quiet_weeks,
        )

    def _questions(self, since: str, top: int) -> calc.QuestionStats:
        asked, answered, network = db.question_counts(self.store, since)
        answerers = tuple(
            calc.Answerer(*row)
            for row in db.top_answerers(self.store, since, top)
            if not is_me(self.pln.me, name=row[0], handle=row[1])
        )
        rate = round(answered / asked, 3) if asked else None
        return calc.QuestionStats(asked, answered, network, rate, answerers)

    def suggest(self, *, limit: int | None = 20, since: str | None = None) -> list[calc.Suggestion]:
        """People not in the PLN that the network boosts, mentions, replies to or links to, and
        who answered the user's questions; best first, each with evidence and an add command.
        ``since`` (an ISO time): only boosts, mentions, replies and links in posts that arrived
        since then (a digest's; without it, all of history: ~17 s at 1,000,000 posts)."""
        if limit is not None and limit < 1:
            raise InvalidInput("--limit must be at least 1")
        known = calc.Known.from_sources((r[2], r[3], r[4], r[5]) for r in db.sources(self.store))
        queries = (
            ("boost", db.boost_signals),
            ("mention", db.mention_signals),
            ("reply", db.reply_signals),
            ("link", db.link_signals),
        )
        found: list[tuple[str, tuple[str, int, int, str | None]]] = [
            (kind, row) for kind, query in queries for row in query(self.store, since)
        ]
        found += [("answer", row) for row in db.answer_signals(self.store)]
        me = self.pln.me
        signals = [
            calc.Signal(kind, target, count, people, name)
            for kind, (target, count, people, name) in found
            if target and not is_me_target(me, target, name=name)
        ]
        month_ago = _iso(utc_now() - timedelta(days=30))
        signals += calc.tag_signals(db.tag_posts(self.store, since=month_ago))
        return calc.rank_suggestions(signals, known, limit=limit)

    def person_activity(
        self, person: int | str, *, weeks: int = 12, now: datetime | None = None
    ) -> calc.PersonActivity:
        """One person's posts per week over the last ``weeks`` weeks, their topics in that
        window, and the answers they gave to the user's questions."""
        if weeks < 1:
            raise InvalidInput("weeks must be at least 1")
        found = self.pln.people.resolve(person)
        until = now or utc_now()
        since_iso, until_iso = _iso(until - timedelta(weeks=weeks)), _iso(until)
        weekly = calc.series(db.person_weeks(self.store, found.id, since_iso, until_iso), weeks)
        total, first, last = db.person_totals(self.store, found.id)
        answers, questions = db.person_answers(self.store, found.id)
        return calc.PersonActivity(
            person_id=found.id,
            name=found.name,
            weeks=weeks,
            weekly=weekly,
            posts_per_week=round(sum(weekly) / weeks, 2),
            posts_total=total,
            first_post_at=first,
            last_post_at=last,
            topics=tuple(db.person_topics(self.store, found.id, since_iso)),
            answers_given=answers,
            questions_answered=questions,
        )

    def posts_by_day(
        self, *, days: int = 7, now: datetime | None = None, arrived: bool = False
    ) -> dict[str, int]:
        """Posts per local day (the display time zone) for the last ``days`` days including
        today, oldest first, days without posts included as 0: the input of
        ``render.charts.week_chart_svg``. Counted by publication, or with ``arrived`` by
        arrival (the digest's rule for --since)."""
        if days < 1:
            raise InvalidInput("days must be at least 1")
        today = (now or utc_now()).astimezone(display_zone()).date()
        keys = [today - timedelta(days=offset) for offset in range(days - 1, -1, -1)]
        edges = [to_iso(local_midnight(day)) or "" for day in (*keys, today + timedelta(days=1))]
        counts = db.posts_in_windows(self.store, edges, arrived=arrived)
        return {day.isoformat(): count for day, count in zip(keys, counts, strict=True)}
