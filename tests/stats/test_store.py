"""The store keeps aggregates only, on SQLite and on PostgreSQL alike."""

from __future__ import annotations

import secrets
from collections import Counter
from datetime import date, timedelta
from pathlib import Path

import pytest
from sqlalchemy import Column, Date, MetaData, String, Table, func, inspect, select

from reserver.stats.schema import Ping, RegisteredName
from reserver.stats.store import SCHEMA_VERSION, StatsStore, StoreError, make_engine

from .conftest import DAY


def registered(store: StatsStore) -> None:
    store.register([
        RegisteredName("reqeusts", "reqeusts", "requests", "typo"),
        RegisteredName("pwd", "pwd", None, "stdlib"),
    ])  # fmt: skip


def test_counts_roll_up_per_dimension_and_day(store: StatsStore) -> None:
    next_day = DAY + timedelta(days=1)
    store.record([
        (DAY, Ping("reqeusts", "pip", "3.12", False)),
        (DAY, Ping("reqeusts", "pip", "3.12", False)),
        (DAY, Ping("pwd", "uv", "3.11", True)),
        (next_day, Ping("reqeusts", "poetry", "3.12", False)),
    ])  # fmt: skip
    totals = store.totals()
    assert totals["all"] == {"": 4}
    assert totals["name"] == {"reqeusts": 3, "pwd": 1}
    assert totals["installer"] == {"pip": 2, "uv": 1, "poetry": 1}
    assert totals["python"] == {"3.12": 3, "3.11": 1}
    assert totals["ci"] == {"interactive": 3, "ci": 1}
    days = store.daily()
    assert [(d.day, d.total, d.ci, d.interactive) for d in days] == [
        (DAY, 3, 1, 2), (next_day, 1, 0, 1),
    ]  # fmt: skip
    assert [(d.day, d.total) for d in store.daily(name="reqeusts")] == [(DAY, 2), (next_day, 1)]
    assert store.daily(since=next_day)[0].day == next_day
    assert store.breakdown("reqeusts")["installer"] == {"pip": 2, "poetry": 1}


def test_no_row_per_ping_is_kept(store: StatsStore) -> None:
    store.record([(DAY, Ping("reqeusts", "pip", "3.12", False))] * 500)
    with store.engine.connect() as conn:
        rows = conn.execute(select(func.count()).select_from(store.t["counts"])).scalar_one()
    assert rows == 1
    assert store.totals()["all"][""] == 500


def test_unique_sources_count_each_digest_once_per_day(store: StatsStore) -> None:
    ping = Ping("reqeusts", "pip", "3.12", False)
    store.record([(DAY, ping)] * 3, sources=[(DAY, "a" * 32), (DAY, "b" * 32)])
    store.record([(DAY, ping)], sources=[(DAY, "a" * 32)])
    assert store.daily()[0].unique_sources == 2


def test_a_days_digests_are_deleted_when_the_day_is_over(store: StatsStore) -> None:
    next_day = DAY + timedelta(days=1)
    ping = Ping("pwd", "uv", "3.12", False)
    store.record([(DAY, ping)], sources=[(DAY, "c" * 32)])
    store.record([(next_day, ping)], sources=[(next_day, "d" * 32)])
    assert store.drop_sources_before(next_day) == 1
    with store.engine.connect() as conn:
        left = conn.execute(select(store.t["sources"].c.digest)).scalars().all()
    assert left == ["d" * 32]
    assert [d.unique_sources for d in store.daily()] == [1, 1]  # the counts survive them
    assert store.drop_sources_before(next_day) == 0
    # A big day goes in batches, each its own short transaction: all of it all the same.
    store.record([], sources=[(DAY, f"{i:032x}") for i in range(7)])
    assert store.drop_sources_before(next_day, batch=2) == 7
    assert store.drop_sources_before(next_day + timedelta(days=1), batch=2) == 1


def test_a_version_1_database_loses_its_salts_and_their_digests(
    store: StatsStore, tmp_path: Path
) -> None:
    """Version 1 kept each day's salt in the database: the upgrade deletes the salts and the
    digests made with them, so nothing in the database can reverse a digest any more."""
    salt = secrets.token_hex(32)
    digest = secrets.token_hex(16)
    salts = Table("stats_salts", MetaData(schema=store.schema),
                  Column("day", Date, primary_key=True), Column("salt", String(64)))  # fmt: skip
    with store.engine.begin() as conn:
        salts.create(conn)
        conn.execute(salts.insert().values(day=DAY, salt=salt))
        conn.execute(store.t["meta"].update().values(value="1"))
    store.record([(DAY, Ping("pwd", "uv", "3.12", False))], sources=[(DAY, digest)])
    StatsStore(store.engine, store.schema).create()
    assert "stats_salts" not in inspect(store.engine).get_table_names(schema=store.schema)
    with store.engine.connect() as conn:
        assert conn.execute(select(func.count()).select_from(store.t["sources"])).scalar() == 0
        version = conn.execute(select(store.t["meta"].c.value)).scalars().all()
    assert version == [SCHEMA_VERSION]
    assert store.daily()[0].unique_sources == 1
    if store.engine.dialect.name == "sqlite":
        # Not even in the file's free pages or its WAL (secure_delete, then a checkpoint).
        raw = sqlite_bytes(store)
        assert salt.encode() not in raw and digest.encode() not in raw


