"""plnctl source add|list|remove|reset"""

from __future__ import annotations

from typing import Annotated

import typer

from plnctl.cli import complete, output
from plnctl.cli.context import pln
from plnctl.models import Source
from plnctl.render.text import source_notes
from plnctl.timeutil import humanize_age

source_app = typer.Typer(
    help="Feeds and Mastodon accounts you follow, and their health.", no_args_is_help=True
)

JsonOpt = Annotated[bool, typer.Option("--json", help="Print JSON instead of a table.")]


def register(app: typer.Typer) -> None:
    app.add_typer(source_app, name="source")


@source_app.command("add")
def add(
    ctx: typer.Context,
    person: Annotated[str, complete.person_argument("Id or name of the person it belongs to.")],
    target: Annotated[
        str,
        typer.Argument(
            help="A feed URL, a website (autodiscovery), @user@host (Mastodon), or @name.bsky.social / did:plc:... / a bsky.app URL (Bluesky)."
        ),
    ],
    bluesky: Annotated[
        bool,
        typer.Option(
            "--bluesky",
            help="TARGET is a Bluesky handle even if it looks like a website (amara.example).",
        ),
    ] = False,
    no_check: Annotated[
        bool, typer.Option("--no-check", help="Add a URL as a feed without fetching it.")
    ] = False,
    json: JsonOpt = False,
) -> None:
    """Add a source to a person; the kind is detected. A URL is fetched once: a feed, or a
    site whose feed is found; anything else is refused (--no-check adds it as a feed anyway).

    Example: plnctl source add Doug https://dougbelshaw.com/blog
    """
    source = pln(ctx).sources.add(person, target, check=not no_check, bluesky=bluesky)
    if json:
        output.emit_json(source)
        return
    output.info(f"Added {source.kind} source {source.id}: {source.label}")
    output.notes(source_notes(source, source.person_id or 0))


@source_app.command("list")
def list_(
    ctx: typer.Context,
    person: Annotated[str | None, complete.person_option("Only this person's sources.")] = None,
    failing: Annotated[
        bool, typer.Option("--failing", help="Only sources that are failing or gone.")
    ] = False,
    json: JsonOpt = False,
) -> None:
    """List sources with their health: last fetch, status, error streak, next due.

    Example: plnctl source list --failing
    """
    api = pln(ctx)
    sources = api.sources.list(person=person, failing=failing)
    if json:
        output.emit_json(sources)
        return
    owners = api.sources.owners()
    rows = []
    for s in sources:
        status = (
            s.state.value
            if s.state.value != "active"
            else (
                "never fetched"
                if not s.last_fetched_at
                else f"failing x{s.error_count}"
                if s.error_count
                else "ok"
            )
        )
        if s.via_rss:
            status += " (via RSS)"
        if s.withheld:
            status += " (posts withheld: !no-unauthenticated)"
        rows.append(
            [
                s.id,
                owners[s.person_id].name if s.person_id in owners else "",
                s.kind,
                s.label,
                status,
                humanize_age(s.last_fetched_at),
                _due(s),
                s.last_error or "",
            ]
        )
    output.table(["id", "person", "kind", "source", "status", "fetched", "due", "last error"], rows)


def _due(source: Source) -> str:
    if source.state != "active":  # gone or moved: not fetched until reset or forced
        return f"never ({source.state})"
    return humanize_age(source.next_due_at) if source.next_due_at else "now"


@source_app.command("remove")
def remove(
    ctx: typer.Context,
    source: Annotated[str, typer.Argument(help="Source id, URL or handle.")],
    yes: output.YesOpt = False,
) -> None:
    """Stop following a source. Its posts are kept. Asks first on a terminal; scripts pass
    --yes.

    Example: plnctl source remove 7 --yes
    """
    found = pln(ctx).sources.resolve(source)
    output.confirm(f"Stop following source {found.id} ({found.label})? Its posts stay.", yes=yes)
    removed = pln(ctx).sources.remove(found.id)
    output.info(f"Removed source {removed.id}: {removed.label}")


@source_app.command("edit")
def edit(
    ctx: typer.Context,
    source: Annotated[str, typer.Argument(help="Source id, URL or handle.")],
    url: Annotated[
        str | None,
        typer.Option(
            "--url", help="The feed's new address (starts fresh: due now, no error streak)."
        ),
    ] = None,
    title: Annotated[
        str | None, typer.Option("--title", help="A new title ('' clears it).")
    ] = None,
    full_text: Annotated[
        bool | None,
        typer.Option(
            "--full-text/--no-full-text",
            help="Fetch each new post's article page for its full text (for feeds that "
            "carry only excerpts), or never; unset follows [sync] full_text.",
        ),
    ] = None,
    json: JsonOpt = False,
) -> None:
    """Change a feed's address (it moved without a redirect), its title, or whether plnctl
    fetches its posts' full text from their pages (search and the reader use it; digests keep
    the author's summary). Turning full text on also fetches the last week's posts at the next
    sync.

    Example: plnctl source edit 7 --full-text
    """
    updated = pln(ctx).sources.edit(source, url=url, title=title, full_text=full_text)
    if json:
        output.emit_json(updated)
        return
    if url is not None or title is not None:
        output.info(f"Source {updated.id} is now {updated.label}.")
    if full_text is not None:
        state = "on: the next sync fetches its posts' pages" if full_text else "off"
        output.info(f"Full text for source {updated.id} is {state}.")


@source_app.command("reset")
def reset(
    ctx: typer.Context,
    source: Annotated[str, typer.Argument(help="Source id, URL or handle.")],
) -> None:
    """Clear a source's error streak (or 'gone' state) so the next sync tries it now.

    Example: plnctl source reset 7
    """
    updated = pln(ctx).sources.reset(source)
    output.info(f"Source {updated.id} is due at the next sync.")
