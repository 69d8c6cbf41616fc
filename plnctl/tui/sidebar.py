"""The reader's sidebar: All unread, Saved, topics, people and open questions, with unread
counts kept up to date as posts are read (without asking the database again); and the j / k
keys its lists and the post pane share."""

from __future__ import annotations

from typing import ClassVar

from textual.binding import Binding, BindingType
from textual.containers import VerticalScroll
from textual.content import Content
from textual.widgets import OptionList
from textual.widgets.option_list import Option

from plnctl.api.reading import ReaderView, Sidebar, SidebarEntry
from plnctl.models import Post
from plnctl.render.readable import terminal_safe


class Keyed(OptionList):
    """An option list that also moves with j / k."""

    BINDINGS: ClassVar[list[BindingType]] = [
        Binding("j", "cursor_down", "Down", show=False),
        Binding("k", "cursor_up", "Up", show=False),
    ]


class KeyedScroll(VerticalScroll):
    """The post pane: j / k scroll it when it has the focus (tab)."""

    BINDINGS: ClassVar[list[BindingType]] = [
        Binding("j", "scroll_down", "Down", show=False),
        Binding("k", "scroll_up", "Up", show=False),
    ]


class SidebarList(Keyed):
    def __init__(self, *, id: str | None = None) -> None:
        super().__init__(id=id)
        self.counts: dict[str, int] = {}  # option id ("topic:3") -> unread posts
        self.labels: dict[str, str] = {}
        self.topic_keys: dict[str, str] = {}  # topic name -> option id

    def fill(self, bar: Sidebar) -> None:
        kept = self.highlighted
        self.clear_options()
        self.counts.clear()
        sections = (("", bar.fixed), ("Topics", bar.topics), ("People", bar.people))
        options: list[Option] = []
        for title, entries in (*sections, ("Open questions", bar.questions)):
            if title and entries:
                options.append(Option(Content.styled(title, "bold"), disabled=True))
            options.extend(self._entry(entry) for entry in entries)
        self.add_options(options)  # at once: one layout pass, not one per person
        if kept is not None:
            self.highlighted = min(kept, self.option_count - 1)

    def _entry(self, entry: SidebarEntry) -> Option:
        key = f"{entry.view.kind}:{entry.view.ref or ''}"
        self.counts[key] = entry.unread
        self.labels[key] = terminal_safe(entry.view.label)
        if entry.view.kind == "topic":
            self.topic_keys[entry.view.label] = key
        return Option(self._prompt(key), id=key)

    def _prompt(self, key: str) -> Content:
        count = self.counts.get(key, 0)
        label = Content(self.labels[key])
        if key.startswith("question:"):
            return Content.assemble((f"{count:>3} ", "dim"), label)
        return Content.assemble((f"{count:>3} " if count else "    ", "bold"), label)

    def set_count(self, key: str, count: int) -> None:
        if key in self.counts:
            self.counts[key] = max(count, 0)
            self.replace_option_prompt(key, self._prompt(key))

    def set_topic_counts(self, counts: dict[int, int]) -> None:
        for topic_id, count in counts.items():
            self.set_count(f"topic:{topic_id}", count)

    def bump(self, post: Post, change: int) -> None:
        """One post became read (-1) or unread (+1): adjust every count it is part of."""
        keys = ["all:", f"person:{post.person_id or ''}"]
        keys += [self.topic_keys[t.topic] for t in post.tags if t.topic in self.topic_keys]
        if post.saved_at:
            keys.append("saved:")
        for key in keys:
            self.set_count(key, self.counts.get(key, 0) + change)

    def view_for(self, option_id: str | None) -> ReaderView:
        kind, _, ref = (option_id or "all:").partition(":")
        label = self.labels.get(option_id or "", "All unread")
        return ReaderView(kind, int(ref) if ref else None, label)
