"""The one module that imports Mastodon.py: app registration, OAuth login, posting a status, the
logged-in account's following list, and the token file.

Public functions:

- ``authorization_url(settings, host) -> str``: registers plnctl on the instance once (the app
  credentials are kept) and returns the URL where the user approves access and gets a code.
- ``complete_login(settings, host, code) -> dict``: trades the code for a token, stores it,
  returns ``{instance, acct, display_name, url}``.
- ``current_login(settings) -> Login | None``, ``whoami(settings) -> dict``,
  ``logout(settings) -> str | None`` (revokes the token, forgets it; returns the instance).
- ``post_status(host, token, text, visibility="public", in_reply_to_id=None) -> {id, url,
  created_at}``.
- ``following_accounts(settings) -> list[dict]``: the logged-in account's following list, paged.

Tokens live in ``settings.credentials_dir / "mastodon.json"`` (mode 0600, via
``config.write_secret``); ``PLNCTL_MASTODON_TOKEN`` (with ``PLNCTL_MASTODON_INSTANCE`` or the
stored instance) overrides the file. Tokens are never printed, logged, exported or put in an
error message; ``Login`` hides its token from ``repr``.

Plain ``http://`` OAuth (Mastodon.py's ``allow_http``) is allowed for loopback hosts only.
"""

from __future__ import annotations

import json
import os
import re
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from datetime import datetime
from pathlib import Path
from typing import TYPE_CHECKING, Any
from urllib.parse import urlsplit

from plnctl import __version__
from plnctl.config import Settings, read_secret, write_secret
from plnctl.errors import AuthError, ConfigError, FetchError, InvalidInput, LoginError, NotFound
from plnctl.fetchers.mastodon.addresses import instance_base, is_loopback, qualify
from plnctl.timeutil import to_iso

if TYPE_CHECKING:
    from mastodon import Mastodon

SCOPES = ["read", "write:statuses"]
REDIRECT_URI = "urn:ietf:wg:oauth:2.0:oob"
USER_AGENT = f"plnctl/{__version__}"
TIMEOUT = 30.0
TOKEN_ENV = "PLNCTL_MASTODON_TOKEN"
INSTANCE_ENV = "PLNCTL_MASTODON_INSTANCE"


@dataclass(frozen=True)
class Login:
    instance: str  # base URL, e.g. https://mastodon.social
    token: str = field(repr=False)
    acct: str | None = None
    origin: str = "file"  # file | env


def credentials_file(settings: Settings) -> Path:
    return settings.credentials_dir / "mastodon.json"


def _load(settings: Settings) -> dict[str, Any]:
    path = credentials_file(settings)
    if not path.exists():
        return {"current": None, "instances": {}}
    try:
        data = json.loads(read_secret(path) or "{}")
    except ValueError as e:
        raise ConfigError(f"{path} is not valid JSON; delete it and log in again") from e
    data.setdefault("current", None)
    data.setdefault("instances", {})
    return data


def _save(settings: Settings, data: dict[str, Any]) -> None:
    write_secret(credentials_file(settings), json.dumps(data, indent=2) + "\n")


def _allow_http(base: str) -> bool:
    parts = urlsplit(base)
    return parts.scheme == "http" and is_loopback(parts.hostname)


def _api(base: str, **kwargs: Any) -> Mastodon:
    from mastodon import Mastodon

    return Mastodon(
        api_base_url=base,
        version_check_mode="none",
        ratelimit_method="throw",
        request_timeout=TIMEOUT,
        user_agent=USER_AGENT,
        **kwargs,
    )


