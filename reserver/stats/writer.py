"""Group commit: pings wait in memory until the next transaction commits them all together.

A request is answered only after its ping is committed, so the count acknowledged to
clients is the count in the store. One transaction per batch instead of per ping is what
lets SQLite with full sync take thousands of pings per second.

A ping waits a bounded time for its commit (a database that went silent would otherwise
hold it forever) and is then refused with 503. The batch it was in is rolled back rather
than committed behind that refusal (and written again without it), so a 503 means "not
counted", except when the database vanishes during the COMMIT itself, which no client of
any database can tell from a failure.
"""

from __future__ import annotations

import asyncio
import threading
from collections import Counter
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import date
from functools import partial
from typing import Literal

from .dbthreads import DbThreads, StoreUnavailable
from .limits import (
    COMMIT_GRACE_SECONDS,
    COMMIT_INTERVAL_SECONDS,
    PING_COMMIT_SECONDS,
    SHUTDOWN_SECONDS,
)
from .schema import Ping
from .store import CommitAbandoned, StatsStore


@dataclass(eq=False)
class _Pending:
    """An accepted ping and the request waiting for its commit."""

    day: date
    ping: Ping
    source: str | None
    done: asyncio.Future[None]
    # Both change under PingWriter._claim, read by the database thread and the event loop.
    committing: bool = field(default=False)
    abandoned: bool = field(default=False)
    #: The deadline's timer: PING_COMMIT_SECONDS, then COMMIT_GRACE_SECONDS once claimed.
    timer: asyncio.TimerHandle | None = field(default=None)


# Queued in place of a ping: wake the writer to commit rejection counts, or stop it.
_Signal = Literal["flush", "stop"]


