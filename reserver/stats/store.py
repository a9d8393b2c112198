"""Aggregate-only storage of install counts through SQLAlchemy, on SQLite or PostgreSQL.

No ping is kept as a row. Each commit adds to counters keyed by day, name, installer,
Python version and CI flag, and to small roll-up tables (all-time per dimension, per day per
name) so the dashboard reads a few thousand rows whatever the number of pings behind them.
Unique sources are keyed digests kept only for the current day and deleted when it is over;
their key is derived from a secret file outside the database (``secret``), so a copy of the
database cannot be used to find the addresses behind them.
"""

from __future__ import annotations

import re
from collections import Counter
from collections.abc import Callable, Iterable, Iterator, Mapping, Sequence
from contextlib import contextmanager
from dataclasses import dataclass
from datetime import date, datetime, timezone
from operator import itemgetter
from pathlib import Path
from typing import Any

from sqlalchemy import (
    BigInteger,
    Boolean,
    Column,
    Connection,
    Date,
    DateTime,
    Engine,
    MetaData,
    String,
    Table,
    bindparam,
    create_engine,
    delete,
    event,
    func,
    select,
    text,
    tuple_,
)
from sqlalchemy.dialects import postgresql, sqlite
from sqlalchemy.engine import URL, make_url
from sqlalchemy.exc import ArgumentError, SQLAlchemyError

from ..errors import ReserverError
from .limits import (
    CONNECT_TIMEOUT_SECONDS,
    EXPORT_SECONDS,
    IDLE_IN_TRANSACTION_MS,
    KEEPALIVES_COUNT,
    KEEPALIVES_IDLE_SECONDS,
    KEEPALIVES_INTERVAL_SECONDS,
    POOL_SIZE,
    POOL_TIMEOUT_SECONDS,
    PURGE_BATCH,
    STATEMENT_TIMEOUT_MS,
    TCP_USER_TIMEOUT_MS,
)
from .schema import Ping, RegisteredName

#: 2: the daily salts (stats_salts) left the database for the secret file; a version 1
#: database is upgraded in place (its salts and the digests made with them are deleted).
SCHEMA_VERSION = "2"
#: SQLite's own wait for a lock (its busy timeout), as before: the pings' deadlines bound the
#: wait a client sees (limits.py).
SQLITE_BUSY_MS = 10_000
#: The WAL checkpoint after a purge (twice a day) holds new writers back while it waits: at
#: most this long, far inside a ping's PING_COMMIT_SECONDS, so pings never notice.
CHECKPOINT_WAIT_MS = 100
_IDENTIFIER = re.compile(r"^[a-z_][a-z0-9_]{0,40}\Z")
#: A type's length, as in VARCHAR(100).
_LENGTH = re.compile(r"\(\d+\)")

#: A count key: (canonical name, day, installer, python, ci).
CountKey = tuple[str, date, str, str, bool]
#: The columns of a count key in stats_counts.
_COUNT_KEYS = ("name", "day", "installer", "python", "ci")


class StoreError(ReserverError):
    """The stats database cannot be used (bad URL, unreachable, or a newer schema)."""


class CommitAbandoned(Exception):
    """Raised inside ``record`` to roll a batch back: a ping in it was already refused."""


@dataclass(frozen=True)
class DailyRow:
    """The numbers of one day."""

    day: date
    total: int
    ci: int
    interactive: int
    #: None for one name's row: sources are counted per day, not per name (a digest tied to
    #: the names it asked for would say more about a person than the count is worth).
    unique_sources: int | None


def ci_label(ci: bool) -> str:
    return "ci" if ci else "interactive"


