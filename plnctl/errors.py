"""The PlnError hierarchy and the exit codes they map to.

The core raises these; the CLI catches PlnError in one place, prints one line and exits with
``error.exit_code``. Nothing here imports typer or rich.
"""

from __future__ import annotations

import re
from enum import IntEnum

# A worker process's traceback, which concurrent.futures attaches to a re-raised exception as
# its __cause__ ('\n"""\nTraceback (most recent call last): ... """'), or any traceback text.
_TRACEBACK = re.compile(r'\s*(?:"""\s*)?Traceback \(most recent call last\):.*', re.DOTALL)


def one_line(text: str, *, limit: int | None = None) -> str:
    """An error message as one line: no traceback, whitespace runs (newlines) as one space,
    at most ``limit`` characters. Every stored or printed error passes through here."""
    flat = " ".join(_TRACEBACK.sub("", text).split()).rstrip(" :")
    if limit is not None and len(flat) > limit:
        return flat[: limit - 1] + "…"
    return flat


def innermost(error: BaseException) -> BaseException:
    """The one error inside single-error groups (anyio wraps a failed connect in one)."""
    while isinstance(error, BaseExceptionGroup) and len(error.exceptions) == 1:
        error = error.exceptions[0]
    return error


class ExitCode(IntEnum):
    """Process exit codes, documented in docs/guide.md#exit-codes."""

    OK = 0
    ERROR = 1  # an operation failed (generic)
    USAGE = 2  # wrong flag, invalid input or query
    PARTIAL = 3  # sync/check finished but some sources failed
    NOT_FOUND = 4  # the person/source/post/topic/question does not exist
    DATABASE = 5  # not a plnctl database, corrupt file, unreadable config
    BUSY = 6  # another plnctl sync holds the lock
    NETWORK = 7  # a single network operation or email delivery failed


class PlnError(Exception):
    """Base of every error plnctl raises on purpose. ``str(e)`` is a one-line message."""

    exit_code: ExitCode = ExitCode.ERROR

    def __str__(self) -> str:
        message = super().__str__()
        cause = self.__cause__
        # A parser process's remote traceback and SQLite's wording (table and column names)
        # are debugging detail (--debug shows them), never part of the user's message.
        if cause is not None and not _internal(cause):
            detail = str(cause)
            if detail and detail not in message:
                message = f"{message}: {detail}"
        return one_line(message)


def _internal(cause: BaseException) -> bool:
    return type(cause).__name__ == "_RemoteTraceback" or type(cause).__module__ == "sqlite3"


class InvalidInput(PlnError):
    exit_code = ExitCode.USAGE


class NotConfirmed(InvalidInput):
    """A command that deletes user data ran without a terminal to ask on and without --yes."""


class NotFound(PlnError):
    exit_code = ExitCode.NOT_FOUND


class Ambiguous(InvalidInput):
    """A name matched more than one row; the message lists the matches."""


class AlreadyExists(PlnError):
    exit_code = ExitCode.USAGE


class NameTaken(AlreadyExists):
    """Issue 12: a person of that name is in the network already (names are unique, ignoring
    case); the message names them and says how to add a source to them or a namesake."""

    exit_code = ExitCode.ERROR


class ConfigError(PlnError):
    exit_code = ExitCode.DATABASE


class StorageError(PlnError):
    exit_code = ExitCode.DATABASE


class NotAPlnDatabase(StorageError):
    """The file exists but is not a plnctl database; it was not modified."""


class Busy(PlnError):
    exit_code = ExitCode.BUSY


class FetchError(PlnError):
    """A network fetch failed. ``status`` is the HTTP status when there was one."""

    exit_code = ExitCode.NETWORK

    def __init__(
        self, message: str, *, status: int | None = None, retry_after: float | None = None
    ):
        super().__init__(message)
        self.status = status
        self.retry_after = retry_after


class ParseError(PlnError):
    """A body arrived but is not something plnctl can read (HTML instead of a feed, bad JSON)."""

    exit_code = ExitCode.NETWORK


class AuthError(PlnError):
    """Missing, invalid or revoked credentials."""

    exit_code = ExitCode.USAGE


class LoginError(PlnError):
    """The instance refused to log in (a wrong, expired or already used authorization code)."""

    exit_code = ExitCode.NETWORK


class DeliveryError(PlnError):
    """Writing or sending a digest failed; watermarks were not advanced."""

    exit_code = ExitCode.NETWORK
