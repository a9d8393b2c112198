"""Rates written as people write them ("20/hour", "30/minute", "5/2s"): one syntax for the
upload pacing (``reserver upload --rate``) and the stats service's per-source ping limit
(``reserver stats serve --rate-limit``)."""

from __future__ import annotations

import re
from dataclasses import dataclass

from .errors import ReserverError, excerpt

_UNITS = {
    "s": 1.0, "sec": 1.0, "second": 1.0, "seconds": 1.0,
    "m": 60.0, "min": 60.0, "minute": 60.0, "minutes": 60.0,
    "h": 3600.0, "hour": 3600.0, "hours": 3600.0,
    "d": 86400.0, "day": 86400.0, "days": 86400.0,
}  # fmt: skip
_RATE = re.compile(r"^\s*(\d+)\s*/\s*(\d+(?:\.\d+)?)?\s*([a-z]+)\s*\Z")


@dataclass(frozen=True)
class Rate:
    """At most ``count`` events (new projects, pings) in any ``period`` seconds."""

    count: int
    period: float

    def __post_init__(self) -> None:
        if self.count < 1 or not self.period > 0:
            raise ReserverError("a rate needs at least 1 per a positive period")

    @property
    def per_second(self) -> float:
        return self.count / self.period

    def __str__(self) -> str:
        for unit, seconds in (("day", 86400.0), ("hour", 3600.0), ("minute", 60.0)):
            if self.period == seconds:
                return f"{self.count}/{unit}"
        return f"{self.count}/{self.period:g}s"


def parse_rate(text: str) -> Rate | None:
    """Parse ``20/hour``, ``5/2s``, ``100/min``; ``none`` (or ``0``, ``off``) is no limit.

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
