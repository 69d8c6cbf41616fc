"""Topics through the Python API: rules, ingest tagging, rebuilds, manual tags, taxonomy."""

from __future__ import annotations

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from plnctl.api import Pln
from plnctl.errors import AlreadyExists, Ambiguous, InvalidInput, NotFound
from plnctl.models import RuleKind
from plnctl.taxonomy import starter_taxonomy
from tests.topics.conftest import AddPosts
from tests.topics.helpers import post, tags_of, topic_names


def test_add_show_edit_remove(pln: Pln) -> None:
    topic = pln.topics.add(
        "Assessment",
        keywords=["formative  assessment", "rubric"],
        hashtags=["#AfL"],
        categories=["Grading"],
        excludes=["risk assessment"],
        description="How we check learning",
    ).topic
    rules = {(r.kind.value, r.value) for r in topic.rules}
    assert rules == {
        ("keyword", "formative assessment"),
        ("keyword", "rubric"),
        ("hashtag", "afl"),
        ("category", "Grading"),
        ("exclude", "risk assessment"),
    }
    assert pln.topics.resolve("assessment").id == topic.id
    assert pln.topics.resolve(str(topic.id)).name == "Assessment"
    with pytest.raises(AlreadyExists):
        pln.topics.add("ASSESSMENT")
    edited = pln.topics.edit(
        "assessment",
        rename="Assessment & feedback",
        add={RuleKind.KEYWORD: ["feedback"]},
        remove={RuleKind.HASHTAG: ["#afl"], RuleKind.KEYWORD: ["RUBRIC"]},
    ).topic
    assert edited.name == "Assessment & feedback"
    assert {r.value for r in edited.rules if r.kind is RuleKind.KEYWORD} == {
        "formative assessment",
        "feedback",
    }
    with pytest.raises(NotFound, match="no hashtag rule"):
        pln.topics.edit("assessment", remove={RuleKind.HASHTAG: ["nope"]})
    removed = pln.topics.remove("assessment & feedback")
    assert removed.topic.id == topic.id
    assert pln.topics.list() == []


@pytest.mark.parametrize(
    ("kwargs", "message"),
    [
        ({"hashtags": ["two words"]}, "invalid hashtag"),
        ({"hashtags": ["#"]}, "invalid hashtag"),
        ({"keywords": ["   "]}, "empty keyword"),
    ],
)
def test_invalid_rules_store_nothing(pln: Pln, kwargs: dict, message: str) -> None:
    with pytest.raises(InvalidInput, match=message):
        pln.topics.add("t", **kwargs)
    assert pln.topics.list() == []


def test_resolve_hints(pln: Pln) -> None:
    pln.topics.add("digital literacy")
    pln.topics.add("data literacy")
    assert pln.topics.resolve("digital").name == "digital literacy"
    with pytest.raises(Ambiguous, match="'data literacy', 'digital literacy'"):
        pln.topics.resolve("literacy")
    with pytest.raises(NotFound, match="did you mean 'data literacy'"):
        pln.topics.resolve("data literacyy")
    with pytest.raises(NotFound, match="see: plnctl topic list"):
        pln.topics.resolve("zzz")


def test_ingest_tagging_and_rebuild(pln: Pln, add_posts: AddPosts) -> None:
    pln.topics.add("assessment", keywords=["rubric"], excludes=["risk assessment"])
    ids = add_posts(
        "Ana",
        post("1", "My rubric", "text"),
        post("2", "Trip rubric", "the risk assessment"),
        post("3", "Other", "nothing"),
    )
    pln.topics.tag_new_posts(ids)
    assert topic_names(pln, ids) == [{"assessment"}, set(), set()]
    assert tags_of(pln, ids[0]) == {"assessment": ("rule", 'keyword "rubric" in title')}
    # rules change: the topic's tags follow at once
    change = pln.topics.edit("assessment", add={RuleKind.KEYWORD: ["nothing"]})
    assert (change.tagged, change.untagged) == (1, 0)
    assert topic_names(pln, ids)[2] == {"assessment"}
    report = pln.topics.rebuild()
    assert (report.posts, report.rule_tags_before, report.rule_tags) == (3, 2, 2)
    assert topic_names(pln, ids) == [{"assessment"}, set(), {"assessment"}]
    assert pln.topics.resolve("assessment").post_count == 2
    assert [p.id for p in pln.posts.list(topic="assessment")] == [ids[2], ids[0]]


