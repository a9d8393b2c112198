"""End to end: placeholders built with --stats-url, installed by real pip and uv from a real
pypiserver, ping a real stats service; opting out, a stopped or a silent service change nothing
the user sees."""

from __future__ import annotations

import contextlib
import json
import socket
import subprocess
import sys
import threading
import time
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from pathlib import Path

import httpx
import pytest

from reserver.index.local import LocalIndex
from reserver.placeholder.message import render_message
from reserver.plan.holder import Holder
from reserver.plan.model import entry_for

from ..conftest import Cli, CliResult, installer_env, run, twine_settings, uv_binary
from .conftest import TOKEN, StatsServer, quiet_port

pytestmark = pytest.mark.slow

# Names of this module's own, so the shared index never holds another test's files under them.
TRACKED = ["nunpy-statse2e=numpy", "pandsa-statse2e=pandas", "flaks-statse2e=flask"]
OFFLINE = ["djnago-statse2e=django"]


@dataclass(frozen=True)
class Setup:
    index: LocalIndex
    server: StatsServer
    offline_port: int
    """The port the OFFLINE placeholder pings; each test decides what listens there."""
    work: Path


def succeeded(done: CliResult) -> CliResult:
    assert done.returncode == 0, done.stdout + done.stderr
    return done


def publish(cli: Cli, work: Path, names: list[str], stats_url: str, index: LocalIndex) -> Path:
    plan = work / f"{names[0]}.json"
    named = [a for n in names for a in ("--name", n)]
    succeeded(cli("plan", *named, "--offline", "-o", str(plan)))
    succeeded(cli("build", str(plan), "--out", str(work / "dist"), "--stats-url", stats_url))
    with twine_settings(TWINE_USERNAME=index.username, TWINE_PASSWORD=index.password):
        succeeded(cli("upload", str(plan), "--dist", str(work / "dist"),
                      "--ledger", str(work / "ledger.sqlite"),
                      "--repository-url", index.url))  # fmt: skip
    return plan


@pytest.fixture(scope="module")
def setup(
    cli: Cli, local_index: LocalIndex, tmp_path_factory: pytest.TempPathFactory
) -> Iterator[Setup]:
    work = tmp_path_factory.mktemp("stats-e2e")
    server = StatsServer(f"sqlite:///{work / 'stats.sqlite3'}")
    try:
        plan = publish(cli, work, TRACKED, server.url, local_index)
        offline_port = quiet_port()
        publish(cli, work, OFFLINE, f"http://127.0.0.1:{offline_port}", local_index)
        # Registration through the real command, as an operator would do it.
        succeeded(cli("stats", "register", str(plan), "--url", server.url, "--token", TOKEN))
        yield Setup(local_index, server, offline_port, work)
    finally:
        server.stop()


def pip_install(
    setup: Setup, venv: Path, name: str, **env: str
) -> tuple[subprocess.CompletedProcess[str], float]:
    start = time.monotonic()
    done = run([sys.executable, "-m", "pip", "--python", str(venv / "bin" / "python"), "install",
                "--index-url", setup.index.simple_url, name], env=installer_env(**env))  # fmt: skip
    return done, time.monotonic() - start


def expected_lines(spec: str, installer: str, stats_url: str) -> list[str]:
    name, _, target = spec.partition("=")
    message = render_message(entry_for(name, target), Holder(), installer)
    return [*message.splitlines(), f"More: {stats_url}/why/{name}"]


def shown(done: subprocess.CompletedProcess[str], expected: list[str]) -> list[str]:
    """The message lines as the installer showed them, in order, without its decoration."""
    wanted = set(expected)
    return [line.strip() for line in (done.stdout + done.stderr).splitlines()
            if line.strip() in {w.strip() for w in wanted}]  # fmt: skip


def assert_message(done: subprocess.CompletedProcess[str], expected: list[str]) -> None:
    output = done.stdout + done.stderr
    assert done.returncode != 0, output
    assert shown(done, expected) == [line.strip() for line in expected], output
    assert "Traceback" not in output, output


def test_pip_install_is_counted_once_as_pip(setup: Setup, target_venv: Path) -> None:
    done, _ = pip_install(setup, target_venv, "nunpy-statse2e")
    assert_message(done, expected_lines(TRACKED[0], "pip", setup.server.url))
    detail = setup.server.detail("nunpy-statse2e")
    assert detail["total"] == 1
    assert detail["by_installer"] == {"pip": 1}
    assert detail["by_python"] == {f"{sys.version_info[0]}.{sys.version_info[1]}": 1}


