"""Network insights, pure: weekly activity, dormancy, diversity, and people worth following
ranked with their evidence. No I/O: ``plnctl.api.insights`` hands in rows from the store."""

from __future__ import annotations

import dataclasses
import math
import re
import shlex
from collections.abc import Iterable
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from typing import Any
from urllib.parse import urlsplit

from plnctl.frozen import LazyData, frozen
from plnctl.timeutil import from_iso

FEW_VOICES = 3  # a topic with fewer distinct people posting than this is thinly covered

# How much one occurrence of each signal says about a person worth following. A boost or an
# answer to the user's question is a deliberate endorsement; a link is the weakest hint.
WEIGHTS = {"answer": 5, "boost": 3, "reply": 2, "mention": 2, "link": 1, "tag": 1}
VERBS = {"boost": "boosted", "mention": "mentioned", "reply": "replied to", "link": "linked"}
# Hosts that are platforms, not a person's blog: links to them say nothing about whom to follow.
PLATFORM_HOSTS = frozenset(
    """youtube.com youtu.be wikipedia.org github.com gitlab.com twitter.com x.com t.co
    facebook.com instagram.com linkedin.com google.com docs.google.com drive.google.com
    forms.gle bit.ly amzn.to amazon.com apple.com microsoft.com reddit.com tiktok.com
    archive.org web.archive.org zoom.us doi.org bsky.app threads.net medium.com""".split()  # noqa: SIM905
)
_HANDLE = re.compile(r"^[a-z0-9_.-]+@[a-z0-9.-]+\.[a-z0-9:.-]+$")


class _Model(LazyData):
    def to_dict(self) -> dict[str, Any]:
        return dataclasses.asdict(self)  # type: ignore[call-overload, no-any-return]


# --- activity over time ---------------------------------------------------------------------


def week_count(since: datetime, until: datetime) -> int:
    """Weekly buckets covering [since, until]; at least one."""
    return max(1, math.ceil((until - since) / timedelta(days=7)))


def series(pairs: Iterable[tuple[int | None, int]], weeks: int) -> tuple[int, ...]:
    """(weeks_back, count) pairs -> counts oldest first; the last item is the 7 days ending now.
    Values outside the window are clamped (a post dated in the future counts as this week); a
    date SQLite cannot read (None, junk from an old database) is not placed."""
    counts = [0] * weeks
    for back, count in pairs:
        if back is None:
            continue
        back = min(max(back, 0), weeks - 1)
        counts[weeks - 1 - back] += count
    return tuple(counts)


# --- the stats report -----------------------------------------------------------------------


@frozen
class PersonStat(_Model):
    person_id: int
    name: str
    posts: int
    weekly: tuple[int, ...]
    active_sources: int
    last_post_at: str | None


@frozen
class TopicStat(_Model):
    topic_id: int
    name: str
    posts: int
    voices: int  # distinct people who posted on it in the window
    weekly: tuple[int, ...]


@frozen
class DormantPerson(_Model):
    person_id: int
    name: str
    last_post_at: str | None  # None: never posted
    weeks_silent: int | None


@frozen
class FailingSource(_Model):
    source_id: int
    person: str
    label: str
    kind: str
    state: str
    error_count: int
    last_error: str | None
    last_ok_at: str | None


@frozen
class Instance(_Model):
    host: str
    sources: int
    people: int


@frozen
class Diversity(_Model):
    kinds: dict[str, int]  # sources by kind
    instances: tuple[Instance, ...]  # Mastodon instances, most used first
    feed_hosts: int  # distinct web hosts of the feeds
    largest_instance_share: float | None  # share of Mastodon accounts on the biggest instance


@frozen
class Answerer(_Model):
    name: str
    handle: str | None
    person_id: int | None
    answers: int
    questions: int


@frozen
class QuestionStats(_Model):
    asked: int
    answered: int
    answered_in_network: int
    answer_rate: float | None  # answered / asked; None when nothing was asked
    top_answerers: tuple[Answerer, ...] = ()


@frozen
class StatsReport(_Model):
    since: str
    until: str
    weeks: int
    people_total: int
    people_active: int
    sources_total: int
    sources_active: int
    posts: int
    weekly: tuple[int, ...]
    people: tuple[PersonStat, ...]
    topics: tuple[TopicStat, ...]
    few_voices: tuple[TopicStat, ...]
    dormant: tuple[DormantPerson, ...]
    failing_sources: tuple[FailingSource, ...]
    diversity: Diversity
    questions: QuestionStats
    quiet_weeks: int = 6


