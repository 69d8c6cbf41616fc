"""A fixed sample network for the share tests (fixed clock, fixed timestamps), a real SMTP
server on 127.0.0.1 (aiosmtpd), and helpers to put posts, tags and answers in the database."""

from __future__ import annotations

import os
from collections.abc import Iterator
from dataclasses import dataclass, field
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import pytest

from plnctl.api import Pln
from plnctl.models import NewPost, SourceKind
from plnctl.store import people as people_db
from plnctl.store import posts as posts_db

NOW = datetime(2026, 11, 28, 7, 0, tzinfo=UTC)
SNAPSHOTS = Path(__file__).parent / "snapshots"
UPDATE = os.environ.get("PLNCTL_UPDATE_SNAPSHOTS") == "1"


def add_person(
    pln: Pln, name: str, kind: SourceKind, url: str, handle: str | None = None
) -> tuple[int, int]:
    with pln.store.transaction():
        person_id = people_db.insert_person(pln.store, name)
        fields = {"handle": handle} if handle else {}
        source_id = people_db.insert_source(pln.store, person_id, kind, url, **fields)
    return person_id, source_id


def add_post(
    pln: Pln,
    source: tuple[int, int],
    *,
    fetched_at: str,
    topics: tuple[str, ...] = (),
    **fields: Any,
) -> int:
    person_id, source_id = source
    fields.setdefault("guid", fields.get("url") or f"guid-{fetched_at}-{fields.get('title')}")
    with pln.store.transaction():
        result = posts_db.upsert_posts(
            pln.store, source_id, person_id, [NewPost(**fields)], fetched_at=fetched_at
        )
        post_id = result.new_ids[0]
        for topic in topics:
            topic_id = people_db.ensure_topic(pln.store, topic)
            pln.store.conn.execute(
                "INSERT INTO post_topics (post_id, topic_id, origin, reason, created_at) "
                "VALUES (?, ?, 'rule', 'test', ?)",
                (post_id, topic_id, fetched_at),
            )
    return post_id


def save(
    pln: Pln, post_id: int, saved_at: str, note: str | None = None, read: bool = False
) -> None:
    with pln.store.transaction():
        posts_db.set_saved(pln.store, post_id, saved_at, note)
        if read:
            posts_db.set_read(pln.store, [post_id], saved_at)


def add_question(
    pln: Pln, text: str, *, asked_at: str, state: str = "open", url: str | None = None
) -> int:
    with pln.store.transaction():
        cursor = pln.store.conn.execute(
            "INSERT INTO questions (text, kind, state, asked_at, url, created_at) "
            "VALUES (?, 'mastodon', ?, ?, ?, ?)",
            (text, state, asked_at, url, asked_at),
        )
    return int(cursor.lastrowid or 0)


def add_answer(
    pln: Pln, question_id: int, *, created_at: str, person_id: int | None = None, **fields: Any
) -> None:
    columns = {"answer_key": fields.get("url") or created_at, "found_via": "mastodon", **fields}
    names = ", ".join(columns)
    with pln.store.transaction():
        pln.store.conn.execute(
            f"INSERT INTO answers (question_id, person_id, created_at, {names}) "
            f"VALUES (?, ?, ?, {', '.join('?' * len(columns))})",
            (question_id, person_id, created_at, *columns.values()),
        )


@dataclass
class Sample:
    pln: Pln
    people: dict[str, tuple[int, int]] = field(default_factory=dict)
    posts: dict[str, int] = field(default_factory=dict)


@pytest.fixture
def sample(pln: Pln) -> Sample:
    """Four people (three feeds, one Mastodon account), seven posts of which six arrived in the
    24 hours before NOW (one of them published weeks earlier), three saved posts, a question
    with two new answers and an unanswered one, and one person quiet since September."""
    s = Sample(pln)
    s.people["rivera"] = add_person(
        pln, "Ms. Rivera", SourceKind.FEED, "https://rivera.example.edu/feed"
    )
    s.people["sam"] = add_person(
        pln, "Sam Okafor", SourceKind.MASTODON, "https://edu.social/@sam", "@sam@edu.social"
    )
    s.people["ada"] = add_person(
        pln, "Ada Byron", SourceKind.FEED, "https://ada.example.org/atom.xml"
    )
    s.people["quentin"] = add_person(
        pln, "Quentin Quiet", SourceKind.FEED, "https://quentin.example.net/rss"
    )
    _add_posts(s)
    _add_saves_and_questions(s)
    return s


