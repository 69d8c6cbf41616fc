"""How many sources a sync works on at once, and how much fetched data may wait.

- **Per host, then overall.** A source first waits for one of its host's ``per_host`` slots,
  then for one of the ``concurrency`` slots shared by all hosts. A source waiting for a busy
  host holds nothing (no shared slot, no deadline running), so with many hosts the sync is
  bounded by its slowest host, not by one global queue that a slow host's sources fill up.
  Both slots are given back as soon as the network part is done (a feed's body arrived), so
  parsing never keeps a connection idle. The HTTP client keeps the same limits per request.
- **Backlog.** Fetched bodies not yet handed to the writer (waiting for a parser process, being
  parsed, or waiting for the writer's queue) count against ``backlog_bytes``; while they reach
  it, no new source starts fetching. So memory holds at most the cap plus the bodies of the
  requests already under way (at most ``concurrency``). When nothing waits a source may always
  start: a body larger than the cap still passes, alone.
"""

from __future__ import annotations

import asyncio
import logging
import queue
import threading
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from dataclasses import dataclass, field
from typing import TypeVar
from urllib.parse import urlsplit

from plnctl.models import Source

log = logging.getLogger(__name__)
T = TypeVar("T")


@dataclass
class Ticket:
    """One source's place in the sync: its slots while fetching, its bytes while waiting."""

    limits: SourceLimits
    slots: list[asyncio.Semaphore] = field(default_factory=list)
    held: int = 0
    bodies: int = 0

    def fetched(self, nbytes: int) -> None:
        """The network part is done and ``nbytes`` of body now wait to be parsed and stored."""
        self.free_slots()
        self.held += nbytes
        self.bodies += 1
        self.limits.hold(nbytes)

    def free_slots(self) -> None:
        while self.slots:
            self.slots.pop().release()


class SourceLimits:
    def __init__(self, per_host: int, concurrency: int, backlog_bytes: int) -> None:
        self.per_host = per_host
        self.backlog_bytes = backlog_bytes
        self._global = asyncio.Semaphore(concurrency)
        self._hosts: dict[str, asyncio.Semaphore] = {}
        self._room = asyncio.Condition()
        self.pending = 0  # bytes of fetched bodies not yet handed to the writer
        self.bodies = 0
        self.peak_bytes = 0  # the most that waited at once (reported at debug level)
        self.peak_bodies = 0

    def _host(self, source: Source) -> asyncio.Semaphore:
        host = (urlsplit(source.url).netloc or source.url).lower()
        semaphore = self._hosts.get(host)
        if semaphore is None:
            semaphore = self._hosts[host] = asyncio.Semaphore(self.per_host)
        return semaphore

    @asynccontextmanager
    async def slot(self, source: Source) -> AsyncIterator[Ticket]:
        """Wait for the source's turn; give everything back on leaving (outcome handed over)."""
        ticket = Ticket(self)
        try:
            for semaphore in (self._host(source), self._global):
                await semaphore.acquire()
                ticket.slots.append(semaphore)
            if not self._has_room():  # checked first: taking the condition's lock costs
                async with self._room:
                    await self._room.wait_for(self._has_room)
            yield ticket
        finally:
            ticket.free_slots()
            if ticket.bodies:
                await self._release(ticket.held, ticket.bodies)

    def _has_room(self) -> bool:
        return self.pending == 0 or self.pending < self.backlog_bytes

    def hold(self, nbytes: int) -> None:
        self.pending += nbytes
        self.bodies += 1
        self.peak_bytes = max(self.peak_bytes, self.pending)
        self.peak_bodies = max(self.peak_bodies, self.bodies)

    async def _release(self, nbytes: int, bodies: int) -> None:
        async with self._room:
            self.pending -= nbytes
            self.bodies -= bodies
            self._room.notify_all()

    def report(self) -> None:
        log.debug(
            "fetch backlog peak: %d bodies, %d bytes (cap %d bytes)",
            self.peak_bodies, self.peak_bytes, self.backlog_bytes,
        )  # fmt: skip


async def hand_over(to: queue.Queue[T], item: T, room: threading.Semaphore | None = None) -> None:
    """Put ``item`` on the writer's (unbounded) thread queue without blocking the event loop;
    with ``room``, once one of its places is free (the writer gives it back on taking it)."""
    while room is not None and not room.acquire(blocking=False):
        await asyncio.sleep(0.01)
    to.put_nowait(item)
