"""One feed written many ways is one key; what differs stays different; junk has no key."""

from __future__ import annotations

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from plnctl.urlkey import canonical_url, same_url, source_key, unwrap_feed_scheme, url_key

ONE_FEED = [
    "https://maria.example/feed/",
    "http://maria.example/feed",
    "HTTPS://Maria.EXAMPLE/feed",
    "https://maria.example:443/feed",
    "http://maria.example:80/feed/",
    "https://maria.example/feed?utm_source=newsletter&utm_medium=email",
    "feed://maria.example/feed/",
    "feed:https://maria.example/feed",
    "https://maria.example/feed#comments",
    "https://maria.example/feed/?fbclid=IwAR0abc&gclid=x",
    "https://maria.example/feed?mc_cid=1&mc_eid=2",
    "  https://maria.example/./feed  ",
]


@pytest.mark.parametrize("written", ONE_FEED)
def test_one_feed_written_many_ways_has_one_key(written: str) -> None:
    assert url_key(written) == "maria.example/feed"


def test_what_stays_different() -> None:
    assert not same_url("https://maria.example/feed", "https://maria.example/feed/comments")
    assert not same_url("https://maria.example/?p=1", "https://maria.example/?p=2")
    assert not same_url("https://maria.example:8443/feed", "https://maria.example/feed")
    assert not same_url("https://maria.example/Feed", "https://maria.example/feed")
    assert not same_url("https://maria.example/feed", None)


def test_other_parameters_are_kept_sorted_and_medium_rss_source_dropped() -> None:
    assert url_key("https://maria.example/?b=2&utm_campaign=x&a=1") == "maria.example/?a=1&b=2"
    assert url_key("https://medium.com/@ada/exit-tickets-1a2b?source=rss----abc---4") == (
        "medium.com/@ada/exit-tickets-1a2b"
    )
    assert url_key("https://maria.example/x?source=homepage") == "maria.example/x?source=homepage"


def test_hosts_and_roots() -> None:
    assert url_key("https://Bücher.example/x") == "xn--bcher-kva.example/x"
    assert url_key("https://maria.example") == url_key("https://maria.example/") == "maria.example"
    assert url_key("http://127.0.0.1:8080/a/") == "127.0.0.1:8080/a"
    assert canonical_url("HTTPS://Maria.Example:443/feed/") == "https://maria.example/feed"


@pytest.mark.parametrize(
    "bad",
    ["", "not a url", "ftp://maria.example/feed", "javascript:alert(1)", "http://[zz/x",
     "file:///etc/passwd", "https://", "http://maria.example:99999/feed", "feed:", "//x/y"],
)  # fmt: skip
def test_what_is_not_a_web_address_has_no_key(bad: str) -> None:
    assert canonical_url(bad) is None and url_key(bad) is None


def test_feed_scheme_unwrapped_for_fetching() -> None:
    assert unwrap_feed_scheme("feed://maria.example/feed") == "http://maria.example/feed"
    assert unwrap_feed_scheme("FEED:https://maria.example/f") == "https://maria.example/f"
    assert unwrap_feed_scheme("https://maria.example/f") == "https://maria.example/f"


def test_a_source_that_is_not_a_web_address_keys_as_written() -> None:
    assert source_key("tag:edutooters") == "tag:edutooters"
    assert source_key("HTTP://Maria.Example/feed/") == "maria.example/feed"


@given(st.text(max_size=80))
def test_never_raises_and_never_keeps_a_scheme(text: str) -> None:
    key = url_key(text)
    assert key is None or "://" not in key.split("?")[0]


@given(st.sampled_from(ONE_FEED))
def test_the_key_is_stable(written: str) -> None:
    key = url_key(written)
    assert key is not None and url_key("https://" + key) == key


_LABELS = st.from_regex(r"[a-z0-9](?:[a-z0-9-]{0,8}[a-z0-9])?", fullmatch=True)
_SEGMENTS = st.text(alphabet="abcXYZ019_.~:@!$&'()*+,;=-%/ é", min_size=0, max_size=12)


@given(
    st.sampled_from(["http://", "https://", "HTTPS://"]),
    st.lists(_LABELS, min_size=1, max_size=4),
    st.lists(_SEGMENTS, max_size=5),
    st.sampled_from(["", "/", "//", "?a=1", "#top", ":443"]),
)
@settings(deadline=None)  # the first example imports url-normalize and idna
def test_the_fast_path_agrees_with_url_normalize(
    scheme: str, labels: list[str], segments: list[str], tail: str
) -> None:
    """Addresses already in canonical form skip url-normalize (urlkey._CANONICAL); every
    address, taken either way, gets the same canonical form."""
    from plnctl import urlkey

    url = scheme + ".".join(labels) + "".join("/" + s for s in segments) + tail
    assert canonical_url(url) == urlkey._normalized(url)


@pytest.mark.parametrize(
    "url",
    ["https://bsky.app/profile/amara.bsky.social/post/3kabc", "https://maria.example/a/b/",
     "http://127.0.0.1/x", "https://a.example/..."],
)  # fmt: skip
def test_the_fast_path_is_taken_for_canonical_addresses(url: str) -> None:
    from plnctl import urlkey

    assert urlkey._CANONICAL.fullmatch(url) is not None
    assert canonical_url(url) == urlkey._normalized(url)


@pytest.mark.parametrize(
    "url",
    ["https://xn--bcher-kva.example/x", "https://a--b.example/", "https://Maria.example/",
     "https://a.example/./x", "https://a.example/x/../y", "https://a.example//x",
     "https://a.example/%7Ex", "https://a.example:443/x", "https://" + "a" * 64 + ".example/"],
)  # fmt: skip
def test_what_url_normalize_would_change_takes_the_long_way(url: str) -> None:
    from plnctl import urlkey

    simple = urlkey._CANONICAL.fullmatch(url)
    assert simple is None or any(len(label) > 63 for label in simple[2].split("."))
