"""Run one candidate-worker scenario in a fresh, single-threaded process; print JSON facts.

The worker is only forked from a process with no other thread (a test runner has several),
so the tests start this script. Usage: python prefetch_driver.py SCENARIO WORKDIR SEED
(the made-up target names come from SEED, which the test takes from its own random choices).
"""

from __future__ import annotations

import json
import multiprocessing
import random
import string
import sys
from pathlib import Path

from reserver.errors import ReserverError
from reserver.names.ranking import RankJob, ranked_order
from reserver.names.rules import KnownNames
from reserver.names.targets import POPULAR, Target
from reserver.selection import prefetch
from reserver.selection.model import SelectionOptions, SelectionRequest
from reserver.selection.prefetch import Head, Prefetch, head_of
from reserver.selection.run import run_selection
from reserver.selection.select import rank_jobs


def targets(count: int, rng: random.Random) -> list[Target]:
    """Made-up one- and two-word names, most popular first."""
    names: dict[str, None] = {}
    while len(names) < count:
        words = ["".join(rng.choices(string.ascii_lowercase, k=rng.randint(3, 7))) for _ in "ab"]
        names["-".join(words[: rng.randint(1, 2)])] = None
    return [Target(n, POPULAR, 1.0 / (i + 1)) for i, n in enumerate(names)]


def known(chosen: list[Target]) -> KnownNames:
    """The targets and some of every third one's likeliest typos, so heads run short."""
    taken = [t.name for t in chosen]
    for target in chosen[::3]:
        taken += [name for name, _ in list(ranked_order(target.name))[:12:2]]
    return KnownNames.from_names(taken, complete=True)


def counted_heads() -> list[int]:
    """Patch Prefetch.heads to record how many heads each call returned."""
    calls: list[int] = []
    real = Prefetch.heads

    def heads(self: Prefetch) -> dict[int, Head]:
        found = real(self)
        calls.append(len(found))
        return found

    Prefetch.heads = heads  # type: ignore[method-assign]
    return calls


def scenario(name: str, work: Path, rng: random.Random) -> dict[str, object]:
    prefetch.MIN_JOBS = 1
    if name == "heads":
        jobs = rank_jobs(targets(40, rng), SelectionOptions(budget=5))
        mine = int(len(jobs) * prefetch.MAIN_SHARE)
        with Prefetch(jobs) as worker:
            heads = worker.heads()
            # Asking for a job this process ranks itself finds nothing and does not wait.
            first = heads.get(jobs[0].index)
            waited = worker._made is not None
            last = heads.get(jobs[-1].index)
        equal = dict(heads) == {job.index: head_of(job) for job in jobs[mine:]}
        return {
            "equal": equal,
            "made": len(heads),
            "mine": mine,
            "started": worker.started,
            "first_found": first is not None,
            "waited_for_first": waited,
            "last_equal": last == head_of(jobs[-1]),
        }
    if name == "selection":
        chosen = targets(80, rng)
        listing = work / "simple.json"
        projects = [{"name": n} for n in sorted(known(chosen).names())]
        listing.write_text(json.dumps({"meta": {"api-version": "1.1"}, "projects": projects}))
        request = SelectionRequest(
            targets=tuple(t.name for t in chosen),
            index=str(listing),
            options=SelectionOptions(budget=7),
        )
        prefetch.MIN_JOBS = 10**9
        alone = run_selection(request)
        prefetch.MIN_JOBS = 1
        calls = counted_heads()
        together = run_selection(request)
        return {"equal": together.names == alone.names, "calls": calls, "rows": len(alone.names)}
    if name == "failing":

        def broken(job: RankJob) -> Head:
            raise MemoryError("pretend the worker ran out of memory")

        prefetch.head_of = broken
        with Prefetch(rank_jobs(targets(20, rng), SelectionOptions(budget=5))) as worker:
            return {"heads": len(worker.heads()), "started": worker.started}
    if name == "bad-listing":
        corrupt = work / "simple.json"
        corrupt.write_text('{"meta": {"api-version": "1.1"}, "projects": [{"name": ')
        calls = counted_heads()
        try:
            run_selection(SelectionRequest(targets=("requests", "numpy"), index=str(corrupt)))
        except ReserverError as exc:
            return {"error": str(exc), "calls": calls}
        return {"error": None, "calls": calls}
    raise SystemExit(f"unknown scenario {name!r}")


def main() -> None:
    name, work, seed = sys.argv[1], Path(sys.argv[2]), sys.argv[3]
    facts = scenario(name, work, random.Random(seed))
    facts["forkable"] = prefetch.can_fork()
    facts["children_left"] = len(multiprocessing.active_children())
    print(json.dumps(facts))


if __name__ == "__main__":
    main()
