"""plnctl post list|show|read|unread|tag|untag|save|unsave"""

from __future__ import annotations

from typing import Annotated

import typer

from plnctl.cli import complete, output
from plnctl.cli.context import pln
from plnctl.timeutil import humanize_age

post_app = typer.Typer(help="Read the posts your network published.", no_args_is_help=True)

JsonOpt = Annotated[bool, typer.Option("--json", help="Print JSON instead of a table.")]
Ids = Annotated[list[int], typer.Argument(help="One or more post ids.")]


def register(app: typer.Typer) -> None:
    app.add_typer(post_app, name="post")


@post_app.command("list")
def list_(
    ctx: typer.Context,
    since: Annotated[
        str | None,
        typer.Option("--since", help="Only posts that arrived since: 24h, 7d, 2w or a date."),
    ] = None,
    person: Annotated[str | None, complete.person_option("Only this person's posts.")] = None,
    topic: Annotated[
        str | None, complete.topic_option("Only posts tagged with this topic.")
    ] = None,
    unread: Annotated[bool, typer.Option("--unread", help="Only posts you have not read.")] = False,
    limit: Annotated[int, typer.Option("--limit", min=1, help="At most this many posts.")] = 50,
    json: JsonOpt = False,
) -> None:
    """List posts, newest first.

    Example: plnctl post list --since 7d --unread
    """
    from plnctl.render.text import display_title

    posts = pln(ctx).posts.list(since=since, person=person, topic=topic, unread=unread, limit=limit)
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
                display_title(p),
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
    output.lines(post_lines(post, width=output.out.width if output.out.is_terminal else 80))


@post_app.command("read")
def read(ctx: typer.Context, post_ids: Ids) -> None:
    """Mark posts read.

    Example: plnctl post read 41 42 43
    """
    count = pln(ctx).posts.mark_read(post_ids)
    output.info(f"Marked {count} post(s) read.")


@post_app.command("unread")
def unread(ctx: typer.Context, post_ids: Ids) -> None:
    """Mark posts unread.

    Example: plnctl post unread 42
    """
    count = pln(ctx).posts.mark_read(post_ids, read=False)
    output.info(f"Marked {count} post(s) unread.")


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
