"""plnctl pd add|list|show|edit|remove|standards (suggest and report: cli/pd_report.py)"""

from __future__ import annotations

import sys
from typing import Annotated

import typer

from plnctl.cli import output
from plnctl.cli.context import pln
from plnctl.errors import InvalidInput

pd_app = typer.Typer(
    help="Your professional-learning log: entries, standards, suggestions, registration reports.",
    no_args_is_help=True,
)

JsonOpt = Annotated[bool, typer.Option("--json", help="Print JSON instead of text.")]
EntryArg = Annotated[int, typer.Argument(help="The entry id (see: plnctl pd list).")]
DateOpt = Annotated[str | None, typer.Option("--date", help="The day (YYYY-MM-DD; default today).")]
HoursOpt = Annotated[float | None, typer.Option("--hours", help="Time spent in hours (1.5).")]
MinutesOpt = Annotated[
    int | None, typer.Option("--minutes", help="Time spent in minutes, instead of --hours.")
]
TypeOpt = Annotated[
    str | None,
    typer.Option(
        "--type",
        help="reading, network, course, conference, webinar, collaboration, observation, research or other.",
    ),
]
ProviderOpt = Annotated[
    str | None, typer.Option("--provider", help="Who ran it (a CTLE sponsor for New York).")
]
StandardOpt = Annotated[
    list[str] | None,
    typer.Option(
        "--standard",
        help="A standard's focus area, e.g. 6.2 (repeatable; see: plnctl pd standards).",
    ),
]
ReflectionOpt = Annotated[
    str | None,
    typer.Option("--reflection", help="What you learned and how it connects to the standards."),
]
ImpactOpt = Annotated[
    str | None, typer.Option("--impact", help="Its impact on your practice and learners (GTCS).")
]
EvidenceOpt = Annotated[
    list[str] | None,
    typer.Option("--evidence", help="A link or a note of evidence held (repeatable)."),
]
PostOpt = Annotated[int | None, typer.Option("--post", help="The post it came from.")]
QuestionOpt = Annotated[int | None, typer.Option("--question", help="The question it came from.")]
PriorityOpt = Annotated[
    str | None, typer.Option("--priority", help="The priority area it addresses (NESA).")
]


def register(app: typer.Typer) -> None:
    app.add_typer(pd_app, name="pd")


@pd_app.command("add")
def add(
    ctx: typer.Context,
    title: Annotated[
        str | None, typer.Argument(help="What you did (not needed with --from-suggestion).")
    ] = None,
    date: DateOpt = None,
    hours: HoursOpt = None,
    minutes: MinutesOpt = None,
    type_: TypeOpt = None,
    provider: ProviderOpt = None,
    standard: StandardOpt = None,
    reflection: ReflectionOpt = None,
    impact: ImpactOpt = None,
    evidence: EvidenceOpt = None,
    post: PostOpt = None,
    question: QuestionOpt = None,
    priority: PriorityOpt = None,
    from_suggestion: Annotated[
        str | None,
        typer.Option(
            "--from-suggestion",
            help="Accept suggestion N of the last `pd suggest` (1,3 or all); other options replace its values (--evidence adds links).",
        ),
    ] = None,
    json: JsonOpt = False,
) -> None:
    """Log professional learning. Nothing is logged from suggestions without this command.

    Example: plnctl pd add "Retrieval practice webinar" --date 2026-11-24 --hours 1.5 --type webinar --provider "AITSL" --standard 6.2 --standard 3.3 --priority "Literacy and numeracy"
    """
    fields = dict(date=date, hours=hours, minutes=minutes, type=type_, provider=provider,
                  standards=standard or None, reflection=reflection, impact=impact,
                  evidence=evidence or None, post=post, question=question, priority=priority)  # fmt: skip
    if from_suggestion is not None:
        entries = pln(ctx).pd.accept(from_suggestion, title=title, **fields)
    elif title is None:
        raise InvalidInput("give a TITLE, or --from-suggestion N (see: plnctl pd suggest)")
    else:
        entries = [pln(ctx).pd.add(title, **{k: v for k, v in fields.items() if v is not None})]
    if json:
        output.emit_json(entries if from_suggestion is not None else entries[0])
        return
    for entry in entries:
        output.info(
            f"Logged entry {entry.id}: {entry.date}, {round(entry.hours, 2):g} h, {entry.title}"
        )


