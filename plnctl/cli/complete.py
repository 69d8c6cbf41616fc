"""Completers for typer arguments and options: names and ids from the database."""

from __future__ import annotations

from typing import Any

import typer


def _complete(ctx: typer.Context, kind: str, incomplete: str) -> list[tuple[str, str]]:
    try:
        from plnctl.api.completion import complete

        return complete(kind, incomplete, db=ctx.find_root().params.get("db"))
    except Exception:  # a broken TAB must not print a traceback into the user's prompt
        return []


def person(ctx: typer.Context, incomplete: str) -> list[tuple[str, str]]:
    return _complete(ctx, "person", incomplete)


def topic(ctx: typer.Context, incomplete: str) -> list[tuple[str, str]]:
    return _complete(ctx, "topic", incomplete)


def question(ctx: typer.Context, incomplete: str) -> list[tuple[str, str]]:
    return _complete(ctx, "question", incomplete)


# Parameter declarations with their completer, so a command keeps one line per parameter.


def person_argument(help: str) -> Any:
    return typer.Argument(help=help, autocompletion=person)


def person_option(help: str) -> Any:
    return typer.Option("--person", help=help, autocompletion=person)


def topic_argument(help: str) -> Any:
    return typer.Argument(help=help, autocompletion=topic)


def topic_option(help: str) -> Any:
    return typer.Option("--topic", help=help, autocompletion=topic)


def question_argument(help: str) -> Any:
    return typer.Argument(help=help, autocompletion=question)