def test_updated_post_is_retagged(pln: Pln, add_posts: AddPosts) -> None:
    pln.topics.add("assessment", keywords=["rubric"])
    (post_id,) = add_posts("Ana", post("1", "My rubric", "text"))
    pln.topics.tag_new_posts([post_id])
    (again,) = add_posts("Ana", post("1", "Edited: no longer", "text"))
    assert again == post_id
    pln.topics.tag_new_posts([post_id])
    assert tags_of(pln, post_id) == {}


def test_manual_tags_and_removals_survive_rebuilds(pln: Pln, add_posts: AddPosts) -> None:
    pln.topics.add("assessment", keywords=["rubric"])
    ids = add_posts("Ana", post("1", "rubric one"), post("2", "rubric two"), post("3", "three"))
    pln.topics.rebuild()
    pln.topics.untag_post(ids[0], "assessment")  # a rule tag: blocked
    pln.topics.tag_post(ids[2], "assessment")  # manual
    pln.topics.tag_post(ids[1], "Reading list")  # manual, a new topic
    for _ in range(2):
        report = pln.topics.rebuild()
        assert (report.rule_tags, report.manual_tags, report.blocked_tags) == (1, 2, 1)
        assert topic_names(pln, ids) == [set(), {"assessment", "Reading list"}, {"assessment"}]
    assert tags_of(pln, ids[0])["assessment"] == (
        "blocked",
        'removed by hand (rule: keyword "rubric" in title)',
    )
    pln.topics.tag_new_posts(ids)  # a re-sync respects them too
    assert topic_names(pln, ids) == [set(), {"assessment", "Reading list"}, {"assessment"}]
    # untagging a manual tag deletes it; tagging a blocked one by hand makes it manual
    pln.topics.untag_post(ids[2], "assessment")
    pln.topics.tag_post(ids[0], "assessment")
    pln.topics.rebuild()
    assert topic_names(pln, ids) == [{"assessment"}, {"assessment", "Reading list"}, set()]
    assert tags_of(pln, ids[0])["assessment"][0] == "manual"


def test_tag_errors(pln: Pln, add_posts: AddPosts) -> None:
    (post_id,) = add_posts("Ana", post("1", "hello"))
    pln.topics.add("assessment")
    with pytest.raises(NotFound, match="no post with id 999"):
        pln.topics.tag_post(999, "assessment")
    with pytest.raises(NotFound, match="not tagged with 'assessment'"):
        pln.topics.untag_post(post_id, "assessment")
    with pytest.raises(NotFound, match="no topic"):
        pln.topics.untag_post(post_id, "nope")


def test_people_linked_to_a_topic_are_a_hint(pln: Pln, add_posts: AddPosts) -> None:
    ids = add_posts("Ana", post("1", "weekend notes")) + add_posts("Ben", post("2", "weekend"))
    change = pln.topics.add("maths", people=["Ana"])
    assert (change.tagged, change.untagged) == (0, 0)
    pln.topics.tag_new_posts(ids)
    assert topic_names(pln, ids) == [set(), set()]  # the author's link tags nothing
    assert pln.topics.resolve("maths").people == ("Ana",)
    assert pln.people.resolve("Ana").topics == ("maths",)
    pln.topics.edit("maths", remove={RuleKind.PERSON: ["Ana"]})
    assert pln.topics.resolve("maths").people == ()


def test_starter_taxonomy(pln: Pln, add_posts: AddPosts) -> None:
    pln.topics.add("digital literacy", keywords=["mine"])
    assert pln.topics.install_starter_taxonomy(region="us") == len(starter_taxonomy("us")) - 1
    assert pln.topics.install_starter_taxonomy(region="us") == 0
    assert pln.topics.resolve("digital literacy").rules[0].value == "mine"  # kept as it was
    ids = add_posts(
        "Ana",
        post("1", "Picture books for Year 2", "A read aloud list. #KidLit"),
        post("2", "Our micro:bit club", "Physical computing with #microbit"),
        post("3", "Media literacy", "Teaching digital literacy and fake news"),
        post("4", "Assessment for learning", "Formative assessment and rubrics #edchat"),
        post("5", "Lunch", "Nothing to see"),
    )
    pln.topics.rebuild()
    assert topic_names(pln, ids) == [
        {"literacy & picture books"},
        {"STEM & micro:bit"},
        set(),  # "digital literacy" now has only the user's rule; picture books excludes it
        {"assessment & online testing", "education chat"},
        set(),
    ]


