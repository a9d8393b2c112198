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

import time
from collections import deque
from collections.abc import Callable, Iterable

from .._rates import Rate
from ..index.registries import registry_for


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
