"""What one client may make the server hold: forwarded addresses only from listed proxies,
headers of bounded size, requests with deadlines, connections below a cap. Against the real
server (``reserver stats serve`` in a subprocess), and against uvicorn in this process with
the same configuration and shorter deadlines, to watch them expire."""

from __future__ import annotations

import contextlib
import os
import select
import socket
import threading
import time
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import httpx
import pytest
import uvicorn

from reserver.stats.connections import (
    GuardedH11Protocol,
    GuardedHttpToolsProtocol,
    GuardedProtocol,
)
from reserver.stats.limits import (
    ACCEPT_BURST_FDS,
    BACKLOG,
    FD_RESERVE,
    FILES_WANTED,
    MAX_HEADER_BYTES,
    connection_limit,
)
from reserver.stats.server import server_config

from .conftest import StatsServer, ping_body, quiet_port

PING = ping_body("pwd")


def proc_status(pid: int) -> dict[str, int]:
    """The process's memory figures in kB (VmRSS, VmHWM, ...)."""
    out = {}
    for line in Path(f"/proc/{pid}/status").read_text().splitlines():
        key, _, value = line.partition(":")
        if value.strip().endswith("kB"):
            out[key] = int(value.split()[0])
    return out


def open_fds(pid: int) -> int:
    return len(os.listdir(f"/proc/{pid}/fd"))


def closed_by_server(socks: list[socket.socket]) -> int:
    """How many of ``socks`` the server has answered or closed (readable without blocking)."""
    poller = select.poll()
    for sock in socks:
        poller.register(sock, select.POLLIN)
    return len(poller.poll(0))


def half_sent(port: int, count: int) -> list[socket.socket]:
    """``count`` connections that each send the start of a request's headers, then nothing."""
    socks = []
    for _ in range(count):
        sock = socket.create_connection(("127.0.0.1", port))
        sock.sendall(b"POST /ping HTTP/1.1\r\nHost: stats\r\n")
        socks.append(sock)
    return socks


def answer_to(port: int, request: bytes) -> bytes:
    """What the server sends back for ``request`` (b"" when it closes without a word)."""
    with socket.create_connection(("127.0.0.1", port), timeout=10) as sock:
        try:
            sock.sendall(request)
            return sock.recv(200)
        except OSError:  # reset while still sending: the server closed it, refusing
            return b""


linux_only = pytest.mark.skipif(not Path("/proc/self/status").exists(), reason="reads /proc")


# -- the real server ---------------------------------------------------------------------------


@pytest.mark.slow
def test_forwarded_for_is_trusted_from_no_one_by_default(tmp_path: Path) -> None:
    server = StatsServer(f"sqlite:///{tmp_path / 'direct.sqlite3'}", ["--rate-limit", "2/day"])
    try:
        server.register()

        def send(client: str) -> int:
            headers = {"X-Forwarded-For": client}
            return httpx.post(server.url + "/ping", json=PING, headers=headers).status_code

        # A local client naming a new address with every ping is still one source.
        codes = [send(f"203.0.113.{n}") for n in range(1, 5)]
        assert codes == [204, 204, 429, 429]
        assert server.summary()["total"] == 2
    finally:
        server.stop()
    # The option turns it on for the listed proxies: tests/stats/test_cli.py
    # (test_behind_a_trusted_proxy_each_forwarded_client_is_its_own_source).


