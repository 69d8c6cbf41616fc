"""The starter taxonomy for educators (data: ``plnctl/data/taxonomy.toml``, one set of topics
with each region's spellings, hashtags and school-system terms), and words too common to
suggest as topics.

``plnctl topic init --region au|uk|us|nz|ca|ie`` installs these topics (skipping names you
already have); afterwards they are ordinary topics: edit, rename or remove them. Keywords are
whole words or phrases, stemmed when matched; hashtags are written without '#'.
"""

from __future__ import annotations

import tomllib
from importlib import resources
from typing import Any, TypedDict

from plnctl.errors import InvalidInput


class StarterTopic(TypedDict, total=False):
    name: str
    description: str
    keywords: list[str]
    hashtags: list[str]
    categories: list[str]
    excludes: list[str]


DEFAULT_REGION = "us"


def _data() -> dict[str, Any]:
    return tomllib.loads(
        resources.files("plnctl").joinpath("data/taxonomy.toml").read_text(encoding="utf-8")
    )


def regions() -> dict[str, str]:
    """Region code -> name: the school systems the taxonomy knows."""
    return {code: info["name"] for code, info in _data()["regions"].items()}


def region_from_locale(locale: str | None) -> str:
    """The region of a locale such as ``en_AU.UTF-8`` (``DEFAULT_REGION`` when unknown)."""
    tag = (locale or "").split(".")[0].split("@")[0].replace("-", "_")
    for code, info in _data()["regions"].items():
        if tag.lower() in (loc.lower() for loc in info["locales"]):
            return str(code)
    return DEFAULT_REGION


def starter_taxonomy(region: str = DEFAULT_REGION) -> tuple[StarterTopic, ...]:
    """The starter topics for a region: the shared rules plus that region's own spellings,
    hashtags and school-system terms (``plnctl/data/taxonomy.toml``)."""
    data = _data()
    if region not in data["regions"]:
        known = ", ".join(data["regions"])
        raise InvalidInput(f"unknown region {region!r}; choose one of: {known}")
    topics: list[StarterTopic] = []
    for raw in data["topics"]:
        if region not in raw.get("regions", data["regions"]):
            continue
        extra = raw.get("region", {}).get(region, {})
        topic: StarterTopic = {
            "name": extra.get("name", raw["name"]),
            "description": extra.get("description", raw.get("description", "")),
        }
        for key in ("keywords", "hashtags", "categories", "excludes"):
            values = list(dict.fromkeys([*raw.get(key, []), *extra.get(key, [])]))
            if values:
                topic[key] = values  # type: ignore[literal-required]
        topics.append(topic)
    return tuple(topics)


# Frequent words that never make a topic on their own (topic suggestions skip them).
_STOPWORDS_TEXT = """
a about above after again against all also am an and any are aren as at be because been
before being below between both but by can cannot could did didn do does doesn doing don down
during each even ever every few first for from further get gets getting go goes going got had
has hasn have haven having he her here hers herself him himself his how however i if in into
is isn it its itself just know last let like ll made make makes many may me might more most
much must my myself need new next no nor not now of off often on once one only or other our
ours ourselves out over own per put re really s same say says see she should shouldn so some
still such t take than that the their theirs them themselves then there these they thing
things think this those though through time to too two under until up us use used using ve
very via want was wasn way we week well were weren what when where which while who whom why
will with within without would year years yet you your yours yourself yourselves
also back day days great good lot lots part people post posts read today work year
http https www com org net html amp nbsp
zero three four five six seven eight nine ten eleven twelve twenty hundred thousand million
second third fourth fifth minute minutes hour hours month months ago
"""
STOPWORDS = frozenset(_STOPWORDS_TEXT.split())