@contextmanager
def _errors(base: str) -> Iterator[None]:
    """Mastodon.py's exceptions -> PlnError, without echoing request details (tokens)."""
    import mastodon

    host = urlsplit(base).netloc
    try:
        yield
    except mastodon.MastodonUnauthorizedError:
        raise AuthError(
            f"{host} refused the credentials; log in again: plnctl mastodon login {host}"
        ) from None
    except mastodon.MastodonNotFoundError:
        raise NotFound(f"{host} answered 404 Not Found") from None
    except mastodon.MastodonRatelimitError:
        raise FetchError(f"{host} rate limit reached; try again later", status=429) from None
    except mastodon.MastodonNetworkError:
        raise FetchError(f"could not reach {host}") from None
    except mastodon.MastodonIllegalArgumentError as e:
        raise InvalidInput(f"{host} refused the request: {_reason(e)}") from None
    except mastodon.MastodonAPIError as e:
        status = e.args[1] if len(e.args) > 1 and isinstance(e.args[1], int) else None
        raise FetchError(f"{host} answered an error (HTTP {status})", status=status) from None


# Mastodon.py puts the API's answer in its messages as a tuple; keep only what it says.
_API_TUPLE = re.compile(r":?\s*\('Mastodon API returned error', (\d+), '([^']*)', '([^']*)'\)")


def _reason(error: Exception) -> str:
    text = str(error)
    found = _API_TUPLE.search(text)
    if found is None:
        return text
    status, phrase, detail = found.groups()
    return f"{_API_TUPLE.sub('', text).strip() or 'error'} (HTTP {status} {phrase}: {detail})"


@contextmanager
def _code_refused(base: str) -> Iterator[None]:
    """Mastodon.py reports a refused code as an illegal argument carrying the API's tuple
    (``('Mastodon API returned error', 400, 'Bad Request', 'invalid_grant')``)."""
    import mastodon

    host = urlsplit(base).netloc
    try:
        yield
    except mastodon.MastodonIllegalArgumentError:
        raise LoginError(
            f"{host} did not accept that authorization code (wrong, expired or already "
            f"used); get a new one with: plnctl mastodon login {host}"
        ) from None


def _app(settings: Settings, base: str) -> dict[str, Any]:
    """The app credentials for ``base``, registering plnctl there the first time."""
    from mastodon import Mastodon

    data = _load(settings)
    entry = data["instances"].get(base) or {}
    if not entry.get("client_id"):
        with _errors(base):
            client_id, client_secret = Mastodon.create_app(
                "plnctl",
                scopes=SCOPES,
                redirect_uris=REDIRECT_URI,
                api_base_url=base,
                request_timeout=TIMEOUT,
                user_agent=USER_AGENT,
            )
        entry = {"client_id": client_id, "client_secret": client_secret}
        data["instances"][base] = entry
        _save(settings, data)
    return entry


def authorization_url(settings: Settings, host: str) -> str:
    base = instance_base(host)
    app = _app(settings, base)
    api = _api(base, client_id=app["client_id"], client_secret=app["client_secret"])
    with _errors(base):
        url = api.auth_request_url(
            redirect_uris=REDIRECT_URI, scopes=SCOPES, allow_http=_allow_http(base)
        )
    return _without_unset(str(url))


def _without_unset(url: str) -> str:
    """Mastodon.py writes unset parameters as ``state=None&lang=None`` (and the default
    ``force_login=False``); the page the user opens should carry only what plnctl asks."""
    from urllib.parse import parse_qsl, urlencode

    parts = urlsplit(url)
    query = [
        (key, value)
        for key, value in parse_qsl(parts.query, keep_blank_values=True)
        if value != "None" and (key, value) != ("force_login", "False")
    ]
    return parts._replace(query=urlencode(query)).geturl()


def _summary(account: Any, base: str) -> dict[str, Any]:
    return {
        "instance": base,
        "acct": qualify(str(account["acct"]), urlsplit(base).netloc),
        "display_name": account.get("display_name") or None,
        "url": account.get("url"),
    }