@pytest.mark.slow
@linux_only
def test_a_megabyte_of_headers_is_refused_and_held_nowhere(tmp_path: Path) -> None:
    server = StatsServer(f"sqlite:///{tmp_path / 'headers.sqlite3'}", ["--rate-limit", "off"])
    pid = server.process.pid
    try:
        server.register()
        assert httpx.get(server.url + "/").status_code == 200  # warm: pages loaded
        assert httpx.post(server.url + "/ping", json=PING).status_code == 204
        before = proc_status(pid)["VmRSS"]
        Path(f"/proc/{pid}/clear_refs").write_text("5")  # the peak (VmHWM) counts from here
        huge = b"GET / HTTP/1.1\r\nHost: stats\r\nX-Filler: " + b"a" * (1 << 20) + b"\r\n\r\n"
        answers = [answer_to(server.port, huge) for _ in range(40)]
        peak = proc_status(pid)["VmHWM"]
        print(f"RSS {before} kB before, peak {peak} kB while refusing 40 x 1 MiB of headers; "
              f"answers {sorted({a[:12] for a in answers})}")  # fmt: skip
        assert all(a == b"" or a.startswith(b"HTTP/1.1 400") for a in answers), answers[:3]
        assert peak - before < 4 * 1024  # kB: the whole requests were never held
        # Headers up to the limit are fine, and the service answers as before.
        big = {"X-Filler": "a" * (MAX_HEADER_BYTES - 1024)}
        assert httpx.get(server.url + "/healthz", headers=big).status_code == 200
        assert httpx.post(server.url + "/ping", json=PING).status_code == 204
    finally:
        server.stop()


@pytest.mark.slow
@linux_only
def test_half_sent_requests_cannot_take_every_descriptor(tmp_path: Path) -> None:
    """1,100 connections that never finish their headers once took every descriptor of a
    process limited to 1024, and then the service was gone."""
    server = StatsServer(
        f"sqlite:///{tmp_path / 'flood.sqlite3'}", ["--rate-limit", "off"], open_files=1024
    )
    pid = server.process.pid
    socks: list[socket.socket] = []
    peak = [0]
    flooding = threading.Event()

    def watch() -> None:
        while flooding.is_set():
            with contextlib.suppress(OSError):
                peak[0] = max(peak[0], open_fds(pid))

    try:
        server.register()
        baseline = open_fds(pid)
        flooding.set()
        watcher = threading.Thread(target=watch, daemon=True)
        watcher.start()
        socks = half_sent(server.port, 1100)
        time.sleep(0.5)
        # During the flood the service still answers at once: a new connection makes room
        # by closing the one that has waited longest for its client.
        start = time.monotonic()
        health = httpx.get(server.url + "/healthz", timeout=5)
        pinged = httpx.post(server.url + "/ping", json=PING, timeout=5)
        seconds = time.monotonic() - start
        flooding.clear()
        watcher.join()
        refused = closed_by_server(socks)
        limit = connection_limit(1024)
        print(f"descriptors: {baseline} idle, at most {peak[0]} during 1,100 half-sent "
              f"requests (limit {limit} connections); {refused} closed to make room; health "
              f"and a ping answered in {seconds:.3f} s")  # fmt: skip
        assert peak[0] <= baseline + limit + ACCEPT_BURST_FDS < 1024 - FD_RESERVE // 2
        assert refused >= 1100 - limit
        assert health.status_code == 200 and pinged.status_code == 204 and seconds < 1.0
        assert b"Too many open files" not in stop_and_read_stderr(server)
    finally:
        flooding.clear()
        for sock in socks:
            sock.close()
        server.stop()


def stop_and_read_stderr(server: StatsServer) -> bytes:
    server.stop()
    assert server.process.stderr is not None
    return server.process.stderr.read()


# -- uvicorn in this process, with the service's configuration and short deadlines ----------


async def echo_app(scope: dict[str, Any], receive: Callable[..., Any], send: Any) -> None:
    """Reads the whole body and answers how long it was."""
    size = 0
    while True:
        message = await receive()
        if message["type"] == "http.disconnect":
            return
        size += len(message.get("body", b""))
        if not message.get("more_body", False):
            break
    body = str(size).encode()
    await send({"type": "http.response.start", "status": 200,
                "headers": [(b"content-length", str(len(body)).encode())]})  # fmt: skip
    await send({"type": "http.response.body", "body": body})


#: The deadlines of a test that does not test them: long enough that no pause of a loaded
#: machine between its steps runs into one.
UNHURRIED = 30.0


