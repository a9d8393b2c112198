"""Candidate heads made in a forked worker: the same selection as without, and no worker left."""

from __future__ import annotations

import json
import multiprocessing
import random
import string
from pathlib import Path

import pytest

from reserver import prefetch
from reserver.errors import ReserverError
from reserver.names.ranking import RankJob, rank_target, ranked_order
from reserver.names.rules import PYPI, KnownNames
from reserver.names.targets import GIVEN, POPULAR, Target
from reserver.prefetch import Prefetch, continue_order, head_of
from reserver.selection import (
    SelectionOptions,
    SelectionRequest,
    rank_jobs,
    run_selection,
    select,
)

needs_fork = pytest.mark.skipif(not prefetch.can_fork(), reason="forking needs Linux and 2 cores")


def _targets(count: int, seed: int = 3) -> list[Target]:
    rng = random.Random(seed)
    names: dict[str, None] = {}
    while len(names) < count:
        words = ["".join(rng.choices(string.ascii_lowercase, k=rng.randint(3, 7))) for _ in "ab"]
        names["-".join(words[: rng.randint(1, 2)])] = None
    return [Target(n, POPULAR, 1.0 / (i + 1)) for i, n in enumerate(names)]


def _known(targets: list[Target]) -> KnownNames:
    # Some of each target's likeliest typos exist, so heads run short and must continue.
    taken = [t.name for t in targets]
    for target in targets[::3]:
        taken += [name for name, _ in list(ranked_order(target.name))[:12:2]]
    return KnownNames.from_names(taken, complete=True)


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


def test_ranking_from_heads_gives_the_same_selection() -> None:
    targets = _targets(60)
    known = _known(targets)
    options = SelectionOptions(budget=6)
    plain = select(targets, known, PYPI, options)
    # Tiny heads: most targets run past them, through continue_order.
    heads = {
        job.index: (tuple(list(job.order())[:4]), False) for job in rank_jobs(targets, options)
    }
    assert select(targets, known, PYPI, options, heads=heads).names == plain.names
    full = {job.index: head_of(job) for job in rank_jobs(targets, options)}
    assert select(targets, known, PYPI, options, heads=full).names == plain.names


@needs_fork
def test_worker_heads_equal_heads_made_here(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(prefetch, "MIN_JOBS", 1)
    jobs = rank_jobs(_targets(40), SelectionOptions(budget=5))
    with Prefetch(jobs) as worker:
        heads = worker.heads()
    assert heads == {job.index: head_of(job) for job in jobs}
    assert not multiprocessing.active_children()


@needs_fork
def test_run_selection_with_a_worker_matches_one_without(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    targets = _targets(80, seed=5)
    listing = tmp_path / "simple.json"
    listing.write_text(
        json.dumps(
            {
                "meta": {"api-version": "1.1"},
                "projects": [{"name": n} for n in _known(targets).names()],
            }
        )
    )
    request = SelectionRequest(
        targets=tuple(t.name for t in targets),
        index=str(listing),
        options=SelectionOptions(budget=7),
    )
    monkeypatch.setattr(prefetch, "MIN_JOBS", 10**9)
    alone = run_selection(request)
    monkeypatch.setattr(prefetch, "MIN_JOBS", 1)
    calls: list[int] = []
    real_heads = Prefetch.heads

    def counted(self: Prefetch) -> dict[int, prefetch.Head]:
        heads = real_heads(self)
        calls.append(len(heads))
        return heads

    monkeypatch.setattr(Prefetch, "heads", counted)
    assert run_selection(request).names == alone.names
    assert calls == [80]  # the worker really made every head
    assert not multiprocessing.active_children()


@needs_fork
def test_a_failing_worker_only_costs_time(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(prefetch, "MIN_JOBS", 1)

    def broken(job: RankJob) -> prefetch.Head:
        raise MemoryError("pretend the worker ran out of memory")

    monkeypatch.setattr(prefetch, "head_of", broken)
    targets = _targets(20)
    with Prefetch(rank_jobs(targets, SelectionOptions(budget=5))) as worker:
        assert worker.heads() == {}
    assert not multiprocessing.active_children()


@needs_fork
def test_a_bad_listing_stops_the_worker(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(prefetch, "MIN_JOBS", 1)
    corrupt = tmp_path / "simple.json"
    corrupt.write_text('{"meta": {"api-version": "1.1"}, "projects": [{"name": ')
    request = SelectionRequest(targets=("requests", "numpy"), index=str(corrupt))
    with pytest.raises(ReserverError, match="not a PEP 691"):
        run_selection(request)
    assert not multiprocessing.active_children()


def test_rank_target_walks_a_given_order_only() -> None:
    target = Target("requests", GIVEN)
    order = [("reqests", (0.9, "deleted_letter", "deleted 'u' at 3", 1))]
    ranking = rank_target(target, 5, lambda name: ("free", "not on the index"), order=order)
    assert [r.candidate.name for r in ranking.selected] == ["reqests"]
