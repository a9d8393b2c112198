"""The full export (every count row as CSV): materialised once, then streamed from a file.

Streamed straight from the database, a client that stops reading would hold a connection
(and on SQLite a read snapshot pinning the WAL) for as long as it likes, and a few such
clients would take the pool from the pings. So the rows are written to a temporary file on
an export thread, and the connection goes back to the pool before the first byte is sent: a
client that never reads holds a file, not a connection. Requests that arrive while a
snapshot is being written, or soon after, share it: a burst of exports reads the table once.
"""

from __future__ import annotations

import asyncio
import csv
import io
import tempfile
import threading
from collections.abc import Iterator
from typing import IO

from .dbthreads import Database
from .limits import EXPORT_REUSE_SECONDS, EXPORT_SPOOL_BYTES
from .schema import RegisteredName
from .store import StatsStore

HEADER = ["day", "name", "installer", "python", "ci", "count"]
CHUNK = 64 * 1024


def write_export(store: StatsStore, names: dict[str, RegisteredName]) -> IO[bytes]:
    """Every count row as CSV in a temporary file (blocking: run it through ``Database``)."""
    out = tempfile.SpooledTemporaryFile(max_size=EXPORT_SPOOL_BYTES)  # noqa: SIM115
    buffer = io.StringIO()
    writer = csv.writer(buffer, lineterminator="\n")
    writer.writerow(HEADER)
    for key, day, installer, python, ci, n in store.counts_rows():
        shown = names[key].name if key in names else key
        writer.writerow((day.isoformat(), shown, installer, python, int(ci), n))
        if buffer.tell() > CHUNK:
            out.write(buffer.getvalue().encode())
            buffer.seek(0)
            buffer.truncate()
    out.write(buffer.getvalue().encode())
    return out


class Snapshot:
    """One written export, read by any number of responses at their own pace.

    The file closes (and leaves the disk) when the last response reading it is gone.
    """

    def __init__(self, file: IO[bytes]) -> None:
        self._file = file
        self._lock = threading.Lock()  # one file position, several readers
        self.size = file.seek(0, io.SEEK_END)

    def chunks(self) -> Iterator[bytes]:
        offset = 0
        while offset < self.size:
            with self._lock:
                self._file.seek(offset)
                chunk = self._file.read(CHUNK)
            if not chunk:
                return
            offset += len(chunk)
            yield chunk


class SharedExport:
    """The latest snapshot of one app, written on an export thread and shared while fresh."""

    def __init__(self, db: Database) -> None:
        self._db = db
        self._latest: tuple[float, asyncio.Task[Snapshot]] | None = None

    async def snapshot(self, names: dict[str, RegisteredName]) -> Snapshot:
        """A snapshot at most EXPORT_REUSE_SECONDS old; ``StoreUnavailable`` if none can be
        written in time."""
        loop = asyncio.get_running_loop()
        now = loop.time()
        latest = self._latest
        if (
            latest is None
            or now - latest[0] > EXPORT_REUSE_SECONDS
            or (latest[1].done() and (latest[1].cancelled() or latest[1].exception()))
        ):
            store = self._db.store
            task = loop.create_task(self._db.export(lambda: Snapshot(write_export(store, names))))
            # Its outcome is read here even if every request waiting for it went away.
            task.add_done_callback(lambda done: done.cancelled() or done.exception())
            latest = self._latest = (now, task)
        # Shielded: a client that disconnects must not cancel the others' snapshot.
        return await asyncio.shield(latest[1])
