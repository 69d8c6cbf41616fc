"""Live topics: when one topic is added or edited, only its rules run again, and only over the
posts that can match them.

The search index finds those posts: every keyword, stemmed or not, matches only posts whose
stemmed tokens hold the keyword's (``posts_fts`` and ``plnctl.tagging`` stem the same way,
``plnctl.stemming``), so a phrase query per keyword gives a superset that the pure matcher then
decides exactly; an exact topic's keywords are looked up in the unstemmed index
(``posts_fts_exact``), where a word as written is found only as itself. Hashtags come from
``post_hashtags`` (and from the text, through the index), categories from a ``LIKE`` on their
words; posts kept out of the index (opted out) are always examined. An edit looks at less: the
posts its added rules may match, and the tagged posts whose reason names a rule it removed.
``topic rebuild`` still reads every post.
"""

from __future__ import annotations

import json
import re
from collections.abc import Callable, Iterable, Mapping, Sequence
from dataclasses import dataclass
from typing import TYPE_CHECKING

from plnctl.models import RuleKind
from plnctl.store import post_tags as tags_db
from plnctl.store import topics as db
from plnctl.tagging import Matcher, TopicRules, fold, normalize_hashtag, tokens
from plnctl.timeutil import now_iso

if TYPE_CHECKING:
    from plnctl.api.topics import TopicsService
    from plnctl.store import Store

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

    By default every post the rules may match is examined, and every post the topic tags now.
    An edit passes the rules it added as ``added``: then only the posts those may match are
    examined, plus the tagged posts whose reason is LIKE one of ``recheck`` (patterns for the
    rules it removed: a post tagged for other reasons keeps the topic; "%" rechecks every
    tagged post, after an exclude was added). No untagged post can gain the topic from a
    removal."""
    store = service.store
    matcher = service.matcher(only=[topic_id])
    rules = matcher.topics[0].rules if matcher.topics else None
    scope = candidate_posts(service, added or rules) if rules is not None else set()
    if scope is not None:
        if added is None:
            scope |= db.rule_tagged_ids(store, topic_id)
        elif recheck:
            scope |= db.rule_tagged_ids(store, topic_id, reason_like=recheck)
    result = retag_posts(service, matcher, scope, topic_ids=[topic_id])
    return result.tagged, result.untagged


@dataclass(frozen=True)
class Retagged:
    posts: int  # live posts examined
    tagged: int  # (post, topic) rule tags added
    untagged: int  # rule tags removed


def retag_posts(
    service: TopicsService,
    matcher: Matcher,
    post_ids: Iterable[int] | None,
    *,
    topic_ids: Sequence[int] | None,
) -> Retagged:
    """Match the live posts ``post_ids`` (None: every live post) against ``matcher`` (the
    rules of ``topic_ids``, None: of every topic), and make their rule tags of those topics
    what it says, writing only the tags that change; rule tags on deleted posts go, as a
    rebuild leaves none. Manual and blocked tags win over a rule's.

    How the posts are matched: ``plnctl.api.topic_match``."""
    from plnctl.api.topic_match import Plan, matched_chunks

    store = service.store
    plan = Plan.make(store, matcher)
    stamp, examined, tagged = now_iso(), 0, 0
    untagged = tags_db.drop_rule_tags_of_deleted_posts(store, topic_ids)
    ids = None if post_ids is None else sorted(post_ids)
    for chunk_ids, new in matched_chunks(store, plan, ids):
        added, removed = _write_changes(store, new, chunk_ids, topic_ids, at=stamp)
        examined, tagged, untagged = examined + len(chunk_ids), tagged + added, untagged + removed
    return Retagged(examined, tagged, untagged)


def _write_changes(
    store: Store,
    new: dict[tags_db.TagKey, str],
    post_ids: Sequence[int],
    topic_ids: Sequence[int] | None,
    *,
    at: str,
) -> tuple[int, int]:
    """Make the rule tags of these posts (of these topics) ``new``; (added, removed)."""
    old = tags_db.tags_of_posts(store, post_ids, topic_ids)
    insert = [(*key, reason) for key, reason in new.items() if key not in old]
    update = [
        (*key, reason)
        for key, reason in new.items()
        if key in old and old[key][0] == "rule" and old[key][1] != reason
    ]
    delete = [key for key, (origin, _reason) in old.items() if origin == "rule" and key not in new]
    tags_db.write_rule_tags(store, insert=insert, update=update, delete=delete, at=at)
    return len(insert), len(delete)


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
        folded = fold(category)
        ascii_words = _ASCII_WORD.findall(folded)
        if ascii_words:
            categories.append(max(ascii_words, key=len))
        elif folded.isascii():
            return None  # punctuation only: a LIKE cannot narrow it
        # else only a post's non-ASCII category can fold like it: ``keep_categories``
    return db.candidate_post_ids(
        service.store,
        match=" OR ".join(phrases) or None,
        hashtags=_hashtag_spellings(service, rules.hashtags),
        category_words=categories,
        exact=rules.exact,  # every match as written is one of the unstemmed index's
        keep_categories=_folds_like(rules.categories) if rules.categories else None,
    )


def _hashtag_spellings(service: TopicsService, hashtags: Sequence[str]) -> list[str]:
    """The hashtags as stored (lower case) that fold like one of ``hashtags``: an ASCII one as
    the rule folds it, and the stored non-ASCII ones that fold the same ("Éducation")."""
    if not hashtags:
        return []
    wanted = {normalize_hashtag(t) for t in hashtags}
    stored = [t for t in db.non_ascii_hashtags(service.store) if normalize_hashtag(t) in wanted]
    return sorted({t for t in wanted if t.isascii()} | set(stored))


def _folds_like(categories: Sequence[str]) -> Callable[[str], bool]:
    """Whether a post's categories (JSON) hold one that folds like one of ``categories``: what
    the ASCII ``LIKE`` cannot see ("Évaluation" stored escaped, for "evaluation")."""
    wanted = {" ".join(fold(c).split()) for c in categories}

    def keep(stored: str) -> bool:
        try:
            found = json.loads(stored)
        except ValueError:
            return True  # not ours to judge: the matcher reads the post
        return any(" ".join(fold(c).split()) in wanted for c in found if isinstance(c, str))

    return keep
