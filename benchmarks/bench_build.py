"""Benchmark: building placeholder sdists in-process vs one ``python -m build --sdist`` each.

Builds N placeholders with the fast path (median of several repetitions), and a sample of
them with the PyPA frontend, one process per package, in the same run; checks that both give
byte-identical files and prints a markdown table. Usage:

    python benchmarks/bench_build.py [--count 1000] [--sample 20] [--repeat 3] [--json FILE]
"""

from __future__ import annotations

import argparse
import json
import statistics
import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from reserver.placeholder.render import render
from reserver.placeholder.sdist import write_sdist_fast, write_sdist_with_build
from reserver.plan.holder import Holder
from reserver.plan.model import PlanEntry


def entries(count: int) -> list[PlanEntry]:
    return [PlanEntry(f"reserver-bench-{i:05d}", f"target-{i:05d}", "typo") for i in range(count)]


def fast_run(items: list[PlanEntry], out: Path) -> float:
    start = time.perf_counter()
    for entry in items:
        write_sdist_fast(render(entry, Holder(), "0.0.1"), out)
    return time.perf_counter() - start


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--count", type=int, default=1000)
    parser.add_argument("--sample", type=int, default=20)
    parser.add_argument("--repeat", type=int, default=3)
    parser.add_argument("--json", type=Path, help="also write the figures as JSON here")
    args = parser.parse_args()
    items = entries(args.count)
    with tempfile.TemporaryDirectory() as tmp:
        root = Path(tmp)
        fast_times = [fast_run(items, root / f"fast{r}") for r in range(args.repeat)]
        frontend: list[float] = []
        identical = True
        for entry in items[: args.sample]:
            package = render(entry, Holder(), "0.0.1")
            start = time.perf_counter()
            slow = write_sdist_with_build(package, root / "slow")
            frontend.append(time.perf_counter() - start)
            identical &= slow.read_bytes() == (root / "fast0" / slow.name).read_bytes()
    fast_per = statistics.median(fast_times) / args.count
    slow_per = statistics.median(frontend)
    figures = {
        "count": args.count,
        "fast_total_s": statistics.median(fast_times),
        "fast_per_package_ms": fast_per * 1000,
        "build_per_package_ms": slow_per * 1000,
        "build_1000_estimated_s": slow_per * args.count,
        "speedup": slow_per / fast_per,
        "byte_identical": identical,
        "sample": args.sample,
    }
    print(
        "| figure | reserver fast path | baseline: `python -m build --sdist` per package | ratio |"
    )
    print("| --- | --- | --- | --- |")
    print(
        f"| build {args.count} placeholders | {figures['fast_total_s']:.2f} s "
        f"(median of {args.repeat}) | {figures['build_1000_estimated_s']:.0f} s "
        f"({slow_per * 1000:.0f} ms/package, median of {args.sample}) "
        f"| {figures['speedup']:.0f}x |"
    )
    print(f"| byte-identical output ({args.sample} compared) | {identical} | | |")
    if args.json:
        args.json.write_text(json.dumps(figures, indent=2))
    if not identical:
        sys.exit("fast path and build frontend differ")


if __name__ == "__main__":
    main()
