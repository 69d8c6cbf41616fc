"""plnctl stats: who is active, who went quiet, which topics lack voices, who answers."""

from __future__ import annotations

from typing import TYPE_CHECKING, Annotated

import typer

from plnctl.cli import output
from plnctl.cli.context import pln
from plnctl.timeutil import local_date

if TYPE_CHECKING:
    from plnctl.insights import StatsReport


def register(app: typer.Typer) -> None:
    app.command("stats")(stats)


def stats(
    ctx: typer.Context,
    since: Annotated[
        str,
        typer.Option(
            "--since",
            help="Count the posts that arrived since: 90d, 12w or a date.",
        ),
    ] = "90d",
    top: Annotated[
        int,
        typer.Option("--top", min=1, help="Rows per section in the text report (JSON has all)."),
    ] = 10,
    json: Annotated[bool, typer.Option("--json", help="Print the whole report as JSON.")] = False,
) -> None:
    """Measure your network: people and sources active in the window, posts per person and
    topic per week, dormant people, failing sources, instance and source-kind diversity,
    topics with few voices, answer rate and top answerers.

    Example: plnctl stats --since 12w
    """
    report = pln(ctx).insights.stats(since=since)
    if json:
        output.emit_json(report)
        return
    _print_report(report, top)


def _heading(text: str) -> None:
    output.say()
    output.say(text, style="bold")


def _table(columns: list[str], rows: list[list[object]]) -> None:
    if rows:
        output.table(columns, rows)
    else:
        output.say("  none")


def _print_report(r: StatsReport, top: int) -> None:
    from plnctl.render.charts import sparkline

    output.say(
        f"Network activity: posts that arrived {local_date(r.since)} → {local_date(r.until)} "
        f"({r.weeks} week{'s' if r.weeks != 1 else ''}, one bar per week)",
        style="bold",
    )
    output.say(
        f"People active: {r.people_active} of {r.people_total}   Sources active: "
        f"{r.sources_active} of {r.sources_total}   Posts: {r.posts}"
    )
    output.say(f"All posts  {sparkline(r.weekly)}", style="cyan")
    _heading("Most active people")
    _table(
        ["person", "posts", "per week", "sources"],
        [[p.name, p.posts, sparkline(p.weekly), p.active_sources] for p in r.people[:top]],
    )
    _heading("Topics")
    _table(
        ["topic", "posts", "per week", "people"],
        [[t.name, t.posts, sparkline(t.weekly), t.voices] for t in r.topics[:top]],
    )
    _print_health(r, top)
    _print_questions(r, top)


def _print_health(r: StatsReport, top: int) -> None:
    _heading(f"Quiet: no post in {r.quiet_weeks} weeks ({len(r.dormant)})")
    _table(
        ["person", "last post", "weeks silent"],
        [
            [d.name, local_date(d.last_post_at) or "never", d.weeks_silent or ""]
            for d in r.dormant[:top]
        ],
    )
    _heading(f"Failing sources ({len(r.failing_sources)})")
    _table(
        ["id", "person", "source", "state", "errors", "last error"],
        [
            [f.source_id, f.person, f.label, f.state, f.error_count, f.last_error or ""]
            for f in r.failing_sources[:top]
        ],
    )
    d = r.diversity
    _heading("Diversity")
    kinds = ", ".join(f"{kind} {count}" for kind, count in d.kinds.items()) or "no sources"
    output.say(f"Sources by kind: {kinds}; feeds on {d.feed_hosts} web host(s)")
    if d.instances:
        share = f"{round((d.largest_instance_share or 0) * 100)}%"
        output.say(
            f"Mastodon instances: {len(d.instances)}; the largest holds {share} of "
            "your Mastodon accounts"
        )
        _table(
            ["instance", "accounts", "people"],
            [[i.host, i.sources, i.people] for i in d.instances[:top]],
        )
    _heading(f"Topics with few voices (fewer than 3 people posting) ({len(r.few_voices)})")
    _table(["topic", "people", "posts"], [[t.name, t.voices, t.posts] for t in r.few_voices[:top]])


def _print_questions(r: StatsReport, top: int) -> None:
    q = r.questions
    _heading("Questions")
    rate = "–" if q.answer_rate is None else f"{round(q.answer_rate * 100)}%"
    output.say(
        f"Asked {q.asked}, answered {q.answered} (answer rate {rate}), "
        f"{q.answered_in_network} answered by your network"
    )
    if q.top_answerers:
        _table(
            ["answerer", "answers", "questions", "in your network"],
            [
                [a.name, a.answers, a.questions, "yes" if a.person_id else "no"]
                for a in q.top_answerers[:top]
            ],
        )
