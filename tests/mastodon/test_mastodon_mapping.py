"""Pure parts: addresses, JSON -> NewPost/source fields, rate-limit headers.

The JSON below has the shape of real Mastodon 4.x answers (``Z`` timestamps with milliseconds,
``moved``, verified profile fields), which the loopback mock does not produce."""

from __future__ import annotations

from datetime import UTC, datetime

import pytest

from plnctl.errors import InvalidInput
from plnctl.fetchers.mastodon import (
    Address,
    account_fields,
    instance_base,
    parse_address,
    parse_rate_limit_reset,
    status_summary,
    status_to_post,
)

HOME = Address("doug", "social.example", "https")

ACCOUNT = {
    "id": "109348",
    "username": "doug",
    "acct": "doug",
    "display_name": "Doug B ",
    "note": '<p>Educator. <a href="https://social.example/tags/NoBot">#<span>NoBot</span></a></p>',
    "url": "https://social.example/@doug",
    "avatar": "https://files.social.example/a.png",
    "bot": False,
    "noindex": False,
    "moved": {"id": "2", "acct": "doug@new.example", "username": "doug"},
    "fields": [
        {
            "name": "Blog",
            "value": '<a href="https://blog.example/" rel="me nofollow noopener">'
            '<span class="invisible">https://</span>blog.example</a>',
            "verified_at": "2024-02-01T10:00:00.000Z",
        },
        {"name": "Pronouns", "value": "he/him", "verified_at": None},
    ],
}

STATUS = {
    "id": "111222333444",
    "created_at": "2024-03-05T08:09:10.123Z",
    "edited_at": "2024-03-05T09:00:00.000Z",
    "in_reply_to_id": "111222333000",
    "in_reply_to_account_id": "77",
    "uri": "https://social.example/users/doug/statuses/111222333444",
    "url": "https://social.example/@doug/111222333444",
    "content": '<p><span class="h-card"><a href="https://other.example/@kim" class="u-url mention">'
    '@<span>kim</span></a></span> see <a href="https://oer.example/x">this</a> '
    '<a href="https://social.example/tags/OER" class="mention hashtag">#<span>OER</span></a>'
    "<script>alert(1)</script></p>",
    "spoiler_text": "",
    "language": "en",
    "account": ACCOUNT,
    "mentions": [{"id": "77", "username": "kim", "acct": "kim@other.example",
                  "url": "https://other.example/@kim"}],
    "tags": [{"name": "oer", "url": "https://social.example/tags/OER"}],
    "media_attachments": [],
    "reblog": None,
}  # fmt: skip


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("@doug@social.example", ("doug", "social.example", "https")),
        ("doug@Social.Example", ("doug", "social.example", "https")),
        ("https://social.example/@doug", ("doug", "social.example", "https")),
        ("https://social.example/@doug/", ("doug", "social.example", "https")),
        ("https://big.example/@doug@social.example", ("doug", "social.example", "https")),
        ("@alice@127.0.0.1:8000", ("alice", "127.0.0.1:8000", "http")),
        ("http://127.0.0.1:8000/@alice", ("alice", "127.0.0.1:8000", "http")),
        ("@bob@localhost:3000", ("bob", "localhost:3000", "http")),
    ],
)
def test_parse_address(text: str, expected: tuple[str, str, str]) -> None:
    address = parse_address(text)
    assert (address.username, address.host, address.scheme) == expected


@pytest.mark.parametrize(
    "text", ["doug", "http://social.example/@doug", "https://social.example/doug", "@a@b@c"]
)
def test_parse_address_rejects(text: str) -> None:
    with pytest.raises(InvalidInput):
        parse_address(text)


def test_only_loopback_gets_plain_http() -> None:
    assert instance_base("mastodon.social") == "https://mastodon.social"
    assert instance_base("127.0.0.1:9000") == "http://127.0.0.1:9000"
    assert instance_base("http://localhost:9000/") == "http://localhost:9000"
    with pytest.raises(InvalidInput, match="https"):
        instance_base("http://mastodon.social")


def test_account_fields() -> None:
    fields = account_fields(ACCOUNT, HOME)
    assert fields["handle"] == "@doug@social.example"
    assert fields["remote_id"] == "109348"
    assert fields["display_name"] == fields["title"] == "Doug B"
    assert fields["moved_to"] == "@doug@new.example"
    assert fields["noindex"] is True  # #NoBot in the bio
    blog, pronouns = fields["profile_fields"]
    assert blog == {"name": "Blog", "value": "https://blog.example", "url": "https://blog.example/",
                    "verified_at": "2024-02-01T10:00:00Z"}  # fmt: skip
    assert pronouns["verified_at"] is None and pronouns["url"] is None


def test_noindex_flag_and_plain_bio() -> None:
    plain = {**ACCOUNT, "note": "<p>No hashtags here, #nobots is not #nobot-ish</p>"}
    assert account_fields({**plain, "noindex": True}, HOME)["noindex"] is True
    assert account_fields({**plain, "note": "<p>just a teacher</p>"}, HOME)["noindex"] is False


