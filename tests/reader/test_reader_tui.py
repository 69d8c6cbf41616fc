"""`plnctl read` driven headless (Textual's run_test / Pilot) on the synced demo network: keys
in, database state (through the API and the CLI) and screen text out."""

from __future__ import annotations

import asyncio
from collections.abc import Awaitable, Callable
from pathlib import Path

import pytest
from textual.pilot import Pilot
from textual.widgets import OptionList

from plnctl.api import Pln
from plnctl.models import NewPost
from plnctl.tui.app import ReaderApp, ReaderScreen
from tests.conftest import Cli

Script = Callable[[Pilot[None], ReaderScreen], Awaitable[None]]


def screen_text(pilot: Pilot[None]) -> str:
    """What a person sees: the composed screen, line by line."""
    strips = pilot.app.screen._compositor.render_strips()
    return "\n".join(strip.text for strip in strips)


def drive(pln: Pln, script: Script, *, size: tuple[int, int] = (80, 24), **options: bool) -> None:
    async def main() -> None:
        app = ReaderApp(pln, **options)
        async with app.run_test(size=size) as pilot:
            await pilot.pause()
            screen = app.screen
            assert isinstance(screen, ReaderScreen)
            await script(pilot, screen)

    asyncio.run(main())


def unread_ids(cli: Cli) -> set[int]:
    return {p["id"] for p in cli("post", "list", "--unread", "--limit", "500", "--json").json()}  # type: ignore[attr-defined]


def test_first_screen_unread_first_newest_first_with_counts(demo: Pln, cli: Cli) -> None:
    newest = [p.id for p in demo.posts.list()]
    demo.posts.mark_read([newest[0]])  # the newest, read: listed after every unread post

    async def script(pilot: Pilot[None], screen: ReaderScreen) -> None:
        text = screen_text(pilot)
        assert "  9 All unread" in text
        assert "Topics" in text and "People" in text
        assert "  3 Maria Rivera" in text
        # topic counts, filled just after the first frame (people's topics are hints, not tags)
        assert "  2 assessment & o" in text
        assert screen.order == [*newest[1:], newest[0]]
        first = demo.posts.get(newest[1]).title or ""
        assert "● " in text and first[:30] in text
        footer = text.split("\n")[-1]
        for key in ("space Page", "n Next", "r Read", "s Save", "o Link", "m All read", "/ Find"):
            assert key in footer
        assert "? Help" in footer and "q Quit" in footer  # all of it fits 80 columns

    drive(demo, script)


def test_enter_opens_the_post_and_the_cli_sees_it_read(demo: Pln, cli: Cli) -> None:
    first = demo.posts.list()[0]

    async def script(pilot: Pilot[None], screen: ReaderScreen) -> None:
        await pilot.press("enter")
        await pilot.pause()
        text = screen_text(pilot)
        assert "Topic: data & privacy (rule:" in text  # the reason for its topics
        assert "Before you sign up a class" in text
        assert "  8 All unread" not in text and "  9 All unread" in text

    drive(demo, script)
    assert first.id not in unread_ids(cli)
    assert len(unread_ids(cli)) == 9


def test_j_k_and_arrows_move_in_the_list(demo: Pln) -> None:
    async def script(pilot: Pilot[None], screen: ReaderScreen) -> None:
        posts = screen.query_one("#posts", OptionList)
        await pilot.press("j", "j", "down")
        assert posts.highlighted == 3
        await pilot.press("k", "up")
        assert posts.highlighted == 1
        await pilot.press("enter")
        assert screen.shown is not None and screen.shown.id == screen.order[1]

    drive(demo, script)


def test_n_and_space_go_to_the_next_unread(demo: Pln, cli: Cli) -> None:
    order = [p.id for p in demo.posts.list()]
    demo.posts.mark_read([order[1]])

    async def script(pilot: Pilot[None], screen: ReaderScreen) -> None:
        await pilot.press("n")  # the first unread
        assert screen.shown is not None and screen.shown.id == order[0]
        await pilot.press("n")  # order[1] is read: skipped
        assert screen.shown.id == order[2]
        await pilot.press("space")  # a short post: space goes on to the next unread
        assert screen.shown.id == order[3]

    drive(demo, script)
    assert unread_ids(cli) == set(order[4:])