texts = st.lists(
    st.sampled_from(["rubric", "risk", "assessment", "#edchat", "Évaluation", "x", "y"]),
    max_size=6,
).map(" ".join)


@settings(max_examples=25, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(titles=st.lists(texts, min_size=1, max_size=5))
def test_tagging_is_idempotent(pln: Pln, titles: list[str]) -> None:
    if not pln.topics.list():
        pln.topics.add("a", keywords=["rubric", "evaluation"], excludes=["risk"])
        pln.topics.add("b", hashtags=["edchat"])
    pln.store.conn.execute("DELETE FROM posts")
    ids = []
    with pln.store.transaction():
        for i, title in enumerate(titles):
            cursor = pln.store.conn.execute(
                "INSERT INTO posts (guid, title, fetched_at) VALUES (?, ?, '2026-01-01T00:00:00Z')",
                (str(i), title),
            )
            ids.append(int(cursor.lastrowid or 0))
    pln.topics.tag_new_posts(ids)
    once = [tags_of(pln, i) for i in ids]
    pln.topics.tag_new_posts(ids)
    assert [tags_of(pln, i) for i in ids] == once
    pln.topics.rebuild()
    pln.topics.rebuild()
    assert [tags_of(pln, i) for i in ids] == once


WORDS = ["hinge", "questions", "question", "Questioning", "rubric", "rubrics", "#EdChat", "x"]
post_texts = st.lists(st.sampled_from([*WORDS, "micro:bit", "c++", "Évaluation", "-"]), max_size=6)
rule_terms = st.lists(
    st.sampled_from(["hinge question", "question", "rubric", "micro:bit", "c++", "evaluation"]),
    min_size=1,
    max_size=3,
    unique=True,
)


@settings(
    max_examples=30, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture]
)
@given(
    texts=st.lists(st.tuples(post_texts, post_texts, st.booleans()), min_size=1, max_size=6),
    keywords=rule_terms,
    excludes=st.lists(st.sampled_from(["rubrics", "x y", "évaluation"]), max_size=1),
    exact=st.booleans(),
    edit=st.tuples(
        st.sampled_from(["keyword", "exclude", "remove keyword", "remove exclude", "exact"]),
        st.sampled_from(["question", "rubrics", "hinge question", "c++", "x"]),
    ),
)
def test_live_update_agrees_with_rebuild(
    pln: Pln,
    texts: list[tuple[list[str], list[str], bool]],
    keywords: list[str],
    excludes: list[str],
    exact: bool,
    edit: tuple[str, str],
) -> None:
    """The index finds every post one topic's rules can match (stemmed or exact, indexed or
    opted out), so the live update tags exactly what a full rebuild tags."""
    for topic in pln.topics.list():
        pln.topics.remove(topic.name)
    pln.store.conn.execute("DELETE FROM posts")
    with pln.store.transaction():
        for i, (title, text, indexed) in enumerate(texts):
            pln.store.conn.execute(
                "INSERT INTO posts (guid, title, content_text, indexed, fetched_at) "
                "VALUES (?, ?, ?, ?, '2026-01-01T00:00:00Z')",
                (str(i), " ".join(title), " ".join(text), int(indexed)),
            )
    change = pln.topics.add("t", keywords=keywords, excludes=excludes, exact=exact)
    live = {p.id for p in pln.posts.list(topic="t", limit=100)}
    assert change.tagged == len(live)
    pln.topics.rebuild()
    assert {p.id for p in pln.posts.list(topic="t", limit=100)} == live
    # then an edit: only the posts it can change are examined, with the same result
    kind, value = edit
    if kind == "exact":
        pln.topics.edit("t", exact=not exact)
    elif kind.startswith("remove "):
        present = {(r.kind.value, r.value) for r in pln.topics.resolve("t").rules}
        if (kind[7:], value) in present:
            pln.topics.edit("t", remove={RuleKind(kind[7:]): [value]})
    else:
        pln.topics.edit("t", add={RuleKind(kind): [value]})
    live = {p.id for p in pln.posts.list(topic="t", limit=100)}
    pln.topics.rebuild()
    assert {p.id for p in pln.posts.list(topic="t", limit=100)} == live, edit
