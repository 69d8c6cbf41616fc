"""plnctl question ask|track|add|check|resolve|close|reopen|list|show|stats (answer, edit and
delete: ``plnctl.cli.question_edit``)"""

from __future__ import annotations

from typing import TYPE_CHECKING, Annotated

import typer

from plnctl.cli import complete, output
from plnctl.cli.context import pln
from plnctl.errors import ExitCode
from plnctl.timeutil import humanize_age

if TYPE_CHECKING:
    from plnctl.api.question_edits import Tracked
    from plnctl.models import Question

question_app = typer.Typer(
    help="Ask your network, collect the answers, see which questions got answered.",
    no_args_is_help=True,
)

JsonOpt = Annotated[bool, typer.Option("--json", help="Print JSON instead of text.")]
QArg = Annotated[int, complete.question_argument("The question id (see: plnctl question list).")]
TopicOpt = Annotated[
    list[str] | None, typer.Option("--topic", help="A topic for the question (repeatable).")
]


def register(app: typer.Typer) -> None:
    app.add_typer(question_app, name="question")


def _recorded(question: Question, json: bool, verb: str) -> None:
    if json:
        output.emit_json(question)
        return
    output.info(f"{verb} question {question.id}: {_short(question.text, 70)}")
    if question.url:
        output.info(f"  {question.url}")
    if question.comment_feed_url:
        output.info(f"  comments: {question.comment_feed_url}")
    elif question.kind == "blog":
        output.info("  no comment feed found (give one with --comments URL); posts from your "
                    "network that link to it still count as answers")  # fmt: skip
    if question.check_error:
        output.warn(question.check_error)


def changed(done: Tracked, json: bool, verb: str) -> None:
    """A question tracked (``verb``) or updated: what it is now, and what changed."""
    if json:
        output.emit_json(done)
        return
    _recorded(done.question, json, "Updated" if done.outcome == "updated" else verb)
    if done.changed:
        names = {"comment_feed_url": "comment feed"}
        output.info(f"  changed: {', '.join(names.get(c, c) for c in done.changed)}")


@question_app.command("ask")
def ask(
    ctx: typer.Context,
    text: Annotated[str, typer.Argument(help="The question, as it will be posted.")],
    topic: TopicOpt = None,
    visibility: Annotated[str, typer.Option("--visibility", help="public or unlisted.")] = "public",
    on: Annotated[
        str,
        typer.Option(
            "--on", help="mastodon (plnctl mastodon login) or bluesky (plnctl bluesky login)."
        ),
    ] = "mastodon",
    json: JsonOpt = False,
) -> None:
    """Post a question from your Mastodon or Bluesky account and track its answers.

    Example: plnctl question ask "How do you run retrieval practice with Year 7? #edchat" --topic "retrieval practice"
    """
    question = pln(ctx).questions.ask(text, topics=topic or (), visibility=visibility, on=on)
    _recorded(question, json, "Asked")


@question_app.command("track")
def track(
    ctx: typer.Context,
    url: Annotated[
        str,
        typer.Argument(
            help="A Mastodon status URL, a Bluesky post (https://bsky.app/profile/H/post/R), or a blog post URL."
        ),
    ],
    text: Annotated[
        str | None, typer.Option("--text", help="The question (default: read from the URL).")
    ] = None,
    topic: TopicOpt = None,
    comments: Annotated[
        str | None, typer.Option("--comments", help="The post's comment feed, if not found.")
    ] = None,
    json: JsonOpt = False,
) -> None:
    """Track a question you already asked elsewhere: on Mastodon (any instance), on Bluesky,
    or on a blog. Replies are collected by question check and by every sync. Tracking a URL
    again updates the question with what you give (e.g. --comments); with nothing new it says
    which question it already is.

    Example: plnctl question track https://mastodon.social/@ms_rivera/113456789012345678
    """
    done = pln(ctx).questions.track_or_update(
        url, text=text, topics=topic or (), comment_feed=comments
    )
    if done.outcome == "unchanged" and not json:
        output.info(f"Already tracked as question {done.question.id}; nothing changed.")
    else:
        changed(done, json, "Tracking")


@question_app.command("add")
def add(
    ctx: typer.Context,
    text: Annotated[str, typer.Argument(help="The question.")],
    topic: TopicOpt = None,
    json: JsonOpt = False,
) -> None:
    """Record a question you asked offline (in a staffroom, at a conference).

    Example: plnctl question add "Who has tried whole-class feedback sheets?"
    """
    _recorded(pln(ctx).questions.add(text, topics=topic or ()), json, "Recorded")


