"""What an answer is, purely: a share (boost) versus an answer, name matching, and one answerer
per person. No I/O; ``plnctl.questions`` and the questions service ask these rules.

- A reply, comment or post that *shares* the question is not an answer: it links the question
  and, once that link, every other URL, @mentions, #hashtags and punctuation are taken out, has
  at most ``BOOST_MAX_WORDS`` words of its own ("help her out: URL", "#edchat URL").
- Two names are one person when they are equal without case, spaces and dots, or when one is
  the first words of the other ("Priya" and "Priya Natarajan"); a name matches a person in the
  network only when exactly one person matches.
- Answerers are one when they share a person in the network or a canonical handle
  (``@Sam@Host:3111`` is ``sam@host:3111``; the port is part of the host); an answerer with only
  a name joins the one person in the network whose name matches.
"""

from __future__ import annotations

import dataclasses
import re
from collections.abc import Iterable, Sequence
from typing import Any

from plnctl.frozen import LazyData, frozen
from plnctl.identity import canonical_handle
from plnctl.models import Answer
from plnctl.urlkey import url_key

BOOST_MAX_WORDS = 5
_URL = re.compile(r"(?:https?://|www\.)\S+", re.IGNORECASE)
# a link shown without its scheme ("blog.example/2026/11/q..."), as Mastodon and Bluesky do
_BARE_LINK = re.compile(r"\b[\w-]+(?:\.[\w-]+)+/\S*")
_MENTION = re.compile(r"(?<![\w])@[\w.-]+(?:@[\w.-]+(?::\d+)?)?")
_HASHTAG = re.compile(r"(?<![\w&])#\w+")
_WORD = re.compile(r"[^\W_]+(?:['’][^\W_]+)*")
_NAME_WORD = re.compile(r"[^\W_]+")


# --- shares ------------------------------------------------------------------------------------


def link_key(url: str) -> str | None:
    """A link as compared with the question's: its identity key (``plnctl.urlkey``: scheme,
    host case, default port, trailing slash and tracking parameters ignored) without ``www.``;
    a link written without its scheme counts too."""
    text = url.strip().rstrip(".,;:!?)]}>'\"…")
    if "://" not in text:
        text = "https://" + text
    key = url_key(text)
    return key.removeprefix("www.") if key else None


def own_words(text: str) -> list[str]:
    """The words of a text that are its own: no links, mentions, hashtags or punctuation."""
    rest = _URL.sub(" ", text)
    rest = _BARE_LINK.sub(" ", rest)
    rest = _MENTION.sub(" ", rest)
    rest = _HASHTAG.sub(" ", rest)
    return _WORD.findall(rest)


def links_to(text: str, question_url: str) -> bool:
    """Whether the text contains a link to the question (with or without its scheme)."""
    target = link_key(question_url)
    found = [m.group(0) for m in _URL.finditer(text)] + [
        m.group(0) for m in _BARE_LINK.finditer(_URL.sub(" ", text))
    ]
    return target is not None and any(link_key(link) == target for link in found)


def is_share(text: str | None, question_url: str | None, *, links_question: bool = False) -> bool:
    """A share, not an answer: it links the question (``links_question`` when that is known,
    as for a post that links it) and has at most ``BOOST_MAX_WORDS`` words of its own."""
    if not question_url:
        return False
    body = text or ""
    if not (links_question or links_to(body, question_url)):
        return False
    return len(own_words(body)) <= BOOST_MAX_WORDS


# --- names -------------------------------------------------------------------------------------


def name_words(name: str | None) -> tuple[str, ...]:
    return tuple(w.casefold() for w in _NAME_WORD.findall(name or ""))


def names_match(a: str | None, b: str | None) -> bool:
    """Equal words, or the shorter name is the first words of the longer one (its first word at
    least two letters long, so "A." does not match "A. Reader")."""
    x, y = name_words(a), name_words(b)
    if not x or not y:
        return False
    short, long = (x, y) if len(x) <= len(y) else (y, x)
    return long[: len(short)] == short and len(short[0]) >= 2


