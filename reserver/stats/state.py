"""The state every route of one stats app shares."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import date

from fastapi import Request

from .dbthreads import Database
from .export import SharedExport
from .metrics import StatsMetrics
from .ratelimit import PingRateLimiter
from .schema import RegisteredName
from .sources import SourceHasher
from .store import StatsStore
from .writer import PingWriter


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
    db: Database
    exports: SharedExport
    _names: dict[str, RegisteredName] = field(default_factory=dict)

    @property
    def names(self) -> dict[str, RegisteredName]:
        """The registered names as last read. Never read here: this is asked on the event
        loop, for every ping, and the app re-reads them in the background instead."""
        return self._names

    def reload_names(self) -> None:
        """Re-read the names (blocking: call it through ``db``)."""
        self._names = self.store.registered()


def state_of(request: Request) -> ServiceState:
    state: ServiceState = request.app.state.stats
    return state