def sqlite_bytes(store: StatsStore) -> bytes:
    """Everything a copy of a SQLite database's folder would hold of it."""
    database = Path(str(store.engine.url.database))
    files = [database, *(database.with_name(database.name + s) for s in ("-wal", "-shm"))]
    return b"".join(f.read_bytes() for f in files if f.exists())


def test_one_names_days_add_up(store: StatsStore) -> None:
    store.record([
        (DAY, Ping("reqeusts", "pip", "3.12", False)),
        (DAY, Ping("reqeusts", "uv", "3.12", True)),
        (DAY, Ping("reqeusts", "pip", "3.11", False)),
        (DAY, Ping("pwd", "pip", "3.12", True)),
    ], sources=[(DAY, "e" * 32)])  # fmt: skip
    [row] = store.daily(name="reqeusts")
    assert (row.total, row.ci, row.interactive) == (3, 1, 2)
    assert row.unique_sources is None  # not counted per name: unknown, not zero
    [everything] = store.daily()
    assert (everything.total, everything.ci, everything.interactive) == (4, 2, 2)
    assert everything.unique_sources == 1


def test_rejections_are_counted_by_reason(store: StatsStore) -> None:
    store.record([], rejected=Counter({(DAY, "unknown_name"): 2, (DAY, "malformed"): 1}))
    store.record([], rejected=Counter({(DAY, "unknown_name"): 1}))
    assert store.rejected() == {"unknown_name": 3, "malformed": 1}
    assert store.totals() == {}


def test_registration_is_an_upsert(store: StatsStore) -> None:
    registered(store)
    store.register([RegisteredName("reqeusts", "reqeusts", "requests2", "typo")])
    names = store.registered()
    assert set(names) == {"reqeusts", "pwd"}
    assert names["reqeusts"].target == "requests2"
    assert store.unregister("pwd") is True
    assert store.unregister("pwd") is False


def test_schema_is_created_once_and_reopening_keeps_counts(store: StatsStore) -> None:
    store.record([(DAY, Ping("pwd", "pip", "3.12", False))])
    again = StatsStore(store.engine, store.schema)
    again.create()
    assert again.totals()["all"][""] == 1
    tables = set(inspect(store.engine).get_table_names(schema=store.schema))
    assert {"stats_counts", "stats_totals", "stats_daily", "stats_names"} <= tables


def test_a_database_from_a_newer_reserver_is_refused(store: StatsStore) -> None:
    meta = store.t["meta"]
    with store.engine.begin() as conn:
        conn.execute(meta.update().values(value=str(int(SCHEMA_VERSION) + 1)))
    with pytest.raises(StoreError, match="schema version"):
        StatsStore(store.engine, store.schema).create()


@pytest.mark.parametrize(
    ("url", "message"),
    [
        ("sqlite://", "in-memory"),
        ("mysql://u@h/db", "unsupported database"),
        ("postgresql+psycopg2://u@h/db", "psycopg"),
        ("not a url", "not a database URL"),
    ],
)
def test_bad_database_urls_are_one_line_errors(url: str, message: str) -> None:
    with pytest.raises(StoreError, match=message):
        make_engine(url)


def test_an_unreachable_postgresql_is_a_store_error() -> None:
    with pytest.raises(StoreError, match="cannot open the stats database"):
        StatsStore.open("postgresql+psycopg://nobody@127.0.0.1:1/none?connect_timeout=2")


def test_sqlite_runs_in_wal_mode(sqlite_store: StatsStore) -> None:
    with sqlite_store.engine.connect() as conn:
        assert conn.exec_driver_sql("PRAGMA journal_mode").scalar() == "wal"


def test_daily_range_filters_by_day(store: StatsStore) -> None:
    days = [date(2026, 1, d) for d in range(1, 11)]
    store.record([(d, Ping("pwd", "pip", "3.12", False)) for d in days])
    picked = store.daily(since=date(2026, 1, 3), until=date(2026, 1, 5))
    assert [d.day for d in picked] == days[2:5]


def test_python_versions_come_in_version_order_not_as_text(store: StatsStore) -> None:
    from reserver.stats.report import name_detail, summary

    registered(store)
    store.record([(DAY, Ping("reqeusts", "pip", version, False))
                  for version in ("3.10", "3.9", "3.13", "3.9", "3.12")])  # fmt: skip
    names = store.registered()
    assert list(summary(store, names)["by_python"]) == ["3.9", "3.10", "3.12", "3.13"]
    detail = name_detail(store, names["reqeusts"], 5)
    assert list(detail["by_python"]) == ["3.9", "3.10", "3.12", "3.13"]
    assert detail["by_python"]["3.9"] == 2
