"""The state every route of one stats app shares."""

from __future__ import annotations

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
    names: dict[str, RegisteredName] = field(default_factory=dict)

    def reload_names(self) -> None:
        self.names = self.store.registered()


def state_of(request: Request) -> ServiceState:
    state: ServiceState = request.app.state.stats
    return state
