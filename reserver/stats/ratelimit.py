"""Per-source rate limiting of pings: a fixed-window counter per keyed source digest.

This was first built on the ``limits`` library; its in-memory storage runs a timer thread
and takes a lock per hit, which measured at a quarter of the CPU of a whole ping
(benchmarks/bench_stats.py), so the counter is this small dict instead.
"""

from __future__ import annotations

import time
from collections.abc import Callable

from .. import _rates as rates
from ..errors import ReserverError, excerpt

#: Generous for a person retrying an install, tight for a script inflating one name's count.
DEFAULT_RATE = "30/minute"


def parse_rate(rate: str) -> tuple[int, int]:
    """``"30/minute"`` -> (30, 60): how many pings per how many whole seconds (the window of
    the counter below), in the syntax of ``upload --rate`` (:mod:`reserver._rates`)."""
    try:
        parsed = rates.parse_rate(rate)
    except ReserverError:
        parsed = None
    if parsed is None or parsed.period < 1 or parsed.period != int(parsed.period):
        raise ReserverError(
            f"invalid rate limit {excerpt(rate)}: write it like 30/minute or 100/hour"
        )
    return parsed.count, int(parsed.period)


class PingRateLimiter:
    """Allows each source (a keyed digest, never an address) ``rate`` pings per window.

    Per process: with several workers each one allows the rate. Memory is bounded by the
    sources seen in one window, since the counts are dropped when the window turns.
    """

    def __init__(
        self, rate: str | None = DEFAULT_RATE, clock: Callable[[], float] = time.monotonic
    ) -> None:
        self.rate = rate
        self._limit, self._window = parse_rate(rate) if rate else (0, 0)
        self._clock = clock
        self._current = -1
        self._counts: dict[str, int] = {}

    def allow(self, source: str) -> bool:
        """True when ``source`` may send one more ping now (and counts it)."""
        if not self._limit:
            return True
        window = int(self._clock() // self._window)
        if window != self._current:
            self._current, self._counts = window, {}
        count = self._counts.get(source, 0)
        if count >= self._limit:
            return False
        self._counts[source] = count + 1
        return True

    def forget(self) -> None:
        """Drop every count (at midnight: the digests they are kept under have changed, so
        they would never match again, only hold the last day's digests in memory)."""
        self._counts = {}