def people_stats(
    rows: Iterable[tuple[int, int, int, int]],
    people: Iterable[tuple[int, str, str | None, str | None]],
    weeks: int,
) -> tuple[PersonStat, ...]:
    """(person_id, source_id, weeks_back, posts) rows + (person_id, name, last_post_at, _)
    -> one PersonStat per person who posted in the window, most posts first."""
    buckets: dict[int, list[tuple[int, int]]] = {}
    active: dict[int, set[int]] = {}
    for person_id, source_id, back, count in rows:
        buckets.setdefault(person_id, []).append((back, count))
        active.setdefault(person_id, set()).update([source_id] if source_id else [])
    found = []
    for person_id, name, last_post_at, _ in people:
        if person_id in buckets:
            weekly, sources = series(buckets[person_id], weeks), len(active[person_id])
            found.append(PersonStat(person_id, name, sum(weekly), weekly, sources, last_post_at))
    return tuple(sorted(found, key=lambda p: (-p.posts, p.name.lower())))


def topic_stats(
    rows: Iterable[tuple[int, int, int]], topics: Iterable[tuple[int, str, int]], weeks: int
) -> tuple[TopicStat, ...]:
    """(topic_id, weeks_back, posts) rows + (topic_id, name, voices) -> every topic, most
    posts first."""
    buckets: dict[int, list[tuple[int, int]]] = {}
    for topic_id, back, count in rows:
        buckets.setdefault(topic_id, []).append((back, count))
    found = []
    for topic_id, name, voices in topics:
        weekly = series(buckets.get(topic_id, ()), weeks)
        found.append(TopicStat(topic_id, name, sum(weekly), voices, weekly))
    return tuple(sorted(found, key=lambda t: (-t.posts, t.name.lower())))


def dormant_people(
    people: Iterable[tuple[int, str, str | None, str | None]], *, now: datetime, quiet_weeks: int
) -> tuple[DormantPerson, ...]:
    """(person_id, name, last_post_at, created_at) -> those silent for ``quiet_weeks`` or more,
    longest silence first. Someone added recently who has not posted yet is not dormant."""
    cutoff = now - timedelta(weeks=quiet_weeks)
    found = []
    for person_id, name, last_post_at, created_at in people:
        last = from_iso(last_post_at)
        reference = last or from_iso(created_at)
        if reference is not None and reference > cutoff:
            continue
        weeks = int((now - last) / timedelta(weeks=1)) if last else None
        found.append(DormantPerson(person_id, name, last_post_at, weeks))
    return tuple(sorted(found, key=lambda d: (d.last_post_at or "", d.name.lower())))


def diversity(
    sources: Iterable[tuple[int, str, str | None, str, str | None]],
) -> Diversity:
    """(person_id, kind, handle, url, site_url) per source -> kinds, instances, feed hosts."""
    kinds: dict[str, int] = {}
    instance_sources: dict[str, int] = {}
    instance_people: dict[str, set[int]] = {}
    feed_hosts: set[str] = set()
    for person_id, kind, handle, url, site_url in sources:
        kinds[kind] = kinds.get(kind, 0) + 1
        host = (normalize_handle(handle) or "@").split("@", 1)[1]
        if kind == "mastodon" and host:
            instance_sources[host] = instance_sources.get(host, 0) + 1
            instance_people.setdefault(host, set()).add(person_id)
        elif kind == "feed":
            feed_hosts.add(web_host(site_url or url))
    unsorted = [Instance(h, n, len(instance_people[h])) for h, n in instance_sources.items()]
    instances = tuple(sorted(unsorted, key=lambda i: (-i.sources, i.host)))
    total = sum(instance_sources.values())
    share = round(instances[0].sources / total, 3) if instances else None
    return Diversity(dict(sorted(kinds.items())), instances, len(feed_hosts - {""}), share)


# --- identities -----------------------------------------------------------------------------


def normalize_handle(handle: str | None) -> str | None:
    """``@User@Host.social`` -> ``user@host.social``; None if it is not a handle."""
    if not handle:
        return None
    text = handle.strip().lower().lstrip("@")
    return text if _HANDLE.match(text) else None


