"""Post selections as people type them: ``42``, ``4-8``, ``3,9,12`` (and any mix of those)."""

from __future__ import annotations

from collections.abc import Sequence

from plnctl.errors import InvalidInput

# SQLite's largest integer: an id beyond it cannot exist, and Python would not bind it.
_MAX_ID = 2**63 - 1
_HINT = "use an id (42), a range (4-8) or a list (3,9,12)"


def parse_selection(specs: Sequence[str]) -> tuple[tuple[int, ...], tuple[tuple[int, int], ...]]:
    """(single ids, inclusive ranges) named by ``specs``. Ranges stay ranges, so ``1-999999999``
    costs nothing; ``8-4``, ``x`` and ids too large to exist raise ``InvalidInput``."""
    ids: dict[int, None] = {}
    ranges: list[tuple[int, int]] = []
    for spec in specs:
        for part in spec.split(","):
            part = part.strip()
            if not part:
                continue
            start, dash, end = part.partition("-")
            if dash:
                low, high = _id(start, part), _id(end, part)
                if low > high:
                    raise InvalidInput(f"invalid range {part!r}: it starts after it ends ({_HINT})")
                ranges.append((low, high))
            else:
                ids[_id(part, part)] = None
    if not ids and not ranges:
        raise InvalidInput(f"no post ids given; {_HINT}")
    return tuple(ids), tuple(ranges)


def _id(text: str, part: str) -> int:
    text = text.strip()
    if not text.isascii() or not text.isdigit():
        raise InvalidInput(f"invalid post id or range {part!r}: {_HINT}")
    if len(text) > 19 or int(text) > _MAX_ID:
        raise InvalidInput(f"invalid post id {text[:30]!r}: no post has an id that large")
    return int(text)
