"""Make most targets' likeliest candidates in a second process while the listing loads.

Which names a target gets depends on the index (taken, blocked) and on the targets before
it (a name goes to the first target that meets it), so the ranking itself runs in order, in
one process. But the order in which a target's candidates come up depends on nothing but
the target: that part, most of the engine's work, can run beside reading and indexing the
index listing, which is the other large part. The worker takes the later targets; this
process, once the listing is read, makes the first ones' orders itself as the ranking
reaches them, and waits for the worker only at its first target. The ranking walks the
ready-made heads, and only a target that needs more names than its head holds makes the
rest itself. The result is the same as without a second process, name for name.
"""

from __future__ import annotations

from collections.abc import Iterable, Iterator, Mapping, Sequence
from itertools import chain, islice
from types import TracebackType

from .._fork import Forked, can_fork
from ..names.ranking import Ordered, RankJob

#: The start of a job's order, and whether that is the whole of it.
Head = tuple[tuple[Ordered, ...], bool]

#: Fewer jobs than this are ranked faster than a second process starts.
MIN_JOBS = 200
#: The share of the jobs, the first ones, whose orders this process makes itself once the
#: listing is read, while the worker makes the heads of the rest. Reading a 900,000-name
#: listing takes about half as long as the heads of all of the top 5,000: measured on that
#: plan (benchmarks/bench_engine.py's), 0.3 against the worker taking every job was 3.57 s
#: against 4.04 s, and 4.39 s with no worker (medians of 9, alternated; 0.1-0.5 all gained,
#: 0.25-0.33 most).
MAIN_SHARE = 0.3


def head_length(budget: int) -> int:
    """How many names to make ahead for a budget: enough for the taken, blocked and
    already-claimed ones a target usually meets. On the top 5,000 with a budget of 25, heads
    of 34 names leave fewer than 1% of targets to make more themselves.
    """
    return budget + budget // 5 + 4


def head_of(job: RankJob) -> Head:
    """The first names of ``job``'s order, as many as its budget will likely use."""
    if job.budget is None:
        raise ValueError("a job without a budget uses every candidate: nothing to make ahead")
    count = head_length(job.budget)
    names = tuple(islice(job.order(), count))
    return names, len(names) < count


def continue_order(job: RankJob, head: Head) -> Iterable[Ordered]:
    """``job``'s whole order: the head, then (only if asked for) the names after it."""
    names, complete = head
    if complete:
        return names
    # The order is deterministic: making it again and skipping the head continues it exactly.
    return chain(names, islice(job.order(), len(names), None))


def _heads(jobs: Sequence[RankJob]) -> list[Head]:
    return [head_of(job) for job in jobs]


class Prefetch:
    """Heads of ``jobs`` made in a forked process; a context manager that never leaves it behind.

    Too few jobs, jobs without a budget, or no safe way to fork: nothing runs, and
    :meth:`heads` is empty (the ranking then makes every order itself).
    """

    def __init__(self, jobs: Sequence[RankJob]) -> None:
        budgeted = [job for job in jobs if job.budget is not None]
        self.started = len(budgeted) >= MIN_JOBS and can_fork()
        """True when a worker was started for these jobs."""
        self._jobs = budgeted[int(len(budgeted) * MAIN_SHARE) :] if self.started else []
        self._worker: Forked[list[Head]] | None = None
        self._made: dict[int, Head] | None = None
        if self.started:
            self._worker = Forked(_heads, self._jobs, name="reserver-prefetch")

    def heads(self) -> Mapping[int, Head]:
        """Heads by target position, of the jobs the worker took. Asking for one of those
        waits for the worker to finish; asking for another (one this process ranks itself,
        or any after the worker failed) finds nothing, at once."""
        return _Heads(self, frozenset(job.index for job in self._jobs))

    def _wait(self) -> dict[int, Head]:
        if self._made is None:
            self._made = {}
            if self._worker is not None:
                ok, heads = self._worker.result()
                self._worker = None
                # The heads only save time: without them the ranking makes every order
                # itself, and an error in that code then shows where it happens, here.
                if ok and heads is not None:
                    self._made = {
                        job.index: head for job, head in zip(self._jobs, heads, strict=True)
                    }
        return self._made

    def __enter__(self) -> Prefetch:
        return self

    def __exit__(
        self,
        kind: type[BaseException] | None,
        value: BaseException | None,
        traceback: TracebackType | None,
    ) -> None:
        # Left early (a bad listing, an interrupt): the worker's results are not wanted.
        if self._worker is not None:
            self._worker.close(kill=True)
            self._worker = None


class _Heads(Mapping[int, Head]):
    """The worker's heads, waited for only when the ranking reaches the worker's jobs."""

    def __init__(self, prefetch: Prefetch, indexes: frozenset[int]) -> None:
        self._prefetch = prefetch
        self._indexes = indexes

    def __getitem__(self, index: int) -> Head:
        if index not in self._indexes:
            raise KeyError(index)
        return self._prefetch._wait()[index]

    def __iter__(self) -> Iterator[int]:
        return iter(self._prefetch._wait())

    def __len__(self) -> int:
        return len(self._prefetch._wait())