def _tables(metadata: MetaData) -> dict[str, Table]:
    name_col = String(100)
    return {
        "meta": Table(
            "stats_meta", metadata,
            Column("key", String(40), primary_key=True),
            Column("value", String(200), nullable=False),
        ),
        "names": Table(
            "stats_names", metadata,
            Column("key", name_col, primary_key=True),
            Column("name", name_col, nullable=False),
            Column("target", name_col),
            Column("category", String(16), nullable=False),
            Column("removed_in", String(16)),
            Column("replacement", name_col),
            Column("replacement_in_stdlib", Boolean, nullable=False, default=False),
            Column("holder_name", String(100), nullable=False, default=""),
            Column("holder_contact", String(200), nullable=False, default=""),
            Column("holder_url", String(200), nullable=False, default=""),
            Column("registered_at", DateTime(timezone=True), nullable=False),
        ),
        # The finest grain kept: one row per combination, never per ping.
        "counts": Table(
            "stats_counts", metadata,
            Column("name", name_col, primary_key=True),
            Column("day", Date, primary_key=True),
            Column("installer", String(8), primary_key=True),
            Column("python", String(8), primary_key=True),
            Column("ci", Boolean, primary_key=True),
            Column("count", BigInteger, nullable=False),
        ),
        # All-time totals per dimension (all, name, installer, python, ci).
        "totals": Table(
            "stats_totals", metadata,
            Column("dim", String(16), primary_key=True),
            Column("key", name_col, primary_key=True),
            Column("count", BigInteger, nullable=False),
        ),
        # Per-day totals per dimension (all, name, ci, sources).
        "daily": Table(
            "stats_daily", metadata,
            Column("dim", String(16), primary_key=True),
            Column("key", name_col, primary_key=True),
            Column("day", Date, primary_key=True),
            Column("count", BigInteger, nullable=False),
        ),
        "rejected": Table(
            "stats_rejected", metadata,
            Column("day", Date, primary_key=True),
            Column("reason", String(32), primary_key=True),
            Column("count", BigInteger, nullable=False),
        ),
        # Today's keyed source digests; deleted once the day is over. Their key is never
        # stored here (see ``secret``).
        "sources": Table(
            "stats_sources", metadata,
            Column("day", Date, primary_key=True),
            Column("digest", String(32), primary_key=True),
        ),
    }  # fmt: skip


def make_engine(url: str | URL, pool_size: int = POOL_SIZE) -> Engine:
    """An engine for ``url``: SQLite (WAL, full sync, busy timeout) or PostgreSQL (psycopg,
    with connect, statement and TCP timeouts), pooling at most ``pool_size`` connections."""
    try:
        parsed = make_url(url)
    except ArgumentError:
        raise StoreError(f"not a database URL: {url!r}") from None
    backend = parsed.get_backend_name()
    # No overflow: the service runs one database thread per pooled connection (see limits),
    # so a full pool means every thread is busy, and more connections would not help.
    pooling: dict[str, Any] = {
        "pool_size": pool_size, "max_overflow": 0, "pool_timeout": POOL_TIMEOUT_SECONDS,
    }  # fmt: skip
    if backend == "sqlite":
        database = parsed.database or ""
        if database in ("", ":memory:"):
            raise StoreError("an in-memory SQLite database would lose every count; give a file")
        Path(database).parent.mkdir(parents=True, exist_ok=True)
        engine = create_engine(parsed, connect_args={"timeout": 10}, **pooling)
        event.listen(engine, "connect", _sqlite_pragmas)
        return engine
    if backend == "postgresql":
        if parsed.get_driver_name() != "psycopg":
            raise StoreError("use postgresql+psycopg://... (psycopg 3) for PostgreSQL")
        return create_engine(
            parsed, pool_pre_ping=True, connect_args=_postgresql_args(parsed.query), **pooling
        )
    raise StoreError(
        f"unsupported database {backend!r}: use sqlite:///FILE or postgresql+psycopg://"
    )


def _postgresql_args(query: Mapping[str, str | tuple[str, ...]]) -> dict[str, Any]:
    """Timeouts for every PostgreSQL connection; what the URL's query sets itself wins.

    psycopg waits for a query's answer without any deadline, so these do not bound a call
    on a connection that went silent (the caller's own deadline does): they make the server
    drop a stuck worker's locks, and TCP drop a connection whose peer is gone.
    """
    defaults: dict[str, Any] = {
        "connect_timeout": CONNECT_TIMEOUT_SECONDS,
        "keepalives": 1,
        "keepalives_idle": KEEPALIVES_IDLE_SECONDS,
        "keepalives_interval": KEEPALIVES_INTERVAL_SECONDS,
        "keepalives_count": KEEPALIVES_COUNT,
        "tcp_user_timeout": TCP_USER_TIMEOUT_MS,
    }
    args = {key: value for key, value in defaults.items() if key not in query}
    settings = (
        f"-c statement_timeout={STATEMENT_TIMEOUT_MS} "
        f"-c idle_in_transaction_session_timeout={IDLE_IN_TRANSACTION_MS}"
    )
    given = query.get("options")
    if given is not None:
        # The server applies options in order: the URL's own come last, so they win.
        settings += " " + (given if isinstance(given, str) else " ".join(given))
    args["options"] = settings
    return args


