"""Questions as terminal text: the thread of a question and the stats report. Pure: each
function returns lines."""

from __future__ import annotations

from datetime import timedelta

from plnctl.models import Answer, Question
from plnctl.questions import QuestionStats, time_to_first_answer
from plnctl.render.digest import fmt_time
from plnctl.timeutil import humanize_age


def format_duration(span: timedelta | float | None) -> str:
    """``3h 5m``, ``2d 4h``, ``45m``, ``-`` for None."""
    if span is None:
        return "-"
    seconds = int(span.total_seconds() if isinstance(span, timedelta) else span)
    days, rest = divmod(max(seconds, 0), 86400)
    hours, rest = divmod(rest, 3600)
    minutes = rest // 60
    if days:
        return f"{days}d {hours}h" if hours else f"{days}d"
    if hours:
        return f"{hours}h {minutes}m" if minutes else f"{hours}h"
    return f"{minutes}m" if minutes else f"{seconds}s"


def thread_lines(q: Question) -> list[str]:
    """The question and its answers, oldest first, as terminal text."""
    state = q.state.value + (" · deleted" if q.deleted else "")
    lines = [
        f"Question {q.id} · {state} · asked {humanize_age(q.asked_at)} ({fmt_time(q.asked_at)})"
    ]
    lines += [f"  {line}" for line in q.text.splitlines()]
    lines += [f"  {x}" for x in (q.url, q.topics and "Topics: " + ", ".join(q.topics)) if x]
    if q.check_error:
        lines.append(f"  Last check failed: {q.check_error}")
    first = format_duration(time_to_first_answer(q))
    lines += [
        "",
        f"{q.answer_count} answer(s), {q.network_answer_count} from your network"
        + (f"; first after {first}" if q.answer_count else ""),
    ]
    for a in q.answers:
        who = _who(a)
        if a.author_handle and a.author_handle not in who:
            who += f" (@{a.author_handle})"
        tags = [a.found_via, "in your network" if a.in_network else "not followed"]
        lines += [
            "",
            f"[{a.id}] {who} · {humanize_age(a.answered_at)} · {', '.join(tags)}"
            + ("  ✔ accepted" if a.accepted else ""),
        ]
        lines += [f"    {line}" for line in (a.text or "").splitlines() if line.strip()]
        if a.url:
            lines.append(f"    {a.url}")
    if q.shared_by:
        names = ", ".join(dict.fromkeys(_who(a) for a in q.shared_by))
        lines += ["", f"Shared by: {names} (not counted as answers)"]
        lines += [f"  [{a.id}] {_who(a)} · {a.url or a.found_via}" for a in q.shared_by]
    from plnctl.render.text import note_lines

    return lines + note_lines(q.notes)


def _who(a: Answer) -> str:
    """The answerer as the network knows them (the person's name when they are followed)."""
    return a.person_name or a.author_name or a.author_handle or "someone"


def stats_lines(s: QuestionStats) -> list[str]:
    states = ", ".join(f"{count} {state}" for state, count in s.by_state.items())
    lines = [
        f"Questions: {s.questions} ({states})",
        f"Answer rate: {round(s.answer_rate * 100)}% ({s.answered} of {s.questions} answered)",
        f"Answers: {s.answers}, {s.network_answers} from your network",
        f"Median time to first answer: {format_duration(s.median_time_to_first_answer)}",
    ]
    if s.top_answerers:
        lines += ["", "Top answerers:"]
        lines += [
            f"  {a.answers:>3}  {a.name or a.handle}"
            + ("" if a.in_network else "  (not in your network)")
            for a in s.top_answerers
        ]
    if s.unanswered_older:
        lines += [
            "",
            f"Unanswered for more than {s.older_than_days} days (ask again, or ask "
            "someone directly):",
        ]
        lines += [
            f"  [{q.id}] {humanize_age(q.asked_at):>8}  {_short(q.text, 70)}"
            for q in s.unanswered_older
        ]
    if s.suggestions:
        lines += ["", "They answered but are not in your network; follow them:"]
        for a in s.suggestions:
            lines.append(f"  {a.name or a.handle} ({a.answers} answer(s))")
            lines.append(f"    {a.follow_hint}" if a.follow_hint else "    (no Mastodon handle)")
    return lines


def _short(text: str, size: int) -> str:
    flat = " ".join(text.split())
    return flat if len(flat) <= size else flat[: size - 1] + "…"
