"""The only code that speaks SQL. One module per area; each function takes a Store."""

from plnctl.store.connection import Store, open_store

__all__ = ["Store", "open_store"]
