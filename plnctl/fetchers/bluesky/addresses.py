"""Bluesky identifiers: handles, DIDs, at-URIs and bsky.app web URLs (pure, no I/O).

Syntax from the AT Protocol specs (https://atproto.com/specs/handle, /did, /at-uri-scheme):
a handle is a domain name (ASCII letters, digits, hyphens; at least two labels); a DID is
``did:plc:<base32>`` or ``did:web:<domain>``.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from urllib.parse import unquote, urlsplit

from plnctl.errors import InvalidInput

WEB_HOST = "bsky.app"
_LABEL = r"[A-Za-z0-9](?:[A-Za-z0-9-]{0,61}[A-Za-z0-9])?"
_HANDLE = re.compile(rf"^(?:{_LABEL}\.)+[A-Za-z](?:[A-Za-z0-9-]{{0,61}}[A-Za-z0-9])?$")
_DID = re.compile(r"^did:(?:plc:[a-z2-7]{24}|web:[A-Za-z0-9.%:-]+)$")
_RKEY = re.compile(r"^[A-Za-z0-9._~:-]{1,512}$")


def is_did(text: str) -> bool:
    return bool(_DID.match(text))


def is_handle(text: str) -> bool:
    return len(text) <= 253 and bool(_HANDLE.match(text))


def normalize_actor(text: str) -> str:
    """``@amara.bsky.social``, ``amara.bsky.social``, a DID or a bsky.app profile URL -> the
    handle (lower case) or the DID. Raises InvalidInput for anything else."""
    value = text.strip()
    if value.lower().startswith(("https://", "http://")):
        parts = urlsplit(value)
        segments = [unquote(s) for s in parts.path.split("/") if s]
        if parts.netloc.lower() != WEB_HOST or len(segments) < 2 or segments[0] != "profile":
            raise InvalidInput(
                f"not a Bluesky profile address: {text!r} (expected https://bsky.app/profile/HANDLE)"
            )
        value = segments[1]
    value = value.removeprefix("@")
    if is_did(value):
        return value
    if is_handle(value):
        return value.lower()
    raise InvalidInput(
        f"not a Bluesky handle or DID: {text!r} "
        "(expected @name.bsky.social, a domain, or did:plc:...)"
    )


def looks_like_bluesky(text: str) -> bool:
    """Unambiguous without a network look-up: a DID, a bsky.app URL, or ``@name.tld`` (one
    '@', which no Mastodon handle has). A bare ``name.tld`` could be a website: only when the
    user says --bluesky."""
    value = text.strip()
    if is_did(value) or value.lower().startswith(("https://bsky.app/", "http://bsky.app/")):
        return True
    return value.startswith("@") and value.count("@") == 1 and is_handle(value[1:])


@dataclass(frozen=True)
class AtUri:
    repo: str  # a DID (or a handle, in hand-written URIs)
    collection: str
    rkey: str

    def __str__(self) -> str:
        return f"at://{self.repo}/{self.collection}/{self.rkey}"


def parse_at_uri(text: str) -> AtUri:
    parts = text.strip().removeprefix("at://").split("/")
    if not text.strip().startswith("at://") or len(parts) != 3 or not all(parts):
        raise InvalidInput(f"not an at:// record address: {text!r}")
    repo, collection, rkey = parts
    if not (is_did(repo) or is_handle(repo)) or not _RKEY.match(rkey):
        raise InvalidInput(f"not an at:// record address: {text!r}")
    return AtUri(repo, collection, rkey)


def parse_web_record(text: str, kind: str, collection: str) -> AtUri:
    """``https://bsky.app/profile/HANDLE/<kind>/RKEY`` (kind ``post`` or ``starter-pack``'s
    ``https://bsky.app/starter-pack/HANDLE/RKEY``) or an at-URI -> AtUri (repo may be a handle)."""
    value = text.strip()
    if value.startswith("at://"):
        uri = parse_at_uri(value)
        if uri.collection != collection:
            raise InvalidInput(f"{text!r} is not a {collection} record")
        return uri
    parts = urlsplit(value)
    segments = [unquote(s) for s in parts.path.split("/") if s]
    if parts.netloc.lower() == WEB_HOST:
        if kind == "starter-pack" and len(segments) == 3 and segments[0] == "starter-pack":
            return AtUri(normalize_actor(segments[1]), collection, segments[2])
        if len(segments) == 4 and segments[0] == "profile" and segments[2] == kind:
            return AtUri(normalize_actor(segments[1]), collection, segments[3])
    raise InvalidInput(f"not a Bluesky {kind} address: {text!r}")


def profile_url(actor: str) -> str:
    return f"https://{WEB_HOST}/profile/{actor}"


def post_url(actor: str, rkey: str) -> str:
    return f"https://{WEB_HOST}/profile/{actor}/post/{rkey}"
