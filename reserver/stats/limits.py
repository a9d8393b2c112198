"""Every deadline and size the service's behaviour under a failing database rests on.

One place, each with where its number comes from, because they only make sense together: a
ping must get its 503 within 10 s of the database going silent, /healthz must answer within
5 s, and no client may hold a database connection it is not using.
"""

from __future__ import annotations

# -- how long a caller waits ----------------------------------------------------------------

#: A ping waits this long for its commit, then is answered 503. The acceptance for a silent
#: database asks for the 503 within 10 s; half that leaves room for the grace below.
PING_COMMIT_SECONDS = 5.0
#: A commit already sent when the ping's wait ran out gets this much longer, so a batch that
#: was merely slow is still acknowledged rather than counted behind a 503.
COMMIT_GRACE_SECONDS = 2.0
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