def test_status_to_post() -> None:
    post = status_to_post(STATUS, HOME)
    assert post.guid == STATUS["url"]
    assert post.kind == "status"
    assert post.published_at == "2024-03-05T08:09:10Z"
    assert post.edited_at == post.updated_at == "2024-03-05T09:00:00Z"
    assert "<script>" not in (post.content_html or "") and "alert" not in (post.content_text or "")
    assert post.content_text == "@kim see this #OER"
    assert post.hashtags == ("oer",)
    assert post.mentions == ("kim@other.example",)
    assert post.links == ("https://oer.example/x",)  # not the mention or the hashtag page
    assert post.in_reply_to == "https://social.example/@kim@other.example/111222333000"
    assert post.language == "en" and post.author == "Doug B"
    assert post.boost_of_url is None


def test_boost_keeps_original_author_and_content() -> None:
    original = {**STATUS, "account": {**ACCOUNT, "id": "5", "acct": "kim@other.example",
                                      "display_name": "Kim"}}  # fmt: skip
    boost = {
        "id": "999",
        "created_at": "2024-03-06T00:00:00.000Z",
        "uri": "https://social.example/users/doug/statuses/999/activity",
        "url": None,
        "content": "",
        "account": ACCOUNT,
        "reblog": original,
    }
    post = status_to_post(boost, HOME)
    assert post.guid == boost["uri"]
    assert post.published_at == "2024-03-06T00:00:00Z"
    assert post.url == post.boost_of_url == STATUS["url"]
    assert post.boost_of_handle == "@kim@other.example"
    assert post.content_text == "@kim see this #OER"


def test_content_warning_and_media() -> None:
    status = {**STATUS, "spoiler_text": "long thread", "content": "<p>Body</p>",
              "media_attachments": [{"type": "image", "url": "https://f.example/1.png",
                                     "description": "a chart"}]}  # fmt: skip
    post = status_to_post(status, HOME)
    # The warning is its own field: out of the text (which the reader folds) and the title.
    assert post.content_warning == "long thread"
    assert post.title is None
    assert post.content_text is not None and "long thread" not in post.content_text
    assert "a chart" in post.content_text
    assert 'href="https://f.example/1.png"' in (post.content_html or "")
    assert [(m.url, m.medium, m.title) for m in post.media] == [
        ("https://f.example/1.png", "image", "a chart")
    ]


def test_status_title_is_its_first_line_and_a_reply_names_whom_it_answers() -> None:
    long_line = "word " * 40
    status = {**STATUS, "content": f"<p>{long_line}</p><p>second paragraph</p>"}
    post = status_to_post(status, HOME)
    assert post.title is not None and post.title.endswith("…") and len(post.title) <= 80
    assert "second" not in post.title
    reply = {**STATUS, "in_reply_to_id": "5", "in_reply_to_account_id": "77",
             "mentions": [{"id": "77", "acct": "kim@other.example",
                           "url": "https://other.example/@kim"}]}  # fmt: skip
    assert status_to_post(reply, HOME).in_reply_to_handle == "@kim@other.example"


def test_a_content_warning_carries_no_terminal_escapes() -> None:
    status = {**STATUS, "spoiler_text": "Spoiler\x1b[2J\n  for book 3"}
    assert status_to_post(status, HOME).content_warning == "Spoiler [2J for book 3"


def test_hostile_media_attachments_are_dropped() -> None:
    status = {**STATUS, "media_attachments": [
        {"type": "image", "url": "javascript:alert(1)"}, "not a dict", {"type": "video"},
        {"type": "audio", "url": "https://f.example/a.mp3", "meta": {"original": {"duration": -3}}},
    ]}  # fmt: skip
    post = status_to_post(status, HOME)
    assert [(m.url, m.medium, m.duration) for m in post.media] == [
        ("https://f.example/a.mp3", "audio", None)
    ]


def test_status_summary() -> None:
    summary = status_summary(STATUS, "social.example")
    assert summary["account"]["acct"] == "doug@social.example"
    assert summary["in_reply_to_account_id"] == "77"
    assert summary["created_at"] == "2024-03-05T08:09:10Z"
    assert "see this" in summary["content_text"]


NOW = datetime(2024, 1, 1, 12, 0, 0, tzinfo=UTC)


@pytest.mark.parametrize(
    ("value", "seconds"),
    [
        ("2024-01-01T12:05:00.000Z", 300.0),  # real Mastodon: ISO 8601
        ("2024-01-01T12:01:00+00:00", 60.0),
        (str(int(NOW.timestamp()) + 120), 120.0),  # mastodon_mock: epoch seconds
        ("2023-12-31T00:00:00Z", 0.0),  # already past
        ("soon", None),
        ("", None),
    ],
)
def test_rate_limit_reset(value: str, seconds: float | None) -> None:
    assert parse_rate_limit_reset(value, NOW) == seconds
