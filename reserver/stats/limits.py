"""Every deadline and size the service's behaviour rests on: under a failing database, under
hostile clients, and for the daily rotation of source digests.

One place, each with where its number comes from, because they only make sense together: a
ping must get its 503 within 10 s of the database going silent, /healthz must answer within
5 s, no client may hold a database connection it is not using, and no client may hold a
connection (or a file descriptor) it is not using either.
"""

from __future__ import annotations

# -- how long a caller waits ----------------------------------------------------------------

#: A ping waits this long for its commit, then is answered 503. The acceptance for a silent
#: database asks for the 503 within 10 s; half that leaves room for the grace below.
PING_COMMIT_SECONDS = 5.0
#: A commit already sent when the ping's wait ran out gets this much longer, so a batch that
#: was merely slow is still acknowledged rather than counted behind a 503.
COMMIT_GRACE_SECONDS = 2.0
#: Commits start at most this often: under load, the pings that arrive meanwhile share the
#: next commit, whose cost is mostly fixed (a statement, its round trips, the WAL flush); a
#: ping after a quiet moment is committed at once. Measured with the load of
#: benchmarks/bench_stats.py (2,100 pings/s, 15 s, two runs each) at 0 / 2 / 3 / 5 ms:
#: PostgreSQL, pings per commit 2 / 5 / 8 / 12, service CPU per ping 0.28 / 0.15 / 0.13 /
#: 0.11 ms, PostgreSQL's 0.14 / 0.07 / 0.05 / 0.04 ms, p50 2.5 / 2.6 / 3.3 / 4.6 ms;
#: SQLite (0 / 3 / 5 ms), CPU per ping 0.38 / 0.19 / 0.17 ms. 3 ms is where the CPU stops
#: falling much for each millisecond added to a ping's wait.
COMMIT_INTERVAL_SECONDS = 0.003
#: A page or API read gives up after this long with a 503: what a person waits for a page,
#: and the same budget as a ping.
READ_SECONDS = 5.0
#: A registration may upsert tens of thousands of names (a body of up to 8 MiB): an admin
#: command can wait, and retrying one that timed out is harmless (it is an upsert).
REGISTER_SECONDS = 60.0
#: The full export (every count row, written to a temporary file before the first byte is
#: sent) may take this long: the one query that reads the whole fine-grained table.
EXPORT_SECONDS = 60.0
#: Export requests within this long of a snapshot's start share it: the export may be this
#: many seconds old, and in exchange a burst of requests (the acceptance's 30 stalled
#: clients) reads the whole table once instead of once each.
EXPORT_REUSE_SECONDS = 5.0
#: The health probe runs this often...
HEALTH_INTERVAL_SECONDS = 1.0
#: ...and a probe that has not answered by this is a failure: a silent database shows on
#: /healthz within interval + timeout = 3 s, inside the 5 s the acceptance gives healthz.
HEALTH_TIMEOUT_SECONDS = 2.0
#: Sent as Retry-After with every 503: a little more than the 3 s the health probe needs to
#: see the database back, so a client that honours it does not retry into the same outage.
RETRY_AFTER_SECONDS = 5
#: On shutdown, in-flight pings get this long to be committed (their own deadline) before
#: the writer is abandoned; a thread stuck on a silent socket must not keep the process up.
SHUTDOWN_SECONDS = PING_COMMIT_SECONDS
#: uvicorn's graceful shutdown waits this long for open responses: a client that stopped
#: reading an export would otherwise keep the process alive forever.
GRACEFUL_SHUTDOWN_SECONDS = 10

# -- connections: one per thread that may use one, so a call never waits for the pool ------

