"""plnctl: your Professional Learning Network in one local SQLite file.

The public Python API::

    from plnctl import open_pln
    with open_pln() as pln:
        pln.people.add("Ada", feeds=["https://example.org/feed"])
        for result in pln.sync_iter():
            print(result.label, result.status)
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

__version__ = "0.1.0"

if TYPE_CHECKING:
    from plnctl.api import Pln, open_pln

__all__ = ["Pln", "__version__", "open_pln"]


def __getattr__(name: str) -> Any:
    if name in ("Pln", "open_pln"):
        from plnctl import api

        return getattr(api, name)
    raise AttributeError(name)