def complete_login(settings: Settings, host: str, code: str) -> dict[str, Any]:
    base = instance_base(host)
    code = code.strip()
    if not code:
        raise InvalidInput(
            "no authorization code given: paste the code the authorization page shows, or "
            f"start again with: plnctl mastodon login {host}"
        )
    app = _app(settings, base)
    api = _api(base, client_id=app["client_id"], client_secret=app["client_secret"])
    with _errors(base), _code_refused(base):
        token = api.log_in(
            code=code, redirect_uri=REDIRECT_URI, scopes=SCOPES, allow_http=_allow_http(base)
        )
    with _errors(base):
        me = _summary(api.account_verify_credentials(), base)
    data = _load(settings)
    data["instances"].setdefault(base, {}).update(
        {**app, "access_token": token, "acct": me["acct"]}
    )
    data["current"] = base
    _save(settings, data)
    return me


def current_login(settings: Settings, env: dict[str, str] | None = None) -> Login | None:
    env = dict(os.environ if env is None else env)
    data = _load(settings)
    if env.get(TOKEN_ENV):
        instance = env.get(INSTANCE_ENV) or data.get("current")
        if not instance:
            raise AuthError(f"{TOKEN_ENV} is set: also set {INSTANCE_ENV} (e.g. mastodon.social)")
        return Login(instance_base(instance), env[TOKEN_ENV].strip(), None, "env")
    base = data.get("current")
    entry = data["instances"].get(base) if base else None
    if not base or not entry or not entry.get("access_token"):
        return None
    return Login(base, entry["access_token"], entry.get("acct"), "file")


def require_login(settings: Settings) -> Login:
    login = current_login(settings)
    if login is None:
        raise AuthError("not logged in to Mastodon; run: plnctl mastodon login HOST")
    return login


def whoami(settings: Settings) -> dict[str, Any]:
    login = require_login(settings)
    with _errors(login.instance):
        return _summary(_api(login.instance, access_token=login.token).me(), login.instance)


def logout(settings: Settings) -> str | None:
    """Revoke (best effort) and forget the stored token; the app registration is kept."""
    data = _load(settings)
    base = data.get("current")
    entry = data["instances"].get(base) if base else None
    if not base or not entry or not entry.get("access_token"):
        return None
    api = _api(base, client_id=entry.get("client_id"), client_secret=entry.get("client_secret"),
               access_token=entry["access_token"])  # fmt: skip
    try:
        with _errors(base):
            api.revoke_access_token(allow_http=_allow_http(base))
    except (AuthError, FetchError, NotFound, InvalidInput):
        pass  # forgetting the token locally is what matters
    entry.pop("access_token", None)
    entry.pop("acct", None)
    data["current"] = None
    _save(settings, data)
    return str(base)


def post_status(
    host: str,
    token: str,
    text: str,
    visibility: str = "public",
    *,
    in_reply_to_id: str | None = None,
) -> dict[str, Any]:
    """Post a status as the token's account (a reply when ``in_reply_to_id``); returns
    ``{id, url, created_at}``."""
    base = instance_base(host)
    with _errors(base):
        status = _api(base, access_token=token).status_post(
            text, visibility=visibility, in_reply_to_id=in_reply_to_id
        )
    created = status.get("created_at")
    return {
        "id": str(status["id"]),
        "url": status.get("url") or status.get("uri"),
        "created_at": to_iso(created) if isinstance(created, datetime) else created,
    }


def following_accounts(settings: Settings) -> list[dict[str, Any]]:
    """Every account the logged-in user follows, as plain dicts with ``acct`` as user@host."""
    login = require_login(settings)
    api = _api(login.instance, access_token=login.token)
    host = urlsplit(login.instance).netloc
    with _errors(login.instance):
        me = api.me()
        page = api.account_following(me["id"], limit=80)
        accounts = list(api.fetch_remaining(page)) if page else []
    result = []
    for account in accounts:
        plain = {k: _plain(v) for k, v in dict(account).items()}
        plain["local"] = "@" not in str(account["acct"])
        plain["acct"] = qualify(str(account["acct"]), host)
        result.append(plain)
    return result


def _plain(value: Any) -> Any:
    if isinstance(value, datetime):
        return to_iso(value)
    if isinstance(value, dict):
        return {k: _plain(v) for k, v in value.items()}
    if isinstance(value, list):
        return [_plain(v) for v in value]
    return value
