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
from multiprocessing.process import BaseProcess
from typing import Any, Generic, TypeVar

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


def _call_into(function: Callable[..., R], args: tuple[Any, ...], connection: Connection) -> None:
    # Runs in the forked child, which inherited ``function`` and ``args``: nothing was
    # pickled to start it. Ctrl-C reaches the whole process group; the parent handles it,
    # and a second traceback from here would only bury the parent's message.
    signal.signal(signal.SIGINT, signal.SIG_IGN)
    try:
        message: tuple[bool, object] = (True, function(*args))
    except Exception:  # the parent does without, or does the work itself and shows the error
        message = (False, None)
    with suppress(OSError):  # a parent that is gone closed its end: nothing to tell
        connection.send(message)
    connection.close()


class Forked(Generic[R]):
    """``function(*args)`` started in a forked child, whose result this process takes when
    it wants it. Only where :func:`can_fork` says yes; the caller checks."""

    def __init__(self, function: Callable[..., R], *args: Any, name: str) -> None:
        context = multiprocessing.get_context("fork")
        receiver, sender = context.Pipe(duplex=False)
        self._child: BaseProcess | None = context.Process(
            target=_call_into,
            args=(function, args, sender),
            name=name,
            daemon=True,  # never outlives the run, whatever happens to it
        )
        self._child.start()
        sender.close()  # the child holds its own copy; the parent only reads
        self._connection: Connection | None = receiver

    def result(self) -> tuple[bool, R | None]:
        """``(True, what function returned)``, or ``(False, None)`` when it raised or the
        child died (killed, out of memory); waits for the child, then ends it."""
        # Unpickled here, in the caller's thread: a result thread would take the interpreter
        # lock from whatever this process does meanwhile.
        try:
            if self._connection is None:
                return False, None
            ok, value = self._connection.recv()
        except EOFError:
            ok, value = False, None
        finally:
            self.close()
        return ok, value

    def close(self, kill: bool = False) -> None:
        """Stop waiting (``kill``: the result is not wanted) and reap the child."""
        if self._connection is not None:
            self._connection.close()
            self._connection = None
        if self._child is not None:
            if kill:
                self._child.kill()
            self._child.join()
            self._child = None


def _map(function: Callable[[T], R], items: Sequence[T]) -> list[R]:
    return [function(item) for item in items]


def map_halves(function: Callable[[T], R], items: Sequence[T], min_items: int) -> list[R]:
    """``[function(item) for item in items]``, the second half made in a forked child while
    this process makes the first; in one process below ``min_items`` or where
    :func:`can_fork` says no. ``function`` must be pure: the child's side effects are lost.

    >>> map_halves(len, ["a", "bb", "ccc"], min_items=1)
    [1, 2, 3]
    """
    if len(items) < min_items or not can_fork():
        return _map(function, items)
    half = len(items) // 2
    # Objects alive now move out of the collector's sight until the halves are made: a
    # collection in the child would write to every one of them and copy all the pages it
    # shares with the parent (the reason the gc documentation gives for freeze before fork).
    gc.freeze()
    try:
        child = Forked(_map, function, items[half:], name="reserver-half")
        try:
            first = _map(function, items[:half])
        except BaseException:  # an error or Ctrl-C here: the child's half is not wanted
            child.close(kill=True)
            raise
        ok, second = child.result()
    finally:
        gc.unfreeze()
    if not ok or second is None:
        second = _map(function, items[half:])
    return first + second