class PingWriter:
    """Collects pings and rejections and commits them in batches on one database thread."""

    def __init__(
        self,
        store: StatsStore,
        max_batch: int = 2000,
        on_commit: Callable[[int, float], None] | None = None,
        commit_interval: float = COMMIT_INTERVAL_SECONDS,
    ) -> None:
        self.store = store
        self.max_batch = max_batch
        self.on_commit = on_commit
        self.commit_interval = commit_interval
        self._queue: asyncio.Queue[_Pending | _Signal] = asyncio.Queue()
        self._rejected: Counter[tuple[date, str]] = Counter()
        self._thread = DbThreads("stats-writer", 1)
        self._task: asyncio.Task[None] | None = None
        self._claim = threading.Lock()
        self._commit_started: float | None = None

    @property
    def pending(self) -> int:
        return self._queue.qsize()

    def start(self) -> None:
        self._task = asyncio.get_running_loop().create_task(self._run(), name="stats-writer")

    async def stop(self) -> None:
        """Commit what is queued, then stop; give up on a commit that does not return."""
        if self._task is not None:
            await self._queue.put("stop")
            done, _ = await asyncio.wait({self._task}, timeout=SHUTDOWN_SECONDS)
            if not done:
                self._task.cancel()
            self._task = None
        self._thread.close()

    def stalled(self) -> bool:
        """True while a commit has been running longer than any ping waits for one."""
        started = self._commit_started
        return started is not None and (
            asyncio.get_running_loop().time() - started > PING_COMMIT_SECONDS
        )

    async def add(self, day: date, ping: Ping, source: str | None) -> None:
        """Queue an accepted ping; returns once it is committed, raises ``StoreUnavailable``
        (or the commit's error) if it was not."""
        if self.stalled():
            # Queueing behind a commit that is stuck would only refuse it later, and fill
            # memory with pings nobody waits for.
            raise StoreUnavailable("the previous commit has not returned")
        loop = asyncio.get_running_loop()
        item = _Pending(day, ping, source, loop.create_future())
        self._queue.put_nowait(item)
        # The ping's own future and one timer that fails it: asyncio.wait_for over a shield
        # adds two futures and their callbacks, 37 us of CPU per wait against 15 (50,000
        # waits at once, timed with process_time).
        item.timer = loop.call_later(PING_COMMIT_SECONDS, self._overdue, item)
        try:
            await item.done
        finally:
            item.timer.cancel()

    def _overdue(self, item: _Pending) -> None:
        """The ping's PING_COMMIT_SECONDS are over: refuse it unless its batch is being
        committed (then refuse it after COMMIT_GRACE_SECONDS more)."""
        if item.done.done():
            return
        with self._claim:
            item.abandoned = not item.committing
        if item.abandoned:  # left out of its batch, which is written again without it
            item.done.set_exception(
                StoreUnavailable(f"not committed within {PING_COMMIT_SECONDS:g} s")
            )
            return
        # Its batch was already being committed: a slow commit still counts, so wait a
        # little for the outcome; past that it is unknown, and refused like a failure.
        item.timer = asyncio.get_running_loop().call_later(
            COMMIT_GRACE_SECONDS, self._unknown, item
        )

    @staticmethod
    def _unknown(item: _Pending) -> None:
        if not item.done.done():
            item.done.set_exception(StoreUnavailable("the commit did not return"))

    def reject(self, day: date, reason: str) -> None:
        """Count a rejected ping with the next batch (nobody waits for this one)."""
        self._rejected[(day, reason)] += 1
        if self._queue.empty():
            # Nothing would wake the writer otherwise; an empty batch carries the counts.
            self._queue.put_nowait("flush")

    def _claimed(self, items: list[_Pending]) -> bool:
        """On the database thread, just before COMMIT: go on only if every ping is still
        waiting, and from here on let none of them give up unanswered."""
        with self._claim:
            if any(item.abandoned for item in items):
                return False
            for item in items:
                item.committing = True
            return True

    async def _run(self) -> None:
        loop = asyncio.get_running_loop()
        stopping = False
        started = -self.commit_interval  # when the last commit started (loop time)
        while not stopping:
            items = [await self._queue.get()]
            # Under load, the pings of the next moments join this commit (a commit has a
            # fixed cost: see COMMIT_INTERVAL_SECONDS); after a quiet moment, at once.
            wait = started + self.commit_interval - loop.time()
            if wait > 0:
                await asyncio.sleep(wait)
            started = loop.time()
            while len(items) < self.max_batch and not self._queue.empty():
                items.append(self._queue.get_nowait())
            batch: list[_Pending] = []
            for item in items:
                if item == "stop":
                    stopping = True
                elif isinstance(item, _Pending) and not item.abandoned:
                    batch.append(item)  # an abandoned ping was answered 503: not counted
            rejected, self._rejected = self._rejected, Counter()
            try:
                batch = await self._commit(batch, rejected)
            except Exception as exc:  # the database failed: tell every waiter, keep going
                for item in batch:
                    if not item.done.done():
                        item.done.set_exception(exc)
                        # Retrieved by its waiter unless that one gave up meanwhile.
                        item.done.exception()
                self._rejected.update(rejected)
                continue
            for item in batch:
                if not item.done.done():
                    item.done.set_result(None)

    async def _commit(
        self, batch: list[_Pending], rejected: Counter[tuple[date, str]]
    ) -> list[_Pending]:
        """Commit ``batch`` with the rejection counts; returns the pings committed. Pings that
        gave up while their batch was written are left out, and the rest written again."""
        loop = asyncio.get_running_loop()
        while True:
            pings = [(item.day, item.ping) for item in batch]
            sources = [(item.day, item.source) for item in batch if item.source is not None]
            if not pings and not rejected:
                return batch
            started = self._commit_started = loop.time()
            record = partial(self.store.record, pings, sources, rejected,
                             before_commit=partial(self._claimed, batch))  # fmt: skip
            try:
                await asyncio.wrap_future(self._thread.submit(record))
            except CommitAbandoned:
                batch = [item for item in batch if not item.abandoned]
                continue
            finally:
                self._commit_started = None
            if self.on_commit is not None:
                self.on_commit(len(pings), loop.time() - started)
            return batch
