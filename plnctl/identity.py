"""Who the user is: their own names, Mastodon handles and sites, and "is this me?": pure.

The user's identities come from ``[me]`` in config.toml (``names``, ``mastodon``, ``sites``) and
the Mastodon account they logged in with (``plnctl mastodon login``), which counts without being
named. They are never suggested to follow, never counted as answerers, and their posts are not
news in a digest. Every such comparison goes through ``is_me``.
"""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Iterable
from dataclasses import dataclass
from typing import Protocol, TypeVar
from urllib.parse import urlsplit

_HANDLE = re.compile(r"^[a-z0-9_.-]+@[a-z0-9.-]+(?::\d+)?$")


def canonical_handle(handle: str | None) -> str | None:
    """``@User@Host.social`` -> ``user@host.social``; None if it is not a full handle."""
    text = (handle or "").strip().lower().lstrip("@")
    return text if _HANDLE.match(text) else None


def canonical_name(name: str | None) -> str:
    """A name as compared: spaces collapsed, Unicode-normalised (NFKC, so a composed and a
    decomposed "é" are one letter) and case-folded in every script ("Élodie" is "élodie")."""
    return " ".join(unicodedata.normalize("NFKC", name or "").split()).casefold()


def _host(netloc: str) -> str:
    return netloc.lower().removeprefix("www.")


def profile_handle(url: str) -> str | None:
    """A Mastodon profile or status URL (``/@user``, ``/@user/123``, ``/users/user``) ->
    ``user@host`` (the one rule: ``plnctl.insights`` uses it too)."""
    try:
        parts = urlsplit(url.strip())
        port = parts.port
    except ValueError:
        return None
    host = (parts.hostname or "").lower()
    segments = [s for s in parts.path.split("/") if s]
    if not host or not segments:
        return None
    if segments[0].startswith("@") and "@" not in segments[0][1:]:
        user = segments[0][1:]
    elif segments[0] == "users" and len(segments) > 1:
        user = segments[1]
    else:
        return None
    # a port is part of the host: sam@127.0.0.1:3111 is not sam@127.0.0.1
    return canonical_handle(f"{user}@{host}:{port}" if port is not None else f"{user}@{host}")


def _site(url: str) -> tuple[str, str] | None:
    """(host without www, path without trailing slash) of an http(s) URL."""
    try:
        parts = urlsplit(url.strip())
    except ValueError:
        return None
    if parts.scheme.lower() not in ("http", "https") or not parts.netloc:
        return None
    return _host(parts.netloc), parts.path.rstrip("/")


@dataclass(frozen=True)
class Me:
    """The user's identities, canonical (see ``is_me``)."""

    names: frozenset[str] = frozenset()
    handles: frozenset[str] = frozenset()
    sites: tuple[tuple[str, str], ...] = ()

    @classmethod
    def of(
        cls, names: Iterable[str] = (), handles: Iterable[str] = (), sites: Iterable[str] = ()
    ) -> Me:
        found_sites = tuple(s for s in (_site(u) for u in sites) if s)
        return cls(
            names=frozenset(n for n in (canonical_name(x) for x in names) if n),
            handles=frozenset(h for h in (canonical_handle(x) for x in handles) if h),
            sites=found_sites,
        )

    @property
    def empty(self) -> bool:
        return not (self.names or self.handles or self.sites)


def is_me(
    me: Me, *, name: str | None = None, handle: str | None = None, url: str | None = None
) -> bool:
    """Whether any of the given name, Mastodon handle or URL is the user's own.

    Names compare without case and extra spaces; handles as ``user@host`` without case; a URL is
    the user's when it is one of their sites or below it (``https://me.blog/2024/post`` is under
    ``https://www.me.blog``), or a profile or status URL of one of their handles."""
    if me.empty:
        return False
    if name and canonical_name(name) in me.names:
        return True
    if handle and canonical_handle(handle) in me.handles:
        return True
    if not url:
        return False
    if me.handles and profile_handle(url) in me.handles:
        return True
    site = _site(url)
    if site is None:
        return False
    host, path = site
    return any(
        host == my_host and (path == my_path or path.startswith(my_path + "/"))
        for my_host, my_path in me.sites
    )


def is_me_target(me: Me, target: str, *, name: str | None = None) -> bool:
    """``is_me`` for a string that is either a handle or a URL (a suggestion's target)."""
    if "://" in target:
        return is_me(me, name=name, url=target)
    return is_me(me, name=name, handle=target)


class Authored(Protocol):
    """An answer or an answer draft: who wrote it, where, and how it was found."""

    @property
    def author_name(self) -> str | None: ...
    @property
    def author_handle(self) -> str | None: ...
    @property
    def author_url(self) -> str | None: ...
    @property
    def url(self) -> str | None: ...
    @property
    def found_via(self) -> str: ...


A = TypeVar("A", bound=Authored)


def not_mine(answers: Iterable[A], me: Me) -> list[A]:
    """The answers not written by the user: their own reply, blog comment or post does not
    answer their question. A backlink (a post linking to the question) is judged by its URL
    too; a comment's URL is on the asker's own blog, so it is not."""
    return [
        a
        for a in answers
        if not is_me(me, name=a.author_name, handle=a.author_handle, url=a.author_url)
        and not (a.found_via == "backlink" and is_me(me, url=a.url))
    ]
