"""The fast path's entry dicts answer every lookup as feedparser's FeedParserDict does: its
aliases (``description`` -> ``summary``, ``guid`` -> ``id``, ...), its computed keys
(``enclosures`` from the links, ``category``, ``license``, ``updated`` falling back to
``published``) and plain keys, present or missing."""

from __future__ import annotations

import warnings
from typing import Any

from feedparser.util import FeedParserDict
from hypothesis import given, settings
from hypothesis import strategies as st

from plnctl.fetchers.fastfeed import _entry_dict_class

NAMES = sorted(
    {*FeedParserDict.keymap, "category", "enclosures", "license", "updated", "updated_parsed",
     "published", "published_parsed", "summary", "subtitle", "summary_detail", "href", "id",
     "title", "link", "links", "tags", "author", "content", "media_content", "nothing"}
)  # fmt: skip
LINKS = st.lists(
    st.fixed_dictionaries(
        {"rel": st.sampled_from(["alternate", "enclosure", "license"])},
        optional={"href": st.sampled_from(["https://a.example/x", ""]), "type": st.just("a/b")},
    ),
    max_size=3,
)
VALUES: dict[str, Any] = {
    "links": LINKS,
    "tags": st.lists(st.fixed_dictionaries({"term": st.sampled_from(["edu", ""])}), max_size=2),
}


def _answer(entry: dict[str, Any], key: str) -> tuple[object, ...]:
    def outcome(lookup: Any) -> tuple[str, object]:
        try:
            return ("is", lookup())
        except (KeyError, IndexError, TypeError) as e:
            return ("raises", type(e))

    with warnings.catch_warnings():
        warnings.simplefilter("ignore", DeprecationWarning)  # updated -> published
        return (
            outcome(lambda: entry[key]),
            outcome(lambda: entry.get(key, "default")),
            outcome(lambda: key in entry),
        )


@settings(max_examples=400, deadline=None)
@given(
    st.dictionaries(
        st.sampled_from([n for n in NAMES if n not in ("category", "enclosures", "license")]),
        st.text(max_size=3),
        max_size=8,
    ),
    st.fixed_dictionaries({}, optional=VALUES),
)
def test_entry_dict_answers_what_feedparser_dict_answers(
    plain: dict[str, str], structured: dict[str, Any]
) -> None:
    data = {**plain, **structured}
    ours, theirs = _entry_dict_class()(data), FeedParserDict(data)
    for key in NAMES:
        assert _answer(ours, key) == _answer(theirs, key), key
