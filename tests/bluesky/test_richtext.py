"""Facets and lengths of a post plnctl writes (pure): what is a link, a mention or a hashtag,
and the UTF-8 byte offsets Bluesky reads them by."""

from __future__ import annotations

import pytest
from hypothesis import given
from hypothesis import strategies as st

from plnctl.errors import InvalidInput
from plnctl.fetchers.bluesky.richtext import (
    LINK,
    MENTION,
    TAG,
    check_length,
    facets,
    graphemes,
    spans,
)


@pytest.mark.parametrize(
    ("text", "found"),
    [
        ("see https://ex.org/a.", [(LINK, "https://ex.org/a")]),
        ("(https://ex.org/wiki/A_(b))", [(LINK, "https://ex.org/wiki/A_(b)")]),
        ("https://ex.org/#frag is one link", [(LINK, "https://ex.org/#frag")]),
        ("ftp://ex.org and http:// alone", []),
        ("hi @amara.bsky.social, @olu.example!", [(MENTION, "amara.bsky.social"),
                                                  (MENTION, "olu.example")]),
        ("mail a@b.org or @nodot or @x.y@z.org", []),
        ("#EduSky #123 #1stGrade ＃edchat x#no", [(TAG, "EduSky"), (TAG, "1stGrade"),
                                                 (TAG, "edchat")]),
        ("#maths!? and #" + "a" * 65, [(TAG, "maths")]),
        ("@Amara.BSKY.social", [(MENTION, "amara.bsky.social")]),
    ],
)  # fmt: skip
def test_what_is_detected(text: str, found: list[tuple[str, str]]) -> None:
    assert [(s.kind, s.value) for s in spans(text)] == found


def test_offsets_are_utf8_bytes() -> None:
    text = "👩‍🏫 Café #EduSky"
    (facet,) = facets(text, {})
    index = facet["index"]
    assert (index["byteStart"], index["byteEnd"]) == (18, 25)
    assert text.encode()[index["byteStart"] : index["byteEnd"]] == b"#EduSky"


def test_a_mention_without_a_did_is_left_out() -> None:
    text = "@a.example and @b.example"
    (facet,) = facets(text, {"b.example": "did:plc:bbb"})
    assert facet["features"] == [{"$type": MENTION, "did": "did:plc:bbb"}]


def test_graphemes_not_code_points() -> None:
    assert graphemes("👩‍🏫🇦🇺e\u0301") == 3
    check_length("e\u0301" * 300)  # 600 code points
    with pytest.raises(InvalidInput, match="shorten it by 1"):
        check_length("x" * 301)
    with pytest.raises(InvalidInput, match="3000"):
        check_length("👩‍🏫" * 280)  # 280 graphemes but 3,080 bytes


@given(st.text(alphabet=st.sampled_from(list("ab #@.:/é👩\u200d🏫 xhttps")), max_size=80))
def test_facets_never_overlap_and_slice_whole_characters(text: str) -> None:
    found = facets(text, {s.value: "did:plc:x" for s in spans(text) if s.kind == MENTION})
    data = text.encode("utf-8")
    end = 0
    for facet in found:
        start, stop = facet["index"]["byteStart"], facet["index"]["byteEnd"]
        assert end <= start < stop <= len(data)
        data[start:stop].decode("utf-8")  # never cuts a character in two
        end = stop
