"""plnctl digest, plnctl reading-list, plnctl export reading-list"""

from __future__ import annotations

import sys
from enum import StrEnum
from pathlib import Path
from typing import Annotated

import typer

from plnctl.cli import complete, output
from plnctl.cli.context import pln
from plnctl.cli.transfer import ExcelOpt, export_app, output_path
from plnctl.timeutil import local_date


class DigestFormat(StrEnum):
    TEXT = "text"
    MD = "md"
    HTML = "html"
    JSON = "json"
    ATOM = "atom"


class ExportFormat(StrEnum):
    MD = "md"
    HTML = "html"
    CSV = "csv"
    JSON = "json"
    OPML = "opml"
    ATOM = "atom"
    POCKET_CSV = "pocket-csv"
    BOOKMARKS = "bookmarks"


OutputOpt = Annotated[
    Path | None,
    typer.Option(
        "-o", "--output", help="Write to this file (atomically) instead of stdout ('-': stdout)."
    ),
]
TopicOpt = Annotated[
    str | None,
    complete.topic_option("Only posts tagged with this topic."),
]
SinceOpt = Annotated[
    str,
    typer.Option(
        "--since",
        help="Posts that arrived (were first fetched) since: 24h, 7d, a date, or 'last': since the last successful digest of this --name. Dates shown are publication dates.",
    ),
]
NameOpt = Annotated[
    str,
    typer.Option("--name", help="Which digest's watermark --since last uses (one per cron job)."),
]
TopicsOpt = Annotated[
    list[str] | None,
    complete.topic_option("Only posts with this topic (repeatable)."),
]
DigestFormatOpt = Annotated[DigestFormat, typer.Option("--format", "-f", help="Output format.")]
EmailOpt = Annotated[
    list[str] | None,
    typer.Option(
        "--email",
        help="Send it (text + HTML) to this address via the [smtp] settings (repeatable).",
    ),
]
TagsOpt = Annotated[
    list[str] | None,
    typer.Option("--tag", help="Only posts from this followed hashtag, e.g. edchat (repeatable)."),
]
FeedUrlOpt = Annotated[
    str | None,
    typer.Option(
        "--feed-url",
        help="Where the Atom file is published (its rel=self link; default: the -o file).",
    ),
]
PerPersonOpt = Annotated[
    int,
    typer.Option(
        "--per-person",
        min=1,
        help="Posts shown in full per person and topic; the rest are listed by title and link (none is left out).",
    ),
]
MarkReadOpt = Annotated[
    bool,
    typer.Option("--mark-read", help="Mark the posts in the digest read once it was delivered."),
]
SendEmptyOpt = Annotated[
    bool, typer.Option("--send-empty", help="Send the email even when there is nothing new.")
]


def register(app: typer.Typer) -> None:
    app.command("digest")(digest)
    app.command("reading-list")(reading_list)


def digest(
    ctx: typer.Context,
    since: SinceOpt = "24h",
    name: NameOpt = "default",
    topics: TopicsOpt = None,
    tags: TagsOpt = None,
    fmt: DigestFormatOpt = DigestFormat.TEXT,
    output_file: OutputOpt = None,
    email: EmailOpt = None,
    send_empty: SendEmptyOpt = False,
    per_person: PerPersonOpt = 20,
    mark_read: MarkReadOpt = False,
    include_notes: Annotated[
        bool,
        typer.Option("--include-notes", help="Include your private notes (left out by default)."),
    ] = False,
    feed_url: FeedUrlOpt = None,
) -> None:
    """What's new in your network: posts by topic and person, answers to your questions,
    people gone quiet, people worth following. With --since last, safe to run from cron: a
    failed run skips nothing, a repeated one sends nothing twice. Exit code 7 when the file or
    email could not be delivered. Your private notes stay out unless --include-notes.

    Example: plnctl digest --since last --email you@example.org
    """
    run = pln(ctx).share.digest(
        since=since, name=name, topics=topics or (), tags=tags or (), fmt=fmt.value,
        output=output_path(output_file), email=email or (), send_empty=send_empty,
        stream=sys.stdout, include_notes=include_notes, feed_url=feed_url,
        per_person=per_person, mark_read=mark_read,
    )  # fmt: skip
    if not output.is_terminal("err"):
        return  # cron: stay silent unless something failed
    if run.output:
        output.info(f"Wrote {run.output}")
    if run.emailed_to:
        output.info(
            f"Sent the digest ({run.post_count} new post(s)) to {', '.join(run.emailed_to)}."
        )
    if run.skipped_email:
        output.info("Nothing new: no email sent (--send-empty sends it anyway).")
    if mark_read:
        output.info(f"Marked {run.marked_read} post(s) read.")


def reading_list(
    ctx: typer.Context,
    topic: TopicOpt = None,
    since: Annotated[
        str | None, typer.Option("--since", help="Only posts saved since: 7d, 2w or a date.")
    ] = None,
    json: Annotated[bool, typer.Option("--json", help="Print JSON instead of a table.")] = False,
) -> None:
    """Your reading list: the posts you saved with `plnctl post save`, newest first.

    Example: plnctl reading-list --topic assessment
    """
    items = pln(ctx).share.reading_list(topic=topic, since=since)
    if json:
        output.emit_json(items)
        return
    if not items:
        output.info("Your reading list is empty: save posts with `plnctl post save ID`.")
        return
    output.table(
        ["id", "saved", "person", "title", "topics", "note"],
        [
            [i.id, local_date(i.saved_at), i.person, i.title, ", ".join(i.topics), i.note or ""]
            for i in items
        ],
    )


@export_app.command("reading-list")
def export_reading_list(
    ctx: typer.Context,
    fmt: Annotated[
        ExportFormat,
        typer.Option(
            "--format",
            "-f",
            help="md, html, csv, json, opml, atom, pocket-csv (Pocket import) or bookmarks (browsers, Raindrop, Wallabag).",
        ),
    ] = ExportFormat.MD,
    topic: TopicOpt = None,
    since: Annotated[
        str | None,
        typer.Option(
            "--since", help="Only posts saved (with --all: published) since: 7d or a date."
        ),
    ] = None,
    saved: Annotated[
        bool, typer.Option("--saved/--all", help="Saved posts only (default), or every post.")
    ] = True,
    output_file: OutputOpt = None,
    include_notes: Annotated[
        bool,
        typer.Option("--include-notes", help="Include your private notes (left out by default)."),
    ] = False,
    feed_url: FeedUrlOpt = None,
    excel: ExcelOpt = False,
) -> None:
    """Write your reading list for other tools or for colleagues. Private notes stay out
    unless --include-notes.

    Example: plnctl export reading-list --format bookmarks -o reading.html
    """
    output_file = output_path(output_file)
    text = pln(ctx).share.export_reading_list(
        fmt.value, topic=topic, since=since, saved=saved, include_notes=include_notes,
        output=output_file, feed_url=feed_url, excel=excel,
    )  # fmt: skip
    if output_file is None:
        output.write_text(text)
    elif output.is_terminal("err"):
        output.info(f"Wrote {output_file}")
