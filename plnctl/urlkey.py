"""When two URLs name the same thing: the canonical form and identity key of a web address.

Pure. Every comparison of feeds, accounts and post links goes through ``url_key``; nothing
compares raw strings. The original URL is kept for display and fetching; only the key is
compared.

``url-normalize`` does the RFC 3986 work (scheme and host case, default ports, IDNA hosts,
percent-encoding, dot segments); our rules on top: ``feed:`` URLs are the http(s) URL they
wrap, tracking parameters (``utm_*``, ``fbclid``, ``gclid``, Mailchimp's ``mc_cid``/``mc_eid``,
Medium's ``source=rss...``) are dropped and the others sorted (url-normalize's own
``filter_params`` drops *every* parameter, and ``?p=42`` is a WordPress post), and the
fragment and a trailing slash do not matter. The key leaves out the scheme: ``http://`` and
``https://`` of one host serve the same feed (no one serves two different feeds on them).
"""

from __future__ import annotations

import re
from collections.abc import Callable
from functools import lru_cache
from urllib.parse import parse_qsl, urlencode, urlsplit, urlunsplit

_FEED_SCHEME = re.compile(r"^feed:(//)?", re.IGNORECASE)
_TRACKING = re.compile(
    r"^(utm_\w*|fbclid|gclid|dclid|msclkid|mc_cid|mc_eid|igshid|_hsenc|_hsmi|mkt_tok|yclid)$",
    re.IGNORECASE,
)


# An address already in canonical form but for a trailing slash: http(s), a lower-case ASCII
# host of letter-digit-hyphen labels (no "--": IDNA reads those), no port, user, query or
# fragment, and path segments of characters url-normalize leaves alone (no "%", no empty,
# "." or ".." segment). Most links are written so (a Bluesky post's URL always is): they skip
# url-normalize, ~50 us each (tests/identity/test_urlkey.py checks both ways agree).
_LABEL = r"[a-z0-9]{1,63}(?:-[a-z0-9]+)*"
_SEGMENT = r"/(?!\.\.?(?:/|$))[A-Za-z0-9_.~:@!$&'()*+,;=-]+"
_CANONICAL = re.compile(rf"(https?://)({_LABEL}(?:\.{_LABEL})*)((?:{_SEGMENT})*)/?", re.ASCII)


def _is_tracking(name: str, value: str) -> bool:
    return bool(_TRACKING.match(name)) or (name == "source" and value.startswith("rss"))


def unwrap_feed_scheme(url: str) -> str:
    """``feed://host/x`` -> ``http://host/x``; ``feed:https://host/x`` -> ``https://host/x``;
    anything else as given (stripped)."""
    text = url.strip()
    if not _FEED_SCHEME.match(text):
        return text
    rest = _FEED_SCHEME.sub("", text, count=1)
    return rest if rest.lower().startswith(("http://", "https://")) else "http://" + rest


@lru_cache(maxsize=1)
def _url_normalize() -> Callable[[str], str | None]:
    """url-normalize's function, with its host step (IDNA, ~60 % of its cost) cached: a pure
    function of the host, and a sync meets the same few hosts in thousands of links."""
    import importlib

    from url_normalize import url_normalize

    module = importlib.import_module("url_normalize.url_normalize")
    host_step = getattr(module, "normalize_host", None)
    if callable(host_step) and not hasattr(host_step, "cache_info"):
        setattr(module, "normalize_host", lru_cache(maxsize=4096)(host_step))  # noqa: B010
    return url_normalize


@lru_cache(maxsize=8192)
def canonical_url(url: str) -> str | None:
    """The normalised form of an http(s) URL, scheme included; None when it is not one."""
    simple = _CANONICAL.fullmatch(url)
    if simple is not None and all(len(label) < 64 for label in simple[2].split(".")):
        return simple[1] + simple[2] + (simple[3] or "/")
    return _normalized(url)


def _normalized(url: str) -> str | None:
    url_normalize = _url_normalize()
    text = unwrap_feed_scheme(url)
    try:
        parts = urlsplit(text)
        if parts.scheme.lower() not in ("http", "https") or not parts.hostname:
            return None
        parts.port  # noqa: B018  (raises ValueError for a port out of 0-65535)
        normal = url_normalize(text)
    except (ValueError, UnicodeError):
        return None
    if not normal:
        return None
    parts = urlsplit(normal)
    query = ""
    if parts.query:
        pairs = parse_qsl(parts.query, keep_blank_values=True)
        query = urlencode(sorted((k, v) for k, v in pairs if not _is_tracking(k, v)))
    path = parts.path.rstrip("/") or "/"
    return urlunsplit((parts.scheme, parts.netloc, path, query, ""))


def url_key(url: str | None) -> str | None:
    """The identity of a web address: its canonical form without the scheme
    (``maria.example/feed``); None when it is not an http(s) URL."""
    canonical = canonical_url(url) if url else None
    if canonical is None:
        return None
    key = canonical.split("://", 1)[1]
    return key[:-1] if key.find("/") == len(key) - 1 else key  # "host/" -> "host"


def source_key(url: str) -> str:
    """The key a source is stored under: ``url_key``, or the address as written when it is not
    a web address (a followed hashtag's ``tag:`` name)."""
    return url_key(url) or url.strip()


def same_url(a: str | None, b: str | None) -> bool:
    key = url_key(a)
    return key is not None and key == url_key(b)
