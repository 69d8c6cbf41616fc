"""What a status points to (its card, else its one plain link) and its counts, mapped from the
shapes real Mastodon and Bluesky answer with; and a Bluesky post grouped with its author's
blog post on the loopback AppView."""

from __future__ import annotations

import copy

import pytest

from plnctl.api import Pln
from plnctl.fetchers.bluesky import feed_item_to_post
from plnctl.fetchers.mastodon import status_to_post
from plnctl.ingest import normalize_post
from tests.grouping.test_one_item_per_idea import blog
from tests.mastodon.test_mastodon_mapping import HOME, STATUS
from tests.servers.appview import AppView
from tests.servers.feed_server import FeedServer

MEDIA = {"id": "9", "type": "image", "url": "https://files.social.example/a.png",
         "remote_url": None, "description": "a chart"}  # fmt: skip


def _status(**fields: object) -> dict:
    status = copy.deepcopy(STATUS)
    status.update(fields)
    return status


@pytest.mark.parametrize(
    ("fields", "expected"),
    [
        ({}, "oer.example/x"),  # the one link; the mention and the hashtag do not count
        ({"card": {"url": "https://blog.example/post?utm_source=mastodon"}}, "blog.example/post"),
        (
            {
                "content": '<p><a href="https://a.example/1">a</a> <a href="https://b.example/2">b</a>'
            },
            None,  # two links: about neither
        ),
        (
            {
                "content": '<p>see <a href="https://blog.example/p">it</a></p>',
                "media_attachments": [MEDIA],
            },
            "blog.example/p",  # the attachment's link is not what it points to
        ),
        ({"content": "<p>no links at all</p>", "card": None}, None),
        ({"card": "not a card"}, "oer.example/x"),
    ],
)
def test_mastodon_points_to(fields: dict, expected: str | None) -> None:
    post = normalize_post(status_to_post(_status(**fields), HOME))
    assert post.points_to_key == expected


def test_mastodon_counts_and_a_boost_counts_the_original() -> None:
    post = normalize_post(status_to_post(_status(reblogs_count=3, replies_count=2), HOME))
    assert (post.boosts, post.replies) == (3, 2)
    hostile = normalize_post(status_to_post(_status(reblogs_count="3", replies_count=-1), HOME))
    assert (hostile.boosts, hostile.replies) == (None, None)
    boost = _status(id="999", reblog=_status(reblogs_count=7, replies_count=1), content="")
    mapped = normalize_post(status_to_post(boost, HOME))
    assert (mapped.boosts, mapped.replies, mapped.points_to_key) == (7, 1, "oer.example/x")


def test_bluesky_points_to_its_card_else_its_one_link() -> None:
    view = AppView()
    amara = view.add_account("amara.bsky.social", "Amara")
    card = view.external("https://amara.example/blog/rubrics?utm_medium=social", "Rubrics")
    text = "New post! also see docs.example"
    uri = view.add_post(
        amara, text, embed=card,
        facets=[view.link_facet(text, "docs.example", "https://docs.example/")],
    )  # fmt: skip
    view.repost(amara, uri)
    view.add_post(view.add_account("sam.bsky.social"), "nice", reply_to=uri)
    post = normalize_post(feed_item_to_post({"post": view._view(uri)}))  # type: ignore[arg-type]
    assert post.points_to_key == "amara.example/blog/rubrics"
    assert (post.boosts, post.replies) == (1, 1)
    plain = view.add_post(
        amara, text, facets=[view.link_facet(text, "docs.example", "https://docs.example/x")]
    )
    only = normalize_post(feed_item_to_post({"post": view._view(plain)}))  # type: ignore[arg-type]
    assert only.points_to_key == "docs.example/x"


def test_bluesky_post_joins_the_blog_post(
    appview: AppView, pln: Pln, feed_server: FeedServer
) -> None:
    base = feed_server.url("").rstrip("/")
    feed = feed_server.add_feed("/feed.xml", blog(base, "/blog/x"))
    amara = appview.add_account("amara.bsky.social", "Amara")
    uri = appview.add_post(amara, "New on the blog", embed=appview.external(f"{base}/blog/x", "X"))
    appview.repost(appview.add_account("sam.bsky.social", "Sam"), uri)
    pln.people.add("Amara", feeds=[feed], bluesky=["@amara.bsky.social"])
    pln.sync(force=True)
    (item,) = pln.posts.list(limit=None)
    assert item.kind == "article"
    (also,) = item.also
    assert (also.network, also.boosts, also.replies) == ("Bluesky", 1, 0)
    from plnctl.render.text import list_title

    assert list_title(item).endswith("also on Bluesky (1 repost, 0 replies)")
