"""The ``plnctl`` program. A shell's TAB for a person, topic or question is answered here
without loading the whole CLI (rich, every command module): Python start-up, typer's shell
formats, one indexed query. Everything else, and any TAB this table does not cover, goes to
the full CLI, which completes the same way (``autocompletion=`` in the command modules;
tests/core/test_completion.py keeps this table equal to those declarations)."""

from __future__ import annotations

import os
import sys

_TOPIC_FILTERS = (
    ("digest",), ("reading-list",), ("person", "add"), ("person", "list"), ("person", "edit"),
    ("post", "list"), ("post", "read"), ("post", "unread"), ("export", "reading-list"),
    ("search",),
)  # fmt: skip
_PERSON_FILTERS = (("sync",), ("source", "list"), ("post", "list"), ("post", "read"),
                   ("post", "unread"), ("search",))  # fmt: skip
# (command path, option name or index of the positional argument) -> what it completes
FAST: dict[tuple[tuple[str, ...], str | int], str] = {
    **{(("person", verb), 0): "person" for verb in ("show", "edit", "remove")},
    (("source", "add"), 0): "person",
    **{(path, "--person"): "person" for path in _PERSON_FILTERS},
    **{(("question", v), 0): "question" for v in ("show", "resolve", "close", "reopen")},
    **{(("question", v), 0): "question" for v in ("edit", "delete")},
    (("question", "answer", "add"), 0): "question",
    **{(("topic", verb), 0): "topic" for verb in ("add", "show", "edit", "remove")},
    **{(("post", verb), 1): "topic" for verb in ("tag", "untag")},
    **{(path, "--topic"): "topic" for path in _TOPIC_FILTERS},
}
GROUPS = frozenset(path[0] for path, _ in FAST if len(path) == 2)
_FLAGS = frozenset({"-v", "-vv", "-vvv", "--verbose", "--debug"})


def main() -> None:
    instruction = os.environ.get("_PLNCTL_COMPLETE")
    if instruction and _fast_complete(instruction):
        return
    from plnctl.cli.app import main as run

    run()


def decide(args: list[str]) -> tuple[str, str | None] | None:
    """(what to complete, the --db given) for the words before the one being completed, or
    None when the table does not cover it."""
    db = None
    while args and args[0].startswith("-"):
        if args[0] == "--db" and len(args) > 1:
            db, args = args[1], args[2:]
        elif args[0].startswith("--db="):
            db, args = args[0][5:], args[1:]
        elif args[0] in _FLAGS:
            args = args[1:]
        else:
            return None
    depth = 2 if args and args[0] in GROUPS else 1
    path, rest = tuple(args[:depth]), args[depth:]
    if len(path) < depth:
        return None
    if rest and rest[-1].startswith("--"):
        key: str | int = rest[-1]
    elif not any(word.startswith("-") for word in rest):
        key = len(rest)
    else:
        return None
    kind = FAST.get((path, key))
    return (kind, db) if kind else None


def _fast_complete(instruction: str) -> bool:
    try:
        from typer._click.shell_completion import CompletionItem, get_completion_class
        from typer._completion_classes import completion_init
    except ImportError:  # another typer layout: the full CLI answers
        return False
    action, _, shell_name = instruction.partition("_")
    completion_init()
    shell_class = get_completion_class(shell_name)
    if action != "complete" or shell_class is None:
        return False
    shell = shell_class(None, {}, "plnctl", "_PLNCTL_COMPLETE")  # type: ignore[arg-type]
    try:
        args, incomplete = shell.get_completion_args()
    except (KeyError, ValueError):
        return False
    found = decide(list(args))
    if found is None:
        return False
    from plnctl.api.completion import complete

    try:
        pairs = complete(found[0], incomplete, db=found[1])
    except Exception:  # a broken TAB must not print a traceback into the user's prompt
        pairs = []
    items = [  # the same filter as typer's (case-sensitive prefix)
        CompletionItem(value, help=help) for value, help in pairs if value.startswith(incomplete)
    ]
    shell.get_completions = lambda args, incomplete: items  # type: ignore[method-assign,assignment]
    sys.stdout.write(shell.complete() + "\n")
    sys.stdout.flush()
    return True
