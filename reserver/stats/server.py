"""Run the stats service with uvicorn (what ``reserver stats serve`` does)."""

from __future__ import annotations

import gc

import uvicorn

from .app import create_app, outermost
from .constants import DEFAULT_DB
from .limits import GRACEFUL_SHUTDOWN_SECONDS
from .ratelimit import DEFAULT_RATE
from .store import StatsStore


def serve(
    db_url: str = DEFAULT_DB,
    host: str = "127.0.0.1",
    port: int = 8000,
    token: str | None = None,
    rate_limit: str | None = DEFAULT_RATE,
    schema: str | None = None,
    forwarded_allow_ips: str = "127.0.0.1",
) -> None:
    """Open (or create) the store at ``db_url`` and serve until interrupted."""
    store = StatsStore.open(db_url, schema)
    app = create_app(store, token=token, rate_limit=rate_limit)
    # Everything loaded so far lives as long as the process; freezing it keeps the
    # collector's full passes (tens of ms with plotly and SQLAlchemy loaded) off the tail.
    gc.freeze()
    # No access log: it would write every client's address, which this service never keeps.
    # Behind a proxy every request comes from the proxy's address: trust its X-Forwarded-For
    # (only from ``forwarded_allow_ips``) so rate limits and unique sources see real clients.
    uvicorn.run(outermost(app), host=host, port=port, access_log=False, log_level="warning",
                server_header=False, proxy_headers=True,
                forwarded_allow_ips=forwarded_allow_ips,
                timeout_graceful_shutdown=GRACEFUL_SHUTDOWN_SECONDS)  # fmt: skip
