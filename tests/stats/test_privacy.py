"""Unique sources: a copy of the database reverses nothing, days cannot be linked, and a day's
digests are gone soon after its midnight, whether or not a ping arrives."""

from __future__ import annotations

import secrets
import stat
import sys
import time
from collections.abc import Callable, Iterator
from datetime import date, timedelta
from pathlib import Path

import httpx
import pytest
from fastapi.testclient import TestClient
from sqlalchemy import inspect, select

from reserver.stats.app import create_app
from reserver.stats.secret import SecretError, day_key, default_path, load_or_create
from reserver.stats.sources import SourceHasher
from reserver.stats.store import StatsStore

from .conftest import DAY, HOLDER, NAMES, Clock, StatsServer, auth, ping_body
from .test_store import sqlite_bytes

ADDRESSES = ["203.0.113.7", "198.51.100.23", "192.0.2.200"]


def digests(store: StatsStore) -> list[tuple[date, str]]:
    table = store.t["sources"]
    with store.engine.connect() as conn:
        return [(row.day, row.digest) for row in conn.execute(select(table))]


def database_dump(store: StatsStore) -> bytes:
    """Every row of every table of the store, and on SQLite the files themselves."""
    names = inspect(store.engine).get_table_names(schema=store.schema)
    assert not [name for name in names if "salt" in name or "key" in name]
    rows: list[str] = []
    with store.engine.connect() as conn:
        for name in names:
            rows.extend(str(tuple(row)) for row in conn.exec_driver_sql(
                f'SELECT * FROM {store.schema + "." if store.schema else ""}"{name}"'
            ))  # fmt: skip
    text = "\n".join(rows).encode()
    return text + (sqlite_bytes(store) if store.engine.dialect.name == "sqlite" else b"")


def forms(key: bytes) -> list[bytes]:
    """How a key could appear in a database: raw, or as hex in either case."""
    return [key, key.hex().encode(), key.hex().upper().encode()]


@pytest.fixture
def apps(store: StatsStore, clock: Clock) -> Iterator[Callable[..., TestClient]]:
    """Apps over the one ``store`` (as workers on one database), each with the given secret
    and client address; the first registers the names."""
    started: list[TestClient] = []

    def start(secret: bytes, address: str = ADDRESSES[0]) -> TestClient:
        app = create_app(store, token="test-admin-token-0123456789", today=clock, secret=secret)
        client = TestClient(app, client=(address, 50000))
        client.__enter__()
        started.append(client)
        if len(started) == 1:
            body = {"holder": HOLDER, "names": NAMES}
            assert client.post("/admin/names", json=body, headers=auth()).status_code == 200
        return client

    yield start
    for client in started:
        client.__exit__(None, None, None)


def test_a_copy_of_the_database_holds_no_key(
    apps: Callable[..., TestClient], store: StatsStore
) -> None:
    secret = secrets.token_bytes(32)
    for address in ADDRESSES:
        assert apps(secret, address).post("/ping", json=ping_body()).status_code == 204
    assert len(digests(store)) == len(ADDRESSES)  # what a thief would try to reverse
    dump = database_dump(store)
    for key in (secret, day_key(secret, DAY)):
        for form in forms(key):
            assert form not in dump
    for address in ADDRESSES:
        assert address.encode() not in dump


def test_digests_of_one_address_differ_between_days() -> None:
    hasher = SourceHasher(secrets.token_bytes(32))
    today = hasher.digest(ADDRESSES[0], DAY)
    assert hasher.digest(ADDRESSES[0], DAY) == today
    assert hasher.digest(ADDRESSES[0], DAY + timedelta(days=1)) != today
    assert hasher.digest(ADDRESSES[1], DAY) != today
    # Only the key derived from the secret decides: another secret, other digests.
    assert SourceHasher(secrets.token_bytes(32)).digest(ADDRESSES[0], DAY) != today


