"""Unpacking a tar archive (feedparser's sdist, a git archive) safely on every Python 3.11:
``filter="data"`` came in 3.11.4; before it, only plain files and folders inside the target."""

from __future__ import annotations

import tarfile
from collections.abc import Sequence
from pathlib import Path, PurePosixPath


def extract(tar: tarfile.TarFile, target: Path, members: Sequence[tarfile.TarInfo] | None = None):
    chosen = list(members) if members is not None else tar.getmembers()
    if hasattr(tarfile, "data_filter"):
        tar.extractall(target, members=chosen, filter="data")
        return
    for member in chosen:
        path = PurePosixPath(member.name)
        if path.is_absolute() or ".." in path.parts or not (member.isfile() or member.isdir()):
            raise ValueError(f"refusing to unpack {member.name!r}")
    tar.extractall(target, members=chosen)  # every member checked above
