"""The demo's Bluesky educator and #edchat hashtag: the public AppView's XRPC answers and a
Mastodon tag timeline, as static JSON the demo server hands out (shapes from the app.bsky
lexicons and Mastodon's Status entity)."""

from __future__ import annotations

import json
from datetime import datetime, timedelta

BLUESKY_NAME = "Amara Okafor"
BLUESKY_HANDLE = "amara.bsky.social"
BLUESKY_DID = "did:plc:demoamara2edusky4ukteach"
TAG = "edchat"

_POSTS = (
    (3, "Retrieval practice starter that took 4 minutes today: three questions from last week, "
        "one from last term. #EduSky", "EduSky"),
    (20, "Our Year 7 reading corner, now with student-written shelf talkers. Photos in the "
         "thread #EduSky", "EduSky"),
)  # fmt: skip
_TAG_POSTS = (
    (
        "jo",
        "Jo Mensah",
        5,
        "What is your go-to exit ticket for a practical science lesson? #edchat",
    ),
    ("lee", "Lee Chan", 9, "Cold calling with a warm tone: a short write-up #edchat"),
)


def _stamp(moment: datetime) -> str:
    return moment.strftime("%Y-%m-%dT%H:%M:%S.000Z")


def _profile() -> dict[str, object]:
    about = "Secondary English teacher, reading for pleasure, #EduSky"
    return {"did": BLUESKY_DID, "handle": BLUESKY_HANDLE, "displayName": BLUESKY_NAME,
            "description": about, "labels": []}  # fmt: skip


def _bluesky_item(rkey: str, text: str, tag: str, moment: datetime) -> dict[str, object]:
    start = text.encode().index(f"#{tag}".encode())
    facet = {"index": {"byteStart": start, "byteEnd": start + len(tag) + 1},
             "features": [{"$type": "app.bsky.richtext.facet#tag", "tag": tag}]}  # fmt: skip
    record = {"$type": "app.bsky.feed.post", "text": text, "createdAt": _stamp(moment),
              "facets": [facet], "langs": ["en"]}  # fmt: skip
    post = {"uri": f"at://{BLUESKY_DID}/app.bsky.feed.post/{rkey}", "cid": f"bafydemo{rkey}",
            "author": _profile(), "record": record, "indexedAt": _stamp(moment)}  # fmt: skip
    return {"post": post}


def _status(
    n: int, user: str, name: str, text: str, moment: datetime, base: str
) -> dict[str, object]:
    host = base.split("://", 1)[1]
    return {
        "id": str(1000 + n), "created_at": _stamp(moment), "url": f"{base}/@{user}/{1000 + n}",
        "uri": f"{base}/users/{user}/statuses/{1000 + n}", "content": f"<p>{text}</p>",
        "visibility": "public", "language": "en", "spoiler_text": "", "media_attachments": [],
        "mentions": [], "tags": [{"name": TAG, "url": f"{base}/tags/{TAG}"}],
        "account": {"id": str(n), "username": user, "acct": user, "display_name": name,
                    "url": f"{base}/@{user}", "note": "", "bot": False, "fields": []},
        "in_reply_to_id": None, "reblog": None, "edited_at": None, "_host": host,
    }  # fmt: skip


def pages(base_url: str, now: datetime) -> dict[str, tuple[bytes, str]]:
    """{path: (body, content type)} for the demo server."""
    feed = [_bluesky_item(f"3demo{i}", text, tag, now - timedelta(hours=hours))
            for i, (hours, text, tag) in enumerate(_POSTS)]  # fmt: skip
    statuses = [_status(i, user, name, text, now - timedelta(hours=hours), base_url)
                for i, (user, name, hours, text) in enumerate(_TAG_POSTS)]  # fmt: skip
    as_json = "application/json"
    return {
        "/xrpc/com.atproto.identity.resolveHandle": (
            json.dumps({"did": BLUESKY_DID}).encode(),
            as_json,
        ),
        "/xrpc/app.bsky.actor.getProfile": (json.dumps(_profile()).encode(), as_json),
        "/xrpc/app.bsky.feed.getAuthorFeed": (json.dumps({"feed": feed}).encode(), as_json),
        f"/api/v1/timelines/tag/{TAG}": (json.dumps(statuses).encode(), as_json),
    }