def with_deadlines(protocol: type[Any], seconds: float) -> type[Any]:
    """``protocol`` with every deadline (headers, body, reading the answer) of ``seconds``."""
    deadlines = dict.fromkeys(("header_seconds", "body_idle_seconds", "send_stall_seconds"),
                              seconds)  # fmt: skip
    return type(protocol.__name__, (protocol,), deadlines)


@pytest.fixture(params=[GuardedHttpToolsProtocol, GuardedH11Protocol], ids=["httptools", "h11"])
def local_server(request: pytest.FixtureRequest) -> Iterator[Callable[..., int]]:
    """Starts uvicorn with ``server_config`` (cap of the given size, deadlines of ``seconds``),
    with the protocol served and with its h11 fallback."""
    servers: list[tuple[uvicorn.Server, threading.Thread]] = []

    def start(limit: int, app: Callable[..., Any] = echo_app, seconds: float = UNHURRIED) -> int:
        port = quiet_port()
        config = server_config(app, "127.0.0.1", port, [], limit)
        config.http = with_deadlines(request.param, seconds)
        config.lifespan = "off"
        server = uvicorn.Server(config)
        thread = threading.Thread(target=server.run, daemon=True)
        thread.start()
        deadline = time.monotonic() + 10
        while not server.started:
            assert time.monotonic() < deadline and thread.is_alive()
            time.sleep(0.02)
        servers.append((server, thread))
        return port

    start.protocol = request.param  # type: ignore[attr-defined]
    yield start
    for server, thread in servers:
        server.should_exit = True
        thread.join(10)


def wait_closed(sock: socket.socket, seconds: float) -> tuple[bytes, float]:
    """What arrives on ``sock`` until the server closes it, and when (None if it does not)."""
    sock.settimeout(seconds)
    start = time.monotonic()
    received = b""
    try:
        while chunk := sock.recv(4096):
            received += chunk
    except TimeoutError:
        return received, float("inf")
    except ConnectionResetError:
        pass
    return received, time.monotonic() - start


# Slow: it asserts how soon the answer comes, in real time.
@pytest.mark.slow
def test_headers_that_do_not_all_arrive_in_time_are_answered_408(
    local_server: Callable[..., int],
) -> None:
    port = local_server(50, seconds=0.5)
    silent = socket.create_connection(("127.0.0.1", port))  # sends nothing at all
    trickling = socket.create_connection(("127.0.0.1", port))
    trickling.sendall(b"GET / HTTP/1.1\r\n")
    for _ in range(3):  # every byte well within the deadline, the whole far past it
        time.sleep(0.2)
        trickling.sendall(b"X: y\r\n")
    for sock in (silent, trickling):
        received, seconds = wait_closed(sock, 3)
        assert received.startswith(b"HTTP/1.1 408") and seconds < 1.0, (received, seconds)
        sock.close()


def exchange(port: int, *pieces: bytes, answers: int = 1) -> list[bytes]:
    """Send ``pieces`` on one connection (each its own write) and read ``answers`` answers
    of the echo app, or what arrives until the server closes."""
    with socket.create_connection(("127.0.0.1", port), timeout=5) as sock:
        for piece in pieces:
            with contextlib.suppress(OSError):  # refused mid-way: the answer is read below
                sock.sendall(piece)
            time.sleep(0.01)
        received = b""
        with contextlib.suppress(OSError):  # a timeout or a reset ends the exchange too
            while not (received.count(b"HTTP/1.1 ") >= answers and _complete(received)):
                chunk = sock.recv(1 << 16)
                if not chunk:
                    break
                received += chunk
    return [b"HTTP/1.1 " + part for part in received.split(b"HTTP/1.1 ")[1:]]


def _complete(received: bytes) -> bool:
    """Whether the last answer in ``received`` has all its headers and body."""
    head, blank, body = received.rpartition(b"HTTP/1.1 ")[2].partition(b"\r\n\r\n")
    if not blank:
        return False
    for line in head.split(b"\r\n"):
        if line.lower().startswith(b"content-length:"):
            return len(body) >= int(line.split(b":")[1])
    return True


