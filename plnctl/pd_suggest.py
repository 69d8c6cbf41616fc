"""Log entries proposed from what the user did: pure (posts and questions in, suggestions out).

- Posts read with a note or saved (or noted, or shared) in the window, grouped by day and first
  topic: reading time from their length at ``WORDS_PER_MINUTE``; standard 6.2 plus one guessed
  from the topic (``topic_hints`` in data/standards.toml).
- Questions asked or answered in the window that have answers (dated by the last answer):
  five minutes to ask plus the answers' reading time; 6.3 (engage with colleagues), type
  network. A question nobody has answered yet is offered once it has answers.
- Shares back to a network, per day: five minutes each; 7.4 (professional networks), type network.

Keys (``reading:2026-11-30:assessment``, ``question:12``, ``shares:2026-11-30``) are stable; an
accepted suggestion's key is stored on its entry, so it is never offered again.
"""

from __future__ import annotations

import math
import re
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from typing import Any

from plnctl.models import Post, Question, _Model
from plnctl.pd import topic_hints

WORDS_PER_MINUTE = 230
ASK_MINUTES = 5
SHARE_MINUTES = 5
PROVIDER = "Self-directed (professional learning network)"
GENERAL = "general reading"


@dataclass(frozen=True)
class PdSuggestion(_Model):
    key: str
    title: str
    date: str
    minutes: int
    type: str
    standards: tuple[str, ...]
    evidence: tuple[str, ...]
    reason: str
    provider: str = PROVIDER
    reflection: str | None = None
    post_ids: tuple[int, ...] = ()
    question_id: int | None = None

    @classmethod
    def from_dict(cls, data: dict[str, Any]) -> PdSuggestion:
        values: dict[str, Any] = {
            k: tuple(v) if isinstance(v, list) else v for k, v in data.items()
        }
        return cls(**values)


def reading_minutes(text: str | None) -> int:
    """Whole minutes to read ``text`` at WORDS_PER_MINUTE (at least one)."""
    words = len(re.findall(r"\w+", text or ""))
    return max(1, math.ceil(words / WORDS_PER_MINUTE))


def guess_standard(words: Iterable[str]) -> str | None:
    """The focus area the first matching topic word points at (data/standards.toml)."""
    text = " " + " ".join(w.lower() for w in words) + " "
    for code, hints in topic_hints().items():
        if any(f" {hint} " in text for hint in hints):
            return code
    return None


def _moment(post: Post, after: str, until: str) -> str:
    """When the user engaged with the post inside the window (earliest of read, save, note,
    share)."""
    times = [
        post.read_at,
        post.saved_at,
        *(n.created_at for n in post.notes),
        *(s.shared_at for s in post.shares),
    ]
    inside = sorted(t for t in times if t and after <= t <= until)
    return inside[0] if inside else (post.read_at or post.fetched_at)


def suggest(
    posts: Sequence[Post],
    questions: Sequence[Question],
    *,
    after: str,
    until: str,
    logged: set[str] = frozenset(),  # type: ignore[assignment]
) -> list[PdSuggestion]:
    """Suggestions oldest day first, then by key; none whose key is in ``logged``."""
    found = [*_reading(posts, after, until), *_questions(questions), *_shares(posts, after, until)]
    return sorted((s for s in found if s.key not in logged), key=lambda s: (s.date, s.key))


def _reading(posts: Sequence[Post], after: str, until: str) -> list[PdSuggestion]:
    groups: dict[tuple[str, str], list[Post]] = {}
    for post in posts:
        topic = post.tags[0].topic if post.tags else GENERAL
        groups.setdefault((_moment(post, after, until)[:10], topic), []).append(post)
    result = []
    for (day, topic), group in groups.items():
        minutes = sum(reading_minutes(p.content_text) for p in group)
        words = [
            *(t.topic for p in group for t in p.tags),
            *(h for p in group for h in p.hashtags),
        ]
        hint = guess_standard(words)
        title = (
            f"Read {len(group)} posts on {topic}"
            if len(group) > 1
            else f"Read: {_short(group[0].title or group[0].content_text or topic)}"
        )
        notes = [n.text for p in group for n in p.notes] + [
            p.save_note for p in group if p.save_note
        ]
        result.append(
            PdSuggestion(
                key=f"reading:{day}:{topic.lower()}",
                title=title,
                date=day,
                minutes=minutes,
                type="reading",
                standards=("6.2", hint) if hint and hint != "6.2" else ("6.2",),
                evidence=tuple(p.url for p in group if p.url),
                reason=f"{len(group)} post(s) read, saved or noted; {WORDS_PER_MINUTE} words/min",
                reflection=" ".join(notes) or None,
                post_ids=tuple(p.id for p in group),
            )
        )
    return result


def _questions(questions: Sequence[Question]) -> list[PdSuggestion]:
    result = []
    for q in questions:
        if not q.answers:
            continue
        minutes = ASK_MINUTES + sum(reading_minutes(a.text) for a in q.answers)
        hint = guess_standard(q.topics)
        who = sorted({a.author_name or a.author_handle or "someone" for a in q.answers})
        result.append(
            PdSuggestion(
                key=f"question:{q.id}",
                title=f"Asked my network: {_short(q.text)}",
                date=max(a.answered_at or q.asked_at for a in q.answers)[:10],
                minutes=minutes,
                type="network",
                standards=("6.3", hint) if hint else ("6.3",),
                evidence=tuple(u for u in (q.url, *(a.url for a in q.answers)) if u),
                reason=f"{len(q.answers)} answer(s) from {', '.join(who)}",
                reflection=" ".join(n.text for n in q.notes) or None,
                question_id=q.id,
            )
        )
    return result


def _shares(posts: Sequence[Post], after: str, until: str) -> list[PdSuggestion]:
    days: dict[str, list[tuple[Post, str | None]]] = {}
    for post in posts:
        for share in post.shares:
            if after <= share.shared_at <= until:
                days.setdefault(share.shared_at[:10], []).append((post, share.url))
    return [
        PdSuggestion(
            key=f"shares:{day}",
            title=f"Shared {len(items)} post(s) with my network",
            date=day,
            minutes=SHARE_MINUTES * len(items),
            type="network",
            standards=("7.4",),
            evidence=tuple(u for p, s in items for u in (s, p.url) if u),
            reason="shared back with plnctl share",
            post_ids=tuple(p.id for p, _ in items),
        )
        for day, items in days.items()
    ]


def _short(text: str, size: int = 70) -> str:
    text = " ".join(text.split())
    return text if len(text) <= size else text[: size - 1].rstrip() + "…"
