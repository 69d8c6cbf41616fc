"""Live topics: when one topic is added or edited, only its rules run again, and only over the
posts that can match them.

The search index finds those posts: every keyword, stemmed or not, matches only posts whose
stemmed tokens hold the keyword's (``posts_fts`` and ``plnctl.tagging`` stem the same way,
``plnctl.stemming``), so a phrase query per keyword gives a superset that the pure matcher then
decides exactly. Hashtags come from ``post_hashtags`` (and from the text, through the index),
categories from a ``LIKE`` on their words; posts kept out of the index (opted out) are always
examined. An edit looks at less: the posts its added rules may match, and the tagged posts
whose reason names a rule it removed. ``topic rebuild`` still reads every post.
"""

from __future__ import annotations

import re
from collections.abc import Mapping, Sequence
from typing import TYPE_CHECKING

from plnctl.models import RuleKind
from plnctl.store import topics as db
from plnctl.tagging import TopicRules, fold, tokens
from plnctl.timeutil import now_iso

if TYPE_CHECKING:
    from plnctl.api.topics import TopicsService

_BATCH = 5000
_ASCII_WORD = re.compile(r"[a-z0-9]+")


def retag_topic(
    service: TopicsService,
    topic_id: int,
    *,
    added: TopicRules | None = None,
    recheck: Sequence[str] | None = None,
) -> tuple[int, int]:
    """Re-run one topic's rules; returns (posts newly tagged, posts untagged). Manual and
    blocked tags stay as they are. Runs inside the caller's transaction.

    By default every post the rules may match is examined. An edit passes the rules it
    added as ``added``: then only the posts those may match are examined, plus the tagged
    posts whose reason is LIKE one of ``recheck`` (patterns for the rules it removed: a
    post tagged for other reasons keeps the topic; "%" rechecks every tagged post, after an
    exclude was added). No untagged post can gain the topic from a removal."""
    store = service.store
    matcher = service.matcher(only=[topic_id])
    before = db.rule_tagged_ids(store, topic_id)
    rules = matcher.topics[0].rules if matcher.topics else None
    scope = candidate_posts(service, added or rules) if rules is not None else set()
    if added is not None and scope is not None and recheck:
        scope |= db.rule_tagged_ids(store, topic_id, reason_like=recheck)
    if added is None or scope is None:
        db.clear_rule_tags(store, topic_ids=[topic_id])
    else:
        db.clear_rule_tags(store, post_ids=sorted(scope), topic_ids=[topic_id])
    if rules is not None:
        from plnctl.api.topics import _apply

        stamp, batch = now_iso(), []
        for row in db.iter_post_facts(store, None if scope is None else sorted(scope)):
            batch.extend(_apply(matcher, (row,)))
            if len(batch) >= _BATCH:
                db.insert_rule_tags(store, batch, at=stamp)
                batch.clear()
        db.insert_rule_tags(store, batch, at=stamp)
    after = db.rule_tagged_ids(store, topic_id)
    return len(after - before), len(before - after)


def reason_patterns(removed: Mapping[RuleKind, Sequence[str]]) -> list[str]:
    """LIKE patterns for the reasons a removed rule gives (see ``plnctl.tagging``): the
    posts that may lose the topic when those rules go."""
    patterns = []
    for kind, values in removed.items():
        for value in values:
            if kind is RuleKind.KEYWORD:
                patterns.append(f'%keyword "{_like_escape(value.strip())}"%')
            elif kind is RuleKind.HASHTAG:
                patterns.append(f"%hashtag #{_like_escape(value.strip().lstrip('#'))}%")
            else:  # a category's reason shows the post's spelling of it
                patterns.append(f'%{kind} "%')
    return patterns


def _like_escape(text: str) -> str:
    return text.replace("%", "_")  # "_" matches any one character: a superset, never less


def candidate_posts(service: TopicsService, rules: TopicRules) -> set[int] | None:
    """Ids of the live posts that may match ``rules`` (None: any post may; read them all)."""
    phrases = []
    for term in (*rules.keywords, *rules.hashtags):
        found = tokens(" ".join(fold(term).split()))
        if not found:
            return None  # a keyword of punctuation only ("++"): the index cannot find it
        phrases.append('"' + " ".join(found) + '"')
    categories = []
    for category in rules.categories:
        ascii_words = _ASCII_WORD.findall(fold(category))
        if not ascii_words:
            return None
        categories.append(max(ascii_words, key=len))
    return db.candidate_post_ids(
        service.store,
        match=" OR ".join(phrases) or None,
        hashtags=sorted({t.lstrip("#").lower() for t in rules.hashtags}),
        category_words=categories,
    )
