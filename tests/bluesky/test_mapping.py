"""Posts mapped faithfully from the AppView's JSON (shapes from the app.bsky lexicons)."""

from __future__ import annotations

from hypothesis import given
from hypothesis import strategies as st

from plnctl.fetchers.bluesky import feed_item_to_post
from plnctl.fetchers.bluesky.mapping import item_key, item_keys
from tests.servers.appview import NO_UNAUTH, AppView


def _item(view: AppView, uri: str, **extra: object) -> dict:
    return {"post": view._view(uri), **extra}


def test_facets_use_utf8_byte_offsets() -> None:
    view = AppView()
    amara = view.add_account("amara.bsky.social", "Amara")
    text = "Très bien 🎉 read this: rubric.example and #EduSky, thanks @sam.bsky.social"
    sam = view.add_account("sam.bsky.social", "Sam")
    uri = view.add_post(
        amara,
        text,
        facets=[
            view.link_facet(text, "rubric.example", "https://rubric.example/guide"),
            view.tag_facet(text, "#EduSky"),
            view.mention_facet(text, "@sam.bsky.social", sam.did),
        ],
        langs=["fr", "en"],
    )
    post = feed_item_to_post(_item(view, uri))
    assert post is not None
    html = post.content_html or ""
    assert 'href="https://rubric.example/guide"' in html and ">rubric.example</a>" in html
    assert post.content_text is not None and post.content_text.startswith("Très bien 🎉")
    assert post.links == ("https://rubric.example/guide",)
    assert post.hashtags == ("edusky",)
    assert post.mentions == (sam.did,)
    assert post.language == "fr"
    assert post.guid == uri
    assert post.url == f"https://bsky.app/profile/amara.bsky.social/post/{uri.rsplit('/', 1)[1]}"


def test_overlapping_and_broken_facets_are_dropped_not_the_post() -> None:
    view = AppView()
    amara = view.add_account("amara.bsky.social")
    text = "é link here"
    overlapping = view.link_facet(text, "link here", "https://b.example/")
    first = view.link_facet(text, "link", "https://a.example/")
    misaligned = {
        "index": {"byteStart": 1, "byteEnd": 3},
        "features": [{"$type": "app.bsky.richtext.facet#link", "uri": "https://c.example/"}],
    }
    beyond = {
        "index": {"byteStart": 5, "byteEnd": 999},
        "features": [{"$type": "app.bsky.richtext.facet#link", "uri": "https://d.example/"}],
    }
    script = view.link_facet(text, "here", "javascript:alert(1)")
    uri = view.add_post(amara, text, facets=[overlapping, first, misaligned, beyond, script])
    post = feed_item_to_post(_item(view, uri))
    assert post is not None
    assert post.links == ("https://b.example/",) or post.links == ("https://a.example/",)
    assert len(post.links) == 1
    assert "javascript" not in (post.content_html or "")
    assert post.content_text == "é link here"


def test_link_cards_images_and_quotes() -> None:
    view = AppView()
    amara = view.add_account("amara.bsky.social", "Amara")
    olu = view.add_account("olu.bsky.social", "Olu")
    hidden = view.add_account("quiet.bsky.social", "Quiet", labels=[NO_UNAUTH])
    quoted = view.add_post(olu, "Retrieval practice beats rereading")
    secret = view.add_post(hidden, "Only for logged-in readers")
    card = view.add_post(
        amara,
        "New post",
        embed=view.external(
            "https://amara.example/exit-tickets", "Exit tickets that work", "Five prompts"
        ),
    )
    pics = view.add_post(amara, "Our display", embed=view.images("Year 7 science display board"))
    quote = view.add_post(amara, "Yes!", embed=view.quote(quoted))
    gone = view.add_post(amara, "Hm", embed=view.quote(None, state="notFound"))
    blocked = view.add_post(amara, "Hm", embed=view.quote(None, state="blocked"))
    detached = view.add_post(amara, "Hm", embed=view.quote(None, state="detached"))
    withheld = view.add_post(amara, "Look", embed=view.quote(secret))

    def text(uri: str) -> str:
        post = feed_item_to_post(_item(view, uri))
        assert post is not None
        return post.content_text or ""

    assert "Exit tickets that work" in text(card) and "Five prompts" in text(card)
    assert feed_item_to_post(_item(view, card)).links == ("https://amara.example/exit-tickets",)  # type: ignore[union-attr]
    assert "[image] Year 7 science display board" in text(pics)
    assert "Quoting @olu.bsky.social" in text(quote) and "Retrieval practice" in text(quote)
    assert "deleted" in text(gone)
    assert "blocked" in text(blocked)
    assert "removed by its author" in text(detached)
    assert "Only for logged-in readers" not in text(withheld)