def test_uv_pip_install_is_counted_once_as_uv_pip(
    setup: Setup, target_venv: Path, tmp_path: Path
) -> None:
    done = run([uv_binary(), "pip", "install", "--python", str(target_venv / "bin" / "python"),
                "--index-url", setup.index.simple_url, "pandsa-statse2e"],
               env=installer_env(UV_CACHE_DIR=str(tmp_path / "uv-cache")))  # fmt: skip
    assert_message(done, expected_lines(TRACKED[1], "uv-pip", setup.server.url))
    detail = setup.server.detail("pandsa-statse2e")
    assert detail["total"] == 1
    assert detail["by_installer"] == {"uv-pip": 1}


def test_do_not_track_counts_nothing_and_shows_the_same_message(
    setup: Setup, target_venv: Path
) -> None:
    expected = expected_lines(TRACKED[2], "pip", setup.server.url)
    quiet, _ = pip_install(setup, target_venv, "flaks-statse2e", DO_NOT_TRACK="1")
    assert_message(quiet, expected)
    assert "flaks-statse2e" not in setup.server.summary()["by_name"]
    counted, _ = pip_install(setup, target_venv, "flaks-statse2e")
    assert_message(counted, expected)
    assert setup.server.summary()["by_name"].get("flaks-statse2e") == 1  # the control


def test_ci_markers_count_nothing(setup: Setup, target_venv: Path) -> None:
    before = setup.server.summary()["total"]
    done, _ = pip_install(setup, target_venv, "nunpy-statse2e", CI="true")
    assert_message(done, expected_lines(TRACKED[0], "pip", setup.server.url))
    assert setup.server.summary()["total"] == before


class BlackHole:
    """A listening socket that accepts connections and hands each to ``answer`` (by default:
    never answers them)."""

    def __init__(self, port: int, answer: Callable[[socket.socket], None] | None = None) -> None:
        self.sock = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
        self.sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        self.sock.bind(("127.0.0.1", port))
        self.sock.listen(16)
        self.held: list[socket.socket] = []
        self.accepted = 0
        self._answer = answer
        self._thread = threading.Thread(target=self._accept, daemon=True)
        self._thread.start()

    def _accept(self) -> None:
        while True:
            try:
                conn, _ = self.sock.accept()
            except OSError:
                return
            self.accepted += 1
            self.held.append(conn)
            if self._answer is not None:
                threading.Thread(target=self._answer, args=(conn,), daemon=True).start()

    def close(self) -> None:
        # shutdown() wakes the thread blocked in accept(); close() alone leaves the port bound.
        with contextlib.suppress(OSError):
            self.sock.shutdown(socket.SHUT_RDWR)
        self.sock.close()
        self._thread.join(5)
        for conn in self.held:
            conn.close()


def trickle(conn: socket.socket) -> None:
    """An HTTP answer one byte a second: each read succeeds within any socket timeout, so
    only a deadline on the whole ping ends it."""
    with contextlib.suppress(OSError):
        for byte in b"HTTP/1.1 200 OK\r\nContent-Length: 100\r\n\r\n" + b"x" * 100:
            conn.sendall(bytes([byte]))
            time.sleep(1.0)


def redirect_to(location: str) -> Callable[[socket.socket], None]:
    """An answer that sends every request to ``location`` with a 302."""

    def answer(conn: socket.socket) -> None:
        with contextlib.suppress(OSError):
            conn.recv(65536)
            conn.sendall(
                b"HTTP/1.1 302 Found\r\nLocation: " + location.encode()
                + b"\r\nContent-Length: 0\r\nConnection: close\r\n\r\n"
            )  # fmt: skip

    return answer


