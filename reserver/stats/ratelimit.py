"""Per-source rate limiting of pings, with the ``limits`` library's moving window."""

from __future__ import annotations

from limits import parse
from limits.storage import MemoryStorage
from limits.strategies import MovingWindowRateLimiter

from ..errors import ReserverError

#: Generous for a person retrying an install, tight for a script inflating one name's count.
DEFAULT_RATE = "30/minute"


class PingRateLimiter:
    """Allows each source (a salted digest, never an address) ``rate`` pings."""

    def __init__(self, rate: str | None = DEFAULT_RATE) -> None:
        self.rate = rate
        self._limiter: MovingWindowRateLimiter | None = None
        if rate:
            try:
                self._item = parse(rate)
            except ValueError:
                raise ReserverError(
                    f"invalid rate limit {rate!r}: write it like 30/minute or 100/hour"
                ) from None
            # Per process: with several workers each one allows the rate (documented).
            self._limiter = MovingWindowRateLimiter(MemoryStorage())

    def allow(self, source: str) -> bool:
        """True when ``source`` may send one more ping now (and counts it)."""
        if self._limiter is None:
            return True
        return self._limiter.hit(self._item, source)
