"""The reader: a sidebar of lists, the posts of one list (paged through the API, never the
whole table), and the open post."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import replace
from typing import Any, ClassVar

from textual import on
from textual.app import App, ComposeResult
from textual.binding import Binding, BindingType
from textual.containers import Horizontal, Vertical, VerticalScroll
from textual.content import Content
from textual.events import Resize
from textual.screen import Screen
from textual.widgets import Footer, OptionList, Static
from textual.widgets.option_list import Option

from plnctl.api import Pln
from plnctl.api.reading import PageCursor, ReaderView
from plnctl.errors import PlnError
from plnctl.models import Post
from plnctl.render.grouping import also_text
from plnctl.render.questions import thread_lines
from plnctl.render.readable import post_view, terminal_safe
from plnctl.timeutil import humanize_age
from plnctl.tui.screens import Confirm, Help, Prompt, guarded
from plnctl.tui.sidebar import Keyed, KeyedScroll, SidebarList

PAGE = 50  # posts fetched at a time; the next page loads when the cursor nears the end
NARROW = 72  # below this many columns the sidebar folds away (t, p and / still work)
UNREAD_MARK = "●"

CSS = """
#sidebar { width: 22; border-right: solid $primary-background; }
#main { width: 1fr; }
#posts { height: 40%; min-height: 5; border-bottom: solid $primary-background; }
#post { height: 1fr; padding: 0 1; }
#status { height: auto; max-height: 3; background: $boost; padding: 0 1; }
OptionList { border: none; padding: 0; }
OptionList { text-wrap: nowrap; text-overflow: ellipsis; }
.dialog { width: 70; max-width: 95%; height: auto; border: thick $primary; padding: 1 2;
          background: $surface; }
