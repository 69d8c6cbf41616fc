"""plnctl post list|show|open|read|unread|tag|untag|save|unsave"""

from __future__ import annotations

from collections.abc import Callable
from typing import Annotated

import typer

from plnctl.cli import complete, output
from plnctl.cli.context import pln
from plnctl.timeutil import humanize_age

post_app = typer.Typer(help="Read the posts your network published.", no_args_is_help=True)

JsonOpt = Annotated[bool, typer.Option("--json", help="Print JSON instead of a table.")]
Selection = Annotated[
    list[str] | None,
    typer.Argument(help="Post ids, ranges and lists: 42, 4-8, 3,9,12.", show_default=False),
]
PersonOpt = Annotated[str | None, complete.person_option("Only this person's posts.")]
TopicOpt = Annotated[str | None, complete.topic_option("Only posts tagged with this topic.")]
SourceOpt = Annotated[
    int | None, typer.Option("--source", help="Only this source's posts (its id).")
]
SinceOpt = Annotated[
    str | None,
    typer.Option("--since", help="Only posts that arrived since: 24h, 7d, 2w or a date."),
]
BeforeOpt = Annotated[
    str | None,
    typer.Option("--before", help="Only posts that arrived before: a date, or 7d (a week ago)."),
]
AllOpt = Annotated[bool, typer.Option("--all", help="Every post (the filters still narrow it).")]


def register(app: typer.Typer) -> None:
    app.add_typer(post_app, name="post")


@post_app.command("list")
def list_(
    ctx: typer.Context,
    since: SinceOpt = None,
    person: PersonOpt = None,
    topic: TopicOpt = None,
    source: SourceOpt = None,
    unread: Annotated[bool, typer.Option("--unread", help="Only posts you have not read.")] = False,
    saved: Annotated[
        bool, typer.Option("--saved", help="Only posts on your reading list.")
    ] = False,
    limit: Annotated[int, typer.Option("--limit", min=1, help="At most this many posts.")] = 50,
    offset: Annotated[
        int, typer.Option("--offset", min=0, help="Skip this many posts first (the next page).")
    ] = 0,
    oldest: Annotated[
        bool, typer.Option("--oldest", help="Oldest first (catching up after a week off).")
    ] = False,
    json: JsonOpt = False,
) -> None:
    """List posts, newest first.

    Example: plnctl post list --since 7d --unread --oldest
    """
    from plnctl.render.text import list_title

    posts = pln(ctx).posts.list(
        since=since,
        person=person,
        topic=topic,
        source=source,
        unread=unread,
        saved=saved,
        limit=limit,
        offset=offset,
        oldest=oldest,
    )
    if json:
        output.emit_json(posts)
        return
    output.table(
        ["id", "when", "person", "title", ""],
        [
            [
                p.id,
                humanize_age(p.published_at or p.fetched_at),
                p.person_name or p.author or "",
                list_title(p),
                "" if p.read_at else "new",
            ]
            for p in posts
        ],
    )


@post_app.command("show")
def show(
    ctx: typer.Context,
    post_id: Annotated[int, typer.Argument(help="The post id.")],
    json: JsonOpt = False,
    keep_unread: Annotated[
        bool, typer.Option("--keep-unread", help="Do not mark it read.")
    ] = False,
) -> None:
    """Show a post as readable text, with its topics and why it got them. Marks it read.

    Example: plnctl post show 42
    """
    from plnctl.render.text import post_lines

    api = pln(ctx)
    post = api.posts.get(post_id)
    if not keep_unread and not post.read_at:
        api.posts.mark_read([post_id])
    if json:
        output.emit_json(post)
        return
    output.lines(post_lines(post, width=output.out.width if output.is_terminal("out") else 80))


@post_app.command("open")
def open_(
    ctx: typer.Context,
    post_id: Annotated[int, typer.Argument(help="The post id.")],
    keep_unread: Annotated[
        bool, typer.Option("--keep-unread", help="Do not mark it read.")
    ] = False,
) -> None:
    """Open a post's link in your web browser ($BROWSER, else the desktop's); prints the link
    when there is no browser. Marks it read.

    Example: plnctl post open 42
    """
    opened = pln(ctx).posts.open(post_id, mark_read=not keep_unread)
    if opened.opened:
        output.info(f"Opened {opened.url}")
    else:
        output.warn("No web browser to open it; the link:")
        output.lines([opened.url])


def _read_state_command(read: bool, doc: str) -> Callable[..., None]:
    """`post read` and `post unread`: the same options, the other state."""

    def command(
        ctx: typer.Context,
        selection: Selection = None,
        every: AllOpt = False,
        person: PersonOpt = None,
        topic: TopicOpt = None,
        source: SourceOpt = None,
        before: BeforeOpt = None,
        since: SinceOpt = None,
        json: JsonOpt = False,
    ) -> None:
        count = pln(ctx).posts.change_read(
            selection or (), every=every, person=person, topic=topic, source=source,
            before=before, since=since, read=read,
        )  # fmt: skip
        state = "read" if read else "unread"
        if json:
            output.emit_json({"changed": count, "state": state})
        else:
            output.info(f"Marked {count} post(s) {state}.")

    command.__doc__ = doc
    return command


post_app.command("read")(
    _read_state_command(
        True,
        """Mark posts read: by id, range or list, and/or every post the filters cover.

    Example: plnctl post read 4-8 3,9,12 --person "Sam Okafor"
    """,
    )
)
post_app.command("unread")(
    _read_state_command(
        False,
        """Mark posts unread again: by id, range or list, and/or the filters.

    Example: plnctl post unread 42 --since 24h
    """,
    )
)


@post_app.command("save")
def save(
    ctx: typer.Context,
    post_id: Annotated[int, typer.Argument(help="The post id.")],
    note: Annotated[
        str | None,
        typer.Option("--note", help="A private note (left out of exports unless --include-notes)."),
    ] = None,
) -> None:
    """Put a post on your reading list.

    Example: plnctl post save 42 --note "share with the maths team"
    """
    post = pln(ctx).posts.save(post_id, note=note)
    output.info(f"Saved post {post.id} to your reading list.")


@post_app.command("unsave")
def unsave(
    ctx: typer.Context,
    post_id: Annotated[int, typer.Argument(help="The post id.")],
    yes: output.YesOpt = False,
) -> None:
    """Take a post off your reading list. If you wrote a note on it, the note goes too: asks
    first on a terminal; scripts pass --yes.

    Example: plnctl post unsave 42
    """
    if pln(ctx).posts.get(post_id).save_note:
        output.confirm(f"Unsave post {post_id} and delete your note on it?", yes=yes)
    pln(ctx).posts.unsave(post_id)
    output.info(f"Removed post {post_id} from your reading list.")


@post_app.command("tag")
def tag(
    ctx: typer.Context,
    post_id: Annotated[int, typer.Argument(help="The post id.")],
    topic: Annotated[str, complete.topic_argument("Topic name (created if new).")],
) -> None:
    """Tag a post by hand; manual tags survive `topic rebuild`.

    Example: plnctl post tag 42 assessment
    """
    pln(ctx).topics.tag_post(post_id, topic)
    output.info(f"Tagged post {post_id} with {topic}.")


@post_app.command("untag")
def untag(
    ctx: typer.Context,
    post_id: Annotated[int, typer.Argument(help="The post id.")],
    topic: Annotated[str, complete.topic_argument("Topic name.")],
) -> None:
    """Remove a topic from a post; rebuilds will not put it back.

    Example: plnctl post untag 42 assessment
    """
    pln(ctx).topics.untag_post(post_id, topic)
    output.info(f"Removed {topic} from post {post_id}.")