def _sqlite_pragmas(dbapi_connection: Any, _record: Any) -> None:
    cursor = dbapi_connection.cursor()
    # WAL lets the dashboard read while the writer commits; FULL makes an acknowledged ping
    # survive a power cut, and group commit keeps its fsync cost per batch, not per ping.
    cursor.execute("PRAGMA journal_mode=WAL")
    cursor.execute("PRAGMA synchronous=FULL")
    cursor.execute(f"PRAGMA busy_timeout={SQLITE_BUSY_MS}")
    # Deleted rows are overwritten with zeros rather than left in free pages: a copy of the
    # file must not hold the digests of days already deleted. Mostly deletions pay for it
    # (the daily purge); benchmarks/bench_stats.py measured the same ping rate and CPU per
    # ping with and without it (2,100/s, 0.46 ms).
    cursor.execute("PRAGMA secure_delete=ON")
    cursor.close()


class StatsStore:
    """Counts of blocked installs, registered names, and today's keyed source digests."""

    def __init__(self, engine: Engine, schema: str | None = None) -> None:
        if schema is not None and not _IDENTIFIER.match(schema):
            raise StoreError(f"invalid schema name {schema!r}")
        if schema is not None and engine.dialect.name != "postgresql":
            raise StoreError("a database schema can only be given for PostgreSQL")
        self.engine = engine
        self.schema = schema
        self.metadata = MetaData(schema=schema)
        self.t = _tables(self.metadata)
        self._insert = postgresql.insert if engine.dialect.name == "postgresql" else sqlite.insert
        self._dates_as_text = engine.dialect.name == "sqlite"
        #: PostgreSQL takes a commit's rows as arrays (see ``_upsert``).
        self._arrays = engine.dialect.name == "postgresql"
        self._compiled: dict[str, tuple[str, tuple[str, ...] | None]] = {}
        self._probe: Engine | None = None

    @classmethod
    def open(cls, url: str, schema: str | None = None) -> StatsStore:
        """Connect to ``url`` and create or migrate the schema."""
        store = cls(make_engine(url), schema)
        store.create()
        return store

    # -- schema ---------------------------------------------------------------------------

    def create(self) -> None:
        """Create the tables if missing, upgrade an older schema; refuse a database written
        by a newer reserver."""
        upgraded = False
        try:
            with self.engine.begin() as conn:
                if self.schema is not None:
                    conn.execute(text(f'CREATE SCHEMA IF NOT EXISTS "{self.schema}"'))
                self.metadata.create_all(conn, checkfirst=True)
                meta = self.t["meta"]
                found = conn.execute(
                    select(meta.c.value).where(meta.c.key == "schema_version")
                ).scalar_one_or_none()
                if found is None:
                    conn.execute(
                        self._insert(meta)
                        .values(key="schema_version", value=SCHEMA_VERSION)
                        .on_conflict_do_nothing()
                    )
                elif found == "1":
                    self._upgrade_from_1(conn)
                    upgraded = True
                elif found != SCHEMA_VERSION:
                    raise StoreError(
                        f"the stats database has schema version {found}; this reserver "
                        f"knows {SCHEMA_VERSION}: upgrade reserver"
                    )
        except SQLAlchemyError as exc:
            raise StoreError(f"cannot open the stats database: {_reason(exc)}") from None
        if upgraded:
            self._truncate_wal()

    def _upgrade_from_1(self, conn: Connection) -> None:
        """Version 1 kept each day's salt beside the digests: delete both (the digests could
        be reversed with the salt, and match nothing made with the new key anyway)."""
        # IF EXISTS in the statement itself: a worker upgrading at the same moment as another
        # finds the table gone once it gets the lock, which is then no error.
        prefix = f'"{self.schema}".' if self.schema is not None else ""
        conn.execute(text(f"DROP TABLE IF EXISTS {prefix}stats_salts"))
        conn.execute(delete(self.t["sources"]))
        meta = self.t["meta"]
        conn.execute(
            meta.update()
            .where(meta.c.key == "schema_version", meta.c.value == "1")
            .values(value=SCHEMA_VERSION)
        )

    def drop(self) -> None:
        """Remove every table (tests and benchmarks clean up with this)."""
        with self.engine.begin() as conn:
            self.metadata.drop_all(conn, checkfirst=True)
            if self.schema is not None:
                conn.execute(text(f'DROP SCHEMA IF EXISTS "{self.schema}" CASCADE'))

    def ping_db(self) -> None:
        """Raise unless the database answers (the health probe).

        The probe has a connection of its own, outside the pool: it must tell whether the
        database answers, not whether the service's threads happen to be busy.
        """
        if self._probe is None:
            self._probe = make_engine(self.engine.url, pool_size=1)
        with self._probe.connect() as conn:
            conn.execute(select(1))

    def close_probe(self) -> None:
        """Close the health probe's connection (the service calls this when it stops)."""
        if self._probe is not None:
            self._probe.dispose()
            self._probe = None

    # -- writing --------------------------------------------------------------------------

    @contextmanager
    def transaction(self) -> Iterator[Connection]:
        with self.engine.begin() as conn:
            yield conn

    def record(
        self,
        pings: Sequence[tuple[date, Ping]],
        sources: Iterable[tuple[date, str]] = (),
        rejected: Mapping[tuple[date, str], int] | None = None,
        before_commit: Callable[[], bool] | None = None,
    ) -> None:
        """Add accepted pings, their salted sources and rejection counts in one transaction.

        ``before_commit`` is asked last: when it says False the transaction is rolled back
        and ``CommitAbandoned`` raised.
        """
        counts: Counter[CountKey] = Counter(
            (p.name, day, p.installer, p.python, p.ci) for day, p in pings
        )
        with self.engine.begin() as conn:
            if self._arrays:
                self._record_at_once(conn, counts, set(sources))
            else:
                self.add_counts(conn, counts)
                self._add_sources(conn, set(sources))
            if rejected:
                self._upsert(
                    conn, self.t["rejected"], ("day", "reason"),
                    [{"day": d, "reason": r, "count": n} for (d, r), n in rejected.items()],
                )  # fmt: skip
            if before_commit is not None and not before_commit():
                raise CommitAbandoned

    def add_counts(self, conn: Connection, counts: Mapping[CountKey, int]) -> None:
        """Add pre-aggregated counts to the fine table and every roll-up."""
        if not counts:
            return
        totals, daily = _rollups(counts)
        self._upsert(
            conn, self.t["counts"], _COUNT_KEYS,
            [{"name": k[0], "day": k[1], "installer": k[2], "python": k[3], "ci": k[4],
              "count": n} for k, n in counts.items()],
        )  # fmt: skip
        self._upsert(
            conn,
            self.t["totals"],
            ("dim", "key"),
            [{"dim": d, "key": k, "count": n} for (d, k), n in totals.items()],
        )
        self._upsert(
            conn,
            self.t["daily"],
            ("dim", "key", "day"),
            [{"dim": d, "key": k, "day": day, "count": n} for (d, k, day), n in daily.items()],
        )

    def _record_at_once(
        self, conn: Connection, counts: Mapping[CountKey, int], sources: set[tuple[date, str]]
    ) -> None:
        """PostgreSQL: what ``add_counts`` and ``_add_sources`` write, in one statement.

        A commit's fixed cost is most of a ping's when commits are frequent (a batch of 8
        pings cost 0.66 ms of this process's CPU and 0.58 ms of the server's, five statements
        and their round trips); one statement of data-modifying CTEs, with the same rows in
        the same sorted order, cost 0.37 ms and 0.46 ms (store.record, 300 batches). Each
        table's rows are written in sorted order, and the tables in the order the
        statement's plan runs its parts, the same for every worker running it, so they
        still take row locks in one order. A worker of an older reserver writes the tables
        in another order and may deadlock with this one during an upgrade: PostgreSQL
        detects it and fails one of the two batches, whose pings are answered 503.
        """
        if not counts and not sources:
            return
        totals, daily = _rollups(counts)
        fine = sorted(counts)
        rolled = sorted(totals)
        days = sorted(daily)
        digests = sorted(sources)
        columns: tuple[list[Any], ...] = (
            *([key[i] for key in fine] for i in range(5)), [counts[k] for k in fine],
            [k[0] for k in rolled], [k[1] for k in rolled], [totals[k] for k in rolled],
            [k[0] for k in days], [k[1] for k in days], [k[2] for k in days],
            [daily[k] for k in days],
            [d for d, _ in digests], [h for _, h in digests],
        )  # fmt: skip
        conn.exec_driver_sql(self._record_sql(), tuple(_pg_array(c) for c in columns))

    def _record_sql(self) -> str:
        cached = self._compiled.get("record")
        if cached is None:
            t = self.t
            table = self.engine.dialect.identifier_preparer.format_table
            # The final INSERT counts the day's new sources from what the sources' INSERT
            # returns; the other CTEs run to completion whether read or not.
            sql = (
                f"WITH counts AS ({self._unnest_sql(t['counts'], _COUNT_KEYS)}), "
                f"totals AS ({self._unnest_sql(t['totals'], ('dim', 'key'))}), "
                f"daily AS ({self._unnest_sql(t['daily'], ('dim', 'key', 'day'))}), "
                f"new_sources AS (INSERT INTO {table(t['sources'])} (day, digest) "
                "SELECT day, digest FROM unnest(%s::DATE[], %s::VARCHAR[]) "
                "WITH ORDINALITY AS u(day, digest, position) ORDER BY position "
                "ON CONFLICT DO NOTHING RETURNING day) "
                f"INSERT INTO {table(t['daily'])} AS t (dim, key, day, count) "
                "SELECT 'sources', '', day, count(*) FROM new_sources GROUP BY day ORDER BY day "
                "ON CONFLICT (dim, key, day) DO UPDATE SET count = t.count + excluded.count"
            )
            cached = self._compiled["record"] = (sql, None)
        return cached[0]

    def _upsert(
        self, conn: Connection, table: Table, keys: tuple[str, ...], rows: list[dict[str, Any]]
    ) -> None:
        if not rows:
            return
        # The same order in every transaction, so concurrent PostgreSQL writers never deadlock.
        # By the values themselves: for these columns (text, dates, booleans) the same order
        # as their str(), which older workers sort by, at a seventh of the cost (4 us for 25
        # rows instead of 30, measured with timeit).
        rows.sort(key=itemgetter(*keys))
        if self._arrays:
            # One statement whose rows arrive as one array per column: psycopg's executemany
            # costs about 8 us of this process's CPU per row (a commit of 16 pings writes
            # about 60 rows), this a few us per column whatever the rows.
            columns = [c.name for c in table.columns]
            arrays = tuple(_pg_array([row[c] for row in rows]) for c in columns)
            conn.exec_driver_sql(self._unnest_sql(table, keys), arrays)
            return
        sql, order = self._upsert_sql(table, keys)
        # The hot path of every commit: the statement is compiled once and the driver gets
        # plain parameters, which costs a fraction of SQLAlchemy's per-row processing.
        if order is None:
            conn.exec_driver_sql(sql, [self._driver_row(row) for row in rows])
        else:
            conn.exec_driver_sql(
                sql, [tuple(self._driver_row(row)[c] for c in order) for row in rows]
            )

    def _upsert_sql(
        self, table: Table, keys: tuple[str, ...]
    ) -> tuple[str, tuple[str, ...] | None]:
        cached = self._compiled.get(table.name)
        if cached is None:
            stmt = self._insert(table)
            stmt = stmt.on_conflict_do_update(
                index_elements=list(keys), set_={"count": table.c.count + stmt.excluded.count}
            )
            columns = [c.name for c in table.columns]
            compiled = stmt.values({c: bindparam(c) for c in columns}).compile(
                dialect=self.engine.dialect
            )
            order = tuple(compiled.positiontup) if compiled.positiontup else None
            cached = self._compiled[table.name] = (str(compiled), order)
        return cached

    def _unnest_sql(self, table: Table, keys: tuple[str, ...]) -> str:
        """PostgreSQL: the upsert of ``table`` from one array parameter per column, its rows
        inserted in the arrays' order (ORDER BY their position), so the sorted order that
        keeps concurrent writers from deadlocking holds as with one row at a time."""
        cache_key = f"unnest:{table.name}"
        cached = self._compiled.get(cache_key)
        if cached is None:
            dialect = self.engine.dialect
            quote = dialect.identifier_preparer.quote
            names = [quote(c.name) for c in table.columns]
            # Arrays of the columns' types without their lengths: the insert's own cast then
            # refuses a value too long, where an explicit cast to VARCHAR(n) would cut it.
            arrays = ", ".join(
                "%s::" + _LENGTH.sub("", c.type.compile(dialect=dialect)) + "[]"
                for c in table.columns
            )
            count = quote("count")
            sql = (
                f"INSERT INTO {dialect.identifier_preparer.format_table(table)} AS t "
                f"({', '.join(names)}) SELECT {', '.join(names)} FROM unnest({arrays}) "
                f"WITH ORDINALITY AS u({', '.join(names)}, position) ORDER BY position "
                f"ON CONFLICT ({', '.join(quote(k) for k in keys)}) "
                f"DO UPDATE SET {count} = t.{count} + excluded.{count}"
            )
            cached = self._compiled[cache_key] = (sql, None)
        return cached[0]

    def _driver_row(self, row: dict[str, Any]) -> dict[str, Any]:
        if self._dates_as_text and "day" in row:
            # What SQLAlchemy's Date type stores in SQLite: ISO text, so both paths agree.
            return {**row, "day": row["day"].isoformat()}
        return row

    def _add_sources(self, conn: Connection, sources: set[tuple[date, str]]) -> None:
        if not sources:
            return
        table = self.t["sources"]
        rows = [{"day": d, "digest": h} for d, h in sorted(sources)]
        stmt = self._insert(table).on_conflict_do_nothing().returning(table.c.day)
        new: Counter[date] = Counter(row.day for row in conn.execute(stmt, rows))
        self._upsert(
            conn,
            self.t["daily"],
            ("dim", "key", "day"),
            [{"dim": "sources", "key": "", "day": d, "count": n} for d, n in new.items()],
        )

    # -- source digests -------------------------------------------------------------------

    def drop_sources_before(self, day: date, batch: int = PURGE_BATCH) -> int:
        """Delete the source digests of every day before ``day``; returns how many went.

        The day's count of unique sources is already in stats_daily: the digests were only
        kept to recognise a source seen earlier the same day. They go ``batch`` at a time,
        each batch its own short transaction, so a big day's digests never make one
        statement that outlives STATEMENT_TIMEOUT_MS or holds the writer back for long.
        """
        sources = self.t["sources"]
        key = tuple_(sources.c.day, sources.c.digest)
        some = select(sources.c.day, sources.c.digest).where(sources.c.day < day).limit(batch)
        total = 0
        while True:
            with self.engine.begin() as conn:
                deleted = int(conn.execute(delete(sources).where(key.in_(some))).rowcount or 0)
            total += deleted
            if deleted < batch:
                break
        self._truncate_wal()
        return total

    def _truncate_wal(self) -> bool:
        """On SQLite, copy the WAL into the database and empty it: deleted rows are zeroed
        in the database's pages (secure_delete), but the WAL still holds those pages as they
        were. Best effort (True when done): while it waits for the current writer and
        readers, new writers wait too, so it gives up after CHECKPOINT_WAIT_MS instead of
        the connection's usual busy timeout, and the next purge tries again."""
        if self.engine.dialect.name != "sqlite":
            return True
        with self.engine.connect() as conn:
            conn.exec_driver_sql(f"PRAGMA busy_timeout={CHECKPOINT_WAIT_MS}")
            try:
                busy = conn.exec_driver_sql("PRAGMA wal_checkpoint(TRUNCATE)").scalar()
            finally:
                conn.exec_driver_sql(f"PRAGMA busy_timeout={SQLITE_BUSY_MS}")
        return busy == 0

    def swap_meta(self, key: str, value: str) -> str | None:
        """Store ``value`` under ``key``; returns what was there before (None if nothing)."""
        meta = self.t["meta"]
        try:
            with self.engine.begin() as conn:
                before = conn.execute(
                    select(meta.c.value).where(meta.c.key == key)
                ).scalar_one_or_none()
                if before != value:
                    conn.execute(
                        self._insert(meta)
                        .values(key=key, value=value)
                        .on_conflict_do_update(index_elements=["key"], set_={"value": value})
                    )
        except SQLAlchemyError as exc:
            raise StoreError(f"cannot write to the stats database: {_reason(exc)}") from None
        return before

    # -- names ----------------------------------------------------------------------------

    def register(self, names: Sequence[RegisteredName]) -> int:
        """Insert or update reserved names; returns how many were given."""
        table = self.t["names"]
        now = datetime.now(timezone.utc)
        rows = [
            {"key": n.key, "name": n.name, "target": n.target, "category": n.category,
             "removed_in": n.removed_in, "replacement": n.replacement,
             "replacement_in_stdlib": n.replacement_in_stdlib, "holder_name": n.holder_name,
             "holder_contact": n.holder_contact, "holder_url": n.holder_url,
             "registered_at": now}
            for n in names
        ]  # fmt: skip
        if not rows:
            return 0
        rows.sort(key=lambda row: str(row["key"]))
        stmt = self._insert(table)
        stmt = stmt.on_conflict_do_update(
            index_elements=["key"],
            set_={c: stmt.excluded[c] for c in rows[0] if c != "key"},
        )
        with self.engine.begin() as conn:
            conn.execute(stmt, rows)
        return len(rows)

    def unregister(self, key: str) -> bool:
        """Stop accepting pings for ``key`` (its counts stay); False when it was unknown."""
        table = self.t["names"]
        with self.engine.begin() as conn:
            return conn.execute(delete(table).where(table.c.key == key)).rowcount > 0

    def registered(self) -> dict[str, RegisteredName]:
        """Every registered name, by canonical key."""
        table = self.t["names"]
        with self.engine.connect() as conn:
            rows = conn.execute(select(table)).mappings().all()
        return {
            row["key"]: RegisteredName(
                key=row["key"], name=row["name"], target=row["target"],
                category=row["category"], removed_in=row["removed_in"],
                replacement=row["replacement"],
                replacement_in_stdlib=bool(row["replacement_in_stdlib"]),
                holder_name=row["holder_name"], holder_contact=row["holder_contact"],
                holder_url=row["holder_url"],
            )
            for row in rows
        }  # fmt: skip

    # -- reading --------------------------------------------------------------------------

    def totals(self) -> dict[str, dict[str, int]]:
        """All-time counts per dimension: ``{"name": {key: n}, "installer": {...}, ...}``."""
        table = self.t["totals"]
        out: dict[str, dict[str, int]] = {}
        with self.engine.connect() as conn:
            for dim, key, count in conn.execute(select(table.c.dim, table.c.key, table.c.count)):
                out.setdefault(dim, {})[key] = int(count)
        return out

    def rejected(self) -> dict[str, int]:
        """All-time rejected pings per reason."""
        table = self.t["rejected"]
        with self.engine.connect() as conn:
            rows = conn.execute(
                select(table.c.reason, func.sum(table.c.count)).group_by(table.c.reason)
            ).all()
        return {reason: int(n) for reason, n in rows}

    def daily(
        self, since: date | None = None, until: date | None = None, name: str | None = None
    ) -> list[DailyRow]:
        """Per-day numbers, oldest first; for one name when ``name`` (a key) is given.

        One name's rows come from the fine-grained counts (an index range on the name), so
        its CI and interactive counts add up to its total; it has no count of sources.
        """
        if name is not None:
            return self._daily_of(name, since, until)
        table = self.t["daily"]
        query = select(table.c.dim, table.c.key, table.c.day, table.c.count).where(
            table.c.dim.in_(("all", "ci", "sources"))
        )
        if since is not None:
            query = query.where(table.c.day >= since)
        if until is not None:
            query = query.where(table.c.day <= until)
        days: dict[date, dict[str, int]] = {}
        with self.engine.connect() as conn:
            for dim, key, day, count in conn.execute(query):
                slot = "total" if dim == "all" else (key or dim)
                days.setdefault(day, {})[slot] = int(count)
        return [
            DailyRow(
                day=day,
                total=v.get("total", 0),
                ci=v.get("ci", 0),
                interactive=v.get("interactive", 0),
                unique_sources=v.get("sources", 0),
            )
            for day, v in sorted(days.items())
        ]

    def _daily_of(self, name: str, since: date | None, until: date | None) -> list[DailyRow]:
        table = self.t["counts"]
        query = (
            select(table.c.day, table.c.ci, func.sum(table.c.count))
            .where(table.c.name == name)
            .group_by(table.c.day, table.c.ci)
        )
        if since is not None:
            query = query.where(table.c.day >= since)
        if until is not None:
            query = query.where(table.c.day <= until)
        days: dict[date, dict[bool, int]] = {}
        with self.engine.connect() as conn:
            for day, ci, count in conn.execute(query):
                days.setdefault(day, {})[bool(ci)] = int(count)
        return [
            DailyRow(
                day=day,
                total=v.get(True, 0) + v.get(False, 0),
                ci=v.get(True, 0),
                interactive=v.get(False, 0),
                unique_sources=None,
            )
            for day, v in sorted(days.items())
        ]

    def breakdown(self, name: str) -> dict[str, dict[str, int]]:
        """Installer, Python and CI counts of one name (an index range over its rows)."""
        table = self.t["counts"]
        out: dict[str, dict[str, int]] = {"installer": {}, "python": {}, "ci": {}}
        query = (
            select(table.c.installer, table.c.python, table.c.ci, func.sum(table.c.count))
            .where(table.c.name == name)
            .group_by(table.c.installer, table.c.python, table.c.ci)
        )
        with self.engine.connect() as conn:
            for installer, python, ci, n in conn.execute(query):
                for dim, key in (("installer", installer), ("python", python),
                                 ("ci", ci_label(bool(ci)))):  # fmt: skip
                    out[dim][key] = out[dim].get(key, 0) + int(n)
        return out

    def counts_rows(self) -> Iterator[tuple[str, date, str, str, bool, int]]:
        """Every fine-grained count row, for the full CSV export (read in chunks)."""
        table = self.t["counts"]
        query = select(table).order_by(
            table.c.day, table.c.name, table.c.installer, table.c.python, table.c.ci
        )
        with self.engine.connect() as conn:
            if self.engine.dialect.name == "postgresql":
                # The one query that sorts the whole table: it gets the export's own budget
                # instead of the few seconds every other statement has.
                conn.exec_driver_sql(f"SET LOCAL statement_timeout = {int(EXPORT_SECONDS * 1000)}")
            result = conn.execution_options(yield_per=5000).execute(query)
            for name, day, installer, python, ci, count in result:
                yield (name, day, installer, python, bool(ci), int(count))


