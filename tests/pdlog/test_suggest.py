"""pd suggest: entries proposed from a week of reading, noting, asking and sharing; accepted
only by pd add --from-suggestion N, with numbers that stay those the user saw."""

from __future__ import annotations

from hypothesis import given
from hypothesis import strategies as st

from plnctl.models import Post, PostTag, TagOrigin
from plnctl.pd_suggest import WORDS_PER_MINUTE, reading_minutes, suggest
from plnctl.store import notes as notes_db
from tests.conftest import Cli
from tests.share.conftest import NOW, Sample, add_post, save


def _keys(sample: Sample) -> list[str]:
    return [s.key for s in sample.pln.pd.suggest(since="7d", at=NOW)]


def test_reading_time_at_230_words_a_minute() -> None:
    assert WORDS_PER_MINUTE == 230
    assert reading_minutes("word " * 230) == 1
    assert reading_minutes("word " * 231) == 2
    assert reading_minutes("word " * 690) == 3
    assert reading_minutes("") == 1


def test_suggestions_from_a_week_of_activity(sample: Sample) -> None:
    pln = sample.pln
    long_post = add_post(
        pln,
        sample.people["rivera"],
        fetched_at="2026-11-26T08:00:00Z",
        topics=("assessment",),
        url="https://rivera.example.edu/2026/long",
        title="Marking less, feeding back more",
        content_text="word " * 690,
    )
    save(pln, long_post, "2026-11-27T18:00:00Z", read=True)
    pln.notes.add("question", 1, "Three questions a lesson; spacing matters most")
    found = pln.pd.suggest(since="7d", at=NOW)
    assert [s.key for s in found] == [
        "question:1",
        "reading:2026-11-27:assessment",
        "reading:2026-11-27:literacy",
        "reading:2026-11-28:general reading",
    ]
    question, assessment, literacy, general = found
    # two posts on assessment that day: 1 minute + 3 minutes; a topic hint adds 5.1
    assert assessment.title == "Read 2 posts on assessment" and assessment.minutes == 4
    assert assessment.standards == ("6.2", "5.1") and assessment.type == "reading"
    assert assessment.evidence == (
        "https://rivera.example.edu/2026/retrieval",
        "https://rivera.example.edu/2026/long",
    )
    assert assessment.reflection == "share with the maths team"
    assert literacy.standards == ("6.2", "2.5")
    assert literacy.title == "Read: Reading aloud with teenagers"
    assert general.standards == ("6.2",)
    # the question answered by the network: 6.3, five minutes to ask + the answers
    assert question.standards == ("6.3",) and question.type == "network"
    assert question.minutes == 5 + 1 + 1 and question.date == "2026-11-27"
    assert question.evidence == (
        "https://edu.social/@me/1100",
        "https://edu.social/@sam/1110",
        "https://scholar.social/@lee/77",
    )
    assert "Dr. Lee" in question.reason and "Sam Okafor" in question.reason
    assert question.reflection == "Three questions a lesson; spacing matters most"
    assert pln.pd.list() == []  # nothing logged without the user's word


def test_notes_and_shares_count(sample: Sample) -> None:
    pln = sample.pln
    status = sample.posts["status"]
    with pln.store.transaction():
        notes_db.add_share(
            pln.store,
            network="mastodon",
            text="t",
            at="2026-11-27T13:00:00Z",
            post_id=status,
            url="https://social.example/@me/9",
        )
    found = {s.key: s for s in pln.pd.suggest(since="7d", at=NOW)}
    shares = found["shares:2026-11-27"]
    assert shares.type == "network" and shares.standards == ("7.4",)
    assert shares.evidence == ("https://social.example/@me/9", "https://edu.social/@sam/1123")
    assert status in found["reading:2026-11-27:assessment"].post_ids  # the shared post was read
    later = {s.key for s in pln.pd.suggest(since="12h", at=NOW)}  # from 27 Nov 19:00
    assert "shares:2026-11-27" not in later and "reading:2026-11-28:general reading" in later


def test_numbers_are_kept_until_suggest_runs_again(cli: Cli, sample: Sample) -> None:
    listed = cli("pd", "suggest", "--since", "30d")
    assert listed.exit_code == 0, listed.stderr
    lines = [line for line in listed.stdout.splitlines() if line.startswith("[")]
    second = lines[1]
    # new activity after the list was shown does not shift the numbers
    save(sample.pln, sample.posts["late"], "2026-11-28T06:00:00Z")
    added = cli(
        "pd", "add", "--from-suggestion", "2", "--priority", "Literacy and numeracy", "--json"
    )
    assert added.exit_code == 0, added.stderr
    (entry,) = added.json()  # type: ignore[misc]
    assert entry["title"] in second and entry["priority"] == "Literacy and numeracy"
    assert entry["suggestion_key"]
    again = cli("pd", "add", "--from-suggestion", "2")
    assert again.exit_code == 2 and "already in your log" in again.stderr
    assert cli("pd", "add", "--from-suggestion", "99").exit_code == 4
    assert cli("pd", "add", "--from-suggestion", "two").exit_code == 2
    relisted = cli("pd", "suggest", "--since", "30d", "--json").json()
    assert entry["suggestion_key"] not in {s["key"] for s in relisted}  # type: ignore[index, union-attr]
    assert [s["number"] for s in relisted] == list(range(1, len(relisted) + 1))  # type: ignore[arg-type, index]


def test_accept_before_suggest(cli: Cli) -> None:
    result = cli("pd", "add", "--from-suggestion", "1")
    assert result.exit_code == 4 and "run plnctl pd suggest first" in result.stderr


_posts = st.lists(
    st.tuples(
        st.sampled_from(["assessment", "literacy", None]),
        st.integers(0, 2000),
        st.sampled_from(["2026-11-25T10:00:00Z", "2026-11-26T23:59:59Z", "2026-11-27T00:00:00Z"]),
    ),
    max_size=15,
)


@given(_posts)
def test_every_post_lands_in_one_reading_suggestion(items: list) -> None:  # type: ignore[type-arg]
    posts = [
        Post(id=n, source_id=1, person_id=1, guid=str(n), url=f"https://x.example/{n}",
             title=None, author=None, published_at=None, updated_at=None, content_html=None,
             content_text="w " * words, fetched_at=at, read_at=at, saved_at=at,
             tags=(PostTag(topic, TagOrigin.RULE, "r"),) if topic else ())
        for n, (topic, words, at) in enumerate(items, start=1)
    ]  # fmt: skip
    found = suggest(posts, [], after="2026-11-20T00:00:00Z", until="2026-11-28T00:00:00Z")
    placed = [pid for s in found for pid in s.post_ids]
    assert sorted(placed) == [p.id for p in posts]
    assert sum(s.minutes for s in found) == sum(reading_minutes(p.content_text) for p in posts)
    assert len({s.key for s in found}) == len(found)
    assert all(s.date == s.key.split(":")[1] for s in found)