def test_headers_past_the_limit_are_refused_however_they_arrive(
    local_server: Callable[..., int],
) -> None:
    port = local_server(50)
    start = b"GET / HTTP/1.1\r\nHost: x\r\n"
    filler = b"X-Filler: " + b"a" * MAX_HEADER_BYTES + b"\r\n"
    refused = b"HTTP/1.1 400"
    pieces = [filler[i : i + 1000] for i in range(0, len(filler), 1000)]
    assert exchange(port, start, *pieces, b"\r\n")[0].startswith(refused)
    if local_server.protocol is GuardedH11Protocol:  # type: ignore[attr-defined]
        return  # h11 bounds only what it buffers: a whole request in one read passes
    # In one read, and behind a first request in the same read.
    assert exchange(port, start + filler + b"\r\n")[0].startswith(refused)
    first = b"POST / HTTP/1.1\r\nHost: x\r\nContent-Length: 5\r\n\r\nhello"
    ok, second = exchange(port, first + start + filler + b"\r\n", answers=2)
    assert ok.startswith(b"HTTP/1.1 200") and ok.endswith(b"\r\n\r\n5")
    assert second.startswith(refused)
    # Behind a chunked body (whose end only the parser finds), in one read.
    chunked = (
        b"POST / HTTP/1.1\r\nHost: x\r\nTransfer-Encoding: chunked\r\n\r\n3\r\nabc\r\n0\r\n\r\n"
    )
    ok, second = exchange(port, chunked + start + filler + b"\r\n", answers=2)
    assert ok.endswith(b"\r\n\r\n3") and second.startswith(refused)


def test_headers_within_the_limit_are_read_however_they_arrive(
    local_server: Callable[..., int],
) -> None:
    port = local_server(50)
    near = b"X-Filler: " + b"a" * (MAX_HEADER_BYTES - 200) + b"\r\n"
    body = b"x" * 300_000  # far past the header limit, in the same reads as the headers
    post = b"POST / HTTP/1.1\r\nHost: x\r\nContent-Length: %d\r\n" % len(body)
    (answer,) = exchange(port, post + near + b"\r\n" + body)
    assert answer.endswith(b"\r\n\r\n300000"), answer[:80]
    # The blank line ending the headers split between two reads, at each of its bytes.
    get = b"GET / HTTP/1.1\r\nHost: x\r\n\r\n"
    for cut in range(len(get) - 4, len(get)):
        (answer,) = exchange(port, get[:cut], get[cut:])
        assert answer.startswith(b"HTTP/1.1 200") and answer.endswith(b"0"), (cut, answer)
    # Pipelined: three requests in one read, each answered in turn.
    small = b"POST / HTTP/1.1\r\nHost: x\r\nContent-Length: 2\r\n\r\nhi"
    chunked = b"POST / HTTP/1.1\r\nHost: x\r\nTransfer-Encoding: chunked\r\n\r\n3\r\nabc\r\n0\r\n"
    last = get[:-2] + near + b"\r\n"
    answers = exchange(port, small + chunked + b"\r\n" + last, answers=3)
    assert [a.rpartition(b"\r\n\r\n")[2] for a in answers] == [b"2", b"3", b"0"], answers


