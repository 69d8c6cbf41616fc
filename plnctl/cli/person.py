"""plnctl person add|list|show|edit|remove"""

from __future__ import annotations

import sys
from typing import TYPE_CHECKING, Annotated

import typer

from plnctl.cli import complete, output
from plnctl.cli.context import pln
from plnctl.render.text import source_notes

if TYPE_CHECKING:
    from plnctl.api.people import Removal

person_app = typer.Typer(help="The people in your learning network.", no_args_is_help=True)

JsonOpt = Annotated[bool, typer.Option("--json", help="Print JSON instead of a table.")]


def register(app: typer.Typer) -> None:
    app.add_typer(person_app, name="person")


@person_app.command("add")
def add(
    ctx: typer.Context,
    name: Annotated[str, typer.Argument(help="Their name as you want to see it.")],
    feed: Annotated[
        list[str] | None, typer.Option("--feed", help="An RSS/Atom feed URL (repeatable).")
    ] = None,
    site: Annotated[
        list[str] | None,
        typer.Option("--site", help="A website; its feed is found by autodiscovery (repeatable)."),
    ] = None,
    mastodon: Annotated[
        list[str] | None,
        typer.Option("--mastodon", help="A Mastodon account, @user@host (repeatable)."),
    ] = None,
    bluesky: Annotated[
        list[str] | None,
        typer.Option(
            "--bluesky",
            help="A Bluesky account: @name.bsky.social, a custom-domain handle, a did:plc:/did:web: DID or a bsky.app profile URL (repeatable).",
        ),
    ] = None,
    topic: Annotated[
        list[str] | None, complete.topic_option("A topic they are good for (repeatable).")
    ] = None,
    note: Annotated[str | None, typer.Option("--note", help="A private note.")] = None,
    no_check: Annotated[
        bool, typer.Option("--no-check", help="Add --feed URLs without fetching them first.")
    ] = False,
    as_new: Annotated[
        str | None,
        typer.Option("--as-new", metavar="NAME", help="Someone else of that name: add as NAME."),
    ] = None,
    yes: output.YesOpt = False,
    json: JsonOpt = False,
) -> None:
    """Add a person and their sources. Each --feed is fetched once and refused unless it is a
    feed (--no-check adds it anyway). Nothing is stored if a source cannot be resolved.
    Names are unique: when NAME is in your network, the sources are added to them (on a
    terminal you are asked first; --yes does not ask); --as-new adds a namesake.

    Example: plnctl person add "Doug Belshaw" --site https://dougbelshaw.com --topic "digital literacy"
    """
    api = pln(ctx, create=True)
    holder = None if as_new else api.people.named(name)
    if holder is not None and (feed or site or mastodon or bluesky):
        _join(holder.name, holder.id, yes=yes)
    person = api.people.add(
        as_new or name,
        feeds=feed or (),
        sites=site or (),
        mastodon=mastodon or (),
        bluesky=bluesky or (),
        topics=topic or (),
        note=note,
        check=not no_check,
        join=holder is not None,
    )
    sources = pln(ctx).sources.list(person=person.id)
    if json:
        output.emit_json({**person.to_dict(), "sources": [s.to_dict() for s in sources]})
        return
    output.info(f"Added {person.name} (id {person.id}) with {len(sources)} source(s).")
    for source in sources:
        output.info(f"  {source.kind}: {source.label}")
        output.notes(source_notes(source, person.id))


def _join(name: str, person_id: int, *, yes: bool) -> None:
    """The name is taken: ask on a terminal whether the sources are theirs (no: exit 1);
    otherwise say in one line that they are."""
    question = f"{name} (id {person_id}) is already in your network. Add the source(s) to them?"
    if yes or not sys.stdin.isatty():
        output.info(f"{name} (id {person_id}) is already in your network: adding to them.")
    elif not typer.confirm(question, default=True, err=True):
        output.info(f'Nothing was changed. Someone else of that name: --as-new "{name} (2)"')
        raise typer.Exit(1)


