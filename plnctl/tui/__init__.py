"""``plnctl read``: the interactive reader (Textual). It speaks only to the API (``pln.reading``,
``pln.posts``, ...) and the pure ``render`` helpers; never to the store.

Importing this package costs nothing: Textual is imported by ``run()``, so no other command
pays for it.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from plnctl.api import Pln


def run(pln: Pln, *, oldest: bool = False, unread_only: bool = False) -> None:
    from plnctl.tui.app import ReaderApp

    ReaderApp(pln, oldest=oldest, unread_only=unread_only).run()
