"""Terminal renderings: pure functions that return lines."""

from __future__ import annotations

from plnctl.models import Source, SourceKind
from plnctl.render.text import source_notes


def _source(**fields: object) -> Source:
    return Source(
        id=7,
        person_id=3,
        kind=SourceKind.MASTODON,
        url="https://m.example/@ada",
        handle="@ada@m.example",
        **fields,
    )  # type: ignore[arg-type]


def test_a_plain_source_has_nothing_to_say() -> None:
    assert source_notes(_source(), 3) == []


def test_a_moved_account_is_a_warning_with_the_command_to_follow_it() -> None:
    (note,) = source_notes(_source(moved_to="@ada@new.example"), 3)
    assert note == (
        True,
        "@ada@m.example has moved to @ada@new.example; follow the new "
        "account with: plnctl source add 3 @ada@new.example",
    )


def test_verified_websites_are_offered_unverified_ones_are_not() -> None:
    fields = (
        {
            "name": "Blog",
            "value": "ada.example",
            "url": "https://ada.example",
            "verified_at": "2024-02-01T10:00:00Z",
        },
        {
            "name": "Shop",
            "value": "shop.example",
            "url": "https://shop.example",
            "verified_at": None,
        },
    )
    notes = source_notes(_source(profile_fields=fields, via_rss=True), 3)
    assert [warning for warning, _ in notes] == [False, False]
    assert "public RSS" in notes[0][1]
    assert "plnctl source add 3 https://ada.example" in notes[1][1]
    assert all("shop.example" not in line for _, line in notes)
