"""Importing a Bluesky account's follows and a starter pack from the loopback AppView."""

from __future__ import annotations

from plnctl.api import Pln
from plnctl.models import SourceKind
from tests.conftest import Cli
from tests.servers.appview import NO_UNAUTH, AppView


def _bluesky_people(pln: Pln) -> dict[str, str]:
    owners = pln.sources.owners()
    return {
        s.remote_id or "": owners[s.person_id].name
        for s in pln.sources.list()
        if s.kind is SourceKind.BLUESKY
    }


def test_import_follows_pages_and_merges_by_did(appview: AppView, pln: Pln, cli: Cli) -> None:
    me = appview.add_account("teacher.bsky.social", "Me")
    others = [appview.add_account(f"edu{n}.bsky.social", f"Educator {n}") for n in range(130)]
    appview.follow(me, *others)
    pln.people.add("Known Educator", bluesky=[others[0].did])
    result = cli("import", "bluesky-follows", "@teacher.bsky.social", "--json")
    assert result.exit_code == 0, result.stderr
    assert result.json() == {"created": 129, "merged": 1, "skipped": 0, "problems": []}
    people = _bluesky_people(pln)
    assert len(people) == 130
    assert people[others[0].did] == "Known Educator"  # merged, not renamed
    assert people[others[5].did] == "Educator 5"
    pages = [r for r in appview.requests if r[0].endswith("getFollows")]
    assert len(pages) == 2 and pages[1][1]["cursor"] == ["100"]
    again = cli("import", "bluesky-follows", "teacher.bsky.social")
    assert again.exit_code == 0
    assert "0 created, 130 merged" in again.stderr


def test_import_starter_pack_by_web_url(appview: AppView, pln: Pln, cli: Cli) -> None:
    curator = appview.add_account("curator.bsky.social", "Curator")
    members = [appview.add_account(f"sci{n}.bsky.social", None) for n in range(3)]
    quiet = appview.add_account("quiet.bsky.social", "Quiet", labels=[NO_UNAUTH])
    uri = appview.add_starter_pack(curator, "Science teachers", [*members, quiet])
    rkey = uri.rsplit("/", 1)[1]
    result = cli(
        "import",
        "bluesky-starter-pack",
        f"https://bsky.app/starter-pack/curator.bsky.social/{rkey}",
    )
    assert result.exit_code == 0, result.stderr
    assert "4 created" in result.stderr
    people = _bluesky_people(pln)
    assert people[members[1].did] == "sci1.bsky.social"  # no display name: the handle
    (withheld,) = [s for s in pln.sources.list() if s.remote_id == quiet.did]
    assert withheld.withheld


def test_unknown_pack_and_bad_address_are_one_line_errors(appview: AppView, cli: Cli) -> None:
    appview.add_account("curator.bsky.social")
    missing = cli(
        "import", "bluesky-starter-pack", "https://bsky.app/starter-pack/curator.bsky.social/3nope"
    )
    assert missing.exit_code == 4 and missing.stderr.count("\n") == 1
    assert "starter pack" in missing.stderr
    bad = cli("import", "bluesky-starter-pack", "https://example.com/pack")
    assert bad.exit_code == 2 and bad.stderr.startswith("Error:")
    nobody = cli("import", "bluesky-follows", "@nobody.bsky.social")
    assert nobody.exit_code == 4 and "nobody.bsky.social" in nobody.stderr


def test_opml_export_lists_bluesky_profiles_as_their_rss(
    appview: AppView, pln: Pln, cli: Cli
) -> None:
    from lxml import etree

    amara = appview.add_account("amara.bsky.social", "Amara")
    pln.people.add("Amara", bluesky=["@amara.bsky.social"])
    exported = cli("export", "opml")
    assert exported.exit_code == 0
    outlines = etree.fromstring(exported.stdout.encode()).findall(".//outline[@xmlUrl]")
    assert [o.get("xmlUrl") for o in outlines] == [f"https://bsky.app/profile/{amara.did}/rss"]
