"""Bluesky identifiers as users type them."""

from __future__ import annotations

import pytest

from plnctl.errors import InvalidInput
from plnctl.fetchers.bluesky import looks_like_bluesky, normalize_actor, parse_web_record

DID = "did:plc:ewvi7nxzyoun6zhxrhs64oiz"


@pytest.mark.parametrize(
    ("typed", "actor"),
    [
        ("@amara.bsky.social", "amara.bsky.social"),
        ("amara.bsky.social", "amara.bsky.social"),
        ("  @Amara.BSKY.social ", "amara.bsky.social"),
        ("amara.example", "amara.example"),
        (DID, DID),
        ("did:web:amara.example", "did:web:amara.example"),
        ("https://bsky.app/profile/amara.bsky.social", "amara.bsky.social"),
        (f"https://bsky.app/profile/{DID}/post/3abc", DID),
    ],
)
def test_every_way_of_writing_an_account(typed: str, actor: str) -> None:
    assert normalize_actor(typed) == actor


@pytest.mark.parametrize(
    "typed",
    [
        "",
        "@",
        "amara",
        "@sam@mastodon.example",
        "did:plc:short",
        "https://example.com/profile/x",
        "ftp://bsky.app/profile/x",
        "amara..bsky.social",
        "-amara.bsky.social",
    ],
)
def test_what_is_not_an_account_is_a_clear_error(typed: str) -> None:
    with pytest.raises(InvalidInput):
        normalize_actor(typed)


def test_only_unambiguous_forms_are_detected_without_the_flag() -> None:
    assert looks_like_bluesky("@amara.bsky.social")
    assert looks_like_bluesky(DID)
    assert looks_like_bluesky("https://bsky.app/profile/amara.bsky.social")
    # A bare domain is a website unless the user says --bluesky; Mastodon handles have two @.
    assert not looks_like_bluesky("amara.example")
    assert not looks_like_bluesky("@sam@mastodon.example")
    assert not looks_like_bluesky("https://amara.example/blog")


def test_post_and_starter_pack_addresses() -> None:
    post = parse_web_record(
        "https://bsky.app/profile/amara.bsky.social/post/3kq2", "post", "app.bsky.feed.post"
    )
    assert (post.repo, post.rkey) == ("amara.bsky.social", "3kq2")
    pack = parse_web_record(
        "https://bsky.app/starter-pack/amara.bsky.social/3sp1",
        "starter-pack",
        "app.bsky.graph.starterpack",
    )
    assert str(pack) == "at://amara.bsky.social/app.bsky.graph.starterpack/3sp1"
    with pytest.raises(InvalidInput):
        parse_web_record("https://bsky.app/profile/amara.bsky.social", "post", "app.bsky.feed.post")
