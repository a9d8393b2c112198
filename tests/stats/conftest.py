"""Fixtures of the stats tests: a store on SQLite and on the real PostgreSQL, apps, a server."""

from __future__ import annotations

import atexit
import os
import random
import secrets
import shutil
import socket
import subprocess
import sys
import tempfile
from collections.abc import Callable, Iterator
from datetime import date
from pathlib import Path
from typing import Any

import httpx
import pytest
from fastapi.testclient import TestClient

from reserver.index.local import free_port, wait_for_http
from reserver.stats.app import create_app
from reserver.stats.store import StatsStore

PG_URL = os.environ.get("RESERVER_TEST_PG_URL", "postgresql+psycopg://postgres@127.0.0.1:5432/test")
TOKEN = "test-admin-token-0123456789"
HOLDER = {"name": "Test Holder", "contact": "holder@example.org", "url": "https://example.org/h"}
NAMES: list[dict[str, Any]] = [
    {"name": "reqeusts", "target": "requests", "category": "typo"},
    {"name": "Beautiful_Soup", "target": "beautifulsoup4", "category": "import"},
    {"name": "pwd", "category": "stdlib"},
    {"name": "telnetlib", "category": "removed", "removed_in": "3.13",
     "replacement": "telnetlib3"},
]  # fmt: skip
DAY = date(2026, 3, 14)


def ping_body(name: str = "reqeusts", **changes: Any) -> dict[str, Any]:
    body: dict[str, Any] = {
        "name": name, "version": "0.0.1", "installer": "pip", "python": "3.12", "ci": False,
    }  # fmt: skip
    body.update(changes)
    return body


def auth() -> dict[str, str]:
    return {"Authorization": f"Bearer {TOKEN}"}


@pytest.fixture
def sqlite_store(tmp_path: Path) -> Iterator[StatsStore]:
    store = StatsStore.open(f"sqlite:///{tmp_path / 'stats.sqlite3'}")
    yield store
    store.engine.dispose()


@pytest.fixture
def pg_store() -> Iterator[StatsStore]:
    """A store in a PostgreSQL schema of this test's own, dropped afterwards."""
    store = StatsStore.open(PG_URL, schema=f"reserver_stats_t_{secrets.token_hex(4)}")
    try:
        yield store
    finally:
        store.drop()
        store.engine.dispose()


@pytest.fixture(params=["sqlite", "postgresql"])
def store(request: pytest.FixtureRequest) -> StatsStore:
    fixture = "sqlite_store" if request.param == "sqlite" else "pg_store"
    result: StatsStore = request.getfixturevalue(fixture)
    return result


class Clock:
    """A settable "today" for the app, so tests can cross midnight."""

    def __init__(self, day: date = DAY) -> None:
        self.day = day

    def __call__(self) -> date:
        return self.day


@pytest.fixture
def clock() -> Clock:
    return Clock()


@pytest.fixture
def make_client(store: StatsStore, clock: Clock) -> Iterator[Callable[..., TestClient]]:
    """Start the app over ``store`` (lifespan included), with names registered."""
    clients: list[TestClient] = []

    def make(register: bool = True, **options: Any) -> TestClient:
        options.setdefault("token", TOKEN)
        options.setdefault("today", clock)
        client = TestClient(create_app(store, **options), client=("203.0.113.7", 50000))
        client.__enter__()
        clients.append(client)
        if register:
            response = client.post(
                "/admin/names", json={"holder": HOLDER, "names": NAMES}, headers=auth()
            )
            assert response.status_code == 200, response.text
        return client

    yield make
    for client in clients:
        client.__exit__(None, None, None)


@pytest.fixture
def client(make_client: Callable[..., TestClient]) -> TestClient:
    return make_client()


def quiet_port() -> int:
    """A free port below the ephemeral range, so no outgoing connection takes it meanwhile.

    The placeholder's URL is fixed at build time; its port must stay free until a server (or
    a black hole) binds it, possibly many installs later.
    """
    # Unseeded on purpose (not from RESERVER_TEST_SEED): xdist workers must not all try the
    # same ports in the same order, and no test's outcome depends on which port it got.
    rng = random.Random()
    for _ in range(200):
        port = rng.randrange(20000, 32000)
        with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as sock:
            try:
                sock.bind(("127.0.0.1", port))
            except OSError:
                continue
            return port
    return free_port()


_DATA_HOME: list[str] = []


def servers_data_home() -> str:
    """A data folder of this test process's own (XDG_DATA_HOME of the servers it starts), so
    the secret file of a server on PostgreSQL is not created in the real home folder; shared
    by the servers of one process, as workers on one host share theirs."""
    if not _DATA_HOME:
        _DATA_HOME.append(tempfile.mkdtemp(prefix="reserver-stats-data-"))
        atexit.register(shutil.rmtree, _DATA_HOME[0], True)
    return _DATA_HOME[0]


class StatsServer:
    """``reserver stats serve`` in a subprocess on a free loopback port."""

    def __init__(
        self,
        db_url: str,
        extra: list[str] | None = None,
        port: int | None = None,
        open_files: int | None = None,
    ) -> None:
        self.port = port or quiet_port()
        self.url = f"http://127.0.0.1:{self.port}"
        command = [
            str(Path(sys.executable).parent / "reserver"), "stats", "serve",
            "--db", db_url, "--port", str(self.port), "--token", TOKEN, *(extra or []),
        ]  # fmt: skip
        env = {**os.environ, "XDG_DATA_HOME": servers_data_home()}
        env.pop("RESERVER_STATS_SECRET_FILE", None)

        def limit_files() -> None:  # in the child: soft and hard, as systemd's LimitNOFILE
            import resource

            assert open_files is not None
            resource.setrlimit(resource.RLIMIT_NOFILE, (open_files, open_files))

        self.process = subprocess.Popen(
            command, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE, env=env,
            preexec_fn=limit_files if open_files is not None else None,
        )  # fmt: skip
        try:
            wait_for_http(self.url + "/healthz", process=self.process)  # type: ignore[arg-type]
        except Exception:
            self.stop()
            assert self.process.stderr is not None
            raise AssertionError(self.process.stderr.read().decode()) from None

    def register(self, names: list[dict[str, Any]] | None = None) -> None:
        response = httpx.post(
            self.url + "/admin/names",
            json={"holder": HOLDER, "names": NAMES if names is None else names},
            headers=auth(),
        )
        response.raise_for_status()

    def summary(self) -> dict[str, Any]:
        data: dict[str, Any] = httpx.get(self.url + "/api/summary").json()
        return data

    def detail(self, name: str) -> dict[str, Any]:
        data: dict[str, Any] = httpx.get(f"{self.url}/api/names/{name}").json()
        return data

    def stop(self) -> None:
        if self.process.poll() is None:
            self.process.terminate()
            try:
                self.process.wait(timeout=10)
            except subprocess.TimeoutExpired:
                self.process.kill()
                self.process.wait()


@pytest.fixture
def stats_server(tmp_path: Path) -> Iterator[StatsServer]:
    server = StatsServer(f"sqlite:///{tmp_path / 'served.sqlite3'}")
    try:
        yield server
    finally:
        server.stop()
