"""Benchmark of the stats service: sustained ping intake, and read latency at 10 million pings.

Part 1 sends pings at a fixed rate over loopback for --seconds (60 by default) to the service
with group commit, then to the same service committing each ping on its own (the baseline),
and checks that the store holds exactly the number of pings acknowledged. Part 2 seeds the
store with the aggregates of --pings pings (10 million by default) through the store's own
write path, then times the dashboard and the API over HTTP against a scan of the finest table.
Both parts run on SQLite and on PostgreSQL (--pg-url) unless --db says otherwise.

    .venv/bin/python benchmarks/bench_stats.py                       # the full run (~10 min)
    .venv/bin/python benchmarks/bench_stats.py --seconds 10 --pings 1000000   # a quick one

Load goes only to 127.0.0.1, bounded in count and time; the generator stops by itself.
"""

from __future__ import annotations

import argparse
import asyncio
import gc
import json
import os
import random
import secrets
import statistics
import subprocess
import sys
import tempfile
import time
from collections import Counter
from dataclasses import dataclass
from datetime import date, timedelta
from pathlib import Path
from typing import Any

import httpx
from sqlalchemy import func, select

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from reserver.index.local import free_port, wait_for_http  # noqa: E402
from reserver.stats.schema import RegisteredName  # noqa: E402
from reserver.stats.store import CountKey, StatsStore  # noqa: E402

PG_URL = os.environ.get(
    "RESERVER_BENCH_PG_URL", "postgresql+psycopg://postgres@127.0.0.1:5432/test"
)
INSTALLERS = ("pip", "pip", "pip", "uv", "uv", "poetry", "other")
PYTHONS = ("3.9", "3.10", "3.11", "3.12", "3.13", "3.14")
N_NAMES = 2000
MAX_REQUESTS = 2_000_000  # a hard bound on what one load run may send


# -- the server under test, in its own process ---------------------------------------------


def serve(url: str, port: int, max_batch: int, schema: str | None) -> None:
    """Run the service (called in a subprocess of this script)."""
    import uvicorn

    from reserver.stats.app import create_app, outermost
    from reserver.stats.server import server_config

    store = StatsStore.open(url, schema)
    # The rate limiter runs (its cost is part of the figure) with a limit above the load.
    app = create_app(store, rate_limit="1000000/minute", max_batch=max_batch)
    if max_batch == 1:
        # The baseline commits each ping as it comes: no interval between commits either.
        app.state.stats.writer.commit_interval = 0.0
    # Everything loaded so far lives as long as the process; freezing it keeps the
    # collector's full passes (tens of ms with FastAPI and SQLAlchemy loaded) off the tail.
    gc.freeze()
    # The server as `reserver stats serve` runs it: its protocol, deadlines and limits.
    uvicorn.Server(server_config(outermost(app), "127.0.0.1", port, [])).run()


class Server:
    def __init__(self, url: str, schema: str | None, max_batch: int) -> None:
        self.port = free_port()
        self.base = f"http://127.0.0.1:{self.port}"
        args = [sys.executable, __file__, "--serve", url, str(self.port), str(max_batch),
                schema or ""]  # fmt: skip
        self.process = subprocess.Popen(args, stdout=subprocess.DEVNULL)
        wait_for_http(self.base + "/healthz", timeout=60, process=self.process)  # type: ignore[arg-type]

    def cpu_seconds(self) -> float:
        """CPU time the server process has used (Linux /proc; 0 elsewhere)."""
        try:
            fields = Path(f"/proc/{self.process.pid}/stat").read_text().rsplit(")", 1)[1].split()
        except OSError:
            return 0.0
        return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")

    def stop(self) -> None:
        self.process.terminate()
        try:
            self.process.wait(timeout=30)
        except subprocess.TimeoutExpired:
            self.process.kill()
            self.process.wait()


# -- the load generator ---------------------------------------------------------------------


@dataclass
class LoadResult:
    sent: int
    acked: int
    other: Counter[int]
    latencies: list[float]
    seconds: float

    @property
    def rate(self) -> float:
        return self.acked / self.seconds

    def percentile(self, q: float) -> float:
        ordered = sorted(self.latencies)
        return ordered[min(len(ordered) - 1, int(q * len(ordered)))] * 1000 if ordered else 0.0


