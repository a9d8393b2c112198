"""Prometheus metrics of one stats service instance (its own registry, so apps never share)."""

from __future__ import annotations

from collections.abc import Callable

from prometheus_client import CollectorRegistry, Counter, Gauge, Histogram, generate_latest

CONTENT_TYPE = "text/plain; version=0.0.4; charset=utf-8"


class StatsMetrics:
    """Counters an operator alerts on: accepted and rejected pings, commit time, queue depth,
    whether the database answers."""

    def __init__(self, queue_depth: Callable[[], float], database_up: Callable[[], float]) -> None:
        self.registry = CollectorRegistry()
        self.accepted = Counter(
            "reserver_pings_accepted", "Pings committed to the store.", ["installer"],
            registry=self.registry,
        )  # fmt: skip
        self.rejected = Counter(
            "reserver_pings_rejected", "Pings refused, by reason.", ["reason"],
            registry=self.registry,
        )  # fmt: skip
        self.commit_seconds = Histogram(
            "reserver_commit_seconds", "Time to commit one batch of pings.",
            buckets=(0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1.0, 2.5),
            registry=self.registry,
        )  # fmt: skip
        self.batch_size = Histogram(
            "reserver_commit_batch_pings", "Pings per committed batch.",
            buckets=(1, 2, 5, 10, 20, 50, 100, 200, 500, 1000, 2000),
            registry=self.registry,
        )  # fmt: skip
        # Children resolved once: labels() takes a lock and a dict lookup on every ping.
        self.accepted_by = {i: self.accepted.labels(i) for i in ("pip", "uv", "poetry", "other")}
        queue = Gauge(
            "reserver_ping_queue", "Pings waiting for the next commit.", registry=self.registry
        )
        queue.set_function(queue_depth)
        up = Gauge(
            "reserver_database_up", "1 while the health probe reaches the database, else 0.",
            registry=self.registry,
        )  # fmt: skip
        up.set_function(database_up)

    def committed(self, pings: int, seconds: float) -> None:
        self.commit_seconds.observe(seconds)
        self.batch_size.observe(pings)

    def render(self) -> bytes:
        return generate_latest(self.registry)
