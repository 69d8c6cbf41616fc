"""plnctl mastodon login|whoami|logout|suggestions, plnctl import mastodon-following|mastodon-csv,
plnctl export mastodon-csv"""

from __future__ import annotations

import sys
from pathlib import Path
from typing import Annotated

import typer

from plnctl.cli import output
from plnctl.cli.context import pln
from plnctl.cli.transfer import (
    ExcelOpt,
    OutputOpt,
    export_app,
    import_app,
    input_data,
    report_import,
    write_output,
)

mastodon_app = typer.Typer(
    help="Log in to your Mastodon account (needed to import who you follow and to post "
    "questions); reading public posts needs no login.",
    no_args_is_help=True,
)

JsonOpt = Annotated[bool, typer.Option("--json", help="Print JSON instead of text.")]


def register(app: typer.Typer) -> None:
    app.add_typer(mastodon_app, name="mastodon")


@mastodon_app.command("login")
def login(
    ctx: typer.Context,
    host: Annotated[str, typer.Argument(help="Your instance, e.g. mastodon.social.")],
    code: Annotated[
        str | None,
        typer.Option(
            "--code",
            help="The authorization code, if you already have it (otherwise you are asked for it).",
        ),
    ] = None,
    browser: Annotated[
        bool,
        typer.Option(
            "--browser/--no-browser", help="Open the authorization page in a web browser."
        ),
    ] = True,
) -> None:
    """Authorize plnctl on your instance: open the page it prints, approve, paste the code.
    The token is stored in a file only you can read (mode 0600), never printed.

    Example: plnctl mastodon login mastodon.social
    """
    api = pln(ctx).mastodon
    if code is None:
        url = api.login_url(host)
        output.info(f"Open this page, approve plnctl, and copy the code it shows:\n{url}")
        if browser and sys.stdin.isatty():
            import webbrowser

            webbrowser.open(url)
        code = typer.prompt("Authorization code", err=True)
    me = api.login(host, code)
    output.info(f"Logged in as @{me['acct']}.")


@mastodon_app.command("whoami")
def whoami(ctx: typer.Context, json: JsonOpt = False) -> None:
    """Show the account you are logged in as (checked with the instance).

    Example: plnctl mastodon whoami
    """
    me = pln(ctx).mastodon.whoami()
    if json:
        output.emit_json(me)
        return
    name = f" ({me['display_name']})" if me.get("display_name") else ""
    output.lines([f"@{me['acct']}{name}"])


@mastodon_app.command("logout")
def logout(ctx: typer.Context) -> None:
    """Revoke and forget the stored token (the app registration is kept).

    Example: plnctl mastodon logout
    """
    instance = pln(ctx).mastodon.logout()
    output.info(f"Logged out of {instance}." if instance else "Not logged in.")


@mastodon_app.command("suggestions")
def suggestions(ctx: typer.Context, json: JsonOpt = False) -> None:
    """Accounts that moved (follow their new home) and verified websites whose feed you do not
    follow yet, each with the command that adds it.

    Example: plnctl mastodon suggestions
    """
    found = pln(ctx).mastodon.suggestions()
    if json:
        output.emit_json(found)
        return
    if not found:
        output.info("Nothing to suggest.")
        return
    output.table(
        ["person", "kind", "target", "command"],
        [[s.person, s.kind, s.target, s.command] for s in found],
    )


@import_app.command("mastodon-following")
def import_following(ctx: typer.Context, json: JsonOpt = False) -> None:
    """Import every account your logged-in Mastodon account follows: one person each, merged
    with anyone you already follow by that handle.

    Example: plnctl import mastodon-following
    """
    with output.working("Reading the accounts you follow..."):
        report = pln(ctx, create=True).mastodon.import_following()
    report_import(report, json=json, what="Imported following list")


@import_app.command("mastodon-csv")
def import_csv(
    ctx: typer.Context,
    file: Annotated[
        Path,
        typer.Argument(
            help="following_accounts.csv from Mastodon's "
            "Preferences > Import and export > Data export ('-': stdin)."
        ),
    ],
    resolve: Annotated[
        bool,
        typer.Option(
            "--resolve/--no-resolve",
            help="Look each account up first (names, opt-outs); without it the next sync does.",
        ),
    ] = True,
    json: JsonOpt = False,
) -> None:
    """Import a Mastodon following list CSV. Bad rows are reported and skipped; the rest are
    imported with their Show boosts, Notify and Languages settings (export writes them back).

    Example: plnctl import mastodon-csv following_accounts.csv
    """
    with output.working(f"Importing {file.name}..."):
        report = pln(ctx, create=True).mastodon.import_csv(input_data(file), resolve=resolve)
    report_import(report, json=json, what=f"Imported {file.name}")


@export_app.command("mastodon-csv")
def export_csv(ctx: typer.Context, output_file: OutputOpt = None, excel: ExcelOpt = False) -> None:
    """Write the Mastodon accounts you follow as following_accounts.csv, ready to import on a
    new Mastodon account (a moved account is written as its new address).

    Example: plnctl export mastodon-csv -o following_accounts.csv
    """
    write_output(pln(ctx).mastodon.export_csv(excel=excel), output_file)
