"""Mastodon: resolve accounts for sources, log in, import/export who you follow.

``MastodonService.plan_source`` is what ``pln.people.add(..., mastodon=[...])`` and
``pln.sources.add(person, "@user@host")`` call. Network work lives in
``plnctl.fetchers.mastodon`` (public API, async httpx) and ``plnctl.mastodon_auth``
(Mastodon.py: OAuth, posting, the logged-in following list).
"""

from __future__ import annotations

import asyncio
import csv
import io
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING, Any

from plnctl.api.sources import SourcePlan, http_settings, run
from plnctl.api.transfer import ImportReport
from plnctl.errors import FetchError, InvalidInput, NotFound, ParseError
from plnctl.models import SourceKind, SourceState, _Model
from plnctl.store import follow_options as follow_db
from plnctl.store import people as db

if TYPE_CHECKING:
    from plnctl.api import Pln
    from plnctl.fetchers.http import HttpClient
    from plnctl.fetchers.mastodon import Address

CSV_HEADER = ("Account address", "Show boosts", "Notify on new posts", "Languages")


@dataclass(frozen=True)
class Suggestion(_Model):
    """Something the user may want to follow: a moved account's new home, or a verified site."""

    person: str
    source_id: int
    kind: str  # moved | website
    target: str
    command: str


@dataclass(frozen=True)
class _Candidate:
    line: int | None
    address: Address
    fields: dict[str, Any] | None  # None: not resolved (the first sync resolves it)
    name: str
    options: dict[str, str] = field(default_factory=dict)  # follow settings from the CSV


# CSV column -> follow_options column; Mastodon's own defaults for an account it did not list
_OPTION_COLUMNS = {"show boosts": "show_boosts", "notify on new posts": "notify",
                   "languages": "languages"}  # fmt: skip
_DEFAULTS = {"show_boosts": "true", "notify": "false", "languages": ""}


@dataclass(frozen=True)
class CsvRow:
    line: int
    address: Address
    options: dict[str, str]  # show_boosts / notify / languages, as the file had them


def parse_following_csv(text: str) -> tuple[list[CsvRow], list[str]]:
    """Mastodon's ``following_accounts.csv`` (or an old one-column export) -> rows and one
    problem line per bad row (a bad row is skipped, the rest kept). Columns are read by the
    header's names when it has one, else by Mastodon's order. Duplicates are reported by the
    importer."""
    from plnctl.fetchers.mastodon import parse_address

    good: list[CsvRow] = []
    problems: list[str] = []
    names: list[str | None] = [None, *_OPTION_COLUMNS.values()]
    reader = csv.reader(io.StringIO(text))
    while True:
        try:
            row = next(reader)
        except StopIteration:
            break
        except csv.Error as e:  # a cell over the csv module's limit (131,072 characters)
            problems.append(f"line {reader.line_num}: {e} (skipped)")
            continue
        cells = [cell.strip() for cell in row]
        if not any(cells):
            continue
        if reader.line_num == 1 and cells[0].lower() == CSV_HEADER[0].lower():
            names = [_OPTION_COLUMNS.get(cell.lower()) for cell in cells]
            continue
        options = {n: c for n, c in zip(names, cells, strict=False) if n}
        try:
            good.append(CsvRow(reader.line_num, parse_address(cells[0]), options))
        except InvalidInput:
            problems.append(f"line {reader.line_num}: not an account address: {cells[0][:200]!r}")
    return good, problems


def render_following_csv(accounts: list[tuple[str, dict[str, str | None]]]) -> str:
    """Mastodon's four columns; each account's settings as they were imported (Mastodon's
    defaults for accounts followed some other way). Cells go through the CSV encoder."""
    from plnctl.render.exports import csv_text

    rows = []
    for acct, options in accounts:
        values = [options.get(k) for k in _DEFAULTS]
        rows.append([acct, *(v if v is not None else _DEFAULTS[k]
                             for k, v in zip(_DEFAULTS, values, strict=True))])  # fmt: skip
    return csv_text(CSV_HEADER, rows)


