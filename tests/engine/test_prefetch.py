"""Candidate heads made in a forked worker: the same selection as without, and no worker left."""

from __future__ import annotations

import json
import multiprocessing
import os
import random
import subprocess
import sys
import threading
from pathlib import Path

import pytest

from reserver.names.ranking import RankJob, rank_target, ranked_order
from reserver.names.rules import PYPI
from reserver.names.targets import GIVEN, Target
from reserver.selection import prefetch
from reserver.selection.model import SelectionOptions
from reserver.selection.prefetch import Prefetch, continue_order, head_of
from reserver.selection.select import rank_jobs, select

from .prefetch_driver import known, targets

DRIVER = Path(__file__).with_name("prefetch_driver.py")
# The platform's part of prefetch.can_fork(); the driver runs where no other thread does.
needs_fork = pytest.mark.skipif(
    "fork" not in multiprocessing.get_all_start_methods() or (os.cpu_count() or 1) < 2,
    reason="the candidate worker needs fork (Linux) and two cores",
)


def test_an_order_continued_after_its_head_is_the_whole_order() -> None:
    job = RankJob(0, Target("python-dateutil", GIVEN), budget=3)
    whole = list(ranked_order("python-dateutil"))
    head = head_of(job)
    assert head[1] is False and list(head[0]) == whole[: len(head[0])]
    assert list(continue_order(job, head)) == whole


def test_a_head_that_holds_every_candidate_says_so() -> None:
    job = RankJob(0, Target("abc", GIVEN), budget=10_000)
    names, complete = head_of(job)
    assert complete and list(names) == list(ranked_order("abc"))


def test_ranking_from_heads_gives_the_same_selection(rng: random.Random) -> None:
    chosen = targets(60, rng)
    listed = known(chosen)
    options = SelectionOptions(budget=6)
    plain = select(chosen, listed, PYPI, options)
    # Tiny heads: most targets run past them, through continue_order.
    heads = {job.index: (tuple(list(job.order())[:4]), False) for job in rank_jobs(chosen, options)}
    assert select(chosen, listed, PYPI, options, heads=heads).names == plain.names
    full = {job.index: head_of(job) for job in rank_jobs(chosen, options)}
    assert select(chosen, listed, PYPI, options, heads=full).names == plain.names


def _driver(scenario: str, work: Path, rng: random.Random) -> dict[str, object]:
    # A fresh interpreter: the worker is only forked from a process without other threads,
    # and a test runner has some.
    done = subprocess.run(
        [sys.executable, str(DRIVER), scenario, str(work), str(rng.getrandbits(64))],
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
    )
    assert done.returncode == 0, done.stderr
    assert "Traceback" not in done.stderr, done.stderr
    facts: dict[str, object] = json.loads(done.stdout)
    assert facts["forkable"] is True  # the scenario really ran with a worker
    assert facts["children_left"] == 0
    return facts


@needs_fork
def test_worker_heads_equal_heads_made_here(tmp_path: Path, rng: random.Random) -> None:
    facts = _driver("heads", tmp_path, rng)
    # The worker makes the later jobs' heads; the first ones are this process's to make.
    assert facts["mine"] == int(40 * prefetch.MAIN_SHARE) > 0
    assert facts == {**facts, "equal": True, "made": 40 - facts["mine"], "started": True}
    assert facts["first_found"] is False and facts["waited_for_first"] is False
    assert facts["last_equal"] is True


@needs_fork
def test_run_selection_with_a_worker_matches_one_without(
    tmp_path: Path, rng: random.Random
) -> None:
    facts = _driver("selection", tmp_path, rng)
    assert facts["equal"] is True
    # The worker made the heads of every job but this process's share, and they were used.
    assert facts["calls"] == [80 - int(80 * prefetch.MAIN_SHARE)]
    assert isinstance(facts["rows"], int) and facts["rows"] > 80 * 7


@needs_fork
def test_a_failing_worker_only_costs_time(tmp_path: Path, rng: random.Random) -> None:
    facts = _driver("failing", tmp_path, rng)
    assert facts["started"] is True and facts["heads"] == 0


@needs_fork
def test_a_bad_listing_stops_the_worker(tmp_path: Path, rng: random.Random) -> None:
    facts = _driver("bad-listing", tmp_path, rng)
    assert isinstance(facts["error"], str) and "not a PEP 691" in facts["error"]
    assert facts["calls"] == []  # failed while the worker ran; it was stopped, not awaited


def test_no_worker_is_forked_beside_other_threads(
    monkeypatch: pytest.MonkeyPatch, rng: random.Random
) -> None:
    monkeypatch.setattr(prefetch, "MIN_JOBS", 1)
    stop = threading.Event()
    other = threading.Thread(target=stop.wait)
    other.start()
    try:
        assert prefetch.can_fork() is False
        with Prefetch(rank_jobs(targets(5, rng), SelectionOptions(budget=3))) as worker:
            assert worker.started is False and worker.heads() == {}
    finally:
        stop.set()
        other.join()
    assert not multiprocessing.active_children()


def test_rank_target_walks_a_given_order_only() -> None:
    target = Target("requests", GIVEN)
    order = [("reqests", (0.9, "omission", "missing 'u' at 3", 1))]
    ranking = rank_target(target, 5, lambda name: ("free", "not on the index"), order=order)
    assert [r.candidate.name for r in ranking.selected] == ["reqests"]