_PLAIN_HOST = re.compile(r"[a-z0-9][a-z0-9.-]*")


def web_host(url: str | None) -> str:
    """Lower-case host without ``www.``; '' if the URL has none."""
    rest = (url or "").strip().partition("://")[2]
    netloc = rest.split("/", 1)[0].split("?", 1)[0].split("#", 1)[0].lower()
    if _PLAIN_HOST.fullmatch(netloc):  # what urlsplit would say, without parsing the URL
        return netloc.removeprefix("www.")
    try:
        host = (urlsplit((url or "").strip()).hostname or "").lower()
    except ValueError:
        return ""
    return host.removeprefix("www.")


def profile_handle(url: str | None) -> str | None:
    """A Mastodon profile or status URL (``/@user/...``, ``/users/user/...``) -> ``user@host``
    (with the port, if any: the one rule in ``plnctl.identity``)."""
    from plnctl.identity import profile_handle as handle_of

    # The rule reads /@user or /users/user as the path's first segments: a URL with neither
    # substring is no profile, without parsing it (most link targets are articles).
    if not url or ("/@" not in url and "/users/" not in url):
        return None
    return normalize_handle(handle_of(url))


@dataclass(frozen=True)
class Known:
    """Who is already in the PLN: Mastodon handles and the web hosts of their sites."""

    handles: frozenset[str]
    hosts: frozenset[str]
    instances: frozenset[str] = frozenset()

    @classmethod
    def from_sources(cls, sources: Iterable[tuple[str, str | None, str, str | None]]) -> Known:
        """(kind, handle, url, site_url) per source."""
        rows = list(sources)
        handles = {h for h in (normalize_handle(r[1]) for r in rows) if h}
        hosts = {web_host(u) for kind, _, url, site in rows if kind == "feed" for u in (url, site)}
        instances = {h.split("@", 1)[1] for h in handles}
        return cls(frozenset(handles), frozenset(hosts - {""}), frozenset(instances))


# --- suggestions ----------------------------------------------------------------------------


@dataclass(frozen=True)
class Signal:
    """``count`` occurrences by ``people`` in the PLN about ``target``, a handle or a URL."""

    kind: str  # boost | mention | reply | link | answer | tag
    target: str
    count: int
    people: int = 0
    name: str | None = None
    detail: str | None = None  # tag: which followed hashtag they posted in


def tag_signals(rows: Iterable[tuple[str | None, str | None, str]]) -> list[Signal]:
    """(status URL, author name, hashtag) per post from a followed tag -> one signal per
    author and tag: how often they posted there."""
    counts: dict[tuple[str, str], int] = {}
    names: dict[str, str] = {}
    for url, author, tag in rows:
        handle = profile_handle(url)
        if not handle:
            continue
        counts[(handle, tag)] = counts.get((handle, tag), 0) + 1
        if author:
            names.setdefault(handle, author)
    return [
        Signal("tag", handle, count, 0, names.get(handle), detail=tag)
        for (handle, tag), count in counts.items()
    ]


@frozen
class Suggestion(_Model):
    name: str
    kind: str  # mastodon | site
    target: str  # @user@host or https://blog
    score: int
    evidence: tuple[str, ...]
    command: str
    signals: dict[str, dict[str, int]] = field(default_factory=dict)


def suggestion_key(target: str, known: Known) -> tuple[str, str] | None:
    """A signal's target -> ("mastodon", "user@host") or ("site", "host"); None if the person
    is already in the PLN or the target is not a person (a platform, a bare instance)."""
    handle = normalize_handle(target) if "://" not in target else profile_handle(target)
    if handle:
        return None if handle in known.handles else ("mastodon", handle)
    if "://" not in target:
        return None
    host = web_host(target)
    platform = _is_platform(host)
    if not host or platform or host in known.hosts or host in known.instances:
        return None
    return ("site", host)


def _is_platform(host: str) -> bool:
    """``host`` is a platform host or a subdomain of one: its suffixes looked up in the set
    (a digest ranks thousands of link targets; comparing each with every platform cost
    ~25 string tests apiece)."""
    parts = host.split(".")
    return any(".".join(parts[i:]) in PLATFORM_HOSTS for i in range(len(parts)))


