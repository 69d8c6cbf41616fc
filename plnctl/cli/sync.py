"""plnctl sync"""

from __future__ import annotations

from typing import TYPE_CHECKING, Annotated

import typer

from plnctl.cli import complete, output
from plnctl.cli.context import pln
from plnctl.errors import ExitCode
from plnctl.models import FullTextReport, SourceResult, SyncSummary
from plnctl.render.terminal import clean_line

if TYPE_CHECKING:
    from plnctl.api import Pln
    from plnctl.questions import CheckResult


def register(app: typer.Typer) -> None:
    app.command("sync")(sync)


def sync(
    ctx: typer.Context,
    person: Annotated[str | None, complete.person_option("Only this person's sources.")] = None,
    source: Annotated[int | None, typer.Option("--source", help="Only this source id.")] = None,
    force: Annotated[
        bool, typer.Option("--force", help="Fetch even sources that are not due yet.")
    ] = False,
    quiet: Annotated[
        bool, typer.Option("--quiet", "-q", help="Print nothing but errors (for cron).")
    ] = False,
    json: Annotated[bool, typer.Option("--json", help="Print a JSON summary on stdout.")] = False,
    questions: Annotated[
        bool,
        typer.Option(
            "--questions/--no-questions",
            help="Also look for new answers to your open questions (skipped with --person/--source).",
        ),
    ] = True,
    full_text: Annotated[
        bool,
        typer.Option(
            "--full-text/--no-full-text",
            help="Also fetch the article pages of new posts from full-text sources "
            "(source edit --full-text, [sync] full_text; skipped with --person/--source).",
        ),
    ] = True,
) -> None:
    """Fetch new posts from every due source: concurrent, polite (conditional GET, backoff,
    Retry-After), safe to run from cron. Then fetches the article pages of full-text sources'
    new posts and looks for new answers to your open questions. Exit code 3 when some sources
    (or question checks) failed; an article page that failed is tried again next time.

    Example: plnctl sync --quiet
    """
    from plnctl.api.syncing import summarize
    from plnctl.timeutil import now_iso

    api = pln(ctx)
    started = now_iso()
    show_progress = not quiet and not json and output.is_terminal("err")
    results = _run(api, person, source, force, show_progress)
    summary = summarize(results, started_at=started)
    everything = person is None and source is None
    pages = api.fetch_full_text() if full_text and everything else FullTextReport()
    checks = api.questions.check() if questions and everything else []
    failed_checks = [c for c in checks if c.status == "failed"]
    if json:
        output.emit_json(
            {
                **summary.to_dict(),
                "full_text": pages.to_dict(),
                "questions": [c.to_dict() for c in checks],
            }
        )
    elif quiet:
        _print_quiet(summary)
        for c in failed_checks:
            output.error(f"question {c.question_id}: {c.error}")
    else:
        _print_summary(summary)
        _print_pages(pages)
        _print_checks(checks)
    if summary.failed or failed_checks:
        raise typer.Exit(int(ExitCode.PARTIAL))


def _run(
    api: Pln, person: str | None, source: int | None, force: bool, show_progress: bool
) -> list[SourceResult]:
    if not show_progress:
        return list(api.sync_iter(person=person, source=source, force=force))
    from rich.progress import BarColumn, MofNCompleteColumn, Progress, TextColumn

    results: list[SourceResult] = []
    with Progress(
        TextColumn("Syncing"),
        BarColumn(),
        MofNCompleteColumn(),
        TextColumn("{task.description}", markup=False),
        console=output.err,
        transient=True,
    ) as bar:
        task = bar.add_task("", total=None)
        for result in api.sync_iter(
            person=person,
            source=source,
            force=force,
            on_start=lambda total: bar.update(task, total=total),
        ):
            results.append(result)
            bar.update(task, advance=1, description=clean_line(result.label)[:50])
    return results


def _print_quiet(summary: SyncSummary) -> None:
    """One line per source that failed or changed for good (gone, moved): cron mails it."""
    for r in summary.results:
        if r.status == "failed":
            output.error(f"{r.label}: {r.error}" + (f"; {r.notice}" if r.notice else ""))
        elif r.notice:
            output.warn(f"{r.label}: {r.notice}")


def _print_checks(checks: list[CheckResult]) -> None:
    if not checks:
        return
    for c in checks:
        if c.status == "failed":
            output.failed(f"  failed  question {c.question_id}: {c.error}")
    found = sum(c.new_answers for c in checks)
    output.info(
        f"Checked {len(checks)} question(s): {found} new answer(s)"
        + (
            f", {sum(1 for c in checks if c.status == 'failed')} failed."
            if any(c.status == "failed" for c in checks)
            else "."
        )
    )


def _print_pages(pages: FullTextReport) -> None:
    if not pages.pages:
        return
    skipped = ", ".join(f"{n} {_SKIPPED.get(why, why)}" for why, n in pages.skipped.items())
    output.info(
        f"Full text: {pages.fetched} article(s) stored"
        + (f"; skipped {skipped}" if skipped else "")
        + (f"; {pages.failed} failed (tried again next sync)" if pages.failed else "")
        + "."
    )


_SKIPPED = {
    "noindex": "asking not to be indexed",
    "robots": "refused by robots.txt",
    "not_html": "not HTML",
    "empty": "without article text",
}


def _print_summary(summary: SyncSummary) -> None:
    for r in summary.results:
        if r.status == "failed":
            output.failed(f"  failed  {r.label}: {r.error}")
        if r.notice:
            output.warn(f"{r.label}: {r.notice}")
        elif r.warning and r.status != "failed":
            output.warn(f"{r.label}: {r.warning}")
    if summary.sources == 0:
        output.info("Nothing to sync: no source is due (use --force to fetch anyway).")
        return
    output.info(
        f"Synced {summary.sources} source(s): {summary.new_posts} new post(s), "
        f"{summary.updated_posts} updated, {summary.unchanged} unchanged, "
        f"{summary.failed} failed."
    )