def ping_requests(names: list[str], port: int, count: int = 4000) -> list[bytes]:
    rng = random.Random(7)
    out = []
    for _ in range(count):
        body = json.dumps({
            "name": rng.choice(names), "version": "0.0.1", "installer": rng.choice(INSTALLERS),
            "python": rng.choice(PYTHONS), "ci": rng.random() < 0.15,
        }).encode()  # fmt: skip
        head = (
            f"POST /ping HTTP/1.1\r\nHost: 127.0.0.1:{port}\r\nContent-Type: application/json"
            f"\r\nContent-Length: {len(body)}\r\n\r\n"
        )
        out.append(head.encode() + body)
    return out


async def _connection(
    port: int, requests: list[bytes], start: float, interval: float, offset: float,
    stop_at: float, result: LoadResult,
) -> None:  # fmt: skip
    reader, writer = await asyncio.open_connection("127.0.0.1", port)
    loop = asyncio.get_running_loop()
    i = 0
    try:
        while True:
            due = start + offset + i * interval
            if due >= stop_at or result.sent >= MAX_REQUESTS:
                return
            delay = due - loop.time()
            if delay > 0:
                await asyncio.sleep(delay)
            writer.write(requests[(i * 7919 + int(offset * 1e6)) % len(requests)])
            result.sent += 1
            head = await asyncio.wait_for(reader.readuntil(b"\r\n\r\n"), 30)
            status = int(head[9:12])
            length = 0
            for line in head.split(b"\r\n"):
                if line.lower().startswith(b"content-length:"):
                    length = int(line.split(b":", 1)[1])
            if length:
                await reader.readexactly(length)
            # Measured from when the request was due, not when it went out: a server that
            # falls behind is charged for the wait (no coordinated omission).
            result.latencies.append(loop.time() - due)
            if status == 204:
                result.acked += 1
            else:
                result.other[status] += 1
            i += 1
    finally:
        writer.close()


async def generate_load(port: int, names: list[str], rate: float, seconds: float,
                        connections: int) -> LoadResult:  # fmt: skip
    requests = ping_requests(names, port)
    result = LoadResult(0, 0, Counter(), [], seconds)
    loop = asyncio.get_running_loop()
    start = loop.time() + 0.2
    interval = connections / rate
    tasks = [
        _connection(
            port, requests, start, interval, c * interval / connections, start + seconds, result
        )
        for c in range(connections)
    ]
    await asyncio.gather(*tasks)
    result.seconds = max(seconds, loop.time() - start)
    return result


def run_loop(coroutine: Any) -> Any:
    """Run the load generator on uvloop when installed (as the server does)."""
    try:
        import uvloop
    except ImportError:
        return asyncio.run(coroutine)
    return uvloop.run(coroutine)


# -- the store ------------------------------------------------------------------------------


def open_store(backend: str) -> tuple[StatsStore, str, str | None, Path | None]:
    if backend == "sqlite":
        folder = Path(tempfile.mkdtemp(prefix="bench-stats-"))
        url = f"sqlite:///{folder / 'stats.sqlite3'}"
        return StatsStore.open(url), url, None, folder
    schema = f"bench_stats_{secrets.token_hex(4)}"
    return StatsStore.open(PG_URL, schema), PG_URL, schema, None


def close_store(store: StatsStore, folder: Path | None) -> None:
    if store.schema is not None:
        store.drop()
    store.engine.dispose()
    if folder is not None:
        for file in folder.iterdir():
            file.unlink()
        folder.rmdir()


def names_for_bench() -> list[str]:
    return [f"bench-name-{i:04d}" for i in range(N_NAMES)]


def register(store: StatsStore, names: list[str]) -> None:
    store.register([RegisteredName(n, n, "requests", "typo") for n in names])


def stored_total(store: StatsStore) -> int:
    table = store.t["totals"]
    with store.engine.connect() as conn:
        value = conn.execute(
            select(table.c.count).where(table.c.dim == "all", table.c.key == "")
        ).scalar_one_or_none()
    return int(value or 0)