def _pg_array(values: list[Any]) -> str:
    """``values``, one column's (all str, all bool, or all int or date), as the text of a
    PostgreSQL array. psycopg adapts a list element by element in Python, which was 40% of
    a commit's CPU in this process (cProfile of store.record): this is a join."""
    if not values:
        return "{}"
    first = values[0]
    if isinstance(first, str):  # quoted, so that "" and NULL stay strings
        quoted = (v.replace("\\", "\\\\").replace('"', '\\"') for v in values)
        return '{"' + '","'.join(quoted) + '"}'
    if isinstance(first, bool):
        return "{" + ",".join(["f", "t"][v] for v in values) + "}"
    return "{" + ",".join(map(str, values)) + "}"  # int, or date as ISO text


def _rollups(
    counts: Mapping[CountKey, int],
) -> tuple[Counter[tuple[str, str]], Counter[tuple[str, str, date]]]:
    """The all-time and per-day totals per dimension that ``counts`` add to."""
    totals: Counter[tuple[str, str]] = Counter()
    daily: Counter[tuple[str, str, date]] = Counter()
    for (name, day, installer, python, ci), n in counts.items():
        label = ci_label(ci)
        totals.update({("all", ""): n, ("name", name): n, ("installer", installer): n,
                       ("python", python): n, ("ci", label): n})  # fmt: skip
        daily.update({("all", "", day): n, ("name", name, day): n, ("ci", label, day): n})
    return totals, daily


def _reason(exc: SQLAlchemyError) -> str:
    # The driver's first line says what is wrong; the rest is SQL and a docs link.
    original = getattr(exc, "orig", None) or exc
    return str(original).strip().splitlines()[0] if str(original).strip() else type(exc).__name__