def evidence_text(kind: str, count: int, people: int) -> str:
    """For answers ``people`` counts the questions answered."""
    if kind == "answer":
        return f"answered {people} of your questions"
    times = {1: "once", 2: "twice"}.get(count, f"{count} times")
    return f"{VERBS[kind]} {times} by {people} {'person' if people == 1 else 'people'} you follow"


def tag_evidence(tag: str, count: int) -> str:
    times = {1: "once", 2: "twice"}.get(count, f"{count} times")
    return f"posted {times} in #{tag} this month"


def add_command(name: str, kind: str, target: str) -> str:
    """The one-step command to follow them, safe to paste into a shell."""
    quoted = f'"{name}"' if re.fullmatch(r"[\w .,'-]+", name) else shlex.quote(name)
    option = "--mastodon" if kind == "mastodon" else "--site"
    return f"plnctl person add {quoted} {option} {shlex.quote(target)}"


def rank_suggestions(
    signals: Iterable[Signal], known: Known, *, limit: int | None = 20
) -> list[Suggestion]:
    """Merge signals per person not in the PLN, score them and explain why.

    score = sum over kinds of WEIGHTS[kind] * (occurrences + distinct people): a handle boosted
    by many people outranks one boosted often by one enthusiast with the same count."""
    merged: dict[tuple[str, str], dict[str, list[int]]] = {}
    tags: dict[tuple[str, str], dict[str, int]] = {}
    names: dict[tuple[str, str], str] = {}
    schemes: dict[tuple[str, str], str] = {}
    for signal in signals:
        key = suggestion_key(signal.target, known)
        if key is None or signal.count <= 0:
            continue
        counts = merged.setdefault(key, {}).setdefault(signal.kind, [0, 0])
        counts[0] += signal.count
        counts[1] += signal.people
        if signal.kind == "tag" and signal.detail:
            in_tag = tags.setdefault(key, {})
            in_tag[signal.detail] = in_tag.get(signal.detail, 0) + signal.count
        if signal.name and key not in names:
            names[key] = signal.name
        if key[0] == "site" and schemes.get(key) != "https":
            schemes[key] = signal.target.split("://", 1)[0].lower()
    # Ranked on score and target alone; the explanations are written for those shown only
    # (a digest ranks thousands of candidates to show three).
    ranked = sorted(merged, key=lambda k: (-_score(merged[k]), _target(k, schemes.get(k, "https"))))
    return [
        _suggestion(key, merged[key], names.get(key), schemes.get(key, "https"), tags.get(key, {}))
        for key in (ranked if limit is None else ranked[:limit])
    ]


def _score(kinds: dict[str, list[int]]) -> int:
    return sum(WEIGHTS[k] * (kinds[k][0] + kinds[k][1]) for k in WEIGHTS if k in kinds)


def _target(key: tuple[str, str], scheme: str) -> str:
    return "@" + key[1] if key[0] == "mastodon" else f"{scheme}://{key[1]}"


def _suggestion(
    key: tuple[str, str],
    kinds: dict[str, list[int]],
    name: str | None,
    scheme: str,
    tags: dict[str, int],
) -> Suggestion:
    kind, ident = key
    target = _target(key, scheme)
    name = name or (ident.split("@", 1)[0] if kind == "mastodon" else ident)
    order = [k for k in WEIGHTS if k in kinds]
    evidence = tuple(
        line
        for k in order
        for line in (
            [tag_evidence(t, n) for t, n in sorted(tags.items(), key=lambda i: (-i[1], i[0]))]
            if k == "tag"
            else [evidence_text(k, kinds[k][0], kinds[k][1])]
        )
    )
    score = _score(kinds)
    signals = {k: {"count": kinds[k][0], "people": kinds[k][1]} for k in order}
    command = add_command(name, kind, target)
    return Suggestion(name, kind, target, score, evidence, command, signals)


@frozen
class PersonActivity(_Model):
    person_id: int
    name: str
    weeks: int
    weekly: tuple[int, ...]  # posts per week, oldest first, the last is the latest 7 days
    posts_per_week: float  # average over the window
    posts_total: int  # ever
    first_post_at: str | None
    last_post_at: str | None
    topics: tuple[tuple[str, int], ...]  # (topic, posts in the window), most first
    answers_given: int  # answers to the user's questions, ever
    questions_answered: int
