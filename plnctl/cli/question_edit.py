"""plnctl question answer [add]|remove, question edit, question delete: answers by hand and
questions changed after the fact."""

from __future__ import annotations

from typing import Annotated, Any

import typer
from typer.core import TyperGroup

from plnctl.cli import output
from plnctl.cli.context import pln
from plnctl.cli.question import JsonOpt, QArg, TopicOpt, _short, changed, question_app


class _AddByDefault(TyperGroup):
    """``question answer 3 --from X`` is ``question answer add 3 --from X`` (the 0.1 spelling
    keeps working beside ``question answer remove ID``)."""

    def parse_args(self, ctx: Any, args: list[str]) -> list[str]:
        if args and args[0] not in self.commands and args[0] not in ("--help", "-h"):
            args = ["add", *args]
        return super().parse_args(ctx, args)


answer_app = typer.Typer(
    cls=_AddByDefault,
    help="Record an answer by hand (question answer [add] QUESTION --from ...) or remove one.",
    no_args_is_help=True,
)


def register(app: typer.Typer) -> None:
    question_app.add_typer(answer_app, name="answer")
    question_app.command("edit")(edit)
    question_app.command("delete")(delete)


@answer_app.command("add")
def add_answer(
    ctx: typer.Context,
    question: QArg,
    from_: Annotated[
        str,
        typer.Option("--from", help="Who answered: a person (id or name), @user@host, or a name."),
    ],
    text: Annotated[str | None, typer.Option("--text", help="What they said.")] = None,
    url: Annotated[str | None, typer.Option("--url", help="Where the answer is.")] = None,
    json: JsonOpt = False,
) -> None:
    """Record an answer by hand (``add`` may be left out).

    Example: plnctl question answer add 3 --from "Doug Belshaw" --text "Try open badges"
    """
    found = pln(ctx).questions.answer(question, from_=from_, text=text, url=url)
    if json:
        output.emit_json(found)
        return
    where = "in your network" if found.in_network else "not in your network"
    output.info(
        f"Recorded answer {found.id} to question {question} from {found.author_name} ({where})."
    )


@answer_app.command("remove")
def remove_answer(
    ctx: typer.Context,
    answer: Annotated[int, typer.Argument(help="The answer id, shown by question show.")],
    yes: output.YesOpt = False,
    json: JsonOpt = False,
) -> None:
    """Remove a wrong answer (or a share listed as one). A later question check does not bring
    it back: plnctl remembers it as dismissed.

    Example: plnctl question answer remove 12 --yes
    """
    output.confirm(f"Remove answer {answer}?", yes=yes)
    removed = pln(ctx).questions.remove_answer(answer)
    if json:
        output.emit_json(removed)
        return
    who = removed.author_name or removed.author_handle or "someone"
    output.info(f"Removed answer {removed.id} by {who} from question {removed.question_id}.")


def edit(
    ctx: typer.Context,
    question: QArg,
    text: Annotated[str | None, typer.Option("--text", help="The question's new text.")] = None,
    comments: Annotated[
        str | None, typer.Option("--comments", help="Add or replace a blog post's comment feed.")
    ] = None,
    no_comments: Annotated[
        bool, typer.Option("--no-comments", help="Forget the comment feed.")
    ] = False,
    topic: TopicOpt = None,
    remove_topic: Annotated[
        list[str] | None, typer.Option("--remove-topic", help="Take a topic off (repeatable).")
    ] = None,
    json: JsonOpt = False,
) -> None:
    """Change a question: its text, its topics, or a blog question's comment feed.

    Example: plnctl question edit 3 --comments https://rivera.example/2026/11/marking/feed/
    """
    done = pln(ctx).questions.edit(
        question, text=text, topics=topic or (), remove_topics=remove_topic or (),
        comment_feed=comments, remove_comment_feed=no_comments,
    )  # fmt: skip
    if done.outcome == "unchanged" and not json:
        output.info(f"Question {done.question.id}: nothing changed.")
    else:
        changed(done, json, "Updated")


def delete(
    ctx: typer.Context,
    question: QArg,
    yes: output.YesOpt = False,
    json: JsonOpt = False,
) -> None:
    """Delete a question with its answers, topics and notes (its id is never reused).

    Example: plnctl question delete 3 --yes
    """
    api = pln(ctx).questions
    target = api.get(question)
    output.confirm(
        f"Delete question {target.id} ({_short(target.text, 50)}) and its "
        f"{target.answer_count} answer(s)?",
        yes=yes,
    )
    gone = api.delete(target.id)
    if json:
        output.emit_json(gone)
        return
    output.info(
        f"Deleted question {gone.id} ({_short(gone.text, 50)}) and its "
        f"{gone.answer_count} answer(s)."
    )