#: The writer commits every ping on one thread: group commit needs exactly one.
WRITER_CONNECTIONS = 1
#: Page and API reads, registration and the names refresh: enough for a few people on the
#: dashboard at once; more queue (within READ_SECONDS) instead of opening connections.
READ_CONNECTIONS = 4
#: Full exports, apart from reads so a burst of them cannot starve the dashboard either.
EXPORT_CONNECTIONS = 2
#: The pool holds exactly what the threads above can use; nothing overflows it.
POOL_SIZE = WRITER_CONNECTIONS + READ_CONNECTIONS + EXPORT_CONNECTIONS
#: Every thread has its own connection, so waiting for one means a bug, not load: fail soon.
POOL_TIMEOUT_SECONDS = 2.0

# -- PostgreSQL session settings ---------------------------------------------------------------

#: libpq's (and psycopg's) unit is whole seconds, with 2 as the least. 3 s to connect keeps
#: a batch that must open a connection inside a ping's PING_COMMIT_SECONDS.
CONNECT_TIMEOUT_SECONDS = 3
#: A statement running longer has already failed every ping waiting on it
#: (PING_COMMIT_SECONDS), usually stuck behind a lock a silent worker holds: stop it, so the
#: writer is free for the next batch.
STATEMENT_TIMEOUT_MS = 5_000
#: A transaction left open this long belongs to a worker that went silent mid-commit; the
#: server ends that session so the row locks it holds (the all-time total every commit
#: updates) stop blocking the other workers. A live transaction is idle for microseconds.
IDLE_IN_TRANSACTION_MS = 10_000
#: A real network black hole (packets dropped) leaves data unacknowledged: TCP gives up on
#: it after this long instead of the kernel's ~15 minutes, and the stuck thread is freed.
TCP_USER_TIMEOUT_MS = 10_000
#: Keepalives find a dead peer on an idle pooled connection: after 10 s idle, 3 probes 5 s
#: apart, i.e. within about 25 s rather than the kernel's two hours.
KEEPALIVES_IDLE_SECONDS = 10
KEEPALIVES_INTERVAL_SECONDS = 5
KEEPALIVES_COUNT = 3

# -- sizes ----------------------------------------------------------------------------------

#: A full export is written to a temporary file before it is sent; up to this much of it
#: stays in memory, the rest goes to disk. A client that never reads its export holds that
#: file (shared with the requests of the same few seconds), not a database connection.
EXPORT_SPOOL_BYTES = 1 << 20

# -- the daily source key ---------------------------------------------------------------------

#: The service looks this often whether the day has turned: yesterday's digests are deleted
#: within this long of midnight UTC, whether or not a ping arrives. The check is comparing two
#: dates; the deletion runs once per day.
ROTATION_CHECK_SECONDS = 1.0
#: ...and once more this long after midnight: a ping accepted just before midnight may be
#: committed (with yesterday's digest) after the first deletion. It is answered within
#: PING_COMMIT_SECONDS + COMMIT_GRACE_SECONDS (7 s) and its statement is stopped by
#: STATEMENT_TIMEOUT_MS; a minute is past both with a wide margin.
PURGE_AGAIN_SECONDS = 60.0

#: Digests deleted per transaction by the purge. Measured here: 0.10-0.15 s per batch on
#: SQLite and PostgreSQL alike (200,000 digests in 1.8 s), so the writer waits for the
#: purge at most that long at a time, far inside a ping's PING_COMMIT_SECONDS, and no
#: statement comes near STATEMENT_TIMEOUT_MS. The whole purge runs on an export thread,
#: within EXPORT_SECONDS: 4 to 6 million digests, more sources than any day has seen.
PURGE_BATCH = 10_000

# -- HTTP: what one client may hold -----------------------------------------------------------

