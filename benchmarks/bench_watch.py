"""Speed of one ``reserver watch`` run on a PyPI-sized listing, against a dense baseline.

Two listings of 900,000 names differ by 5,000 new names (50 of them typos of targets); the
run loads the previous state, diffs, checks the new names against the top 5,000 targets,
and saves the new state. The baseline scores the same 5,000 names against the same
targets with rapidfuzz's ``process.extract`` over every target (every pair, in C).

    .venv/bin/python benchmarks/bench_watch.py [--data top-pypi-packages-30-days.min.json]

Targets come from the popularity data (RESERVER_TOP_PYPI or --data) when present, else from
synthetic names.
"""

from __future__ import annotations

import argparse
import json
import os
import random
import statistics
import string
import sys
import tempfile
import time
from pathlib import Path

from rapidfuzz import process
from rapidfuzz.distance import OSA

from reserver.guard.watch import (
    WatchState,
    load_state,
    new_names,
    save_state,
    watch_detector,
    watch_once,
)
from reserver.index.listing import Listing
from reserver.names.normalize import canonicalize

DEFAULT_DATA = Path(__file__).parent / "data" / "top-pypi-packages-30-days.min.json"


def synthetic_names(count: int, rng: random.Random) -> list[str]:
    letters = string.ascii_lowercase
    names: set[str] = set()
    while len(names) < count:
        words = [
            "".join(rng.choices(letters, k=rng.randint(3, 9))) for _ in range(rng.randint(1, 3))
        ]
        names.add("-".join(words))
    return sorted(names)


def typo(name: str, rng: random.Random) -> str:
    """Two different neighbouring letters swapped (not at the start)."""
    spots = [
        i for i in range(1, len(name) - 1) if name[i] != name[i + 1] and "-" not in name[i : i + 2]
    ]
    i = rng.choice(spots)
    return name[:i] + name[i + 1] + name[i] + name[i + 2 :]


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument(
        "--data", type=Path, default=Path(os.environ.get("RESERVER_TOP_PYPI", DEFAULT_DATA))
    )
    parser.add_argument("--repeat", type=int, default=3)
    parser.add_argument("--listing", type=int, default=900_000)
    parser.add_argument("--new", type=int, default=5_000)
    parser.add_argument("--targets", type=int, default=5_000)
    args = parser.parse_args()
    rng = random.Random(7)
    if args.data.exists():
        rows = json.loads(args.data.read_text())["rows"]
        targets = [r["project"] for r in rows[: args.targets]]
        source = f"top {args.targets} of {args.data.name}"
    else:
        targets = synthetic_names(args.targets, rng)
        source = "synthetic"
    filler = synthetic_names(args.listing + args.new, rng)
    target_set = set(targets)
    filler = [n for n in filler if n not in target_set]
    squats = [typo(t, rng) for t in rng.sample([t for t in targets if len(t) >= 8], 50)]
    old = targets + filler[: args.listing - len(targets)]
    added = (
        squats
        + filler[args.listing - len(targets) : args.listing - len(targets) + args.new - len(squats)]
    )
    new = old + added

    ours, base, found = [], [], 0
    with tempfile.TemporaryDirectory() as tmp:
        state = Path(tmp) / "state.json"
        for _ in range(args.repeat):
            save_state(state, WatchState("bench", frozenset(canonicalize(n) for n in old), 0.0))
            listing = Listing(tuple(new), "bench")
            t0 = time.perf_counter()
            detector = watch_detector(targets)
            result = watch_once("bench", state, detector, listing=lambda _, given=listing: given)
            ours.append(time.perf_counter() - t0)
            found = len(result.findings)
            assert len(result.new_names) == len(added), (len(result.new_names), len(added))
            t0 = time.perf_counter()
            old_set = set(old)
            fresh = [n for n in new if n not in old_set]
            for name in fresh:
                process.extract(name, targets, scorer=OSA.distance, score_cutoff=1, limit=None)
            base.append(time.perf_counter() - t0)
        # Where one run's time goes (same steps as watch_once, timed one by one).
        parts: dict[str, list[float]] = {}
        for _ in range(args.repeat):
            save_state(state, WatchState("bench", frozenset(canonicalize(n) for n in old), 0.0))
            steps = []
            t0 = time.perf_counter()
            previous = load_state(state)
            steps.append(("load state", time.perf_counter() - t0))
            t0 = time.perf_counter()
            fresh, keys = new_names(previous.names if previous else frozenset(), new)
            steps.append(("diff", time.perf_counter() - t0))
            t0 = time.perf_counter()
            detector = watch_detector(targets)
            steps.append(("index targets", time.perf_counter() - t0))
            t0 = time.perf_counter()
            detector.check_many(fresh)
            steps.append(("check new names", time.perf_counter() - t0))
            t0 = time.perf_counter()
            save_state(state, WatchState("bench", frozenset(keys), 0.0))
            steps.append(("save state", time.perf_counter() - t0))
            for label, seconds in steps:
                parts.setdefault(label, []).append(seconds)
    o, b = statistics.median(ours), statistics.median(base)
    print(
        f"targets: {source}; listing {len(new):,} names, {len(added):,} new ({len(squats)} typos)"
    )
    print()
    print("| figure | reserver watch (index) | every-pair rapidfuzz baseline | ratio |")
    print("| --- | --- | --- | --- |")
    run = f"one run: load state, diff, check, save (median of {args.repeat})"
    print(f"| {run} | {o:.2f} s | {b:.2f} s (diff + scan only) | {o / b:.2f}x |")
    print(f"| planted typos reported | {found} of {len(squats)} | - | - |")
    for label, values in parts.items():
        print(f"| ... {label} | {statistics.median(values):.2f} s | - | - |")
    return 0


if __name__ == "__main__":
    sys.exit(main())
