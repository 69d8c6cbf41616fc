"""The reader's dialogs: a one-line prompt, a yes/no question, and the help screen."""

from __future__ import annotations

import functools
from collections.abc import Callable
from typing import Any, ClassVar, Protocol, TypeVar

from textual.app import ComposeResult
from textual.binding import Binding, BindingType
from textual.containers import Vertical
from textual.content import Content
from textual.screen import ModalScreen
from textual.widgets import Input, Static

from plnctl.api import Pln, translate_error
from plnctl.errors import PlnError
from plnctl.render.readable import terminal_safe

# (keys, what they do): the footer shows the common ones, `?` shows them all.
KEYS: tuple[tuple[str, str], ...] = (
    ("j / k, ↓ / ↑", "move in the list (or the sidebar)"),
    ("enter", "open the post (in the sidebar: show that list)"),
    ("space", "page down the post; at its end, the next unread"),
    ("n", "the next unread post"),
    ("r", "toggle read / unread"),
    ("s", "save to the reading list (asks for a note)"),
    ("o", "open the link in the browser (or show the link)"),
    ("m", "mark every post in this list read (asks first)"),
    ("/", 'search: words, "phrases", prefix*, OR, NOT'),
    ("t / p", "a topic's / a person's posts (type its name)"),
    ("u", "only unread posts, or all again"),
    ("tab", "move between sidebar, list and post"),
    ("?", "this help"),
    ("q", "quit"),
)


class _Reporting(Protocol):
    pln: Pln

    def status(self, message: str = "") -> None: ...


F = TypeVar("F", bound=Callable[..., Any])


def guarded(method: F) -> F:
    """Run a key's action; a plnctl error (a post deleted meanwhile, a database locked by a
    sync) is shown on the status line instead of ending the reader with a traceback."""

    @functools.wraps(method)
    def run(self: _Reporting, *args: Any, **kwargs: Any) -> Any:
        try:
            return method(self, *args, **kwargs)
        except PlnError as e:
            self.status(f"Error: {e}")
        except Exception as e:
            known = translate_error(e, self.pln)
            if known is None:
                raise
            self.status(f"Error: {known}")
        return None

    return run  # type: ignore[return-value]


class Prompt(ModalScreen[str | None]):
    """Asks for one line; dismisses with the text, or None when cancelled (escape)."""

    BINDINGS: ClassVar[list[BindingType]] = [Binding("escape", "cancel", "Cancel")]

    def __init__(self, question: str, *, placeholder: str = "") -> None:
        super().__init__()
        self.question = question
        self.placeholder = placeholder

    def compose(self) -> ComposeResult:
        with Vertical(classes="dialog"):
            yield Static(Content(terminal_safe(self.question)))
            yield Input(placeholder=self.placeholder, id="answer")

    def on_input_submitted(self, event: Input.Submitted) -> None:
        self.dismiss(event.value)

    def action_cancel(self) -> None:
        self.dismiss(None)


class Confirm(ModalScreen[bool]):
    BINDINGS: ClassVar[list[BindingType]] = [
        Binding("y", "answer(True)", "Yes"),
        Binding("n,escape", "answer(False)", "No"),
    ]

    def __init__(self, question: str) -> None:
        super().__init__()
        self.question = question

    def compose(self) -> ComposeResult:
        with Vertical(classes="dialog"):
            yield Static(Content(terminal_safe(self.question)))
            yield Static(Content("y: yes    n: no"), classes="hint")

    def action_answer(self, answer: bool) -> None:
        self.dismiss(answer)


class Help(ModalScreen[None]):
    BINDINGS: ClassVar[list[BindingType]] = [Binding("escape,q,question_mark", "close", "Close")]

    def compose(self) -> ComposeResult:
        width = max(len(k) for k, _ in KEYS)
        text = "\n".join(f"{k:<{width}}  {what}" for k, what in KEYS)
        with Vertical(classes="dialog help"):
            yield Static(Content("plnctl read: keys\n\n" + text + "\n\nescape closes this help"))

    def action_close(self) -> None:
        self.dismiss(None)
