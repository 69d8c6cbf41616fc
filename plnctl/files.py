"""Durable file writes: the one way plnctl writes a file the user keeps (secrets, exports,
digests, reading lists).

A temporary file in the same directory is written, fsynced and renamed over the target, then
the directory is fsynced: a reader sees the old file or the new one, never a half-written or
empty one, and a failed write (disk full, quota, a signal) leaves the old file as it was and no
temporary file behind. Secrets are created mode 0600 before their first byte is written.
"""

from __future__ import annotations

import os
import tempfile
from pathlib import Path

from plnctl.errors import DeliveryError, PlnError


def write_atomic(
    path: str | Path,
    content: str | bytes,
    *,
    secret: bool = False,
    error: type[PlnError] = DeliveryError,
) -> Path:
    """Replace ``path`` with ``content`` (text is written as UTF-8, newlines as given).
    ``secret``: mode 0600 (else 0644 minus the umask). Raises ``error`` with a one-line
    reason; the old file is untouched then."""
    path = check_target(path, error=error)
    data = content.encode("utf-8") if isinstance(content, str) else content
    try:
        fd, tmp_name = tempfile.mkstemp(prefix=f".{path.name}.", suffix=".tmp", dir=path.parent)
    except OSError as e:
        raise error(f"cannot write {path}: {e.strerror or e}") from None
    try:
        os.fchmod(fd, 0o600 if secret else 0o644 & ~_umask())  # mkstemp made it 0600
        with os.fdopen(fd, "wb") as handle:
            handle.write(data)
            handle.flush()
            os.fsync(handle.fileno())
        os.replace(tmp_name, path)
    except BaseException as e:
        Path(tmp_name).unlink(missing_ok=True)
        if isinstance(e, OSError):
            raise error(f"cannot write {path}: {e.strerror or e}; it was left as it was") from None
        raise
    _fsync_dir(path.parent)
    return path


def check_target(path: str | Path, *, error: type[PlnError] = DeliveryError) -> Path:
    """A file the user named, checked before any work: its directory must exist and it must
    not be a directory itself (``error``, saying what to do)."""
    path = Path(path).expanduser()
    if path.is_dir():
        raise error(
            f"cannot write {path}: it is a directory; give a file name, e.g. {path / 'pln.out'}"
        )
    if not path.parent.is_dir():
        raise error(
            f"cannot write {path}: the directory {path.parent} does not exist; create it "
            f"(mkdir -p {path.parent}) or choose another -o"
        )
    return path


def _fsync_dir(directory: Path) -> None:
    """Make the rename itself durable (best effort: some file systems refuse)."""
    try:
        fd = os.open(directory, os.O_RDONLY)
    except OSError:
        return
    try:
        os.fsync(fd)
    except OSError:
        pass
    finally:
        os.close(fd)


def _umask() -> int:
    mask = os.umask(0)
    os.umask(mask)
    return mask