.help { width: 90; }
ModalScreen { align: center middle; }
"""


class ReaderScreen(Screen[None]):
    BINDINGS: ClassVar[list[BindingType]] = [
        # The footer fits 80 columns: t and p are in the ? help and the guide.
        Binding("space", "page", "Page"),
        Binding("n", "next_unread", "Next"),
        Binding("r", "toggle_read", "Read"),
        Binding("s", "save", "Save"),
        Binding("o", "open_link", "Link"),
        Binding("m", "mark_all", "All read"),
        Binding("slash", "search", "Find", key_display="/"),
        Binding("t", "topic", "Topic", show=False),
        Binding("p", "person", "Person", show=False),
        Binding("u", "unread_only", "Unread"),
        Binding("question_mark", "help", "Help", key_display="?"),
        Binding("q", "quit", "Quit"),
    ]

    def __init__(self, pln: Pln, view: ReaderView) -> None:
        super().__init__()
        self.pln = pln
        self.view = view
        self.posts: dict[int, Post] = {}  # the loaded rows of the list, by id
        self.order: list[int] = []
        self.next: PageCursor | None = None
        self.shown: Post | None = None  # the post in the reading pane
        self.unfolded = False

    def compose(self) -> ComposeResult:
        with Horizontal():
            yield SidebarList(id="sidebar")
            with Vertical(id="main"):
                yield Keyed(id="posts")
                with KeyedScroll(id="post"):
                    yield Static(id="body")
        yield Static(id="status")
        yield Footer(show_command_palette=False, compact=True)

    def on_mount(self) -> None:
        self.fill_sidebar(topic_counts=False)  # count_topics() fills them after the first frame
        self.load(self.view)
        self.query_one("#posts").focus()

    # --- the sidebar --------------------------------------------------------------------------

    @property
    def sidebar(self) -> SidebarList:
        return self.query_one("#sidebar", SidebarList)

    def fill_sidebar(self, *, topic_counts: bool = True) -> None:
        self.sidebar.fill(self.pln.reading.sidebar(topic_counts=topic_counts))

    @guarded
    def count_topics(self) -> None:
        self.sidebar.set_topic_counts(self.pln.reading.unread_by_topic())

    def bump(self, post: Post, change: int) -> None:
        self.sidebar.bump(post, change)

    @on(OptionList.OptionSelected, "#sidebar")
    @guarded
    def pick_list(self, event: OptionList.OptionSelected) -> None:
        view = self.sidebar.view_for(event.option_id)
        self.load(replace(view, unread_only=self.view.unread_only, oldest=self.view.oldest))
        self.query_one("#posts").focus()

    # --- the list -----------------------------------------------------------------------------

    def load(self, view: ReaderView) -> None:
        try:
            first = self.pln.reading.page(view, limit=PAGE)
        except PlnError as e:
            self.status(str(e))
            return
        self.view, self.posts, self.order = view, {}, []
        self.query_one("#posts", OptionList).clear_options()
        self._add(first.posts, first.next)
        if self.order:
            self.query_one("#posts", OptionList).highlighted = 0
        if view.kind == "question" and view.ref is not None:
            self.show_question(view.ref)
        self.status()

    def _add(self, posts: tuple[Post, ...], next_page: PageCursor | None) -> None:
        self.next = next_page
        fresh = [p for p in posts if p.id not in self.posts]  # marked read while listed
        for post in fresh:
            self.posts[post.id] = post
            self.order.append(post.id)
        self.query_one("#posts", OptionList).add_options(
            [Option(self._row(p), id=str(p.id)) for p in fresh]
        )

    def more(self) -> bool:
        """Load the next page; False at the end of the list."""
        if self.next is None:
            return False
        page = self.pln.reading.page(self.view, self.next, limit=PAGE)
        self._add(page.posts, page.next)
        return bool(page.posts)

    def _row(self, post: Post) -> Content:
        title = post.title or " ".join((post.content_text or "").split())[:80] or "(untitled)"
        who = post.person_name or post.author or ""
        age = humanize_age(post.published_at or post.fetched_at).removesuffix(" ago")
        mark = ("  ", "") if post.read_at else (f"{UNREAD_MARK} ", "bold")
        also = also_text(post.also) if post.group_id == post.id else None
        return Content.assemble(
            mark, (f"{age:>4} ", "dim"), (title, mark[1]), (f" · {who}", "dim"),
            (f" · {also}" if also else "", "dim"),
        )  # fmt: skip

    @on(OptionList.OptionHighlighted, "#posts")
    @guarded
    def near_the_end(self, event: OptionList.OptionHighlighted) -> None:
        if event.option_index >= len(self.order) - 5:
            self.more()

    @on(OptionList.OptionSelected, "#posts")
    @guarded
    def pick_post(self, event: OptionList.OptionSelected) -> None:
        if event.option_id is not None:
            self.open_post(int(event.option_id))

    def current(self) -> Post | None:
        index = self.query_one("#posts", OptionList).highlighted
        if index is None or index >= len(self.order):
            return self.shown
        return self.posts[self.order[index]]

    def refresh_row(self, post: Post) -> None:
        self.posts[post.id] = post
        self.query_one("#posts", OptionList).replace_option_prompt(str(post.id), self._row(post))

    # --- the post -----------------------------------------------------------------------------

    def open_post(self, post_id: int) -> None:
        """Show a post and mark it read (enter again on a folded post unfolds it)."""
        post = self.pln.posts.get(post_id)
        self.unfolded = self.shown is not None and self.shown.id == post_id and not self.unfolded
        if not post.read_at:
            self.pln.posts.mark_read([post_id])
            self.bump(post, -1)
            post = self.pln.posts.get(post_id)
        self.shown = post
        if post_id in self.posts:
            self.refresh_row(post)
        self.render_post()
        self.query_one("#post", VerticalScroll).scroll_home(animate=False)

    def render_post(self) -> None:
        if self.shown is None:
            return
        width = max(self.query_one("#post").size.width - 3, 30)
        lines = post_view(self.shown, width=width, unfold=self.unfolded).lines
        self.query_one("#body", Static).update(Content("\n".join(lines)))

    def show_question(self, question_id: int) -> None:
        self.shown = None
        question = self.pln.questions.get(question_id)
        text = terminal_safe("\n".join(thread_lines(question)))
        self.query_one("#body", Static).update(Content(text))

    def on_resize(self, event: Resize) -> None:
        self.query_one("#sidebar").display = event.size.width >= NARROW
        self.call_after_refresh(self.render_post)

    def status(self, message: str = "") -> None:
        view = self.view
        label = f"Search: {view.query}" if view.kind == "search" else view.label
        flags = " · unread only" if view.unread_only else ""
        flags += " · oldest first" if view.oldest else ""
        more = "+" if self.next is not None else ""
        text = f"{label} · {len(self.order)}{more} posts{flags}"
        self.query_one("#status", Static).update(Content(terminal_safe(message or text)))

    def ask(self, dialog: Screen[Any], then: Callable[[Any], None]) -> None:
        """Show a dialog; its answer goes to ``then``, under the same guard as a key."""
        self.app.push_screen(dialog, lambda answer: self._answer(then, answer))

    @guarded
    def _answer(self, then: Callable[[Any], None], answer: Any) -> None:
        then(answer)

    # --- actions ------------------------------------------------------------------------------

    @guarded
    def action_page(self) -> None:
        pane = self.query_one("#post", VerticalScroll)
        if self.shown is not None and pane.scroll_y < pane.max_scroll_y:
            pane.scroll_page_down(animate=False)
        else:
            self.action_next_unread()

    @guarded
    def action_next_unread(self) -> None:
        """Open the next unread post: the highlighted one when it is not open yet, else the
        first unread after it (loading pages as needed)."""
        posts = self.query_one("#posts", OptionList)
        index = posts.highlighted or 0
        if (
            self.shown is not None
            and index < len(self.order)
            and self.order[index] == self.shown.id
        ):
            index += 1
        while True:
            while index < len(self.order):
                if not self.posts[self.order[index]].read_at:
                    posts.highlighted = index
                    self.open_post(self.order[index])
                    return
                index += 1
            if not self.more():
                self.status("No more unread posts in this list.")
                return

    @guarded
    def action_toggle_read(self) -> None:
        post = self.current()
        if post is None:
            return
        self.pln.posts.mark_read([post.id], read=not post.read_at)
        self.bump(post, +1 if post.read_at else -1)
        fresh = self.pln.posts.get(post.id)
        if post.id in self.posts:
            self.refresh_row(fresh)
        if self.shown is not None and self.shown.id == post.id:
            self.shown = fresh
        self.status(f"Marked {'unread' if fresh.read_at is None else 'read'}: {fresh.title or ''}")

    @guarded
    def action_save(self) -> None:
        post = self.current()
        if post is None:
            return

        def saved(note: str | None) -> None:
            if note is None:
                return
            fresh = self.pln.posts.save(post.id, note=note.strip() or None)
            if fresh.id in self.posts:
                self.refresh_row(fresh)
            self.status(f"Saved to your reading list: {fresh.title or fresh.id}")

        self.ask(Prompt("Save to your reading list. A note (optional):"), saved)

    @guarded
    def action_open_link(self) -> None:
        post = self.current()
        if post is None:
            return
        try:
            link = self.pln.posts.open(post.id)
        except PlnError as e:
            self.status(str(e))
            return
        if not post.read_at:
            self.bump(post, -1)
            self.refresh_row(self.pln.posts.get(post.id))
        self.status(f"Opened {link.url}" if link.opened else f"No browser; the link: {link.url}")

    @guarded
    def action_mark_all(self) -> None:
        view = self.view
        if view.kind == "question":
            return
        count = self.pln.reading.unread_count(view)

        def answered(yes: bool | None) -> None:
            if yes:
                changed = self.pln.reading.mark_view_read(view)
                self.fill_sidebar()
                self.load(view)
                self.status(f"Marked {changed} post(s) read.")

        label = f"the search {view.query!r}" if view.kind == "search" else view.label
        self.ask(Confirm(f"Mark all {count} unread post(s) in {label} read?"), answered)

    @guarded
    def action_search(self) -> None:
        def search(query: str | None) -> None:
            if query and query.strip():
                self.load(replace(self.view, kind="search", ref=None, query=query.strip()))

        self.ask(Prompt('Search (as plnctl search: words, "phrases", prefix*, OR, NOT):'), search)

    @guarded
    def action_topic(self) -> None:
        self._pick("Topic:", "topic")

    @guarded
    def action_person(self) -> None:
        self._pick("Person (a name or id):", "person")

    def _pick(self, question: str, kind: str) -> None:
        def chosen(name: str | None) -> None:
            if not name or not name.strip():
                return
            try:
                resolve = self.pln.topics.resolve if kind == "topic" else self.pln.people.resolve
                found = resolve(name.strip())
            except PlnError as e:
                self.status(str(e))
                return
            self.load(replace(self.view, kind=kind, ref=found.id, label=found.name, query=None))

        self.ask(Prompt(question), chosen)

    @guarded
    def action_unread_only(self) -> None:
        self.load(replace(self.view, unread_only=not self.view.unread_only))

    def action_help(self) -> None:
        self.app.push_screen(Help())

    async def action_quit(self) -> None:
        self.app.exit()


class ReaderApp(App[None]):
    CSS = CSS
    TITLE = "plnctl read"

    def __init__(self, pln: Pln, *, oldest: bool = False, unread_only: bool = False) -> None:
        super().__init__()
        self.pln = pln
        self.start = ReaderView(oldest=oldest, unread_only=unread_only)

    def get_default_screen(self) -> Screen[None]:
        return ReaderScreen(self.pln, self.start)

    def on_ready(self) -> None:
        """The first frame is on the screen: now the slower counts."""
        if isinstance(self.screen, ReaderScreen):
            self.screen.count_topics()
