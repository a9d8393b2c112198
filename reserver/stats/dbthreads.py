"""Blocking database calls off the event loop, each with a deadline, and the database's health.

SQLAlchemy and psycopg block the thread that calls them, and psycopg waits for a query's
answer without any deadline: a database that stops answering without closing the connection
(a hung server or proxy, a black-holed route) holds that thread until TCP gives up, which on
a path that still acknowledges packets is never. So no database call runs on the event loop
or on the threads Starlette shares with static files: each runs on a few threads of its own,
one per pooled connection, and the request that asked for it waits a bounded time and then
answers 503. A thread stuck on a silent socket stays stuck, but it holds only its own
connection, and the calls queued behind it are dropped when their callers give up.
"""

from __future__ import annotations

import asyncio
import queue
import threading
from collections.abc import Callable
from concurrent.futures import Future
from typing import Any, TypeVar

from sqlalchemy.exc import SQLAlchemyError

from .limits import (
    EXPORT_CONNECTIONS,
    EXPORT_SECONDS,
    HEALTH_INTERVAL_SECONDS,
    HEALTH_TIMEOUT_SECONDS,
    READ_CONNECTIONS,
    READ_SECONDS,
)
from .store import StatsStore

T = TypeVar("T")


class StoreUnavailable(Exception):
    """The database failed or did not answer in time: answer 503, nothing was done."""


_Job = tuple[Future[Any], Callable[[], Any]]


class DbThreads:
    """At most ``size`` daemon threads running blocking calls, started as they are needed.

    Daemon threads, unlike ``ThreadPoolExecutor``'s, do not keep the process alive at exit:
    one stuck on a silent socket must not turn a SIGTERM into a hang.
    """

    def __init__(self, name: str, size: int) -> None:
        self._name = name
        self._size = size
        self._jobs: queue.SimpleQueue[_Job | None] = queue.SimpleQueue()
        self._lock = threading.Lock()
        self._threads = 0
        self._idle = 0

    def submit(self, fn: Callable[[], T]) -> Future[T]:
        future: Future[T] = Future()
        self._jobs.put((future, fn))
        with self._lock:
            if self._idle > 0:
                self._idle -= 1  # that thread takes this job
            elif self._threads < self._size:
                self._threads += 1
                name = f"{self._name}-{self._threads}"
                threading.Thread(target=self._work, name=name, daemon=True).start()
        return future

    async def run(self, fn: Callable[[], T], timeout: float) -> T:
        """``fn()`` on one of the threads; ``StoreUnavailable`` if it fails or takes longer
        than ``timeout`` (queueing included)."""
        try:
            return await asyncio.wait_for(asyncio.wrap_future(self.submit(fn)), timeout)
        except TimeoutError:
            raise StoreUnavailable(f"no answer from the database within {timeout:g} s") from None
        except (SQLAlchemyError, OSError) as exc:
            raise StoreUnavailable(str(exc).strip().splitlines()[0] if str(exc) else "") from exc

    def close(self) -> None:
        """Let idle threads end; busy ones end once their call returns."""
        with self._lock:
            for _ in range(self._threads):
                self._jobs.put(None)
            self._threads = 0

    def _work(self) -> None:
        while True:
            job = self._jobs.get()
            if job is None:
                return
            future, fn = job
            # False when its caller gave up while it queued: nobody wants the answer.
            if future.set_running_or_notify_cancel():
                try:
                    result = fn()
                except BaseException as exc:  # handed to the caller, who decides
                    future.set_exception(exc)
                else:
                    future.set_result(result)
            with self._lock:
                self._idle += 1


class Database:
    """The store behind deadlines: reads, exports and a health state that never blocks."""

    def __init__(self, store: StatsStore) -> None:
        self.store = store
        self._reads = DbThreads("stats-read", READ_CONNECTIONS)
        self._exports = DbThreads("stats-export", EXPORT_CONNECTIONS)
        # One thread: a probe stuck on a silent connection makes the next ones queue and
        # time out (still reporting the outage) instead of piling up threads.
        self._probes = DbThreads("stats-health", 1)
        self.available = True

    async def read(self, fn: Callable[[], T], timeout: float = READ_SECONDS) -> T:
        """``fn()`` (which uses the database) on a read thread, within ``timeout``.

        Fails at once while the health probe finds the database down: a request would only
        queue behind threads that are stuck, and give up later with the same 503.
        """
        if not self.available:
            raise StoreUnavailable("the database is unavailable")
        return await self._reads.run(fn, timeout)

    async def export(self, fn: Callable[[], T]) -> T:
        """``fn()`` on an export thread, within the export's longer budget."""
        if not self.available:
            raise StoreUnavailable("the database is unavailable")
        return await self._exports.run(fn, EXPORT_SECONDS)

    async def probe(self) -> bool:
        """Check the database once (bounded) and remember the answer."""
        try:
            await self._probes.run(self.store.ping_db, HEALTH_TIMEOUT_SECONDS)
        except Exception:  # whatever stops ``SELECT 1`` is the database's failure
            self.available = False
        else:
            self.available = True
        return self.available

    async def monitor(self) -> None:
        """Probe forever, every HEALTH_INTERVAL_SECONDS (run as a task; cancel to stop)."""
        while True:
            await asyncio.sleep(HEALTH_INTERVAL_SECONDS)
            await self.probe()

    def close(self) -> None:
        # On the probe's thread: its connection may be the one stuck, and closing it from
        # here would block the event loop too.
        self._probes.submit(self.store.close_probe)
        for threads in (self._reads, self._exports, self._probes):
            threads.close()
