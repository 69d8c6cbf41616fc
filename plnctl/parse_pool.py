"""Feed parser processes, fed and read by the sync's event loop.

Parsing is CPU-bound, so a sync of many feeds parses in a few forked processes, out of the
GIL's way. Each worker has a pipe for jobs and one for results; the fetch thread's event loop
writes a job to an idle worker and reads the result when its pipe is readable. That is all
concurrent.futures' pool did for us, but it did it with two more threads in the sync process
(a manager and a queue feeder), woken twice per feed, each wake-up a hand-over of the GIL to
and from the writer and the fetch loop: ~0.15 s of the sync process's CPU per 200 feeds.

A worker that dies (killed, out of memory) fails its job and every later one with
``PoolBroken``: the sync parses in its own process from then on and loses nothing.
"""

from __future__ import annotations

import asyncio
import logging
import multiprocessing
import os
import pickle
import signal
import stat
import threading
import time
import warnings
from collections.abc import Callable, Mapping
from contextlib import suppress
from multiprocessing.connection import Connection
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from multiprocessing.process import BaseProcess

    from plnctl.fetchers.feed import ParsedFeed

log = logging.getLogger(__name__)

NICENESS = 5  # added to the workers' (see _worker_init)
_SHUTDOWN_WAIT = 2.0  # seconds a worker gets to exit after its job pipe closes

Job = Callable[[bytes, str, Mapping[str, str]], "ParsedFeed"]


class PoolBroken(RuntimeError):
    """A parser process died: this job and every later one must be parsed elsewhere."""


class ParsePool:
    """``workers`` parser processes running ``job``; ``await parse(...)`` from one event loop."""

    def __init__(self, workers: int, job: Job, lock_fd: int | None) -> None:
        self._procs: list[BaseProcess] = []
        self._jobs: list[Connection] = []  # ours to write
        self._results: list[Connection] = []  # ours to read
        self._waiting: dict[int, asyncio.Future[Any]] = {}
        self._idle: asyncio.Queue[int] | None = None
        self._loop: asyncio.AbstractEventLoop | None = None
        self.broken: str | None = None
        context = multiprocessing.get_context("fork")
        with warnings.catch_warnings():  # Python 3.12+ warns of any fork with threads running
            warnings.simplefilter("ignore", DeprecationWarning)
            try:
                for index in range(workers):
                    job_in, job_out = context.Pipe(duplex=False)
                    result_in, result_out = context.Pipe(duplex=False)
                    ours = [c.fileno() for c in (*self._jobs, *self._results)]
                    ours += [job_out.fileno(), result_in.fileno()]
                    process = context.Process(
                        target=_serve,
                        args=(job, job_in, result_out, ours, lock_fd, os.getpid()),
                        name=f"plnctl-parser-{index}",
                        daemon=True,
                    )
                    process.start()
                    job_in.close()
                    result_out.close()
                    self._procs.append(process)
                    self._jobs.append(job_out)
                    self._results.append(result_in)
            except BaseException:
                self.shutdown()
                raise

    async def parse(self, body: bytes, url: str, headers: Mapping[str, str]) -> ParsedFeed:
        """The job's result, or its exception; PoolBroken when a worker died."""
        loop = asyncio.get_running_loop()
        if self._idle is None:
            self._start_reading(loop)
        assert self._idle is not None
        index = await self._idle.get()
        if index < 0 or self.broken:
            self._idle.put_nowait(-1)  # wake the next waiter too
            raise PoolBroken(self.broken or "a parser process died")
        future: asyncio.Future[Any] = loop.create_future()
        self._waiting[index] = future
        try:
            self._jobs[index].send_bytes(pickle.dumps((body, url, dict(headers)), 5))
        except OSError:
            self._died(index)
        return await future

    def _start_reading(self, loop: asyncio.AbstractEventLoop) -> None:
        self._loop = loop
        self._idle = asyncio.Queue()
        for index, results in enumerate(self._results):
            loop.add_reader(results.fileno(), self._on_result, index)
            self._idle.put_nowait(index)

    def _on_result(self, index: int) -> None:
        try:
            # The worker writes a result at once, whole: this read does not wait for long.
            data = self._results[index].recv_bytes()
        except (EOFError, OSError):
            self._died(index)
            return
        future = self._waiting.pop(index, None)
        try:
            ok, value = pickle.loads(data)
        except Exception as e:
            ok, value = False, PoolBroken(f"unreadable result from a parser process: {e}")
        if future is not None and not future.done():
            if ok:
                future.set_result(value)
            else:
                future.set_exception(value)
        assert self._idle is not None
        self._idle.put_nowait(index)

    def _died(self, index: int) -> None:
        if self.broken is None:
            self._procs[index].join(0.5)  # its pipe closed: it has exited, or is exiting
            code = self._procs[index].exitcode
            self.broken = f"a parser process died (exit code {code})"
        if self._loop is not None:
            with suppress(ValueError, OSError, RuntimeError):
                self._loop.remove_reader(self._results[index].fileno())
        future = self._waiting.pop(index, None)
        if future is not None and not future.done():
            future.set_exception(PoolBroken(self.broken))
        if self._idle is not None:
            self._idle.put_nowait(-1)

    def shutdown(self) -> None:
        """Close the pipes (a worker exits at the end of its jobs, or when it cannot write a
        result nobody will read), wait, then stop any left. Call it from any thread once the
        event loop that read the results is closed."""
        for connection in (*self._results, *self._jobs):
            with suppress(OSError):
                connection.close()
        deadline = time.monotonic() + _SHUTDOWN_WAIT
        for process in self._procs:
            process.join(max(0.0, deadline - time.monotonic()))
            if process.is_alive():
                process.kill()
                process.join(1.0)


