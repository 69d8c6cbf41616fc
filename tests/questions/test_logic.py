"""The pure part of questions: states (table-driven and property-based), what counts as an
answer, comment-feed choice, and stats on a known ledger."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest
from hypothesis import given
from hypothesis import strategies as st

from plnctl.errors import InvalidInput
from plnctl.models import Answer, Question, QuestionState
from plnctl.questions import (
    Event,
    compute_stats,
    next_state,
    normalize_handle,
    parse_status_url,
    pick_comment_feed,
    replies_to_answers,
    skip_reason,
    time_to_first_answer,
    url_variants,
    with_answers,
)
from plnctl.render.questions import format_duration, stats_lines, thread_lines

OPEN, A, R, C = (
    QuestionState.OPEN,
    QuestionState.ANSWERED,
    QuestionState.RESOLVED,
    QuestionState.CLOSED,
)
ERROR = "error"

TRANSITIONS = [
    # state, event, answers, expected
    (OPEN, Event.ANSWERS_CHANGED, 0, OPEN),
    (OPEN, Event.ANSWERS_CHANGED, 1, A),
    (A, Event.ANSWERS_CHANGED, 3, A),
    (A, Event.ANSWERS_CHANGED, 0, OPEN),  # every answer removed
    (R, Event.ANSWERS_CHANGED, 5, R),  # new answers never move a resolved question
    (C, Event.ANSWERS_CHANGED, 5, C),
    (OPEN, Event.RESOLVE, 0, R),  # answered elsewhere, nothing to accept
    (A, Event.RESOLVE, 2, R),
    (R, Event.RESOLVE, 2, R),  # accept another answer
    (C, Event.RESOLVE, 2, ERROR),
    (OPEN, Event.CLOSE, 0, C),
    (A, Event.CLOSE, 1, C),
    (R, Event.CLOSE, 1, C),
    (C, Event.CLOSE, 1, C),
    (C, Event.REOPEN, 0, OPEN),
    (C, Event.REOPEN, 2, A),
    (R, Event.REOPEN, 2, A),
    (OPEN, Event.REOPEN, 0, ERROR),
    (A, Event.REOPEN, 1, ERROR),
]


@pytest.mark.parametrize(("state", "event", "answers", "expected"), TRANSITIONS)
def test_transitions(state: QuestionState, event: Event, answers: int, expected: object) -> None:
    if expected == ERROR:
        with pytest.raises(InvalidInput):
            next_state(state, event, answer_count=answers)
    else:
        assert next_state(state, event, answer_count=answers) is expected


@given(st.lists(st.tuples(st.sampled_from(list(Event)), st.integers(0, 5)), max_size=30))
def test_any_event_sequence_keeps_the_invariants(steps: list[tuple[Event, int]]) -> None:
    state = QuestionState.OPEN
    for event, answers in steps:
        try:
            new = next_state(state, event, answer_count=answers)
        except InvalidInput:
            continue
        if new in (OPEN, A):  # an active question's state always says whether it has answers
            assert new is (A if answers else OPEN)
        if event is Event.ANSWERS_CHANGED and state in (R, C):
            assert new is state
        state = new


@pytest.mark.parametrize(
    ("url", "expected"),
    [
        (
            "https://mastodon.social/@ms_rivera/113456789012345678",
            ("mastodon.social", "113456789012345678"),
        ),
        ("https://Fosstodon.org/@a@b.example/42/", ("fosstodon.org", "42")),
        ("https://x.example/users/rivera/statuses/7", ("x.example", "7")),
        ("https://x.example/web/statuses/8", ("x.example", "8")),
        ("http://127.0.0.1:5000/@alice/9", ("127.0.0.1:5000", "9")),
        ("https://blog.example/2026/11/what-is-retrieval-practice/", None),
        ("https://mastodon.social/@ms_rivera", None),
        ("mailto:x@example.org", None),
    ],
)
def test_parse_status_url(url: str, expected: tuple[str, str] | None) -> None:
    assert parse_status_url(url) == expected


def test_normalize_handle() -> None:
    assert normalize_handle("@Sam@Teach.Example") == "Sam@teach.example"
    assert normalize_handle("sam", instance="Teach.Example") == "sam@teach.example"
    assert normalize_handle(None) is None


def test_replies_skip_the_askers_follow_ups_and_keep_nested_replies() -> None:
    asker = {"id": "1", "acct": "alice@home.example"}

    def status(sid: str, account_id: str, acct: str, text: str) -> dict[str, object]:
        return {
            "id": sid,
            "url": f"https://home.example/@{acct}/{sid}",
            "content_text": text,
            "created_at": "2026-11-02T10:00:00.123Z",
            "account": {"id": account_id, "acct": acct, "display_name": acct.title()},
        }

    replies = [
        status("10", "2", "bob@home.example", "Try exit tickets"),
        status("11", "1", "alice@home.example", "Thanks, anyone else?"),  # the asker
        status("12", "3", "dana@far.example", "Low-stakes quizzes"),  # reply to a reply
        status("13", "9", "alice@home.example", "alias"),  # same handle, other id: still asker
    ]
    answers = replies_to_answers(replies, asker=asker, instance="home.example")
    assert [a.author_handle for a in answers] == ["bob@home.example", "dana@far.example"]
    assert answers[0].answered_at == "2026-11-02T10:00:00Z"
    assert answers[0].answer_key == "https://home.example/@bob@home.example/10"
    assert {a.found_via for a in answers} == {"mastodon"}


def test_pick_comment_feed() -> None:
    post = "https://blog.example/2026/11/feedback/"
    wordpress = [
        "https://blog.example/feed/",
        "https://blog.example/comments/feed/",  # every post's comments: not this one's
        "https://blog.example/2026/11/feedback/feed/",
    ]
    assert pick_comment_feed(wordpress, post) == "https://blog.example/2026/11/feedback/feed/"
    blogger = [
        "https://x.blogspot.com/feeds/posts/default",
        "https://x.blogspot.com/feeds/123456789/comments/default",
    ]
    assert pick_comment_feed(blogger, "https://x.blogspot.com/2026/11/q.html") == blogger[1]
    assert pick_comment_feed(wordpress[:2], post) is None


def test_url_variants_cover_trailing_slash_and_fragment() -> None:
    assert set(url_variants("https://b.example/post/#top")) >= {
        "https://b.example/post/",
        "https://b.example/post",
    }


def _q(qid: int, asked: str, state: QuestionState = OPEN, **kw: object) -> Question:
    fields: dict[str, object] = {"kind": "offline", **kw}
    return Question(id=qid, text=f"Question {qid}?", state=state, asked_at=asked, **fields)  # type: ignore[arg-type]


def _a(
    aid: int, qid: int, at: str, name: str, *, person: int | None = None, handle: str | None = None
) -> Answer:
    return Answer(
        id=aid,
        question_id=qid,
        author_name=name,
        author_handle=handle,
        author_url=None,
        person_id=person,
        text="an answer",
        url=None,
        answered_at=at,
        found_via="manual",
        in_network=person is not None,
    )


NOW = datetime(2026, 11, 30, 12, 0, tzinfo=UTC)


def ledger() -> list[Question]:
    """Five questions: three answered (after 1 h, 3 h and 2 d), two never, one of them old."""
    return [
        with_answers(
            _q(1, "2026-11-29T10:00:00Z", A),
            [
                _a(1, 1, "2026-11-29T11:00:00Z", "Doug", person=7),
                _a(2, 1, "2026-11-29T12:00:00Z", "Dana", handle="dana@far.example"),
            ],
        ),
        with_answers(
            _q(2, "2026-11-20T09:00:00Z", R, resolved_answer_id=4),
            [
                _a(3, 2, "2026-11-20T12:00:00Z", "Dana", handle="dana@far.example"),
                _a(4, 2, "2026-11-20T13:00:00Z", "Doug", person=7),
            ],
        ),
        with_answers(
            _q(3, "2026-11-10T09:00:00Z", A), [_a(5, 3, "2026-11-12T09:00:00Z", "Sam at TeachMeet")]
        ),
        _q(4, "2026-11-01T09:00:00Z"),  # unanswered, 29 days old
        _q(5, "2026-11-28T09:00:00Z"),  # unanswered, 2 days old
    ]


def test_stats_on_a_known_ledger() -> None:
    stats = compute_stats(ledger(), now=NOW, older_than_days=7)
    assert stats.questions == 5
    assert stats.by_state == {"open": 2, "answered": 2, "resolved": 1, "closed": 0}
    assert stats.answered == 3
    assert stats.answer_rate == 0.6
    assert stats.answers == 5 and stats.network_answers == 2
    assert stats.median_time_to_first_answer == 3 * 3600  # of 1 h, 3 h, 48 h
    assert [(a.name, a.answers) for a in stats.top_answerers] == [
        ("Dana", 2),
        ("Doug", 2),
        ("Sam at TeachMeet", 1),
    ]
    assert [q.id for q in stats.unanswered_older] == [4]
    suggestions = {a.name: a.follow_hint for a in stats.suggestions}
    assert suggestions == {
        "Dana": 'plnctl person add "Dana" --mastodon @dana@far.example',
        "Sam at TeachMeet": None,  # no handle: nothing to follow
    }
    data = stats.to_dict()
    assert data["unanswered_older"][0]["id"] == 4
    assert data["suggestions"][0]["follow_hint"].startswith("plnctl person add")
    text = "\n".join(stats_lines(stats))
    assert "Answer rate: 60% (3 of 5 answered)" in text
    assert "Median time to first answer: 3h" in text
    assert "--mastodon @dana@far.example" in text


def test_stats_of_nothing() -> None:
    stats = compute_stats([], now=NOW)
    assert (stats.questions, stats.answer_rate, stats.median_time_to_first_answer) == (0, 0.0, None)


def test_accepted_answer_and_time_to_first_answer() -> None:
    question = ledger()[1]
    assert [a.accepted for a in question.answers] == [False, True]
    assert time_to_first_answer(question) == timedelta(hours=3)
    lines = thread_lines(question)
    assert any("accepted" in line and line.startswith("[4]") for line in lines)


@pytest.mark.parametrize(
    ("seconds", "text"),
    [
        (None, "-"),
        (30, "30s"),
        (300, "5m"),
        (3600, "1h"),
        (3 * 3600 + 300, "3h 5m"),
        (86400, "1d"),
        (2 * 86400 + 4 * 3600, "2d 4h"),
    ],
)
def test_format_duration(seconds: float | None, text: str) -> None:
    assert format_duration(seconds) == text


def test_skip_reasons() -> None:
    horizon = {"now": NOW, "horizon_days": 30}
    blog = {"kind": "blog", "url": "https://b.example/p"}
    assert skip_reason(_q(1, "2026-11-29T00:00:00Z", **blog), **horizon) is None  # type: ignore[arg-type]
    assert "closed" in skip_reason(_q(1, "2026-11-29T00:00:00Z", C, **blog), **horizon)  # type: ignore[arg-type, operator]
    assert "30 days" in skip_reason(_q(1, "2026-10-01T00:00:00Z", **blog), **horizon)  # type: ignore[arg-type, operator]
    assert "deleted" in skip_reason(_q(1, "2026-11-29T00:00:00Z", deleted=True, **blog), **horizon)  # type: ignore[arg-type, operator]
    assert "offline" in skip_reason(_q(1, "2026-11-29T00:00:00Z"), **horizon)  # type: ignore[arg-type, operator]