def test_yesterdays_digests_go_at_midnight_without_a_ping(
    apps: Callable[..., TestClient], store: StatsStore, clock: Clock
) -> None:
    client = apps(secrets.token_bytes(32))
    assert client.post("/ping", json=ping_body()).status_code == 204
    [(day, yesterdays)] = digests(store)
    assert day == DAY
    clock.day = DAY + timedelta(days=1)  # midnight passes; no ping comes
    deadline = time.monotonic() + 5
    while digests(store):
        assert time.monotonic() < deadline, "yesterday's digests are still there"
        time.sleep(0.1)
    assert client.get("/api/daily").json()["days"][0]["unique_sources"] == 1
    if store.engine.dialect.name == "sqlite":
        assert yesterdays.encode() not in sqlite_bytes(store)  # not in free pages or the WAL
    # The next ping of the new day gets a digest of its own, unrelated to yesterday's.
    assert client.post("/ping", json=ping_body()).status_code == 204
    [(day, todays)] = digests(store)
    assert day == clock.day and todays != yesterdays


def test_two_apps_on_one_store_and_secret_agree_on_a_digest(
    apps: Callable[..., TestClient], store: StatsStore
) -> None:
    secret = secrets.token_bytes(32)
    first, second = apps(secret), apps(secret)
    assert first.post("/ping", json=ping_body()).status_code == 204
    assert second.post("/ping", json=ping_body()).status_code == 204
    assert len(digests(store)) == 1
    assert first.get("/api/daily").json()["days"][0]["unique_sources"] == 1
    # A worker with another secret counts the same address again: hence one file for all.
    assert apps(secrets.token_bytes(32)).post("/ping", json=ping_body()).status_code == 204
    assert len(digests(store)) == 2


# -- the secret file --------------------------------------------------------------------------


def test_the_secret_file_is_created_private_and_then_reused(tmp_path: Path) -> None:
    path = tmp_path / "new-folder" / "stats.secret"
    first = load_or_create(path)
    assert first.created and len(first.key) == 32
    assert stat.S_IMODE(path.stat().st_mode) == 0o600
    assert not first.readable_by_others
    again = load_or_create(path)
    assert again.key == first.key and not again.created
    path.chmod(0o644)
    assert load_or_create(path).readable_by_others
    path.write_text("not a secret\n")
    with pytest.raises(SecretError, match="hex digits"):
        load_or_create(path)


def test_a_worker_that_loses_the_race_to_create_the_secret_reads_the_winners(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    path = tmp_path / "shared.secret"
    winner = load_or_create(path)
    # Another worker looked before the file existed, and creates it after the winner did.
    monkeypatch.setattr(Path, "exists", lambda self: False)
    loser = load_or_create(path)
    assert loser.key == winner.key and not loser.created
    assert [p.name for p in tmp_path.iterdir()] == ["shared.secret"]  # no temporary left


def test_the_secret_lives_beside_a_sqlite_file_or_in_the_data_folder(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    db = tmp_path / "stats.sqlite3"
    assert default_path(f"sqlite:///{db}") == tmp_path / "stats.sqlite3.secret"
    monkeypatch.setenv("XDG_DATA_HOME", str(tmp_path / "data"))
    if sys.platform.startswith("linux"):  # where platformdirs follows XDG_DATA_HOME
        assert default_path("postgresql+psycopg://u@h/db") == (
            tmp_path / "data" / "reserver" / "stats-secret"
        )


@pytest.mark.slow
def test_the_served_database_holds_no_key_and_workers_with_another_secret_are_told(
    tmp_path: Path,
) -> None:
    db = tmp_path / "served.sqlite3"
    server = StatsServer(f"sqlite:///{db}", ["--rate-limit", "off"])
    try:
        server.register()
        assert httpx.post(server.url + "/ping", json=ping_body()).status_code == 204
    finally:
        server.stop()
    secret_file = tmp_path / "served.sqlite3.secret"  # beside the database, by default
    assert stat.S_IMODE(secret_file.stat().st_mode) == 0o600
    key = bytes.fromhex(secret_file.read_text())
    store = StatsStore.open(f"sqlite:///{db}")
    try:
        assert len(digests(store)) == 1
        dump = database_dump(store)
        for form in forms(key):
            assert form not in dump
    finally:
        store.engine.dispose()
    other = StatsServer(f"sqlite:///{db}", ["--secret-file", str(tmp_path / "other.secret")])
    other.stop()
    assert other.process.stderr is not None
    assert "last used with another secret file" in other.process.stderr.read().decode()
