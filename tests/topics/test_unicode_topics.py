"""Issue 17 on any Unicode text: posts from a loopback feed in many scripts and with the
characters Python and the search index fold differently (ß, ligatures, fullwidth and
mathematical letters, Turkish i, Greek final sigma, accents written decomposed, Indic vowel
signs, Hebrew points, CJK, emoji old and new, joiners, private-use characters). A live
``topic add`` tags exactly what ``topic rebuild`` tags, and a quoted search finds exactly the
posts a stemmed topic keyword matches."""

from __future__ import annotations

import pytest

from plnctl.api import Pln
from tests.conftest import Cli
from tests.servers.feed_server import FeedServer
from tests.topics.conftest import AddPosts
from tests.topics.helpers import post
from tests.topics.test_teacher import follow, search_titles, sync

POSTS = [
    ("u1", "Die Straße zur Schule", "Wir gehen die Straße entlang."),
    ("u2", "STRASSE works", "Strasse, strasse."),
    ("u3", "ẞ capital sharp s", "GROẞE Straßen"),
    ("u4", "ﬁnding good books", "The ﬁrst ﬁnal ﬂoor."),
    ("u5", "Finding good books", "Plain ASCII finding."),
    ("u6", "Ｆｉｎｄｉｎｇ ＡＩ tools", "Fullwidth ＡＩ in class."),
    ("u7", "𝐀𝐈 in class", "Mathematical 𝐟𝐢𝐧𝐝𝐢𝐧𝐠 letters."),
    ("u8", "İstanbul trip", "DİYARBAKIR and ıslak, ISTANBUL."),
    ("u9", "Istanbul again", "istanbul istanbuł"),
    ("u10", "ΟΔΟΣ and οδος", "Η οδός είναι μακριά."),
    ("u11", "Cafe\u0301 culture", "A cafe\u0301 and a café."),
    ("u12", "Café culture", "Precomposed café."),
    ("u13", "مرحبا بالطلاب", "مرحبا في الصف"),
    ("u14", "שָׁלוֹם כיתה", "שלום לכולם"),
    ("u15", "हिंदी पढ़ना", "हिंदी की कक्षा"),
    ("u16", "数学の本を読む", "我们读数学书"),
    ("u17", "📚reading corner", "🥲assessment week"),
    ("u17b", "Smiles", "😀assessment day"),
    ("u18", "Assessment\u200dweek", "teacher\u200dassessment 👩\u200d🏫 assessment"),
    ("u19", "micro:bit\ue000 club", "micro:bit🥲 day"),
    ("u20", "Micro:bit club", "A micro:bit day."),
    ("u21", "Assessments galore", "Formative assessments."),
    ("u22", "Die Straße", "#Éducation and #Straße and #strasse"),
    ("u23", "ŉ and ǅ", "Ǆemal ǆemal"),
    ("u24", "Hindi without signs", "ह द together"),
    ("u25", "Emoji hashtag", "#education🥲 is one word to the index"),
]

# name, keyword (stemmed unless a topic is marked exact)
TOPICS = [
    ("strassen", "strasse"),
    ("street", "Straße"),
    ("sharp", "ß"),
    ("finding", "finding"),
    ("ligature", "ﬁnding"),
    ("fullwidth", "ＡＩ"),
    ("math letters", "𝐀𝐈"),
    ("turkish", "istanbul"),
    ("dotted", "İstanbul"),
    ("greek", "οδος"),
    ("greek capital", "ΟΔΟΣ"),
    ("cafe", "café"),
    ("decomposed", "cafe\u0301"),
    ("arabic", "مرحبا"),
    ("hebrew", "שלום"),
    ("hebrew points", "שָׁלוֹם"),
    ("hindi", "हिंदी"),
    ("cjk", "数学の本を読む"),
    ("assessment", "assessment"),
    ("joined", "teacher assessment"),
    ("dz", "ǆemal"),
]
AS_WRITTEN = [("micro", "micro:bit"), ("emoji", "🥲assessment")]
HASHTAGS = [("education", "#education"), ("hashtag sharp", "#straße")]


def _tags(cli: Cli) -> dict[str, set[str]]:
    """topic -> titles of the posts it tags."""
    tagged = {}
    for name in (t["name"] for t in cli("topic", "list", "--json").json()):
        listed = cli("post", "list", "--topic", name, "--limit", "500", "--json")
        assert listed.exit_code == 0, listed.stderr
        tagged[name] = {p["title"] for p in listed.json()}
    return tagged


@pytest.fixture
def unicode_cli(cli: Cli, feed_server: FeedServer) -> Cli:
    follow(cli, feed_server, "Ana", [(guid, title, text, 1) for guid, title, text in POSTS])
    sync(cli)
    return cli


