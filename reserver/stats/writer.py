"""Group commit: pings wait in memory until the next transaction commits them all together.

A request is answered only after its ping is committed, so the count acknowledged to
clients is the count in the store. One transaction per batch instead of per ping is what
lets SQLite with full sync take thousands of pings per second.
"""

from __future__ import annotations

import asyncio
from collections import Counter
from collections.abc import Callable
from concurrent.futures import ThreadPoolExecutor
from datetime import date
from typing import Literal, NamedTuple

from .schema import Ping
from .store import StatsStore


class _Pending(NamedTuple):
    """An accepted ping and the request waiting for its commit."""

    day: date
    ping: Ping
    source: str | None
    done: asyncio.Future[None]


# Queued in place of a ping: wake the writer to commit rejection counts, or stop it.
_Signal = Literal["flush", "stop"]


class PingWriter:
    """Collects pings and rejections and commits them in batches on one database thread."""

    def __init__(
        self,
        store: StatsStore,
        max_batch: int = 2000,
        on_commit: Callable[[int, float], None] | None = None,
    ) -> None:
        self.store = store
        self.max_batch = max_batch
        self.on_commit = on_commit
        self._queue: asyncio.Queue[_Pending | _Signal] = asyncio.Queue()
        self._rejected: Counter[tuple[date, str]] = Counter()
        self._executor = ThreadPoolExecutor(max_workers=1, thread_name_prefix="stats-writer")
        self._task: asyncio.Task[None] | None = None

    @property
    def pending(self) -> int:
        return self._queue.qsize()

    def start(self) -> None:
        self._task = asyncio.get_running_loop().create_task(self._run(), name="stats-writer")

    async def stop(self) -> None:
        """Commit what is queued, then stop."""
        if self._task is not None:
            await self._queue.put("stop")
            await self._task
            self._task = None
        self._executor.shutdown(wait=True)

    async def add(self, day: date, ping: Ping, source: str | None) -> None:
        """Queue an accepted ping; returns once it is committed, raises if the commit failed."""
        future: asyncio.Future[None] = asyncio.get_running_loop().create_future()
        await self._queue.put(_Pending(day, ping, source, future))
        await future

    def reject(self, day: date, reason: str) -> None:
        """Count a rejected ping with the next batch (nobody waits for this one)."""
        self._rejected[(day, reason)] += 1
        if self._queue.empty():
            # Nothing would wake the writer otherwise; an empty batch carries the counts.
            self._queue.put_nowait("flush")

    async def _run(self) -> None:
        loop = asyncio.get_running_loop()
        stopping = False
        while not stopping:
            items = [await self._queue.get()]
            while len(items) < self.max_batch and not self._queue.empty():
                items.append(self._queue.get_nowait())
            pings: list[tuple[date, Ping]] = []
            sources: list[tuple[date, str]] = []
            waiters: list[asyncio.Future[None]] = []
            for item in items:
                if item == "stop":
                    stopping = True
                elif isinstance(item, _Pending):
                    pings.append((item.day, item.ping))
                    waiters.append(item.done)
                    if item.source is not None:
                        sources.append((item.day, item.source))
            rejected, self._rejected = self._rejected, Counter()
            if not pings and not rejected:
                continue
            started = loop.time()
            try:
                await loop.run_in_executor(
                    self._executor, self.store.record, pings, sources, rejected
                )
            except Exception as exc:  # the database is down: tell every waiter, keep going
                for future in waiters:
                    if not future.done():
                        future.set_exception(exc)
                self._rejected.update(rejected)
                continue
            if self.on_commit is not None:
                self.on_commit(len(pings), loop.time() - started)
            for future in waiters:
                if not future.done():
                    future.set_result(None)