def _serve(
    job: Job,
    jobs: Connection,
    results: Connection,
    parent_ends: list[int],
    lock_fd: int | None,
    parent: int,
) -> None:
    """A worker: parse each job read, write back ``(True, result)`` or ``(False, error)``;
    exit when the job pipe closes (the sync is done, or died)."""
    for fd in parent_ends:  # the parent's ends: a copy here would keep a pipe from closing
        with suppress(OSError):
            os.close(fd)
    _worker_init(lock_fd, parent)
    while True:
        try:
            body, url, headers = pickle.loads(jobs.recv_bytes())
        except (EOFError, OSError):
            os._exit(0)
        try:
            answer: tuple[bool, Any] = (True, job(body, url, headers))
        except Exception as e:
            answer = (False, e)
        try:
            message = pickle.dumps(answer, 5)
        except Exception as e:
            message = pickle.dumps((False, RuntimeError(f"{type(e).__name__}: {e}")), 5)
        try:
            results.send_bytes(message)
        except OSError:
            os._exit(0)


def _worker_init(lock_fd: int | None, parent: int) -> None:
    # The lock must die with the sync process, not linger in an orphaned worker.
    if lock_fd is not None:
        with suppress(OSError):
            os.close(lock_fd)
    _close_inherited_sockets()
    signal.signal(signal.SIGINT, signal.SIG_IGN)  # Ctrl-C is the parent's to handle
    # Parsing yields the CPU to the sync process (its fetching and storing): with every core
    # busy, the writer then keeps up instead of facing a backlog once the last feed is parsed
    # (200 feeds cold: -0.04 s).
    with suppress(OSError):
        os.nice(NICENESS)

    def watch() -> None:
        while os.getppid() == parent:
            time.sleep(0.5)
        os._exit(0)  # the sync process died (e.g. SIGKILL): do not linger

    threading.Thread(target=watch, daemon=True).start()


def _close_inherited_sockets() -> None:
    """Close the parent's network sockets (its kept-alive HTTP connections): a worker holding
    a copy would keep a connection open after the parent closed it. The worker's own pipes to
    the parent are kept."""
    with suppress(OSError):
        for name in os.listdir("/proc/self/fd"):
            fd = int(name)
            with suppress(OSError):
                if stat.S_ISSOCK(os.fstat(fd).st_mode):
                    os.close(fd)