def test_space_pages_a_long_post_before_moving_on(demo: Pln) -> None:
    post = demo.posts.list()[0]
    long_html = "".join(f"<p>Paragraph {i} of a long post.</p>" for i in range(80))
    demo.store.conn.execute("UPDATE posts SET content_html = ? WHERE id = ?", (long_html, post.id))

    async def script(pilot: Pilot[None], screen: ReaderScreen) -> None:
        await pilot.press("enter", "space")
        await pilot.pause()
        assert screen.shown is not None and screen.shown.id == post.id
        assert "Paragraph 0 of" not in screen_text(pilot)  # paged down
        for _ in range(30):
            await pilot.press("space")
            if screen.shown.id != post.id:
                break
        assert screen.shown.id == screen.order[1]

    drive(demo, script)


def test_r_toggles_read_and_the_sidebar_counts_follow(demo: Pln, cli: Cli) -> None:
    first = demo.posts.list()[0]

    async def script(pilot: Pilot[None], screen: ReaderScreen) -> None:
        await pilot.press("r")
        await pilot.pause()
        assert first.id not in unread_ids(cli)
        assert "  9 All unread" in screen_text(pilot)
        await pilot.press("r")
        await pilot.pause()
        assert first.id in unread_ids(cli)
        assert " 10 All unread" in screen_text(pilot)

    drive(demo, script)


def test_s_saves_with_an_optional_note_and_escape_cancels(demo: Pln) -> None:
    posts = demo.posts.list()

    async def script(pilot: Pilot[None], screen: ReaderScreen) -> None:
        await pilot.press("s")
        await pilot.pause()
        assert "A note (optional)" in screen_text(pilot)
        await pilot.press(*"for Monday", "enter")
        await pilot.pause()
        await pilot.press("j", "s", "escape")
        await pilot.pause()
        await pilot.press("j", "s", "enter")  # no note
        await pilot.pause()

    drive(demo, script)
    assert demo.posts.get(posts[0].id).save_note == "for Monday"
    assert demo.posts.get(posts[1].id).saved_at is None
    third = demo.posts.get(posts[2].id)
    assert third.saved_at is not None and third.save_note is None