_RETRIEVAL_HTML = (
    "<p>This week my classes tried <strong>retrieval practice</strong> again, with low-stakes "
    "quizzes at the start of every lesson.</p><p>Background: "
    '<a href="https://research.example.org/papers/1">the paper</a>.</p>'
)
_STATUS_HTML = (
    '<p>Anyone tried <a href="https://edu.social/tags/retrievalpractice">#retrievalpractice</a>'
    " with Year 7? Tips &amp; tricks welcome.</p>"
)
_FEEDBACK = "Whole-class feedback sheets changed how my students respond. " * 14
# key, person, fetched_at, published_at, topics, url, title, content_text, extra fields
_Row = tuple[str, str, str, str, tuple[str, ...], str, str | None, str, dict[str, Any]]
SAMPLE_POSTS: list[_Row] = [
    ("old", "quentin", "2026-09-01T10:00:00Z", "2026-09-01T09:00:00Z", (),
     "https://quentin.example.net/last", "Signing off for a while",
     "Taking a break from blogging.", {}),
    ("retrieval", "rivera", "2026-11-27T09:00:00Z", "2026-11-27T08:30:00Z", ("assessment",),
     "https://rivera.example.edu/2026/retrieval", "Retrieval practice in Year 9 science",
     "This week my classes tried retrieval practice again, with low-stakes quizzes at the start "
     "of every lesson.\n\nBackground: the paper.", {"content_html": _RETRIEVAL_HTML}),
    ("feedback", "rivera", "2026-11-27T21:00:00Z", "2026-11-27T20:00:00Z",
     ("assessment", "literacy"), "https://rivera.example.edu/2026/feedback",
     "Feedback that students actually read", _FEEDBACK, {}),
    ("late", "rivera", "2026-11-28T05:00:00Z", "2026-11-10T08:00:00Z", ("assessment",),
     "https://rivera.example.edu/2026/exam-season", "Exam season, revisited",
     "An older post that reached us late.", {}),
    ("status", "sam", "2026-11-27T12:00:00Z", "2026-11-27T11:45:00Z", ("assessment",),
     "https://edu.social/@sam/1123", None,
     "Anyone tried #retrievalpractice with Year 7? Tips & tricks welcome.",
     {"kind": "status", "content_html": _STATUS_HTML, "hashtags": ("retrievalpractice",)}),
    ("aloud", "ada", "2026-11-27T15:00:00Z", "2026-11-27T14:00:00Z", ("literacy",),
     "https://ada.example.org/reading-aloud", "Reading aloud with teenagers",
     "Why I still read aloud to my Year 10s, and what they said about it.", {}),
    ("conference", "ada", "2026-11-28T06:00:00Z", "2026-11-28T05:30:00Z", (),
     "https://ada.example.org/conference?a=1&b=2", 'Notes from "ResearchEd" <north>',
     "Ten things I took away from the day.", {}),
]  # fmt: skip


def _add_posts(s: Sample) -> None:
    for key, person, fetched, published, topics, url, title, text, extra in SAMPLE_POSTS:
        fields = {"content_html": f"<p>{text}</p>", **extra}
        s.posts[key] = add_post(
            s.pln, s.people[person], fetched_at=fetched, topics=topics, url=url, title=title,
            published_at=published, content_text=text, **fields,
        )  # fmt: skip


