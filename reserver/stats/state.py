"""The state every route of one stats app shares."""

from __future__ import annotations

import time
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import date

from fastapi import Request

from .metrics import StatsMetrics
from .ratelimit import PingRateLimiter
from .schema import RegisteredName
from .sources import SourceHasher
from .store import StatsStore
from .writer import PingWriter

#: Seconds a worker trusts its copy of the registered names.
NAMES_TTL = 2.0


@dataclass
class ServiceState:
    """Everything the routes share; one per app."""

    store: StatsStore
    token: str | None
    limiter: PingRateLimiter
    today: Callable[[], date]
    writer: PingWriter
    hasher: SourceHasher
    metrics: StatsMetrics
    _names: dict[str, RegisteredName] = field(default_factory=dict)
    _loaded_at: float = float("-inf")

    @property
    def names(self) -> dict[str, RegisteredName]:
        """The registered names, re-read every few seconds: with several workers sharing one
        database, a name registered through one worker must soon be accepted by all."""
        if time.monotonic() - self._loaded_at > NAMES_TTL:
            self.reload_names()
        return self._names

    def reload_names(self) -> None:
        self._names = self.store.registered()
        self._loaded_at = time.monotonic()


def state_of(request: Request) -> ServiceState:
    state: ServiceState = request.app.state.stats
    return state