class MastodonService:
    def __init__(self, pln: Pln):
        self.pln = pln
        self.store = pln.store

    # --- sources ---------------------------------------------------------------------------

    def plan_source(self, handle_or_url: str) -> SourcePlan:
        """Resolve ``@user@host`` or ``https://host/@user`` on its home instance."""
        from plnctl.fetchers.mastodon import parse_address

        address, fields = run(self._resolve(parse_address(handle_or_url)))
        if fields.get("moved_to"):
            fields["state"] = SourceState.MOVED
        return SourcePlan(SourceKind.MASTODON, address.profile_url, fields)

    async def _resolve(self, address: Address) -> tuple[Address, dict[str, Any]]:
        """Look the account up where its address says; if that domain has no such account
        (or no Mastodon API), ask its WebFinger where it is hosted and look there."""
        from plnctl.fetchers.http import HttpClient
        from plnctl.fetchers.mastodon import webfinger

        async with HttpClient(http_settings(self.pln)) as client:
            try:
                return address, await self._lookup(client, address)
            except (NotFound, FetchError):
                home = await webfinger(client, address)
                if home is None:
                    raise
            return home, await self._lookup(client, home)

    async def _lookup(self, client: HttpClient, address: Address) -> dict[str, Any]:
        from plnctl.fetchers.mastodon import Refused, account_fields, lookup_account

        try:
            return account_fields(await lookup_account(client, address), address)
        except Refused as e:
            response = await client.get(address.rss_url)
            if response.status != 200:
                raise FetchError(f"{e}, and it has no public RSS for {address.handle}") from None
            return {"handle": address.handle, "title": address.handle, "via_rss": True}
        except NotFound:
            raise
        except (FetchError, ParseError) as e:
            raise FetchError(f"could not reach Mastodon instance {address.host}: {e}") from None

    def suggestions(self) -> list[Suggestion]:
        """Moved accounts to re-follow, and verified websites whose feed is not followed yet."""
        people = {p.id: p for p in db.list_people(self.store)}
        sources = db.list_sources(self.store)
        followed = {s.handle.lower() for s in sources if s.handle}
        sites = {(s.site_url or s.url).rstrip("/") for s in sources if s.kind is SourceKind.FEED}
        found: list[Suggestion] = []
        for s in sources:
            if s.kind is not SourceKind.MASTODON:
                continue
            name = people[s.person_id].name if s.person_id in people else str(s.person_id)
            ref = str(s.person_id)
            if s.moved_to and s.moved_to.lower() not in followed:
                command = f"plnctl source add {ref} {s.moved_to}"
                found.append(Suggestion(name, s.id, "moved", s.moved_to, command))
            for item in s.profile_fields:
                url = item.get("url")
                if item.get("verified_at") and url and url.rstrip("/") not in sites:
                    command = f"plnctl source add {ref} {url}"
                    found.append(Suggestion(name, s.id, "website", url, command))
        return found

    # --- login -----------------------------------------------------------------------------

    def login_url(self, host: str) -> str:
        from plnctl import mastodon_auth

        return mastodon_auth.authorization_url(self.pln.settings, host)

    def login(self, host: str, code: str) -> dict[str, Any]:
        from plnctl import mastodon_auth

        return mastodon_auth.complete_login(self.pln.settings, host, code)

    def whoami(self) -> dict[str, Any]:
        from plnctl import mastodon_auth

        return mastodon_auth.whoami(self.pln.settings)

    def logout(self) -> str | None:
        from plnctl import mastodon_auth

        return mastodon_auth.logout(self.pln.settings)

    def post_status(
        self, text: str, *, visibility: str = "public", in_reply_to_id: str | None = None
    ) -> dict[str, Any]:
        """Post as the logged-in account (used by questions and shares); returns {id, url,
        created_at}."""
        from plnctl import mastodon_auth

        login = mastodon_auth.require_login(self.pln.settings)
        return mastodon_auth.post_status(
            login.instance, login.token, text, visibility, in_reply_to_id=in_reply_to_id
        )

    # --- import / export -------------------------------------------------------------------

    def import_following(self) -> ImportReport:
        """The logged-in account's following list: one person per account, merged by handle."""
        from plnctl import mastodon_auth
        from plnctl.fetchers.mastodon import account_fields, parse_address

        candidates = []
        for account in mastodon_auth.following_accounts(self.pln.settings):
            address = parse_address(account["acct"])
            fields = account_fields(account, address)
            if not account.get("local"):
                fields.pop("remote_id")  # an id on the user's instance, not the account's home
            name = fields.get("display_name") or address.username
            candidates.append(_Candidate(None, address, fields, name))
        return self._store_candidates(candidates, [])

    def import_csv(self, path: Path | bytes, *, resolve: bool = True) -> ImportReport:
        """Mastodon's following_accounts.csv (a path, or the bytes of stdin). Bad rows are
        reported and skipped; good rows kept with their Show boosts / Notify / Languages
        settings. With ``resolve``, each account is looked up first (display name, id,
        opt-outs)."""
        try:
            data = path if isinstance(path, bytes) else path.read_bytes()
            text = data.decode("utf-8-sig")
        except (OSError, UnicodeDecodeError) as e:
            raise InvalidInput(
                f"cannot read {path if isinstance(path, Path) else 'stdin'}: {e}"
            ) from None
        rows, problems = parse_following_csv(text)
        if resolve:
            candidates = run(self._resolve_rows(rows, problems))
        else:
            candidates = [
                _Candidate(r.line, r.address, None, r.address.username, r.options) for r in rows
            ]
        return self._store_candidates(candidates, problems)

    async def _resolve_rows(
        self, rows: list[CsvRow], problems: list[str]
    ) -> list[_Candidate | None]:
        from plnctl.fetchers.http import HttpClient

        async with HttpClient(http_settings(self.pln)) as client:
            results = await asyncio.gather(
                *(self._lookup(client, r.address) for r in rows), return_exceptions=True
            )
        candidates: list[_Candidate | None] = []
        for row, result in zip(rows, results, strict=True):
            number, address = row.line, row.address
            if isinstance(result, NotFound):
                problems.append(f"line {number}: {result}")
                candidates.append(None)
            elif isinstance(result, BaseException):
                problems.append(f"line {number}: {result} (added unchecked)")
                candidates.append(_Candidate(number, address, None, address.username, row.options))
            else:
                name = result.get("display_name") or address.username
                candidates.append(_Candidate(number, address, result, name, row.options))
        return candidates

    def _store_candidates(
        self, candidates: list[_Candidate | None] | list[_Candidate], problems: list[str]
    ) -> ImportReport:
        created = merged = 0
        skipped = sum(1 for c in candidates if c is None)
        seen: set[str] = set()
        with self.store.transaction():
            for candidate in candidates:
                if candidate is None:
                    continue
                handle = candidate.address.handle
                if handle.lower() in seen:
                    skipped += 1
                    where = f"line {candidate.line}: " if candidate.line else ""
                    problems.append(f"{where}{handle} appears twice")
                    continue
                seen.add(handle.lower())
                if self._merge(candidate):
                    merged += 1
                else:
                    self._create(candidate)
                    created += 1
        return ImportReport(created, merged, skipped, tuple(problems))

    def _merge(self, candidate: _Candidate) -> bool:
        address = candidate.address
        existing = db.find_source_by_handle(self.store, address.handle) or db.find_source(
            self.store, address.profile_url
        )
        if existing is None:
            return False
        follow_db.set_options(self.store, existing.id, candidate.options)
        if candidate.fields:
            fields = {k: v for k, v in candidate.fields.items() if k != "handle"}
            if existing.remote_id and "remote_id" in fields:
                fields.pop("remote_id")
            db.update_source(self.store, existing.id, **fields)
        return True

    def _create(self, candidate: _Candidate) -> None:
        fields = dict(candidate.fields or {"handle": candidate.address.handle})
        if fields.get("moved_to"):
            fields["state"] = SourceState.MOVED
        person_id = db.person_id_for_name(self.store, candidate.name)
        source_id = db.insert_source(
            self.store, person_id, SourceKind.MASTODON, candidate.address.profile_url, **fields
        )
        follow_db.set_options(self.store, source_id, candidate.options)

    def export_csv(self, *, excel: bool = False) -> str:
        """Every followed Mastodon account (a moved one as its new address) in Mastodon's
        following_accounts.csv format, ready for "Import" on any instance (``excel``: with a
        UTF-8 byte order mark, for opening in Excel)."""
        options = follow_db.all_options(self.store)
        accts: dict[str, dict[str, str | None]] = {}
        for source in db.list_sources(self.store, kind=SourceKind.MASTODON):
            handle = source.moved_to or source.handle
            if handle:
                accts.setdefault(handle.lstrip("@"), options.get(source.id, {}))
        text = render_following_csv(list(accts.items()))
        return "\ufeff" + text if excel else text