# Slow: it asserts how soon the connection is cut, in real time.
@pytest.mark.slow
def test_a_body_that_stops_arriving_is_cut_off(local_server: Callable[..., int]) -> None:
    port = local_server(50, seconds=0.5)
    with socket.create_connection(("127.0.0.1", port)) as slow:
        slow.sendall(b"POST / HTTP/1.1\r\nHost: x\r\nContent-Length: 100\r\n\r\n")
        for _ in range(4):  # pieces 0.3 s apart: each within the idle deadline, kept
            slow.sendall(b"x" * 10)
            time.sleep(0.3)
        slow.sendall(b"x" * 60)
        slow.settimeout(5)
        response = b""
        while not response.endswith(b"\r\n\r\n100"):
            chunk = slow.recv(4096)
            assert chunk, response
            response += chunk
        assert response.startswith(b"HTTP/1.1 200")
    with socket.create_connection(("127.0.0.1", port)) as stalled:
        stalled.sendall(b"POST / HTTP/1.1\r\nHost: x\r\nContent-Length: 100\r\n\r\nxx")
        received, seconds = wait_closed(stalled, 3)
        assert received == b"" and seconds < 1.5, (received, seconds)


def test_a_full_house_makes_room_by_closing_who_waited_longest(
    local_server: Callable[..., int],
) -> None:
    port = local_server(8)  # at most 7 open at once
    oldest = socket.create_connection(("127.0.0.1", port))
    time.sleep(0.05)
    others = [socket.create_connection(("127.0.0.1", port)) for _ in range(6)]
    time.sleep(0.1)
    assert closed_by_server([oldest, *others]) == 0
    # The eighth arrives: the oldest idle connection goes, and the newcomer is served.
    response = httpx.post(f"http://127.0.0.1:{port}/", content=b"hello")
    assert response.status_code == 200 and response.text == "5"
    assert wait_closed(oldest, 1)[0] == b""
    assert closed_by_server(others) == 0
    for sock in [oldest, *others]:
        sock.close()


async def big_answer_app(scope: dict[str, Any], receive: Callable[..., Any], send: Any) -> None:
    """Answers 20 MiB, far more than the socket buffers hold."""
    await receive()
    chunk = b"x" * (1 << 20)
    await send({"type": "http.response.start", "status": 200,
                "headers": [(b"content-length", str(20 * len(chunk)).encode())]})  # fmt: skip
    for _ in range(20):
        await send({"type": "http.response.body", "body": chunk, "more_body": True})
    await send({"type": "http.response.body", "body": b""})


# Slow: the server must have let go within 1.5 s of real time.
@pytest.mark.slow
def test_a_client_that_does_not_read_its_answer_is_dropped(
    local_server: Callable[..., int],
) -> None:
    port = local_server(50, big_answer_app, seconds=0.5)
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as reader:
        reader.setsockopt(socket.SOL_SOCKET, socket.SO_RCVBUF, 4096)
        reader.connect(("127.0.0.1", port))
        reader.sendall(b"GET / HTTP/1.1\r\nHost: x\r\n\r\n")
        time.sleep(1.5)  # reads nothing: past the 0.5 s deadline the server lets go
        reader.settimeout(5)
        received, reset = 0, False
        try:
            while chunk := reader.recv(1 << 16):
                received += len(chunk)
        except ConnectionResetError:
            reset = True
        assert reset or received < 20 << 20, received  # cut off, not sent in full


def test_the_server_runs_its_guarded_protocol_whatever_is_installed() -> None:
    config = server_config(echo_app, "127.0.0.1", 9, [])
    # A class, not "auto": uvicorn's own httptools protocol has no header limit.
    assert config.http is GuardedProtocol is GuardedHttpToolsProtocol
    assert config.h11_max_incomplete_event_size == MAX_HEADER_BYTES
    assert config.proxy_headers is False  # no proxy trusted unless listed
    assert config.ws == "none"
    assert config.limit_concurrency is not None and config.limit_concurrency <= 500
    listed = server_config(echo_app, "127.0.0.1", 9, ["10.0.0.0/8", "127.0.0.1"])
    assert listed.proxy_headers is True
    assert listed.forwarded_allow_ips == ["10.0.0.0/8", "127.0.0.1"]
    assert config.backlog == BACKLOG  # uvicorn's 2048 lets one burst take 1024 descriptors
    assert connection_limit(1024) == 288 and connection_limit(FILES_WANTED) == 500
    assert connection_limit(None) == connection_limit(1 << 20) == 500
