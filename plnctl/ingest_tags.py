"""Topic tags computed where feeds are parsed, so tagging runs in the parser processes in
parallel with fetching and storing, instead of on the sync's main thread afterwards.

The sync engine sets the compiled rules (a pure ``tagging.Matcher``) before it forks its parser
processes; they inherit them. Where no rules were set (no topics, or a platform without fork),
nothing is computed here and the engine's ``on_new_posts`` hook tags the stored posts instead.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import replace
from typing import TYPE_CHECKING

from plnctl.store import topics as topics_db

if TYPE_CHECKING:
    from plnctl.fetchers.feed import ParsedFeed
    from plnctl.store import Store
    from plnctl.tagging import Matcher

Topics = dict[str, tuple[tuple[int, str], ...]]

_matcher: Matcher | None = None


def set_matcher(matcher: Matcher | None) -> None:
    """The rules to apply at parse time (None: leave tagging to the hook)."""
    global _matcher
    _matcher = matcher if matcher is not None and matcher.topics else None


def tag_parsed(parsed: ParsedFeed) -> ParsedFeed:
    """``parsed`` with the topics of each entry, by guid (unchanged without rules)."""
    matcher = _matcher
    if matcher is None:
        return parsed
    topics: Topics = {}
    for post in parsed.entries:
        matches = matcher.match(
            title=post.title, text=post.content_text, hashtags=post.hashtags,
            categories=post.categories,
        )  # fmt: skip
        topics[post.guid] = tuple((m.topic_id, m.reason) for m in matches)
    return replace(parsed, topics=topics)


def store_tags(store: Store, ids_by_guid: Mapping[str, int], topics: Topics, *, at: str) -> None:
    """Replace the rule tags of stored posts with the precomputed ones (manual and blocked tags
    stay, as with ``TopicsService.tag_new_posts``)."""
    if not ids_by_guid:
        return
    topics_db.clear_rule_tags(store, post_ids=list(ids_by_guid.values()))
    rows = [
        (post_id, topic_id, reason)
        for guid, post_id in ids_by_guid.items()
        for topic_id, reason in topics.get(guid, ())
    ]
    topics_db.insert_rule_tags(store, rows, at=at)