def test_live_topics_tag_what_a_rebuild_tags_in_any_script(unicode_cli: Cli) -> None:
    cli = unicode_cli
    for name, keyword in [*TOPICS, *AS_WRITTEN]:
        added = cli("topic", "add", name, "--keyword", keyword)
        assert added.exit_code == 0, added.stderr
    for name, tag in HASHTAGS:
        assert cli("topic", "add", name, "--hashtag", tag).exit_code == 0
    assert cli("topic", "add", "exact", "-k", "Straße", "-k", "ǆemal", "--exact").exit_code == 0
    live = _tags(cli)
    rebuilt = cli("topic", "rebuild")
    assert rebuilt.exit_code == 0, rebuilt.stderr
    assert _tags(cli) == live
    # what the index says is the same word, the topics say too (and nothing more)
    assert live["strassen"] == {"STRASSE works", "Die Straße"}  # "ß" is not "ss" for the index
    assert live["street"] == {"Die Straße zur Schule", "Die Straße"}  # not "Straßen"
    assert live["sharp"] == {"ẞ capital sharp s"}
    assert live["finding"] == {"Finding good books"}
    assert live["ligature"] == {"ﬁnding good books"}  # the index keeps the ligature
    assert live["fullwidth"] == {"Ｆｉｎｄｉｎｇ ＡＩ tools"}
    assert live["math letters"] == {"𝐀𝐈 in class"}
    assert live["turkish"] == live["dotted"] == {"İstanbul trip", "Istanbul again"}
    assert live["greek"] == live["greek capital"] == {"ΟΔΟΣ and οδος"}
    assert live["cafe"] == live["decomposed"] == {"Cafe\u0301 culture", "Café culture"}
    assert live["arabic"] == {"مرحبا بالطلاب"}
    assert live["hebrew"] == {"שָׁלוֹם כיתה"}  # its text is unpointed
    assert live["hebrew points"] == {"שָׁלוֹם כיתה"}  # its title: points split the word
    assert live["hindi"] == {"हिंदी पढ़ना", "Hindi without signs"}  # vowel signs split too
    assert live["cjk"] == {"数学の本を読む"}
    assert live["assessment"] == {
        "Smiles",  # 😀 is a symbol to the index; 🥲 (newer than its tables) a letter
        "Assessment\u200dweek",
        "Assessments galore",
    }
    assert live["joined"] == {"Assessment\u200dweek"}  # a joiner splits words
    assert live["micro"] == {"Micro:bit club"}  # a private-use character or 🥲 joins "bit"
    assert live["emoji"] == {"📚reading corner"}
    # the feed reader lists "#education" among the post's hashtags (a fact of the post)
    assert live["education"] == {"Die Straße", "Emoji hashtag"}
    assert live["hashtag sharp"] == {"Die Straße"}
    assert live["dz"] == {"ŉ and ǅ"}
    assert live["exact"] == {"Die Straße zur Schule", "Die Straße", "ŉ and ǅ"}


def test_search_finds_what_a_topic_keyword_matches_and_nothing_else(unicode_cli: Cli) -> None:
    cli = unicode_cli
    for name, keyword in TOPICS:
        assert cli("topic", "add", name, "--keyword", keyword).exit_code == 0
    tagged = _tags(cli)
    for name, keyword in TOPICS:
        found = search_titles(cli, '"' + keyword + '"', "--limit", "500")
        assert found == tagged[name], (name, keyword)


def test_live_hashtag_and_category_rules_find_accented_and_uppercase_spellings(
    pln: Pln, add_posts: AddPosts
) -> None:
    ids = add_posts(
        "Ana",
        post("h1", "One", "no tag in the text", hashtags=("Éducation",)),
        post("h2", "Two", "no tag in the text", hashtags=("EDUCATION",)),
        post("h3", "Three", "no tag in the text", hashtags=("Straße",)),
        post("c1", "Four", "no category in the text", categories=("Évaluation",)),
        post("c2", "Five", "no category in the text", categories=("ÉVALUATION  Formative",)),
        post("c3", "Six", "no category in the text", categories=("数学",)),
        post("c4", "Seven", "no category in the text", categories=("Evaluation",)),
    )
    pln.topics.add("education", hashtags=["#education"])
    pln.topics.add("sharp", hashtags=["#STRAßE"])
    pln.topics.add("evaluation", categories=["evaluation"])
    pln.topics.add("formative", categories=["Évaluation Formative"])
    pln.topics.add("maths", categories=["数学"])
    live = {
        name: tagged(pln, name)
        for name in ("education", "sharp", "evaluation", "formative", "maths")
    }
    pln.topics.rebuild()
    assert {name: tagged(pln, name) for name in live} == live
    assert live == {
        "education": {ids[0], ids[1]},
        "sharp": {ids[2]},
        "evaluation": {ids[3], ids[6]},
        "formative": {ids[4]},
        "maths": {ids[5]},
    }


def tagged(pln: Pln, topic: str) -> set[int]:
    return {p.id for p in pln.posts.list(topic=topic, limit=100)}
