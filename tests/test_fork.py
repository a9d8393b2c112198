"""``reserver._fork.map_halves``: the same list as one process makes, the second half made in
a forked child where that is safe, and made again here when the child fails.

The forking cases run in a fresh interpreter: a pytest-xdist worker runs threads of its
own, and :func:`reserver._fork.can_fork` refuses to fork beside threads.
"""

from __future__ import annotations

import json
import multiprocessing
import os
import subprocess
import sys
import threading
from pathlib import Path

import pytest

from reserver._fork import can_fork, map_halves

needs_fork = pytest.mark.skipif(
    not sys.platform.startswith("linux") or len(os.sched_getaffinity(0)) < 2,
    reason="map_halves forks only on Linux with two usable cores",
)

DRIVER = """
import json, multiprocessing, os, sys
from reserver._fork import map_halves

parent = os.getpid()
facts = {}
facts["pids"] = map_halves(lambda item: os.getpid(), list(range(10)), min_items=4)
facts["below_min"] = map_halves(lambda item: os.getpid(), list(range(3)), min_items=4)

def fails_in_child(item):
    if os.getpid() != parent:
        raise RuntimeError("only in the child")
    return item * 2

facts["child_failed"] = map_halves(fails_in_child, list(range(8)), min_items=1)

def killed_child(item):
    if os.getpid() != parent:
        os._exit(9)
    return item + 1

facts["child_killed"] = map_halves(killed_child, list(range(8)), min_items=1)

def bad_item(item):
    if item == 6:
        raise ValueError("item 6 is bad")
    return item

try:
    map_halves(bad_item, list(range(8)), min_items=1)
except ValueError as exc:
    facts["error"] = str(exc)
facts["parent"] = parent
facts["children_left"] = len(multiprocessing.active_children())
print(json.dumps(facts))
"""


def _run_driver() -> dict[str, object]:
    root = Path(__file__).resolve().parents[1]
    done = subprocess.run(
        [sys.executable, "-c", DRIVER],
        capture_output=True,
        text=True,
        check=True,
        env={**os.environ, "PYTHONPATH": str(root)},
        timeout=120,
    )
    # A failing child must not print a traceback of its own: the parent reports errors.
    assert done.stderr == ""
    facts: dict[str, object] = json.loads(done.stdout)
    return facts


@needs_fork
def test_the_second_half_is_made_in_a_child_and_failures_are_made_again_here() -> None:
    facts = _run_driver()
    parent = facts["parent"]
    pids = facts["pids"]
    assert isinstance(pids, list) and len(pids) == 10
    assert pids[:5] == [parent] * 5
    assert len(set(pids[5:])) == 1 and pids[5] != parent  # one child made the whole half
    assert facts["below_min"] == [parent] * 3
    assert facts["child_failed"] == [2 * i for i in range(8)]
    assert facts["child_killed"] == [i + 1 for i in range(8)]
    # An error only the child met is raised here, where its traceback is useful.
    assert facts["error"] == "item 6 is bad"
    assert facts["children_left"] == 0


def test_no_child_is_forked_beside_other_threads() -> None:
    stop = threading.Event()
    other = threading.Thread(target=stop.wait)
    other.start()
    try:
        assert can_fork() is False
        assert (
            map_halves(lambda item: os.getpid(), list(range(6)), min_items=1) == [os.getpid()] * 6
        )
    finally:
        stop.set()
        other.join()
    assert not multiprocessing.active_children()