#: The request line and headers may take this many bytes together (h11's own default, set
#: here so it is ours): a ping's are about 200 bytes, a browser's 1-2 KiB (this service sets
#: no cookies), and nginx's default allows 8 KiB per header line. Larger is refused with 400.
MAX_HEADER_BYTES = 16 * 1024
#: A request's headers must all arrive within this long of its first byte (of the connection
#: opening, for the first request): a placeholder gives up on its ping after 1 s
#: (PING_DEADLINE in its template), and the nginx example in docs/stats.md uses the same
#: 10 s (client_header_timeout). A client trickling its headers is closed.
HEADER_SECONDS = 10.0
#: While a request's body arrives, each piece must follow the previous within this long
#: (nginx's client_body_timeout in the same example). A registration of 8 MiB from a slow
#: link still arrives; a client that stops sending is closed.
BODY_IDLE_SECONDS = 10.0
#: A client that has not read any of its answer for this long is closed (nginx's send_timeout
#: in the same example). Written answers wait in the socket's buffers meanwhile; the largest,
#: the full export, is sent from a file (export.py), so a slow reader holds no connection to
#: the database, only this one.
SEND_STALL_SECONDS = 30.0
#: A connection idle between requests is closed after this long: uvicorn's own default,
#: pinned. A browser fetches the page's scripts and styles on the same connection within
#: milliseconds; placeholders close theirs after one ping (urllib sends Connection: close).
KEEP_ALIVE_SECONDS = 5
#: At most this many connections at once (uvicorn's limit_concurrency; connections.py keeps
#: them one below, where uvicorn itself would start answering 503). Real use needs tens:
#: pings last milliseconds (thousands a second need about 10 connections), a browser opens
#: at most 6, a proxy's upstream keep-alive pool is typically 32. Each connection may buffer
#: MAX_HEADER_BYTES plus uvicorn's 64 KiB of unread body, so this also bounds what clients
#: can make the process hold to about 40 MB.
MAX_CONNECTIONS = 500
#: Descriptors the process needs besides its connections: stdio, the listening socket, the
#: event loop's, the database's and export spool files. Measured: 13 to 20 on SQLite after
#: start and a few requests (tests/stats/test_http_limits.py prints it); a full pool
#: (9 connections with the health probe's, 2 files each on SQLite: database and WAL) and a
#: few spooled exports add under 20 more. 64 leaves room beyond that.
FD_RESERVE = 64
#: A connection may hold a second descriptor: the static file or export it is sending.
FDS_PER_CONNECTION = 2
#: Connections the kernel queues until the service accepts them (the listen backlog), and
#: what asyncio's event loop accepts at once: up to this many new descriptors per turn of
#: the loop, before the protocol can close any of them. uvicorn's default, 2048, let a burst
#: of 1,100 connections take every descriptor of a process limited to 1024 (measured, with
#: asyncio's loop; uvloop accepts in smaller steps). 128 is Linux's default queue before
#: kernel 5.4: pings arrive in milliseconds, so far fewer than this wait between two turns.
BACKLOG = 128
#: Descriptors accepted and not yet closed during a burst of connections: the flood test
#: (tests/stats/test_http_limits.py) peaks at about 250 beyond the open connections with a
#: backlog of 128 (asyncio creates a connection's transport one turn after accepting it,
#: and its protocol one turn later).
ACCEPT_BURST_FDS = 3 * BACKLOG
#: Descriptors the service asks for at start (raising its soft limit, within the hard
#: limit, when lower): enough for MAX_CONNECTIONS with everything above.
FILES_WANTED = FD_RESERVE + ACCEPT_BURST_FDS + FDS_PER_CONNECTION * MAX_CONNECTIONS
#: Refuse to start below this: a browser's 6 connections, a proxy's few and the pings of
#: the moment would not fit, and every page would be cut off.
MIN_CONNECTIONS = 16


def connection_limit(open_files: int | None) -> int:
    """MAX_CONNECTIONS, or fewer when the process may open only ``open_files`` descriptors
    (RLIMIT_NOFILE's soft limit, when it could not be raised to FILES_WANTED): the
    connections must never take the descriptors the database and the files being sent
    need, even while a burst of new connections is being accepted."""
    if open_files is None:
        return MAX_CONNECTIONS
    spare = open_files - FD_RESERVE - ACCEPT_BURST_FDS
    return min(MAX_CONNECTIONS, spare // FDS_PER_CONNECTION)
