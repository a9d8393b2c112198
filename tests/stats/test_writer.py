"""The writer's commit cadence: under load, commits at most every commit_interval; a ping
after a quiet moment at once."""

from __future__ import annotations

import asyncio
import itertools
import threading
import time
from collections.abc import Callable
from datetime import date
from typing import Any

import pytest

from reserver.stats.schema import Ping
from reserver.stats.writer import PingWriter

PING = Ping("reqeusts", "pip", "3.12", False)
DAY = date(2026, 3, 14)


class TimedStore:
    """Records when each commit starts and how many pings it holds."""

    def __init__(self) -> None:
        self.commits: list[tuple[float, int]] = []
        self._lock = threading.Lock()

    def record(
        self, pings: list[Any], sources: Any, rejected: Any, before_commit: Callable[[], bool]
    ) -> None:
        with self._lock:
            self.commits.append((time.monotonic(), len(pings)))
        assert before_commit()


# Slow: the cadence is measured in real (event loop) time.
@pytest.mark.slow
def test_commits_under_load_start_at_most_every_interval() -> None:
    store = TimedStore()
    interval = 0.2

    async def run() -> float:
        writer = PingWriter(store, commit_interval=interval)  # type: ignore[arg-type]
        writer.start()
        started = time.monotonic()
        await writer.add(DAY, PING, "a")  # after a quiet moment
        first = time.monotonic() - started
        pending = []
        for _ in range(30):  # then one every 20 ms for 0.6 s
            pending.append(asyncio.ensure_future(writer.add(DAY, PING, "b")))
            await asyncio.sleep(0.02)
        await asyncio.gather(*pending)
        await writer.stop()
        return first

    first = asyncio.run(run())
    assert first < interval * 0.75  # committed at once, not after the interval
    assert sum(n for _, n in store.commits) == 31
    starts = [at for at, _ in store.commits]
    gaps = [later - earlier for earlier, later in itertools.pairwise(starts)]
    # Loop time and monotonic time agree within a few ms.
    assert gaps and min(gaps) >= interval - 0.005, gaps
    assert len(store.commits) <= 2 + 0.6 / interval