def _add_saves_and_questions(s: Sample) -> None:
    pln = s.pln
    save(pln, s.posts["retrieval"], "2026-11-27T12:00:00Z", note="share with the maths team")
    save(pln, s.posts["aloud"], "2026-11-27T16:00:00Z", read=True)
    save(pln, s.posts["conference"], "2026-11-28T06:30:00Z")
    q1 = add_question(
        pln,
        "How do you run retrieval practice with Year 7?",
        asked_at="2026-11-20T10:00:00Z",
        state="answered",
        url="https://edu.social/@me/1100",
    )
    add_answer(
        pln,
        q1,
        created_at="2026-11-27T10:00:00Z",
        person_id=s.people["sam"][0],
        author_name="Sam Okafor",
        author_handle="@sam@edu.social",
        text="Start with three questions from last week, every lesson.",
        url="https://edu.social/@sam/1110",
        answered_at="2026-11-27T09:55:00Z",
    )
    add_answer(
        pln,
        q1,
        created_at="2026-11-27T11:00:00Z",
        author_name="Dr. Lee",
        author_handle="@lee@scholar.social",
        text="Spacing matters more than the format.",
        url="https://scholar.social/@lee/77",
        answered_at="2026-11-27T10:40:00Z",
    )
    add_question(pln, "Best read-aloud novels for 14-year-olds?", asked_at="2026-11-25T18:00:00Z")


def check_snapshot(name: str, text: str) -> None:
    """Compare with tests/share/snapshots/NAME; PLNCTL_UPDATE_SNAPSHOTS=1 rewrites it."""
    path = SNAPSHOTS / name
    if UPDATE or not path.exists():
        path.write_text(text, encoding="utf-8")
        if not UPDATE:
            pytest.fail(f"snapshot {name} was missing and has been written; check it and rerun")
        return
    assert text == path.read_text(encoding="utf-8"), (
        f"{name} changed; if that is intended, rerun with PLNCTL_UPDATE_SNAPSHOTS=1"
    )


# --- a real SMTP server on loopback -----------------------------------------------------------


@dataclass
class SmtpServer:
    host: str
    port: int
    messages: list[Any]
    handler: Any
    logins: list[tuple[bytes, bytes]]


class _Collector:
    def __init__(self) -> None:
        self.messages: list[Any] = []
        self.envelopes: list[list[str]] = []  # the recipients each message was sent to
        self.reject_with: str | None = None

    async def handle_RCPT(self, server, session, envelope, address, rcpt_options):  # type: ignore[no-untyped-def]
        if self.reject_with:
            return self.reject_with
        envelope.rcpt_tos.append(address)
        return "250 OK"

    async def handle_DATA(self, server, session, envelope):  # type: ignore[no-untyped-def]
        from email import message_from_bytes, policy

        self.messages.append(message_from_bytes(envelope.content, policy=policy.default))
        self.envelopes.append(list(envelope.rcpt_tos))
        return "250 Message accepted for delivery"


def start_smtp(handler: Any, **options: Any) -> Any:
    """A started aiosmtpd controller on 127.0.0.1 and a free port (``controller.port``)."""
    from aiosmtpd.controller import Controller

    class LoopbackController(Controller):  # type: ignore[misc]
        """aiosmtpd 1.4 cannot report the port it got for port=0; read it off the socket."""

        def _trigger_server(self) -> None:
            self.port = self.server.sockets[0].getsockname()[1]
            super()._trigger_server()

    controller = LoopbackController(handler, hostname="127.0.0.1", port=0, **options)
    controller.start()
    return controller


@pytest.fixture
def smtp_server() -> Iterator[SmtpServer]:
    """aiosmtpd on 127.0.0.1 with AUTH (user "teacher", password "s3cret-pw") over plain SMTP."""
    from aiosmtpd.smtp import AuthResult

    logins: list[tuple[bytes, bytes]] = []

    def authenticator(server, session, envelope, mechanism, auth_data):  # type: ignore[no-untyped-def]
        logins.append((auth_data.login, auth_data.password))
        ok = auth_data.login == b"teacher" and auth_data.password == b"s3cret-pw"
        return AuthResult(success=ok, handled=False)

    handler = _Collector()
    controller = start_smtp(handler, authenticator=authenticator, auth_require_tls=False)
    try:
        yield SmtpServer("127.0.0.1", controller.port, handler.messages, handler, logins)
    finally:
        controller.stop()


def write_smtp_config(
    home: Path, server_port: int, *, user: str | None = "teacher", extra: str = ""
) -> None:
    lines = [
        "[smtp]",
        'host = "127.0.0.1"',
        f"port = {server_port}",
        'security = "none"',
        'sender = "plnctl@example.org"',
        "timeout = 5",
    ]
    if user:
        lines.append(f'user = "{user}"')
    (home / "config.toml").write_text("\n".join(lines) + "\n" + extra, encoding="utf-8")
