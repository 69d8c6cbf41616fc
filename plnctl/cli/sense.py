"""plnctl post note, question note, question thank, share (issue 16: sense and share)"""

from __future__ import annotations

import sys
from typing import Annotated

import typer

from plnctl.cli import output
from plnctl.cli.context import pln
from plnctl.cli.post import post_app
from plnctl.cli.question import question_app

JsonOpt = Annotated[bool, typer.Option("--json", help="Print JSON instead of text.")]
TextArg = Annotated[str | None, typer.Argument(help="The note (not needed with --remove).")]
EditOpt = Annotated[
    int | None, typer.Option("--edit", help="Replace note N (as numbered by show).")
]
RemoveOpt = Annotated[int | None, typer.Option("--remove", help="Delete note N.")]
CommentOpt = Annotated[str | None, typer.Option("--comment", help="Your words, before the link.")]


def register(app: typer.Typer) -> None:
    app.command("share")(share)


def _note(ctx: typer.Context, kind: str, target: int, text: str | None,
          edit: int | None, remove: int | None, json: bool) -> None:  # fmt: skip
    from plnctl.errors import InvalidInput

    notes = pln(ctx).notes
    if remove is not None:
        if edit is not None or text:
            raise InvalidInput("--remove takes no TEXT and no --edit")
        note = notes.remove(kind, target, remove)
        verb = "Removed"
    elif text is None:
        raise InvalidInput("give the note's TEXT (or --remove N)")
    elif edit is not None:
        note, verb = notes.edit(kind, target, edit, text), "Updated"
    else:
        note, verb = notes.add(kind, target, text), "Added"
    if json:
        output.emit_json(note)
        return
    output.info(f"{verb} note {note.number} on {kind} {target} (private: left out of exports).")


@post_app.command("note")
def post_note(
    ctx: typer.Context,
    post_id: Annotated[int, typer.Argument(help="The post id.")],
    text: TextArg = None,
    edit: EditOpt = None,
    remove: RemoveOpt = None,
    json: JsonOpt = False,
) -> None:
    """Add a dated private reflection to a post (several allowed; shown by post show; left
    out of digests and exports unless --include-notes).

    Example: plnctl post note 42 "Try the two-stars-and-a-wish format with 8B"
    """
    _note(ctx, "post", post_id, text, edit, remove, json)


@question_app.command("note")
def question_note(
    ctx: typer.Context,
    question_id: Annotated[int, typer.Argument(help="The question id.")],
    text: TextArg = None,
    edit: EditOpt = None,
    remove: RemoveOpt = None,
    json: JsonOpt = False,
) -> None:
    """Note what you took from a question's answers (private, like post notes).

    Example: plnctl question note 3 "Low-stakes quizzes every lesson: start Monday"
    """
    _note(ctx, "question", question_id, text, edit, remove, json)


def share(
    ctx: typer.Context,
    post_id: Annotated[int, typer.Argument(help="The post to share.")],
    to: Annotated[
        str, typer.Option("--to", help="Where: mastodon or bluesky (log in there first).")
    ] = "mastodon",
    comment: CommentOpt = None,
    dry_run: Annotated[
        bool, typer.Option("--dry-run", help="Print the exact text; post nothing.")
    ] = False,
    json: JsonOpt = False,
) -> None:
    """Share a post with your network, with a link and credit to its author (via @handle, or
    the blog's name), from your Mastodon or Bluesky account (plnctl mastodon login / plnctl
    bluesky login). Recorded on the post.

    Example: plnctl share 42 --to mastodon --comment "Useful for our Year 9 team" --dry-run
    """
    api = pln(ctx).shareback
    if dry_run:
        output.lines([api.draft(post_id, to=to, comment=comment)])
        return
    shared = api.share(post_id, to=to, comment=comment)
    if json:
        output.emit_json(shared)
        return
    output.info(f"Shared post {post_id}: {shared.url}")


@question_app.command("thank")
def thank(
    ctx: typer.Context,
    question_id: Annotated[int, typer.Argument(help="The question id.")],
    comment: Annotated[
        str | None, typer.Option("--comment", help="Your own words of thanks.")
    ] = None,
    yes: Annotated[bool, typer.Option("--yes", "-y", help="Post without asking.")] = False,
) -> None:
    """Draft one reply thanking everyone who answered (mentioning them), show it, and post it
    after you confirm (or at once with --yes).

    Example: plnctl question thank 3 --comment "Thank you, I'll try these on Monday!"
    """
    api = pln(ctx).shareback
    draft = api.draft_thanks(question_id, comment=comment)
    output.lines([draft.text])
    if not yes:
        if not sys.stdin.isatty():
            output.info("Not posted: run again with --yes to post it.")
            return
        if not typer.confirm("Post this reply?", err=True):
            output.info("Not posted.")
            return
    shared = api.thank(question_id, comment=comment)
    output.info(f"Posted: {shared.url}")