@person_app.command("list")
def list_(
    ctx: typer.Context,
    topic: Annotated[
        str | None, complete.topic_option("Only people tagged with this topic.")
    ] = None,
    json: JsonOpt = False,
) -> None:
    """List people, with their topics and number of sources.

    Example: plnctl person list --topic assessment
    """
    api = pln(ctx)
    people = api.people.list(topic=topic)
    if json:
        output.emit_json(people)
        return
    counts = api.people.source_counts()
    output.table(
        ["id", "name", "sources", "topics"],
        [[p.id, p.name, counts.get(p.id, 0), ", ".join(p.topics)] for p in people],
    )


@person_app.command("show")
def show(
    ctx: typer.Context,
    person: Annotated[str, complete.person_argument("Id or name.")],
    json: JsonOpt = False,
) -> None:
    """Show a person: sources and their health, activity (posts per week, topics, answers
    to your questions) and recent posts.

    Example: plnctl person show Doug
    """
    from plnctl.render.text import person_lines

    api = pln(ctx)
    found = api.people.resolve(person)
    sources = api.sources.list(person=found.id)
    posts = api.posts.list(person=found.id, limit=5)
    activity = api.insights.person_activity(found.id)
    if json:
        output.emit_json(
            {
                **found.to_dict(),
                "sources": sources,
                "activity": activity,
                "recent_posts": [
                    {"id": p.id, "title": p.title, "url": p.url, "published_at": p.published_at}
                    for p in posts
                ],
            }
        )
        return
    output.lines(person_lines(found, sources, posts, activity))


@person_app.command("edit")
def edit(
    ctx: typer.Context,
    person: Annotated[str, complete.person_argument("Id or name.")],
    name: Annotated[str | None, typer.Option("--name", help="A new name.")] = None,
    note: Annotated[
        str | None, typer.Option("--note", help="Replace the note ('' clears it).")
    ] = None,
    add_topic: Annotated[
        list[str] | None, complete.topic_option("Add a topic (repeatable).")
    ] = None,
    remove_topic: Annotated[
        list[str] | None, typer.Option("--remove-topic", help="Remove a topic (repeatable).")
    ] = None,
    index: Annotated[
        bool | None,
        typer.Option(
            "--index/--respect-noindex",
            help="Index their posts for search even if their account opted out.",
        ),
    ] = None,
    json: JsonOpt = False,
) -> None:
    """Rename a person, change their note or topics.

    Example: plnctl person edit Doug --topic "open badges" --note "met at MozFest"
    """
    updated = pln(ctx).people.edit(
        person,
        name=name,
        note=note,
        add_topics=add_topic or (),
        remove_topics=remove_topic or (),
        index_override=index,
    )
    if json:
        output.emit_json(updated)
        return
    output.info(f"Updated {updated.name} (id {updated.id}).")


@person_app.command("remove")
def remove(
    ctx: typer.Context,
    person: Annotated[str, complete.person_argument("Id or name.")],
    purge: Annotated[
        bool,
        typer.Option("--purge", help="Also delete their posts (default: keep them, unlinked)."),
    ] = False,
    include_saved: Annotated[
        bool,
        typer.Option(
            "--include-saved",
            help="With --purge, also delete their saved posts and your notes on them.",
        ),
    ] = False,
    yes: output.YesOpt = False,
) -> None:
    """Remove a person and their sources. Their posts stay unless you --purge; saved posts
    (your reading list and its notes) stay even then, unless --include-saved. Asks first on a
    terminal; scripts pass --yes.

    Example: plnctl person remove 12 --purge
    """
    api = pln(ctx).people
    plan = api.remove(person, purge=purge, include_saved=include_saved, dry_run=True)
    output.confirm(f"Remove {_removal(plan)}?", yes=yes)
    done = api.remove(person, purge=purge, include_saved=include_saved)
    output.info(f"Removed {_removal(done)}.")


def _removal(r: Removal) -> str:
    who = f"{r.person.name} (id {r.person.id}) and {r.sources} source(s)"
    if not r.posts_deleted:
        return f"{who}; their {r.posts_kept} post(s) are kept"
    text = f"{who}, deleting {r.posts_deleted} post(s)"
    if r.saved_kept:
        text += (
            f" and keeping {r.saved_kept} saved post(s) with {r.notes_kept} note(s) "
            "(--include-saved deletes those too)"
        )
    return text
