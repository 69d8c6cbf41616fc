"""Completers for typer arguments and options: names and ids from the database."""

from __future__ import annotations

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
