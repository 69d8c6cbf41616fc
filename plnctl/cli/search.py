"""plnctl search: full-text search over every post."""

from __future__ import annotations

from typing import TYPE_CHECKING, Annotated

import typer

from plnctl.cli import complete, output
from plnctl.cli.context import pln
from plnctl.timeutil import humanize_age, local_date

if TYPE_CHECKING:
    from plnctl.api.search import SearchHit

JsonOpt = Annotated[bool, typer.Option("--json", help="Print JSON instead of text.")]


def register(app: typer.Typer) -> None:
    app.command("search")(search)


def search(
    ctx: typer.Context,
    query: Annotated[str, typer.Argument(help='Words, "a phrase", prefix*, OR, NOT, title:word.')],
    topic: Annotated[str | None, complete.topic_option("Only posts with this topic.")] = None,
    person: Annotated[str | None, complete.person_option("Only this person's posts.")] = None,
    since: Annotated[
        str | None,
        typer.Option("--since", help="Only posts that arrived since: 24h, 30d or a date."),
    ] = None,
    limit: Annotated[int, typer.Option("--limit", min=1, help="At most this many results.")] = 20,
    exact: Annotated[
        bool,
        typer.Option(
            "--exact", help="Words as written: no stemming ('question' does not find 'questions')."
        ),
    ] = False,
    all_matches: Annotated[
        bool,
        typer.Option(
            "--all",
            help="Rank every match (by default, when over 5,000 posts match, the best of the "
            "5,000 most recently stored are shown).",
        ),
    ] = False,
    json: JsonOpt = False,
) -> None:
    """Search every post, best matches first, with the matches highlighted. Words are
    stemmed ("question" finds "questions"); a "quoted phrase" matches its words in order.

    Example: plnctl search '"formative assessment" rubric*' --since 30d
    """
    api = pln(ctx)
    with output.progress_bar() as progress:
        hits = api.topics.search(
            query,
            topic=topic,
            person=person,
            since=since,
            limit=limit,
            exhaustive=all_matches,
            exact=exact,
            progress=progress,
        )
    if json:
        output.emit_json(hits)
        return
    if not hits:
        output.info("No posts match.")
        return
    for hit in hits:
        _print_hit(hit)


def _print_hit(hit: SearchHit) -> None:
    byline = " · ".join(
        x
        for x in (
            hit.person,
            hit.published_at
            and f"{local_date(hit.published_at)} ({humanize_age(hit.published_at)})",
        )
        if x
    )
    head = f"[{hit.id}] {hit.title or '(untitled)'}" + (f"  — {byline}" if byline else "")
    if not output.is_terminal("out"):
        output.lines([head, f"    {hit.snippet}", *([f"    {hit.url}"] if hit.url else []), ""])
        return
    output.say(head, style="bold")
    output.say_parts(
        [("    ", ""), *[(text, "reverse yellow" if match else "") for text, match in hit.parts]]
    )
    if hit.url:
        output.say(f"    {hit.url}", style="dim")
    output.say()