def test_o_opens_the_link_in_the_browser_or_shows_it(
    demo: Pln,
    tmp_path: Path,
    recording_browser: tuple[str, Path],
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    browser, log = recording_browser
    first, second = demo.posts.list()[:2]

    async def script(pilot: Pilot[None], screen: ReaderScreen) -> None:
        monkeypatch.setenv("BROWSER", browser)
        await pilot.press("o")
        await pilot.pause()
        assert log.read_text() == f"{first.url}\n"
        monkeypatch.setenv("BROWSER", str(tmp_path / "no-browser-here"))
        await pilot.press("j", "o")
        await pilot.pause()
        assert f"No browser; the link: {second.url}" in screen_text(pilot)

    drive(demo, script)
    assert demo.posts.get(first.id).read_at and demo.posts.get(second.id).read_at


def test_t_filters_by_topic_and_m_marks_that_view_read_after_asking(demo: Pln, cli: Cli) -> None:
    tagged = {p.id for p in demo.posts.list(topic="assessment & online testing")}
    assert len(tagged) == 2

    async def script(pilot: Pilot[None], screen: ReaderScreen) -> None:
        await pilot.press("t", *"assessment & online testing", "enter")
        await pilot.pause()
        assert set(screen.order) == tagged
        assert "assessment & online testing · 2 posts" in screen_text(pilot)
        await pilot.press("m")
        await pilot.pause()
        assert "Mark all 2 unread post(s) in assessment & online testing read?" in screen_text(
            pilot
        )
        await pilot.press("n")  # no: nothing changes
        await pilot.pause()
        assert len(unread_ids(cli)) == 10
        await pilot.press("m", "y")
        await pilot.pause()
        assert "Marked 2 post(s) read." in screen_text(pilot)
        await pilot.press("t", *"no such topic", "enter")
        await pilot.pause()
        assert "no such topic" in screen_text(pilot).lower()

    drive(demo, script)
    assert unread_ids(cli) == set(range(1, 11)) - tagged


def test_p_filters_by_person_and_u_hides_read_posts(demo: Pln) -> None:
    marias = [p.id for p in demo.posts.list(person="Maria Rivera")]
    demo.posts.mark_read([marias[0]])

    async def script(pilot: Pilot[None], screen: ReaderScreen) -> None:
        await pilot.press("p", *"Maria", "enter")
        await pilot.pause()
        assert screen.order == [*marias[1:], marias[0]]
        await pilot.press("u")
        await pilot.pause()
        assert screen.order == marias[1:]
        assert "unread only" in screen_text(pilot)

    drive(demo, script)


def test_slash_searches_with_the_fts_language(demo: Pln) -> None:
    async def script(pilot: Pilot[None], screen: ReaderScreen) -> None:
        await pilot.press("slash", *'"picture books"', "enter")
        await pilot.pause()
        titles = [screen.posts[i].title or "" for i in screen.order]
        assert titles and all("icture book" in t for t in titles)
        assert 'Search: "picture books"' in screen_text(pilot)
        await pilot.press("slash", *'"unclosed', "enter")
        await pilot.pause()
        assert "double quote is not closed" in screen_text(pilot)
        assert [screen.posts[i].title for i in screen.order] == titles  # the list stayed

    drive(demo, script)


def test_the_sidebar_picks_saved_and_shows_a_question_with_its_answers(demo: Pln) -> None:
    saved = demo.posts.list()[3]
    demo.posts.save(saved.id, note="share with Year 2")
    question = demo.reading.open_questions()[0]
    answer = demo.questions.get(question.id).answers[0]

    async def script(pilot: Pilot[None], screen: ReaderScreen) -> None:
        sidebar = screen.query_one("#sidebar", OptionList)
        sidebar.focus()
        sidebar.highlighted = sidebar.get_option_index("saved:")
        await pilot.press("enter")
        await pilot.pause()
        assert screen.order == [saved.id]
        sidebar.focus()
        sidebar.highlighted = sidebar.get_option_index(f"question:{question.id}")
        await pilot.press("enter")
        await pilot.pause()
        text = screen_text(pilot)
        assert question.text[:40] in text
        assert (answer.text or "")[:30] in text  # the answer, under the question

    drive(demo, script, size=(100, 40))


def test_oldest_first(demo: Pln) -> None:
    newest = [p.id for p in demo.posts.list()]

    async def script(pilot: Pilot[None], screen: ReaderScreen) -> None:
        assert screen.order == newest[::-1]
        assert "oldest first" in screen_text(pilot)

    drive(demo, script, oldest=True)


def test_help_lists_every_key_and_q_quits(demo: Pln) -> None:
    async def script(pilot: Pilot[None], screen: ReaderScreen) -> None:
        await pilot.press("question_mark")
        await pilot.pause()
        text = screen_text(pilot)
        for key in ("j / k", "enter", "space", "mark every post", "search", "t / p", "quit"):
            assert key in text
        await pilot.press("escape", "q")
        await pilot.pause()
        assert pilot.app.return_code == 0 and not pilot.app.is_running

    drive(demo, script)


def test_at_60_columns_the_sidebar_folds_and_the_list_still_reads(demo: Pln) -> None:
    first = demo.posts.list()[0]

    async def script(pilot: Pilot[None], screen: ReaderScreen) -> None:
        assert not screen.query_one("#sidebar").display
        text = screen_text(pilot)
        assert "All unread" not in text.split("\n")[0]
        assert (first.title or "")[:25] in text
        await pilot.press("enter")
        await pilot.pause()
        assert max(len(line.rstrip()) for line in screen_text(pilot).split("\n")) <= 60

    drive(demo, script, size=(60, 24))


def test_no_color_is_honoured_and_unread_is_not_told_by_colour_alone(
    demo: Pln, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("NO_COLOR", "1")

    async def script(pilot: Pilot[None], screen: ReaderScreen) -> None:
        assert pilot.app.no_color
        await pilot.press("r")
        await pilot.pause()
        lines = screen_text(pilot).split("\n")
        rows = [line.split("│", 1)[1] for line in lines[:3]]
        assert rows[0].startswith("  ") and rows[1].startswith("●")

    drive(demo, script)


def test_hostile_text_is_shown_as_text(demo: Pln) -> None:
    post = demo.posts.list()[0]
    demo.store.conn.execute(
        "UPDATE posts SET title = ?, content_html = ? WHERE id = ?",
        (
            "[bold red]Click[/] [link=https://evil.example]me[/link] \x1b[31mred",
            "<p>[b]not markup[/b] \x1b]8;;https://evil.example\x07x</p>",
            post.id,
        ),
    )

    async def script(pilot: Pilot[None], screen: ReaderScreen) -> None:
        await pilot.press("enter")
        await pilot.pause()
        text = screen_text(pilot)
        assert "[bold red]Click[/]" in text
        assert "[b]not markup[/b]" in text
        assert "\x1b" not in text

    drive(demo, script)


def test_the_list_is_paged_never_loaded_whole(demo: Pln, cli: Cli) -> None:
    source = demo.sources.list()[0]
    from plnctl.store import posts as posts_db  # test setup only: 300 posts in one batch

    with demo.store.transaction():
        posts_db.upsert_posts(
            demo.store,
            source.id,
            source.person_id,
            [
                NewPost(
                    guid=f"bulk{i}",
                    title=f"Bulk post {i:03d}",
                    published_at=f"2026-01-01T00:{i // 60:02d}:{i % 60:02d}Z",
                )
                for i in range(300)
            ],
            fetched_at="2026-01-01T00:00:00Z",
        )

    async def script(pilot: Pilot[None], screen: ReaderScreen) -> None:
        assert len(screen.order) == 50
        await pilot.press(*["j"] * 47)
        assert len(screen.order) == 100  # the next page, loaded on the way
        await pilot.press("u")
        await pilot.pause()
        assert len(screen.order) == 50
        await pilot.press("n")  # n reads on through pages
        assert screen.shown is not None

    drive(demo, script)
    assert len(unread_ids(cli)) == 309


def test_a_post_deleted_meanwhile_is_a_message_not_a_crash(demo: Pln) -> None:
    async def script(pilot: Pilot[None], screen: ReaderScreen) -> None:
        gone = screen.order[0]
        demo.store.conn.execute("DELETE FROM posts WHERE id = ?", (gone,))  # another process
        await pilot.press("enter")
        await pilot.pause()
        assert f"Error: no post with id {gone}" in screen_text(pilot)
        assert pilot.app.is_running
        await pilot.press("j", "enter")
        await pilot.pause()
        assert screen.shown is not None and screen.shown.id == screen.order[1]

    drive(demo, script)


def test_a_database_locked_by_a_sync_is_a_message_and_nothing_is_lost(
    demo: Pln, demo_db: Path, cli: Cli
) -> None:
    import sqlite3

    other = sqlite3.connect(demo_db, isolation_level=None)

    async def script(pilot: Pilot[None], screen: ReaderScreen) -> None:
        first = screen.order[0]
        other.execute("BEGIN IMMEDIATE")  # a writer holds the lock past the busy timeout
        await pilot.press("r")
        await pilot.pause()
        text = " ".join(screen_text(pilot).split())
        assert "Error: the database" in text and "is busy" in text and pilot.app.is_running
        other.execute("ROLLBACK")
        await pilot.press("r")
        await pilot.pause()
        assert first not in unread_ids(cli)

    try:
        drive(demo, script)
    finally:
        other.close()


def test_an_empty_database_opens_and_every_key_is_harmless(pln: Pln) -> None:
    async def script(pilot: Pilot[None], screen: ReaderScreen) -> None:
        await pilot.press("u", "u", "enter", "r", "o", "j", "k", "space", "n")
        await pilot.pause()
        assert "No more unread posts in this list." in screen_text(pilot)
        await pilot.press("m", "y", "s", "escape")
        await pilot.pause()
        assert pilot.app.is_running and screen.order == []
        assert "Marked 0 post(s) read." in screen_text(pilot)

    drive(pln, script)
