"""plnctl tag follow|list|unfollow: hashtags followed on a Mastodon instance."""

from __future__ import annotations

from typing import Annotated

import typer

from plnctl.cli import output
from plnctl.cli.context import pln
from plnctl.timeutil import humanize_age

tag_app = typer.Typer(
    help="Hashtags you follow (#edchat, #mtbos...): posts from everyone who uses them.",
    no_args_is_help=True,
)
TagArg = Annotated[
    str, typer.Argument(help="The hashtag, with or without '#' (quote it in a shell).")
]


def register(app: typer.Typer) -> None:
    app.add_typer(tag_app, name="tag")


@tag_app.command("follow")
def follow(
    ctx: typer.Context,
    tag: TagArg,
    on: Annotated[
        str,
        typer.Option(
            "--on",
            help="The Mastodon instance whose public tag timeline to read, e.g. mastodon.social.",
        ),
    ],
    no_check: Annotated[
        bool, typer.Option("--no-check", help="Do not read the timeline once now.")
    ] = False,
    json: Annotated[bool, typer.Option("--json", help="Print JSON.")] = False,
) -> None:
    """Follow a hashtag through an instance's public tag timeline (its RSS where the API is
    closed to logged-out readers). Its posts are searchable and go into digests
    (digest --tag NAME); frequent posters show up in person suggest.

    Example: plnctl tag follow '#edchat' --on mastodon.social
    """
    followed = pln(ctx, create=True).tags.follow(tag, instance=on, check=not no_check)
    if json:
        output.emit_json(followed)
        return
    output.info(f"Following #{followed.tag} on {followed.instance} (source {followed.source_id}).")


@tag_app.command("list")
def list_(
    ctx: typer.Context, json: Annotated[bool, typer.Option("--json", help="Print JSON.")] = False
) -> None:
    """The hashtags you follow, with how many of their posts are stored.

    Example: plnctl tag list
    """
    tags = pln(ctx).tags.list()
    if json:
        output.emit_json(tags)
        return
    rows = [
        [t.source_id, f"#{t.tag}", t.instance + (" (RSS)" if t.via_rss else ""), t.posts,
         humanize_age(t.last_fetched_at), t.last_error or ""]
        for t in tags
    ]  # fmt: skip
    output.table(["id", "tag", "instance", "posts", "fetched", "last error"], rows)


@tag_app.command("unfollow")
def unfollow(
    ctx: typer.Context,
    tag: TagArg,
    on: Annotated[
        str | None, typer.Option("--on", help="Only on this instance (default: every instance).")
    ] = None,
) -> None:
    """Stop following a hashtag. Its posts go too, except those on your reading list.

    Example: plnctl tag unfollow edchat
    """
    sources, posts = pln(ctx).tags.unfollow(tag, instance=on)
    output.info(f"Unfollowed {sources} tag source(s); removed {posts} post(s) (saved ones kept).")
