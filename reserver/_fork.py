"""Use the second core of the machine through a forked process, where that is safe."""

from __future__ import annotations

import gc
import multiprocessing
import os
import signal
import sys
import threading
from collections.abc import Callable, Sequence
from contextlib import suppress
from multiprocessing.connection import Connection
from typing import TypeVar

T = TypeVar("T")
R = TypeVar("R")


def can_fork() -> bool:
    """True where a forked worker shares what this process has loaded (Linux), has a core to
    run on, and this process runs no other thread.

    A thread may hold a lock at the moment of the fork, and the child would wait on it
    forever (Python 3.12 and later warn about exactly this). The command line has one
    thread; a program that embeds reserver beside threads gets one process.
    """
    # macOS offers fork too, but a process that has loaded some system frameworks can crash
    # in a forked child: Linux only.
    return (
        sys.platform.startswith("linux")
        and "fork" in multiprocessing.get_all_start_methods()
        and _usable_cores() > 1
        and threading.active_count() == 1
    )


def _usable_cores() -> int:
    # The cores this process may run on (a container or ``taskset`` may allow fewer than the
    # machine has); the machine's count where the platform cannot tell.
    if hasattr(os, "sched_getaffinity"):
        return len(os.sched_getaffinity(0))
    return os.cpu_count() or 1


def _map_into(function: Callable[[T], R], items: Sequence[T], connection: Connection) -> None:
    # Runs in the forked child, which inherited ``function`` and ``items``: nothing was
    # pickled to start it. Ctrl-C reaches the whole process group; the parent handles it,
    # and a second traceback from here would only bury the parent's message.
    signal.signal(signal.SIGINT, signal.SIG_IGN)
    try:
        message: tuple[bool, object] = (True, [function(item) for item in items])
    except Exception:  # the parent makes this half itself, and shows any error where it is
        message = (False, None)
    with suppress(OSError):  # a parent that is gone closed its end: nothing to tell
        connection.send(message)
    connection.close()


def map_halves(function: Callable[[T], R], items: Sequence[T], min_items: int) -> list[R]:
    """``[function(item) for item in items]``, the second half made in a forked child while
    this process makes the first; in one process below ``min_items`` or where
    :func:`can_fork` says no. ``function`` must be pure: the child's side effects are lost.

    >>> map_halves(len, ["a", "bb", "ccc"], min_items=1)
    [1, 2, 3]
    """
    if len(items) < min_items or not can_fork():
        return [function(item) for item in items]
    half = len(items) // 2
    context = multiprocessing.get_context("fork")
    receiver, sender = context.Pipe(duplex=False)
    child = context.Process(
        target=_map_into, args=(function, items[half:], sender), name="reserver-half", daemon=True
    )
    # Objects alive now move out of the collector's sight until the halves are made: a
    # collection in the child would write to every one of them and copy all the pages it
    # shares with the parent (the reason the gc documentation gives for freeze before fork).
    gc.freeze()
    child.start()
    sender.close()  # the child holds its own copy; the parent only reads
    try:
        first = [function(item) for item in items[:half]]
        try:
            ok, second = receiver.recv()
        except EOFError:  # the child died (killed, out of memory)
            ok, second = False, None
    except BaseException:  # an error or Ctrl-C here: the child's half is not wanted
        child.kill()
        raise
    finally:
        receiver.close()
        child.join()
        gc.unfreeze()
    if not ok:
        second = [function(item) for item in items[half:]]
    assert isinstance(second, list)
    return first + second