def match_person(name: str | None, people: Sequence[tuple[int, str]]) -> int | None:
    """The one person whose name is ``name`` (exactly, else by ``names_match``); None when
    nobody or several match."""
    exact = {pid for pid, pname in people if name_words(pname) == name_words(name)}
    if exact:
        return next(iter(exact)) if len(exact) == 1 else None
    near = {pid for pid, pname in people if names_match(pname, name)}
    return next(iter(near)) if len(near) == 1 else None


# --- one answerer per person -------------------------------------------------------------------


@frozen
class Answerer(LazyData):
    name: str | None
    handle: str | None
    url: str | None
    person_id: int | None
    answers: int
    in_network: bool

    @property
    def follow_hint(self) -> str | None:
        """One command that adds them to the network (only for a Mastodon handle)."""
        if self.in_network or not self.handle or canonical_handle(self.handle) is None:
            return None
        name = (self.name or self.handle.split("@")[0]).replace('"', "'")
        return f'plnctl person add "{name}" --mastodon @{self.handle}'

    def to_dict(self) -> dict[str, Any]:
        return {**dataclasses.asdict(self), "follow_hint": self.follow_hint}


def handle_key(handle: str | None) -> str | None:
    """A Mastodon handle canonical (port kept), or a Bluesky handle without ``@`` and case."""
    if not handle:
        return None
    return canonical_handle(handle) or handle.strip().lstrip("@").lower() or None


def _keys(answer: Answer) -> list[str]:
    keys = []
    if answer.person_id is not None:
        keys.append(f"person:{answer.person_id}")
    if (handle := handle_key(answer.author_handle)) is not None:
        keys.append(f"handle:{handle}")
    if not keys:
        keys.append(f"name:{' '.join(name_words(answer.author_name or answer.author_url or '?'))}")
    return keys


def group_answers(answers: Iterable[Answer]) -> list[list[Answer]]:
    """Answers grouped by answerer: joined by a shared person or handle (union-find), then a
    group known only by name joins the one group in the network whose names match it."""
    items = list(answers)
    parent = list(range(len(items)))

    def root(i: int) -> int:
        while parent[i] != i:
            parent[i] = parent[parent[i]]
            i = parent[i]
        return i

    owner: dict[str, int] = {}
    for i, answer in enumerate(items):
        for key in _keys(answer):
            if key in owner:
                parent[root(i)] = root(owner[key])
            else:
                owner[key] = i
    groups: dict[int, list[Answer]] = {}
    for i, answer in enumerate(items):
        groups.setdefault(root(i), []).append(answer)
    return _merge_by_name(list(groups.values()))


def _names(group: Sequence[Answer]) -> set[str]:
    return {n for a in group for n in (a.author_name, a.person_name) if n}


def _merge_by_name(groups: list[list[Answer]]) -> list[list[Answer]]:
    networked = [g for g in groups if any(a.person_id is not None for a in g)]
    linked = {id(g) for g in networked}
    result = list(networked)
    for group in groups:
        if id(group) in linked:
            continue
        named_only = all(a.author_handle is None for a in group)
        matches = [
            g
            for g in networked
            if named_only and any(names_match(x, y) for x in _names(group) for y in _names(g))
        ]
        if len(matches) == 1:
            matches[0].extend(group)
        else:
            result.append(group)
    return result


def _display_name(group: Sequence[Answer], handle: str | None) -> str | None:
    """A name the answerer chose ("Bob Librarian") over one made from their handle ("BOB")."""
    user = (handle or "").split("@")[0]
    names = [a.author_name for a in group if a.author_name]
    return next((n for n in names if n.casefold() != user), names[0] if names else None)


def tally_answerers(answers: Iterable[Answer]) -> list[Answerer]:
    """People who answered, most answers first: one entry per person in the network, else per
    canonical handle, else per name; shown with the person's name when they are followed."""
    result = []
    for group in group_answers(answers):
        person = next((a for a in group if a.person_id is not None), None)
        handle = next((h for a in group if (h := handle_key(a.author_handle))), None)
        result.append(
            Answerer(
                name=(person.person_name if person else None) or _display_name(group, handle),
                handle=handle,
                url=next((a.author_url for a in group if a.author_url), None),
                person_id=person.person_id if person else None,
                answers=len(group),
                in_network=person is not None,
            )
        )
    result.sort(key=lambda a: (-a.answers, (a.name or a.handle or "").lower()))
    return result
