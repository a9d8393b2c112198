"""The state every route of one stats app shares."""

from __future__ import annotations

import threading
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import date

from fastapi import Request

from .dbthreads import Database
from .export import SharedExport
from .limits import PURGE_AGAIN_SECONDS
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
    #: The day the digests were last rotated to (None: not yet, since the start).
    _rotated: date | None = None
    #: When (monotonic) the digests of days before ``_rotated`` must be deleted next.
    _purges: list[float] = field(default_factory=list)
    #: Held while a purge runs (on a database thread).
    _purging: threading.Lock = field(default_factory=threading.Lock)

    @property
    def names(self) -> dict[str, RegisteredName]:
        """The registered names as last read. Never read here: this is asked on the event
        loop, for every ping, and the app re-reads them in the background instead."""
        return self._names

    def reload_names(self) -> None:
        """Re-read the names (blocking: call it through ``db``)."""
        self._names = self.store.registered()

    async def rotate_sources(self) -> None:
        """At the first call of each day (the app calls this every ROTATION_CHECK_SECONDS):
        load the day's key, forget the rate limiter's digests, and delete every earlier
        day's digests from the database, now and again PURGE_AGAIN_SECONDS later (on an
        export thread: the one long job besides exports). A failed deletion (the database
        is down) is tried again at the next call."""
        day = self.today()
        now = time.monotonic()
        if day != self._rotated:
            self.hasher.rotate(day)
            self.limiter.forget()
            self._rotated = day
            self._purges = [now, now + PURGE_AGAIN_SECONDS]
        while self._purges and self._purges[0] <= now and not self._purging.locked():
            await self.db.export(lambda: self._purge(day))
            self._purges.pop(0)

    def _purge(self, day: date) -> None:
        # One at a time: a purge whose caller gave up (past its deadline) goes on, and the
        # next call must not start a second one on the same rows meanwhile.
        if self._purging.acquire(blocking=False):
            try:
                self.store.drop_sources_before(day)
            finally:
                self._purging.release()


def state_of(request: Request) -> ServiceState:
    state: ServiceState = request.app.state.stats
    return state