@pd_app.command("list")
def list_(
    ctx: typer.Context,
    since: Annotated[
        str | None, typer.Option("--since", help="Only entries since: 30d, 1w or a date.")
    ] = None,
    standard: Annotated[
        str | None, typer.Option("--standard", help="Only entries naming this standard (6 or 6.2).")
    ] = None,
    json: JsonOpt = False,
) -> None:
    """Your log, oldest first.

    Example: plnctl pd list --since 90d --standard 6.2
    """
    entries = pln(ctx).pd.list(since=since, standard=standard)
    if json:
        output.emit_json(entries)
        return
    output.table(
        ["id", "date", "hours", "type", "standards", "title"],
        [
            [e.id, e.date, f"{round(e.hours, 2):g}", e.type, ", ".join(e.standards), e.title]
            for e in entries
        ],
    )


@pd_app.command("show")
def show(ctx: typer.Context, entry: EntryArg, json: JsonOpt = False) -> None:
    """One entry with every field.

    Example: plnctl pd show 3
    """
    found = pln(ctx).pd.get(entry)
    if json:
        output.emit_json(found)
        return
    from plnctl.render.pd import entry_lines

    output.lines(entry_lines(found))


@pd_app.command("edit")
def edit(
    ctx: typer.Context,
    entry: EntryArg,
    title: Annotated[str | None, typer.Option("--title", help="A new title.")] = None,
    date: DateOpt = None,
    hours: HoursOpt = None,
    minutes: MinutesOpt = None,
    type_: TypeOpt = None,
    provider: ProviderOpt = None,
    standard: StandardOpt = None,
    reflection: ReflectionOpt = None,
    impact: ImpactOpt = None,
    evidence: EvidenceOpt = None,
    priority: PriorityOpt = None,
) -> None:
    """Change an entry: the options given replace its values (--standard and --evidence
    replace the whole list; "" clears a text or a list).

    Example: plnctl pd edit 3 --hours 2 --standard 6.2 --standard 6.3
    """
    entry_ = pln(ctx).pd.edit(
        entry, title=title, date=date, hours=hours, minutes=minutes, type=type_,
        provider=provider, standards=standard, reflection=reflection, impact=impact,
        evidence=evidence, priority=priority,
    )  # fmt: skip
    output.info(
        f"Updated entry {entry_.id}: {entry_.date}, {round(entry_.hours, 2):g} h, {entry_.title}"
    )


@pd_app.command("remove")
def remove(
    ctx: typer.Context,
    entry: EntryArg,
    yes: Annotated[bool, typer.Option("--yes", "-y", help="Do not ask.")] = False,
) -> None:
    """Delete an entry from the log (asks first on a terminal; --yes elsewhere).

    Example: plnctl pd remove 3 --yes
    """
    api = pln(ctx)
    if not yes:
        found = api.pd.get(entry)
        if not sys.stdin.isatty():
            raise InvalidInput(f"not removing entry {entry} without --yes (not a terminal)")
        if not typer.confirm(f"Remove entry {entry} ({found.date}, {found.title})?", err=True):
            output.info("Kept it.")
            return
    removed = api.pd.remove(entry)
    output.info(f"Removed entry {removed.id}: {removed.title}")


@pd_app.command("standards")
def standards(ctx: typer.Context, json: JsonOpt = False) -> None:
    """The standards and focus areas entries can name (APST 1.1-7.4, and G1-G6 for bodies
    without numbered standards), by domain.

    Example: plnctl pd standards
    """
    found = pln(ctx).pd.standards()
    if json:
        output.emit_json(found)
        return
    output.table(
        ["code", "domain", "title"],
        [[("" if s.parent is None else "  ") + s.code, s.domain, s.title] for s in found],
    )