def test_a_trickling_service_cannot_hold_the_install_and_redirects_are_not_followed(
    setup: Setup, target_venv: Path
) -> None:
    stats_url = f"http://127.0.0.1:{setup.offline_port}"
    expected = expected_lines(OFFLINE[0], "pip", stats_url)
    quiet, quiet_seconds = pip_install(setup, target_venv, "djnago-statse2e", DO_NOT_TRACK="1")
    assert_message(quiet, expected)
    slow_service = BlackHole(setup.offline_port, trickle)
    try:
        slow, slow_seconds = pip_install(setup, target_venv, "djnago-statse2e")
    finally:
        slow_service.close()
    assert slow_service.accepted == 1
    assert_message(slow, expected)
    # The ping's deadline is 1 s; before it, a byte a second held pip past 120 s.
    assert slow_seconds < quiet_seconds + 3, (slow_seconds, quiet_seconds)

    elsewhere = BlackHole(quiet_port())  # counts any connection made to it
    moved_to = f"http://127.0.0.1:{elsewhere.sock.getsockname()[1]}/ping"
    redirector = BlackHole(setup.offline_port, redirect_to(moved_to))
    try:
        moved, _ = pip_install(setup, target_venv, "djnago-statse2e")
        assert_message(moved, expected)
        assert redirector.accepted == 1
        assert elsewhere.accepted == 0  # the 302 was not followed
    finally:
        redirector.close()
        elsewhere.close()


def test_a_stopped_or_silent_service_changes_nothing_the_user_sees(
    setup: Setup, target_venv: Path
) -> None:
    stats_url = f"http://127.0.0.1:{setup.offline_port}"
    expected = expected_lines(OFFLINE[0], "pip", stats_url)
    live = StatsServer(f"sqlite:///{setup.work / 'offline.sqlite3'}", port=setup.offline_port)
    try:
        live.register([{"name": "djnago-statse2e", "target": "django", "category": "typo"}])
        normal, normal_seconds = pip_install(setup, target_venv, "djnago-statse2e")
        assert_message(normal, expected)
        assert live.summary()["total"] == 1  # the ping did go out while the service ran
    finally:
        live.stop()

    stopped, stopped_seconds = pip_install(setup, target_venv, "djnago-statse2e")
    assert_message(stopped, expected)
    assert stopped.returncode == normal.returncode

    hole = BlackHole(setup.offline_port)
    try:
        silent, silent_seconds = pip_install(setup, target_venv, "djnago-statse2e")
    finally:
        hole.close()
    assert hole.accepted == 1  # one request, no retry
    assert_message(silent, expected)
    assert silent.returncode == normal.returncode
    assert stopped_seconds < normal_seconds + 3
    assert silent_seconds < normal_seconds + 3
    print(
        f"install seconds: normal {normal_seconds:.2f}, stopped {stopped_seconds:.2f}, "
        f"black-holed {silent_seconds:.2f}"
    )


#: Plain one-slip typos of this test's own, for the hits feed.
HIT_NAMES = ["matplotlbi=matplotlib", "djangoo=django", "fllask=flask"]


def test_evaluate_hits_reports_what_real_installs_hit_by_kind(
    cli: Cli, local_index: LocalIndex, target_venv: Path, tmp_path: Path
) -> None:
    server = StatsServer(f"sqlite:///{tmp_path / 'hits.sqlite3'}")
    try:
        plan = publish(cli, tmp_path, HIT_NAMES, server.url, local_index)
        succeeded(cli("stats", "register", str(plan), "--url", server.url, "--token", TOKEN))
        setup = Setup(local_index, server, 0, tmp_path)
        for name in ("matplotlbi", "matplotlbi", "djangoo"):  # real failed installs
            done, _ = pip_install(setup, target_venv, name)
            assert done.returncode != 0 and "is a placeholder" in done.stderr, done.stderr
        assert server.summary()["total"] == 3
        from_service = cli("evaluate", "--hits", server.url, "--format", "json")
        saved = tmp_path / "hits.csv"
        saved.write_bytes(httpx.get(server.url + "/api/hits.csv").content)
        from_file = cli("evaluate", "--hits", str(saved), "--format", "json")
    finally:
        server.stop()
    assert from_service.returncode == 0, from_service.stderr
    report = json.loads(from_service.stdout)
    assert report["hits"] == 3 and report["names"] == 3
    by_kind = {row["key"]: row for row in report["by_kind"]}
    assert (by_kind["transposition"]["hits"], by_kind["transposition"]["hit"]) == (2, 1)
    # Two repetition names held (djangoo, fllask), one of them hit once.
    assert (by_kind["repetition"]["held"], by_kind["repetition"]["hit"]) == (2, 1)
    assert by_kind["repetition"]["hits"] == 1
    by_position = {row["key"]: row["hits"] for row in report["by_position"]}
    assert by_position == {"last": 3, "early": 0}
    assert json.loads(from_file.stdout)["by_kind"] == report["by_kind"]
