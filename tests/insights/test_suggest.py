"""`pln.insights.suggest` and `plnctl person suggest` on the generated network."""

from __future__ import annotations

from plnctl.api import Pln
from tests.insights.conftest import Network


def test_ranked_with_evidence_and_commands(pln: Pln, network: Network) -> None:
    found = pln.insights.suggest()
    assert [(s.target, s.score) for s in found] == [
        ("@zoe@other.social", 23),
        ("@xena@far.example", 20),
        ("https://old.example", 10),
        ("@yan@far.example", 8),
        ("https://blog.quinn.example", 4),
    ]
    zoe, xena, old, yan, quinn = found
    assert zoe.evidence == (
        "boosted 3 times by 2 people you follow",
        "mentioned twice by 2 people you follow",
    )
    assert zoe.command == 'plnctl person add "zoe" --mastodon @zoe@other.social'
    assert xena.evidence == ("answered 2 of your questions",)
    assert xena.command == 'plnctl person add "Xena" --mastodon @xena@far.example'
    assert old.evidence == ("answered 1 of your questions",)
    assert old.command == 'plnctl person add "Old Timer" --site https://old.example'
    assert yan.evidence == (
        "replied to once by 1 person you follow",
        "mentioned once by 1 person you follow",
    )
    assert quinn.evidence == ("linked twice by 2 people you follow",)
    assert quinn.signals == {"link": {"count": 2, "people": 2}}


def test_people_already_followed_and_noise_are_left_out(pln: Pln, network: Network) -> None:
    targets = {s.target for s in pln.insights.suggest(limit=None)}
    # ana@edu.social and ana.example.org are in the PLN; youtube is a platform; mentions in a
    # boost repeat the original's; a deleted post counts for nothing
    for absent in (
        "@ana@edu.social",
        "https://ana.example.org",
        "https://youtube.com",
        "@someone@else.example",
        "@ghost@gone.example",
        "@del@deleted.example",
    ):
        assert absent not in targets


def test_adding_a_suggestion_removes_it(pln: Pln, network: Network) -> None:
    from plnctl.models import SourceKind
    from plnctl.store import people as people_db

    with pln.store.transaction():
        zoe = people_db.insert_person(pln.store, "Zoe")
        people_db.insert_source(
            pln.store,
            zoe,
            SourceKind.MASTODON,
            "https://other.social/@zoe",
            handle="@Zoe@other.social",
        )
        quinn = people_db.insert_person(pln.store, "Quinn")
        people_db.insert_source(
            pln.store, quinn, SourceKind.FEED, "https://blog.quinn.example/feed"
        )
    assert [s.target for s in pln.insights.suggest()] == [
        "@xena@far.example",
        "https://old.example",
        "@yan@far.example",
    ]


def test_limit(pln: Pln, network: Network) -> None:
    assert [s.target for s in pln.insights.suggest(limit=2)] == [
        "@zoe@other.social",
        "@xena@far.example",
    ]


def test_cli_text_and_json(cli, live_network: Network) -> None:
    result = cli("person", "suggest", "--limit", "2")
    assert result.exit_code == 0, result.stderr
    assert result.stdout.splitlines()[:3] == [
        "1. zoe (@zoe@other.social)  score 23",
        "   boosted 3 times by 2 people you follow; mentioned twice by 2 people you follow",
        '   plnctl person add "zoe" --mastodon @zoe@other.social',
    ]
    assert "2. Xena (@xena@far.example)  score 20" in result.stdout
    data = cli("person", "suggest", "--json").json()
    assert isinstance(data, list) and len(data) == 5
    assert data[0]["evidence"][0] == "boosted 3 times by 2 people you follow"
    assert data[2]["command"] == 'plnctl person add "Old Timer" --site https://old.example'


def test_cli_empty_network(cli) -> None:
    result = cli("person", "suggest")
    assert result.exit_code == 0
    assert result.stdout == ""
    assert "No suggestions yet" in result.stderr
    assert cli("person", "suggest", "--json").json() == []


def test_cli_bad_limit(cli) -> None:
    assert cli("person", "suggest", "--limit", "0").exit_code == 2