@question_app.command("check")
def check(
    ctx: typer.Context,
    question: Annotated[
        int | None, typer.Argument(help="Only this question (default: all open ones).")
    ] = None,
    json: JsonOpt = False,
) -> None:
    """Look for new answers: Mastodon replies, blog comments, posts linking to the question.
    Exit code 3 when some questions could not be checked.

    Example: plnctl question check
    """
    with output.working("Looking for answers..."):
        results = pln(ctx).questions.check(question)
    if json:
        output.emit_json(results)
    elif not results:
        output.info("No question to check (closed ones and old ones are left alone).")
    for r in [] if json else results:
        label = f"[{r.question_id}] {_short(r.text, 50)}"
        if r.status == "failed":
            output.error(f"{label}: {r.error}")
        elif r.status == "skipped":
            output.info(f"{label}: skipped, {r.reason}")
        elif r.status == "deleted":
            output.warn(f"{label}: the question was deleted; its answers are kept")
        else:
            shares = f", {r.new_shares} share(s)" if r.new_shares else ""
            output.info(f"{label}: {r.new_answers} new answer(s){shares}, {r.state.value}")
    if any(not r.ok for r in results):
        raise typer.Exit(int(ExitCode.PARTIAL))


@question_app.command("resolve")
def resolve(
    ctx: typer.Context,
    question: QArg,
    answer_id: Annotated[
        int | None, typer.Option("--answer", help="The answer you accept (see question show).")
    ] = None,
) -> None:
    """Mark a question resolved, accepting an answer (its only answer by default).

    Example: plnctl question resolve 3 --answer 12
    """
    resolved = pln(ctx).questions.resolve(question, answer=answer_id)
    accepted = (
        f", accepting answer {resolved.resolved_answer_id}" if resolved.resolved_answer_id else ""
    )
    output.info(f"Resolved question {resolved.id}{accepted}.")


@question_app.command("close")
def close(ctx: typer.Context, question: QArg) -> None:
    """Close a question; it is no longer checked for answers.

    Example: plnctl question close 3
    """
    output.info(f"Closed question {pln(ctx).questions.close(question).id}.")


@question_app.command("reopen")
def reopen(ctx: typer.Context, question: QArg) -> None:
    """Reopen a closed or resolved question.

    Example: plnctl question reopen 3
    """
    reopened = pln(ctx).questions.reopen(question)
    output.info(f"Reopened question {reopened.id}: {reopened.state.value}.")


@question_app.command("list")
def list_(
    ctx: typer.Context,
    open_: Annotated[bool, typer.Option("--open", help="Only questions without answers.")] = False,
    answered: Annotated[bool, typer.Option("--answered", help="Only answered ones.")] = False,
    resolved: Annotated[bool, typer.Option("--resolved", help="Only resolved ones.")] = False,
    closed: Annotated[bool, typer.Option("--closed", help="Only closed ones.")] = False,
    json: JsonOpt = False,
) -> None:
    """List questions: age, answers (from your network / from outside), time to first answer.

    Example: plnctl question list --open
    """
    from plnctl.questions import time_to_first_answer
    from plnctl.render.questions import format_duration

    flags = {"open": open_, "answered": answered, "resolved": resolved, "closed": closed}
    found = pln(ctx).questions.list(states=[state for state, on in flags.items() if on])
    if json:
        output.emit_json(found)
        return
    rows = [
        [
            q.id,
            q.state.value + (" (deleted)" if q.deleted else ""),
            humanize_age(q.asked_at),
            q.answer_count,
            f"{q.network_answer_count}/{q.answer_count - q.network_answer_count}",
            format_duration(time_to_first_answer(q)),
            _short(q.text, 60),
        ]
        for q in found
    ]
    output.table(
        ["id", "state", "asked", "answers", "network/outside", "first answer", "question"], rows
    )


@question_app.command("show")
def show(ctx: typer.Context, question: QArg, json: JsonOpt = False) -> None:
    """Show a question and its answers as a readable thread.

    Example: plnctl question show 3
    """
    found = pln(ctx).questions.get(question)
    if json:
        output.emit_json(found)
        return
    from plnctl.render.questions import thread_lines

    output.lines(thread_lines(found))


@question_app.command("stats")
def stats(
    ctx: typer.Context,
    older_than: Annotated[
        int, typer.Option("--older-than", min=0, help="Unanswered for more than N days.")
    ] = 7,
    json: JsonOpt = False,
) -> None:
    """Answer rate, time to first answer, who answers, questions to ask again, and people who
    answered but are not in your network (with the command to follow them).

    Example: plnctl question stats --older-than 14
    """
    report = pln(ctx).questions.stats(older_than_days=older_than)
    if json:
        output.emit_json(report)
        return
    from plnctl.render.questions import stats_lines

    output.lines(stats_lines(report))


def _short(text: str, size: int) -> str:
    flat = " ".join(text.split())
    return flat if len(flat) <= size else flat[: size - 1] + "…"