def test_replies_reposts_and_pins() -> None:
    view = AppView()
    amara = view.add_account("amara.bsky.social", "Amara")
    olu = view.add_account("olu.bsky.social", "Olu Mensah")
    original = view.add_post(olu, "Phonics resources thread")
    reply = view.add_post(amara, "Adding one", reply_to=original)
    repost_uri = view.repost(amara, original)
    replied = feed_item_to_post(
        _item(view, reply, reply={"root": view._view(original), "parent": view._view(original)})
    )
    assert replied is not None
    assert (
        replied.in_reply_to
        == f"https://bsky.app/profile/olu.bsky.social/post/{original.rsplit('/', 1)[1]}"
    )
    reason = {
        "$type": "app.bsky.feed.defs#reasonRepost",
        "by": amara.basic(),
        "uri": repost_uri,
        "indexedAt": "2026-11-30T09:00:00.000Z",
    }
    boost = feed_item_to_post(_item(view, original, reason=reason))
    assert boost is not None
    assert boost.guid == repost_uri  # the repost's own record: one per reposter
    assert boost.author == "Olu Mensah"
    assert boost.boost_of_handle == "@olu.bsky.social"
    assert boost.published_at == "2026-11-30T09:00:00Z"
    pin = feed_item_to_post(_item(view, original, reason={"$type": "app.bsky.feed.defs#reasonPin"}))
    assert pin is None


def test_odd_types_never_raise() -> None:
    view = AppView()
    amara = view.add_account("amara.bsky.social")
    uri = view.add_post(amara, "ok")
    item = _item(view, uri)
    item["post"]["record"] = {
        "text": 5,
        "facets": "x",
        "langs": {},
        "tags": [1, None],
        "createdAt": "9999-99",
    }
    item["post"]["embed"] = {"$type": "app.bsky.embed.images#view", "images": "nope"}
    post = feed_item_to_post(item)
    assert post is not None and post.content_text is None


_TIMES = [
    "2026-11-30T08:00:00.000Z", "1970-01-01T00:00:00.123Z", "2999-12-31T23:59:59.999Z",
    "1969-12-31T23:59:59.999Z", "2026-11-30T08:00:00Z", "2026-11-30T08:00:00.000+01:00",
    "2026-11-30T08:00:00.000Z\n2026-11-30T08:00:00.000Z", "", "not a date",
]  # fmt: skip
_STAMPS = st.one_of(
    st.just(_TIMES[0]), st.sampled_from(_TIMES), st.integers(), st.none()
)  # mostly the plain form, so that whole pages of it come up


@st.composite
def _feed_items(draw: st.DrawFn) -> dict:
    post: dict = {"uri": draw(st.sampled_from(["at://did:plc:a/app.bsky.feed.post/3k1", "", 7]))}
    if draw(st.booleans()):
        post["record"] = {"createdAt": draw(_STAMPS)}
    if draw(st.booleans()):
        post["indexedAt"] = draw(_STAMPS)
    item: dict = {"post": post}
    if draw(st.booleans()):
        repost = draw(st.sampled_from(["at://did:plc:b/app.bsky.feed.repost/3r", None]))
        item["reason"] = {"$type": "app.bsky.feed.defs#reasonRepost", "indexedAt": draw(_STAMPS),
                          "uri": repost, "by": {"did": "did:plc:b"}}  # fmt: skip
    return item


@given(st.lists(_feed_items(), max_size=6))
def test_a_page_read_at_once_gives_what_each_item_gives(items: list[dict]) -> None:
    """``item_keys`` checks a page's times in one scan; every page, odd ones too, gets the
    guids and times that reading item by item gives."""
    assert item_keys(items) == [item_key(i) for i in items]


def test_a_plain_page_takes_the_times_as_written() -> None:
    created = [{"createdAt": f"2026-11-30T08:00:0{n}.000Z"} for n in range(3)]
    items = [{"post": {"uri": f"at://did:plc:a/app.bsky.feed.post/{n}", "record": created[n]}}
             for n in range(3)]  # fmt: skip
    assert item_keys(items) == [
        (f"at://did:plc:a/app.bsky.feed.post/{n}", f"2026-11-30T08:00:0{n}Z") for n in range(3)
    ]
    # Two times in one value is no time (the post's indexedAt stands in), the others stay.
    created[1]["createdAt"] = "2026-11-30T08:00:01.000Z\n2026-11-30T08:00:01.000Z"
    items[1]["post"]["indexedAt"] = "2026-11-30T09:00:00.000Z"
    assert [t for _, t in item_keys(items)] == [
        "2026-11-30T08:00:00Z", "2026-11-30T09:00:00Z", "2026-11-30T08:00:02Z",
    ]  # fmt: skip
