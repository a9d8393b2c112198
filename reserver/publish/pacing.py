"""Pacing of new-project uploads, so a batch stays under the registry's rate limit.

PyPI allows 20 new projects per hour per user (40 per IP) in a moving window, and answers
``429 Too many new projects created`` past that. A sliding-window log on the client side is
the exact mirror of that rule: at most ``count`` uploads in any ``period``. Each upload is
logged when its answer arrives (or it failed), which is never before the registry counted
it, so the client can only be later than the registry's window, never earlier.

(The ``limits`` library used for ping rate limiting cannot say ahead how long to wait nor be
seeded with uploads a killed run already made, which a resumable batch needs; hence this
small log.)
"""

from __future__ import annotations

import re
import time
from collections import deque
from collections.abc import Callable, Iterable
from dataclasses import dataclass

from ..errors import ReserverError, excerpt
from ..index.registries import registry_for

_UNITS = {
    "s": 1.0, "sec": 1.0, "second": 1.0, "seconds": 1.0,
    "m": 60.0, "min": 60.0, "minute": 60.0, "minutes": 60.0,
    "h": 3600.0, "hour": 3600.0, "hours": 3600.0,
    "d": 86400.0, "day": 86400.0, "days": 86400.0,
}  # fmt: skip
_RATE = re.compile(r"^\s*(\d+)\s*/\s*(\d+(?:\.\d+)?)?\s*([a-z]+)\s*\Z")


@dataclass(frozen=True)
class Rate:
    """At most ``count`` new projects in any ``period`` seconds."""

    count: int
    period: float

    def __post_init__(self) -> None:
        if self.count < 1 or not self.period > 0:
            raise ReserverError("a rate needs at least 1 upload per a positive period")

    @property
    def per_second(self) -> float:
        return self.count / self.period

    def __str__(self) -> str:
        for unit, seconds in (("day", 86400.0), ("hour", 3600.0), ("minute", 60.0)):
            if self.period == seconds:
                return f"{self.count}/{unit}"
        return f"{self.count}/{self.period:g}s"


def parse_rate(text: str) -> Rate | None:
    """Parse ``20/hour``, ``5/2s``, ``100/min``; ``none`` (or ``0``) turns pacing off.

    >>> parse_rate("5/2s")
    Rate(count=5, period=2.0)
    """
    lowered = text.strip().lower()
    if lowered in ("none", "off", "0", "unlimited"):
        return None
    match = _RATE.match(lowered)
    if match is None or match.group(3) not in _UNITS:
        raise ReserverError(
            f"invalid rate {excerpt(text)}: write it like 20/hour, 100/minute, 5/2s, or none"
        )
    count = int(match.group(1))
    period = float(match.group(2) or 1) * _UNITS[match.group(3)]
    if count == 0:
        return None
    return Rate(count, period)


def default_rate(repository_url: str) -> Rate | None:
    """The registry's own limit for PyPI and TestPyPI; no pacing for any other index unless
    asked."""
    registry = registry_for(repository_url)
    per_hour = None if registry is None else registry.profile.new_projects_per_hour
    return None if per_hour is None else Rate(per_hour, 3600.0)


class SlidingWindow:
    """A log of recent uploads that says how long to wait before the next one is allowed."""

    def __init__(
        self,
        rate: Rate,
        history: Iterable[float] = (),
        clock: Callable[[], float] = time.monotonic,
    ) -> None:
        """``history``: how many seconds ago earlier uploads (e.g. of a killed run) ended."""
        self.rate = rate
        self._clock = clock
        now = clock()
        self._log: deque[float] = deque(
            sorted(now - max(0.0, ago) for ago in history), maxlen=rate.count
        )
        # A hair past the window edge, so equal timestamps on both sides never collide.
        self._margin = min(rate.period * 0.005, 1.0)

    def delay(self) -> float:
        """Seconds to wait before the next upload may start (0 when it may start now)."""
        if len(self._log) < self.rate.count:
            return 0.0
        ready = self._log[0] + self.rate.period + self._margin
        return max(0.0, ready - self._clock())

    def record(self) -> None:
        """Log one upload as ended now."""
        self._log.append(self._clock())

    def eta(self, remaining: int) -> float:
        """Seconds until ``remaining`` more uploads are done at this rate, on average."""
        return max(0, remaining) / self.rate.per_second
