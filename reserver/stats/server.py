"""Run the stats service with uvicorn (what ``reserver stats serve`` does)."""

from __future__ import annotations

import contextlib
import gc
import ipaddress
import sys
from collections.abc import Callable
from pathlib import Path
from typing import Any

import uvicorn

from ..errors import ReserverError
from .app import check_options, create_app, outermost
from .connections import GuardedProtocol
from .constants import DEFAULT_DB
from .limits import (
    BACKLOG,
    FILES_WANTED,
    GRACEFUL_SHUTDOWN_SECONDS,
    KEEP_ALIVE_SECONDS,
    MAX_HEADER_BYTES,
    MIN_CONNECTIONS,
    connection_limit,
)
from .ratelimit import DEFAULT_RATE
from .secret import default_path, load_or_create
from .store import StatsStore

#: Where the fingerprint of the secret is kept in the database (see ``Secret.check``).
SECRET_CHECK_KEY = "secret_check"


def _stderr(message: str) -> None:
    print(f"note: {message}", file=sys.stderr)


def parse_proxies(value: str) -> list[str]:
    """The addresses and networks (comma-separated) whose X-Forwarded-For is trusted."""
    proxies = []
    for item in (part.strip() for part in value.split(",")):
        if not item:
            continue
        if item == "*":
            raise ReserverError(
                "--forwarded-allow-ips '*' would let every client choose the address it is "
                "counted and rate-limited as: list the proxies' addresses or networks"
            )
        try:
            proxies.append(str(ipaddress.ip_address(item) if "/" not in item
                               else ipaddress.ip_network(item)))  # fmt: skip
        except ValueError:
            raise ReserverError(
                f"--forwarded-allow-ips: {item!r} is not an IP address or network "
                "(e.g. 127.0.0.1 or 10.0.0.0/8)"
            ) from None
    return proxies


def open_files_limit() -> int | None:
    """The soft limit on open file descriptors, first raised to FILES_WANTED if it is lower
    and the hard limit allows (the usual soft limit, 1024 on Linux and 256 on macOS, is a
    default for interactive programs, not a policy); None where there is no limit to read."""
    try:
        import resource
    except ImportError:  # not POSIX
        return None
    soft, hard = resource.getrlimit(resource.RLIMIT_NOFILE)
    if soft != resource.RLIM_INFINITY and soft < FILES_WANTED:
        wanted = FILES_WANTED if hard == resource.RLIM_INFINITY else min(hard, FILES_WANTED)
        with contextlib.suppress(ValueError, OSError):  # as it was, then
            resource.setrlimit(resource.RLIMIT_NOFILE, (wanted, hard))
            soft = wanted
    return None if soft == resource.RLIM_INFINITY else soft


def connections_allowed() -> int:
    """How many connections this process can hold (see ``connection_limit``)."""
    files = open_files_limit()
    limit = connection_limit(files)
    if limit < MIN_CONNECTIONS:
        raise ReserverError(
            f"the process may open only {files} files, too few to serve {MIN_CONNECTIONS} "
            "connections: raise the limit (ulimit -n)"
        )
    return limit


def server_config(
    app: Any,
    host: str,
    port: int,
    proxies: list[str],
    limit: int | None = None,
    log_level: str = "warning",
) -> uvicorn.Config:
    """uvicorn's configuration for ``app``: every limit on what one client may hold;
    ``log_level`` is uvicorn's own (its access log stays off whatever the level)."""
    if limit is None:
        limit = connections_allowed()
    return uvicorn.Config(
        app, host=host, port=port,
        # No access log: it would write every client's address, which this service never keeps.
        access_log=False, log_level=log_level, server_header=False,
        # X-Forwarded-For decides the address a client is counted and rate-limited as: it is
        # read only from the proxies the operator lists, and by default from nobody (a
        # local client could otherwise claim a new address with every ping).
        proxy_headers=bool(proxies), forwarded_allow_ips=proxies or None,
        # Never "auto" (uvicorn's httptools protocol has no header limit): the protocol that
        # adds the header limit, request deadlines and the connection cap; h11's own limit
        # is set too, for the h11 fallback (connections.py).
        http=GuardedProtocol, h11_max_incomplete_event_size=MAX_HEADER_BYTES,
        limit_concurrency=limit, timeout_keep_alive=KEEP_ALIVE_SECONDS, backlog=BACKLOG,
        # No WebSocket routes: an upgrade would hand the connection to a protocol without
        # the deadlines above.
        ws="none", lifespan="on",
        timeout_graceful_shutdown=GRACEFUL_SHUTDOWN_SECONDS,
    )  # fmt: skip


def serve(
    db_url: str = DEFAULT_DB,
    host: str = "127.0.0.1",
    port: int = 8000,
    token: str | None = None,
    rate_limit: str | None = DEFAULT_RATE,
    schema: str | None = None,
    forwarded_allow_ips: str = "",
    secret_file: Path | None = None,
    note: Callable[[str], None] = _stderr,
    log_level: str = "warning",
    announce: Callable[[], None] = lambda: None,
) -> None:
    """Open (or create) the store at ``db_url`` and serve until interrupted.

    Every option is checked before anything is created on disk (the database file, the
    secret file); ``announce`` is called once everything is ready, just before serving, so
    nothing says "serving" for a run that is refused.
    """
    check_options(token, rate_limit)
    proxies = parse_proxies(forwarded_allow_ips)
    limit = connections_allowed()
    secret = load_or_create(secret_file or default_path(db_url))
    if secret.created:
        note(f"created the secret file {secret.path}: give every worker on this database the "
             "same file, and keep it out of the database's backups (docs/stats.md)")  # fmt: skip
    if secret.readable_by_others:
        note(f"other users can read the secret file {secret.path}: chmod 600 it")
    store = StatsStore.open(db_url, schema)
    previous = store.swap_meta(SECRET_CHECK_KEY, secret.check())
    if previous is not None and previous != secret.check():
        note("this database was last used with another secret file: workers with different "
             "secrets count a source once for each; give all the same --secret-file")  # fmt: skip
    app = create_app(store, token=token, rate_limit=rate_limit, secret=secret.key)
    server = uvicorn.Server(server_config(outermost(app), host, port, proxies, limit, log_level))
    # Everything loaded so far lives as long as the process; freezing it keeps the
    # collector's full passes (tens of ms with FastAPI and SQLAlchemy loaded) off the tail.
    gc.freeze()
    announce()
    server.run()
    if not server.started:  # uvicorn has logged why (the port is taken, ...)
        raise ReserverError(f"the stats service could not start on {host}:{port}")