def load_run(
    backend: str, max_batch: int, args: argparse.Namespace, seconds: float
) -> dict[str, float]:
    store, url, schema, folder = open_store(backend)
    try:
        names = names_for_bench()
        register(store, names)
        server = Server(url, schema, max_batch)
        try:
            cpu_before, own_before = server.cpu_seconds(), time.process_time()
            result = run_loop(
                generate_load(server.port, names, args.rate, seconds, args.connections)
            )
            server_cpu = server.cpu_seconds() - cpu_before
            generator_cpu = time.process_time() - own_before
            time.sleep(0.5)
        finally:
            server.stop()
        stored = stored_total(store)
    finally:
        close_store(store, folder)
    return {
        "rate": result.rate, "p50": result.percentile(0.50), "p99": result.percentile(0.99),
        "acked": result.acked, "stored": stored, "lost": result.acked - stored,
        "refused": sum(result.other.values()), "sent": result.sent, "seconds": result.seconds,
        "server_cpu_ms": server_cpu * 1000 / max(result.sent, 1),
        "generator_cpu_ms": generator_cpu * 1000 / max(result.sent, 1),
    }  # fmt: skip


# -- 10 million pings -----------------------------------------------------------------------


def seed(store: StatsStore, pings: int, days: int) -> int:
    """Aggregates of ``pings`` pings over ``days`` days and N_NAMES names; returns fine rows."""
    rng = random.Random(11)
    names = names_for_bench()
    # A few names get most hits, as with real typos of popular packages.
    weights = [1.0 / (rank + 1) ** 0.8 for rank in range(len(names))]
    total_weight = sum(weights)
    today = date.today()
    counts: dict[CountKey, int] = {}
    for name, weight in zip(names, weights, strict=True):
        mean = pings / days * weight / total_weight
        for offset in range(days):
            n = int(mean * rng.uniform(0.6, 1.4))
            if n == 0:
                continue
            day = today - timedelta(days=offset)
            # Split each cell over a few installer/Python/CI combinations.
            parts = max(1, min(4, n // 5))
            for p in range(parts):
                installer = INSTALLERS[(p * 3) % len(INSTALLERS)]
                key = (name, day, installer, PYTHONS[(p + offset) % len(PYTHONS)], p == 3)
                counts[key] = counts.get(key, 0) + n // parts + (1 if p < n % parts else 0)
    # Top up rounding so the store holds exactly ``pings``.
    missing = pings - sum(counts.values())
    first = next(iter(counts))
    counts[first] += missing
    items = list(counts.items())
    for start in range(0, len(items), 50_000):
        with store.transaction() as conn:
            store.add_counts(conn, dict(items[start : start + 50_000]))
    return len(items)


def time_get(client: httpx.Client, path: str, repeats: int) -> tuple[float, float]:
    samples = []
    client.get(path)  # warm caches once
    for _ in range(repeats):
        started = time.perf_counter()
        response = client.get(path)
        samples.append(time.perf_counter() - started)
        response.raise_for_status()
    samples.sort()
    return statistics.median(samples) * 1000, samples[int(0.95 * (len(samples) - 1))] * 1000


def time_scan(store: StatsStore, repeats: int) -> float:
    """The baseline: the same totals by scanning the finest table (no roll-ups)."""
    table = store.t["counts"]
    samples = []
    for _ in range(repeats):
        started = time.perf_counter()
        with store.engine.connect() as conn:
            conn.execute(select(table.c.name, func.sum(table.c.count)).group_by(table.c.name)).all()
            conn.execute(select(table.c.day, func.sum(table.c.count)).group_by(table.c.day)).all()
            conn.execute(
                select(table.c.installer, func.sum(table.c.count)).group_by(table.c.installer)
            ).all()
        samples.append(time.perf_counter() - started)
    return statistics.median(samples) * 1000


def read_run(backend: str, args: argparse.Namespace) -> dict[str, object]:
    store, url, schema, folder = open_store(backend)
    try:
        names = names_for_bench()
        register(store, names)
        started = time.perf_counter()
        rows = seed(store, args.pings, args.days)
        seeded_in = time.perf_counter() - started
        assert stored_total(store) == args.pings
        server = Server(url, schema, 2000)
        try:
            with httpx.Client(base_url=server.base, timeout=30) as client:
                assert client.get("/api/summary").json()["total"] == args.pings
                timings = {
                    path: time_get(client, path, args.repeats)
                    for path in (
                        "/",
                        "/api/summary",
                        "/api/daily",
                        f"/names/{names[0]}",
                        f"/api/names/{names[0]}",
                        "/api/summary.csv",
                    )
                }
        finally:
            server.stop()
        scan = time_scan(store, max(3, args.repeats // 4))
    finally:
        close_store(store, folder)
    return {"rows": rows, "seeded_in": seeded_in, "timings": timings, "scan": scan}


# -- report ---------------------------------------------------------------------------------


def row(*cells: str) -> None:
    print("| " + " | ".join(cells) + " |")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--db", choices=["sqlite", "postgresql", "both"], default="both")
    parser.add_argument("--seconds", type=float, default=60.0, help="Load duration (group commit).")
    parser.add_argument(
        "--baseline-seconds", type=float, default=20.0, help="Load duration (baseline)."
    )
    parser.add_argument("--rate", type=float, default=2100.0, help="Offered pings per second.")
    parser.add_argument("--connections", type=int, default=256)
    parser.add_argument("--pings", type=int, default=10_000_000, help="Pings behind the read test.")
    parser.add_argument("--days", type=int, default=180)
    parser.add_argument("--repeats", type=int, default=30)
    parser.add_argument("--skip-load", action="store_true")
    parser.add_argument("--skip-read", action="store_true")
    args = parser.parse_args()
    backends = ["sqlite", "postgresql"] if args.db == "both" else [args.db]
    print(f"offered {args.rate:.0f} pings/s over {args.connections} connections; "
          f"{os.cpu_count()} CPUs shared by server, database and load generator\n")  # fmt: skip
    if not args.skip_load:
        print("| backend | figure | group commit | baseline: commit per ping | ratio |")
        print("| --- | --- | ---: | ---: | ---: |")
        for backend in backends:
            ours = load_run(backend, 2000, args, args.seconds)
            base = load_run(backend, 1, args, args.baseline_seconds)
            secs = f"{ours['seconds']:.0f} s vs {base['seconds']:.0f} s"
            row(backend, f"accepted pings/s ({secs})", f"{ours['rate']:.0f}",
                f"{base['rate']:.0f}", f"{ours['rate'] / base['rate']:.2f}x")  # fmt: skip
            for q in ("p50", "p99"):
                row(backend, f"{q} latency, ms", f"{ours[q]:.1f}", f"{base[q]:.1f}",
                    f"{base[q] / max(ours[q], 1e-9):.1f}x lower")  # fmt: skip
            counts = "{acked:.0f} / {stored:.0f} / {lost:.0f}"
            row(backend, "acknowledged / stored / lost", counts.format(**ours),
                counts.format(**base), "")  # fmt: skip
            cpu = (("server_cpu_ms", "server CPU per ping, ms"),
                   ("generator_cpu_ms", "load generator CPU per ping, ms"))  # fmt: skip
            for key, label in cpu:
                row(backend, label, f"{ours[key]:.2f}", f"{base[key]:.2f}", "")
            row(
                backend, "refused (non-204)", f"{ours['refused']:.0f}", f"{base['refused']:.0f}", ""
            )
            sys.stdout.flush()
        print()
    if not args.skip_read:
        for backend in backends:
            result = read_run(backend, args)
            timings = result["timings"]
            assert isinstance(timings, dict)
            print(
                f"{backend}: {args.pings:,} pings seeded as {result['rows']:,} count rows "
                f"in {result['seeded_in']:.1f} s; medians of {args.repeats} GETs\n"
            )
            print(
                "| endpoint | median ms | p95 ms | baseline: scan of the count rows, ms | ratio |"
            )
            print("| --- | ---: | ---: | ---: | ---: |")
            for path, (median, p95) in timings.items():
                print(
                    f"| {backend} {path} | {median:.1f} | {p95:.1f} | {result['scan']:.1f} "
                    f"| {float(result['scan']) / median:.1f}x |"
                )  # type: ignore[arg-type]
            print()
            sys.stdout.flush()


if __name__ == "__main__":
    if len(sys.argv) > 1 and sys.argv[1] == "--serve":
        serve(sys.argv[2], int(sys.argv[3]), int(sys.argv[4]), sys.argv[5] or None)
    else:
        main()
