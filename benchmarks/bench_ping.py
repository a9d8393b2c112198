"""How long a failed ``pip install`` of a placeholder takes when its stats service misbehaves.

Real pip installs a placeholder built with a stats URL from a real local index (pypiserver),
five ways, each a median of REPEAT runs: the ping turned off (DO_NOT_TRACK=1, the baseline),
a live stats service, a service that accepts the connection and never answers, one that
answers a byte a second (each read succeeds, so only a deadline on the whole ping ends it),
and a stats host whose name server never answers: pip runs in a mount namespace of its own
whose /etc/resolv.conf names a loopback UDP port that swallows every query (needs root and
util-linux's unshare; without them that row says so). The issue's bound: the failed install
takes at most 2.5 s whatever the service or the network does.

    .venv/bin/python benchmarks/bench_ping.py
"""

from __future__ import annotations

import contextlib
import os
import shutil
import socket
import statistics
import subprocess
import sys
import tempfile
import threading
import time
from collections.abc import Callable, Iterator
from pathlib import Path

from reserver.demo.loop import StatsService
from reserver.index.local import LocalIndex, free_port
from reserver.placeholder.build import build_plan
from reserver.plan.model import make_plan, parse_name_option

REPEAT = 3
NAME = "reqeustz-benchping"


class Listener:
    """A loopback port that accepts connections and hands each to ``serve`` in a thread."""

    def __init__(self, serve: Callable[[socket.socket], None]) -> None:
        self.port = free_port()
        self.sock = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
        self.sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        self.sock.bind(("127.0.0.1", self.port))
        self.sock.listen(16)
        self.held: list[socket.socket] = []
        self._serve = serve
        threading.Thread(target=self._accept, daemon=True).start()

    def _accept(self) -> None:
        while True:
            try:
                conn, _ = self.sock.accept()
            except OSError:
                return
            self.held.append(conn)
            threading.Thread(target=self._serve, args=(conn,), daemon=True).start()

    def close(self) -> None:
        with contextlib.suppress(OSError):
            self.sock.shutdown(socket.SHUT_RDWR)
        self.sock.close()
        for conn in self.held:
            conn.close()


def _silent(conn: socket.socket) -> None:
    pass  # accepted, never answered


def _trickle(conn: socket.socket) -> None:
    with contextlib.suppress(OSError):
        for byte in b"HTTP/1.1 200 OK\r\nContent-Length: 100\r\n\r\n" + b"x" * 100:
            conn.sendall(bytes([byte]))
            time.sleep(1.0)


def installer_env(**extra: str) -> dict[str, str]:
    env = {k: v for k, v in os.environ.items()
           if not k.startswith(("PIP_", "UV_")) and k not in ("CI", "DO_NOT_TRACK")}  # fmt: skip
    env.update(PIP_CONFIG_FILE=os.devnull, PIP_DISABLE_PIP_VERSION_CHECK="1", **extra)
    return env


class SilentResolver:
    """A name server on 127.0.0.2:53 that reads every query and never answers."""

    ADDRESS = ("127.0.0.2", 53)

    def __init__(self) -> None:
        self.sock = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
        self.sock.bind(self.ADDRESS)
        threading.Thread(target=self._swallow, daemon=True).start()

    def _swallow(self) -> None:
        with contextlib.suppress(OSError):
            while True:
                self.sock.recvfrom(4096)

    def resolving_through_me(self, work: Path) -> list[str]:
        """A command prefix: run in a mount namespace whose resolv.conf names this server."""
        conf = work / "resolv.conf"
        conf.write_text(f"nameserver {self.ADDRESS[0]}\n")
        script = 'mount --bind "$0" /etc/resolv.conf && exec "$@"'
        return ["unshare", "--mount", "--propagation", "private", "sh", "-c", script, str(conf)]

    def close(self) -> None:
        self.sock.close()


def timed_install(index: LocalIndex, venv: Path, prefix: tuple[str, ...] = (), **env: str) -> float:
    start = time.monotonic()
    done = subprocess.run(
        [*prefix, sys.executable, "-m", "pip", "--python", str(venv / "bin" / "python"),
         "install", "--index-url", index.simple_url, NAME],
        capture_output=True, text=True, env=installer_env(**env), check=False, timeout=300,
    )  # fmt: skip
    took = time.monotonic() - start
    if done.returncode == 0 or "reqeustz" not in done.stdout + done.stderr:
        raise SystemExit(f"the placeholder did not fail with its message:\n{done.stderr}")
    return took


@contextlib.contextmanager
def placeholder_at(stats_url: str, work: Path) -> Iterator[LocalIndex]:
    """A local index holding the placeholder built with ``stats_url``."""
    plan = make_plan([parse_name_option(f"{NAME}=requests")])
    dist = work / f"dist-{abs(hash(stats_url))}"
    build_plan(plan, dist, stats_url=stats_url)
    packages = work / f"packages-{abs(hash(stats_url))}"
    packages.mkdir()
    for sdist in dist.iterdir():
        shutil.copy(sdist, packages / sdist.name)
    with LocalIndex(packages) as index:
        yield index


def _dns_stalled(work: Path, venv: Path) -> float | None:
    if os.geteuid() != 0 or shutil.which("unshare") is None:
        return None
    resolver = SilentResolver()
    try:
        prefix = tuple(resolver.resolving_through_me(work))
        probe = subprocess.run([*prefix, "true"], capture_output=True, check=False)
        if probe.returncode != 0:
            return None
        # https: the placeholder sends its count to no other scheme off this machine.
        with placeholder_at("https://stats.reserver-bench.example", work) as index:
            return statistics.median(timed_install(index, venv, prefix) for _ in range(REPEAT))
    finally:
        resolver.close()


def main() -> int:
    rows: list[tuple[str, float | None]] = []
    with tempfile.TemporaryDirectory() as tmp:
        work = Path(tmp)
        venv = work / "venv"
        subprocess.run([sys.executable, "-m", "venv", "--without-pip", str(venv)], check=True)
        stats_db = work / "stats.sqlite3"
        with StatsService(stats_db) as stats, placeholder_at(stats.url, work) as index:
            base = [timed_install(index, venv, DO_NOT_TRACK="1") for _ in range(REPEAT)]
            live = [timed_install(index, venv) for _ in range(REPEAT)]
        rows += [("ping off (DO_NOT_TRACK=1): baseline", statistics.median(base)),
                 ("live stats service", statistics.median(live))]  # fmt: skip
        for label, serve in (("service accepts, never answers", _silent),
                             ("service answers a byte a second", _trickle)):  # fmt: skip
            listener = Listener(serve)
            try:
                with placeholder_at(f"http://127.0.0.1:{listener.port}", work) as index:
                    times = [timed_install(index, venv) for _ in range(REPEAT)]
            finally:
                listener.close()
            rows.append((label, statistics.median(times)))
        rows.append(("stats host's name server never answers", _dns_stalled(work, venv)))
    baseline = rows[0][1] or 1.0
    print("| stats service | failed `pip install`, median of 3 | vs ping off | bound 2.5 s |")
    print("| --- | ---: | ---: | --- |")
    for label, seconds in rows:
        if seconds is None:
            print(f"| {label} | not measured: needs root and unshare | - | - |")
            continue
        ok = "yes" if seconds <= 2.5 else "NO"
        print(f"| {label} | {seconds:.2f} s | {seconds / baseline:.2f}x | {ok} |")
    return 0


if __name__ == "__main__":
    sys.exit(main())
