"""The reservation ledger: a SQLite record, per repository and name, of where each upload stands.

The ledger is the truth that ``reserver status`` reports and that a re-run resumes from. Every
state change is one transaction that also appends an event, so a process killed at any moment
leaves the ledger at the last completed transition, never between two.
"""

from __future__ import annotations

import sqlite3
import stat
import time
from collections.abc import Iterable
from dataclasses import dataclass, field, replace
from enum import Enum
from pathlib import Path
from types import TracebackType

from .._closing import Closing
from .._rates import parse_rate
from ..errors import ReserverError, excerpt
from ..names.normalize import canonicalize
from .defaults import DEFAULT_LEDGER as DEFAULT_LEDGER

LEDGER_FORMAT = "reserver-ledger/1"


class LedgerError(ReserverError):
    """The ledger file cannot be used: corrupt, foreign, or in use by another batch."""


class LedgerState(str, Enum):
    """Where one name stands on one repository."""

    PLANNED = "planned"
    """In a plan; no validated sdist seen yet."""
    BUILT = "built"
    """A validated sdist exists (its sha256 is recorded); not sent yet."""
    UPLOADING = "uploading"
    """An upload was started; if the process died, the index decides what happened."""
    RESERVED = "reserved"
    """Our placeholder is on the index."""
    TAKEN = "taken"
    """Someone else holds the name."""
    REFUSED = "refused"
    """The registry said no for good (invalid, prohibited, too similar, stdlib)."""
    FAILED = "failed"
    """The last attempt failed in a way worth retrying (network, 5xx, 429, credentials)."""


#: States after which a batch never touches the name again.
FINAL_STATES = frozenset({LedgerState.RESERVED, LedgerState.TAKEN, LedgerState.REFUSED})
#: The order status reports states in.
STATE_ORDER = tuple(LedgerState)

_SCHEMA = """
CREATE TABLE IF NOT EXISTS meta (key TEXT PRIMARY KEY, value TEXT NOT NULL);
CREATE TABLE IF NOT EXISTS names (
    repository TEXT NOT NULL,
    name TEXT NOT NULL,
    display_name TEXT NOT NULL,
    state TEXT NOT NULL,
    sha256 TEXT,
    filename TEXT,
    reason TEXT NOT NULL DEFAULT '',
    last_error TEXT NOT NULL DEFAULT '',
    attempts INTEGER NOT NULL DEFAULT 0,
    updated_at REAL NOT NULL,
    PRIMARY KEY (repository, name)
);
CREATE TABLE IF NOT EXISTS events (
    id INTEGER PRIMARY KEY AUTOINCREMENT,
    at REAL NOT NULL,
    repository TEXT NOT NULL,
    name TEXT NOT NULL,
    state TEXT NOT NULL,
    status INTEGER,
    detail TEXT NOT NULL DEFAULT ''
);
CREATE INDEX IF NOT EXISTS events_by_repository ON events (repository, at);
CREATE TABLE IF NOT EXISTS repositories (
    url TEXT PRIMARY KEY,
    rate TEXT NOT NULL DEFAULT '',
    updated_at REAL NOT NULL
);
"""
_TABLES = {"meta", "names", "events", "repositories"}


@dataclass(frozen=True)
class LedgerRow:
    """The current state of one name on one repository."""

    repository: str
    """The upload URL the name is reserved on."""
    name: str
    """The PEP 503 normalised name (the key)."""
    display_name: str
    """The name as the plan spells it."""
    state: LedgerState
    sha256: str | None
    """The sha256 of the sdist that was (or will be) uploaded."""
    filename: str | None
    reason: str
    """For taken and refused: the registry's exact words."""
    last_error: str
    """For failed: the last error, kept until the name ends well."""
    attempts: int
    """How many uploads of this name were started, over all runs."""
    updated_at: float


@dataclass(frozen=True)
class LedgerEvent:
    """One transition, as the history records it."""

    at: float
    repository: str
    name: str
    state: LedgerState
    status: int | None
    """The HTTP status that caused it; 0 for a network error; None when no request was made."""
    detail: str


@dataclass(frozen=True)
class SdistRecord:
    """What a batch registers for one name before uploading it."""

    name: str
    filename: str | None = None
    sha256: str | None = None


@dataclass(frozen=True)
class LedgerSummary:
    """What ``reserver status`` shows for one repository."""

    repository: str
    counts: dict[str, int]
    """Names per state, every state present (zero when none)."""
    rate: str
    """The pacing of the last batch ("" when unpaced)."""
    remaining: int
    """Names not yet in a final state."""
    eta_seconds: float | None
    """Time to finish ``remaining`` at the pacing rate or the last observed rate."""
    last_errors: list[LedgerRow] = field(default_factory=list)


class Ledger(Closing):
    """An open ledger file. Writers hold it alone; readers may look in while a batch runs."""

    def __init__(self, path: Path, *, create: bool = True) -> None:
        self.path = path
        existed = _ledger_file_exists(path, create)
        try:
            # Autocommit mode: every transaction below is an explicit BEGIN IMMEDIATE..COMMIT.
            self._db = sqlite3.connect(str(path), isolation_level=None, timeout=30.0)
        except (sqlite3.Error, OSError) as exc:
            raise LedgerError(f"{path}: cannot open ledger ({exc})") from None
        try:
            self._prepare(existed)
        except sqlite3.DatabaseError as exc:
            self._db.close()
            raise LedgerError(
                f"{path}: the ledger is corrupt or not a reserver ledger ({exc}); "
                "move it aside and run again (the index will be checked for every name)"
            ) from None
        except LedgerError:
            self._db.close()
            raise

    def _prepare(self, existed: bool) -> None:
        db = self._db
        tables = {
            row[0] for row in db.execute("SELECT name FROM sqlite_master WHERE type = 'table'")
        }
        tables.discard("sqlite_sequence")
        # Only a path where nothing was gets a new ledger: a file already there without the
        # ledger's tables is someone else's, or a ledger that lost its content.
        if (tables or existed) and not tables >= _TABLES:
            raise LedgerError(f"{self.path}: an SQLite file, but not a reserver ledger")
        if tables:
            check = db.execute("PRAGMA quick_check").fetchone()
            if check is None or check[0] != "ok":
                raise sqlite3.DatabaseError(str(check[0] if check else "quick_check failed"))
            found = db.execute("SELECT value FROM meta WHERE key = 'format'").fetchone()
            if found is None or found[0] != LEDGER_FORMAT:
                raise LedgerError(
                    f"{self.path}: ledger format {found[0] if found else '(none)'!r}, "
                    f"expected {LEDGER_FORMAT!r}"
                )
        # WAL: readers (status) never block the writer; synchronous=NORMAL keeps every
        # committed transition across a killed process (only power loss may drop the last
        # few, and the index check before each upload covers that).
        db.execute("PRAGMA journal_mode = WAL")
        db.execute("PRAGMA synchronous = NORMAL")
        if not tables:
            with self._transaction():
                for statement in _SCHEMA.split(";"):
                    if statement.strip():
                        db.execute(statement)
                db.execute(
                    "INSERT OR REPLACE INTO meta (key, value) VALUES ('format', ?)",
                    (LEDGER_FORMAT,),
                )

    # -- transactions -------------------------------------------------------------------

    def _transaction(self) -> _Transaction:
        return _Transaction(self._db, self.path)

    def close(self) -> None:
        self._db.close()

    # -- writing ------------------------------------------------------------------------

    def note_repository(self, repository: str, rate: str) -> None:
        """Remember the pacing a batch uses, so ``status`` can estimate the time left."""
        with self._transaction():
            self._db.execute(
                "INSERT INTO repositories (url, rate, updated_at) VALUES (?, ?, ?) "
                "ON CONFLICT (url) DO UPDATE SET rate = excluded.rate, "
                "updated_at = excluded.updated_at",
                (repository, rate, time.time()),
            )

    def register(self, repository: str, sdists: Iterable[SdistRecord]) -> None:
        """Add the names of a batch: ``built`` when an sdist is known, else ``planned``.

        Names already in the ledger keep their state, except that a name not final yet takes
        the sha256 of the sdist it will now be uploaded from.
        """
        now = time.time()
        with self._transaction():
            for sdist in sdists:
                key = canonicalize(sdist.name)
                row = self._row(repository, key)
                state = LedgerState.BUILT if sdist.sha256 else LedgerState.PLANNED
                if row is None:
                    self._db.execute(
                        "INSERT INTO names (repository, name, display_name, state, sha256, "
                        "filename, updated_at) VALUES (?, ?, ?, ?, ?, ?, ?)",
                        (repository, key, sdist.name, state.value, sdist.sha256, sdist.filename,
                         now),
                    )  # fmt: skip
                    self._event(repository, key, state, None, "registered", now)
                elif row.state not in FINAL_STATES and sdist.sha256 != row.sha256:
                    new_state = row.state
                    if row.state is LedgerState.PLANNED and sdist.sha256:
                        new_state = LedgerState.BUILT
                    self._db.execute(
                        "UPDATE names SET sha256 = ?, filename = ?, state = ?, updated_at = ? "
                        "WHERE repository = ? AND name = ?",
                        (sdist.sha256, sdist.filename, new_state.value, now, repository, key),
                    )
                    self._event(repository, key, new_state, None, "new sdist", now)

    def transition(
        self,
        repository: str,
        name: str,
        state: LedgerState,
        *,
        status: int | None = None,
        detail: str = "",
    ) -> LedgerRow:
        """Move ``name`` to ``state`` in one transaction and return the new row.

        ``uploading`` counts an attempt; ``taken``/``refused`` keep ``detail`` as the reason;
        ``failed`` keeps it as the last error; ``reserved`` clears the last error.
        """
        key = canonicalize(name)
        now = time.time()
        with self._transaction():
            row = self._row(repository, key)
            if row is None:
                raise LedgerError(f"{name!r} is not in the ledger for {repository}")
            attempts = row.attempts + (1 if state is LedgerState.UPLOADING else 0)
            reason = detail if state in (LedgerState.TAKEN, LedgerState.REFUSED) else row.reason
            if state is LedgerState.FAILED:
                last_error = detail
            elif state is LedgerState.RESERVED:
                last_error = ""
            else:
                last_error = row.last_error
            self._db.execute(
                "UPDATE names SET state = ?, reason = ?, last_error = ?, attempts = ?, "
                "updated_at = ? WHERE repository = ? AND name = ?",
                (state.value, reason, last_error, attempts, now, repository, key),
            )
            self._event(repository, key, state, status, detail, now)
        return replace(
            row, state=state, reason=reason, last_error=last_error, attempts=attempts,
            updated_at=now,
        )  # fmt: skip

    def _event(
        self,
        repository: str,
        key: str,
        state: LedgerState,
        status: int | None,
        detail: str,
        now: float,
    ) -> None:
        self._db.execute(
            "INSERT INTO events (at, repository, name, state, status, detail) "
            "VALUES (?, ?, ?, ?, ?, ?)",
            (now, repository, key, state.value, status, detail),
        )

    # -- reading ------------------------------------------------------------------------

    def _row(self, repository: str, key: str) -> LedgerRow | None:
        found = self._db.execute(
            "SELECT repository, name, display_name, state, sha256, filename, reason, "
            "last_error, attempts, updated_at FROM names WHERE repository = ? AND name = ?",
            (repository, key),
        ).fetchone()
        return _to_row(found, self.path) if found is not None else None

    def get(self, repository: str, name: str) -> LedgerRow | None:
        """The row of ``name`` on ``repository``, or None when the ledger never saw it."""
        return self._row(repository, canonicalize(name))

    def rows(self, repository: str | None = None) -> list[LedgerRow]:
        """Every row (of one repository), in the order names were first registered."""
        query = (
            "SELECT repository, name, display_name, state, sha256, filename, reason, "
            "last_error, attempts, updated_at FROM names"
        )
        args: tuple[str, ...] = ()
        if repository is not None:
            query += " WHERE repository = ?"
            args = (repository,)
        return [_to_row(r, self.path) for r in self._db.execute(query + " ORDER BY rowid", args)]

    def repositories(self) -> dict[str, str]:
        """Every repository the ledger knows, with the pacing its last batch used."""
        known = {url: rate for url, rate in self._db.execute("SELECT url, rate FROM repositories")}
        for (url,) in self._db.execute("SELECT DISTINCT repository FROM names"):
            known.setdefault(url, "")
        return known

    def events(self, repository: str | None = None, since: float = 0.0) -> list[LedgerEvent]:
        """The history (of one repository) from ``since`` (a time.time() value) on."""
        query = "SELECT at, repository, name, state, status, detail FROM events WHERE at >= ?"
        args: list[object] = [since]
        if repository is not None:
            query += " AND repository = ?"
            args.append(repository)
        return [
            LedgerEvent(at, repo, name, _state(state, self.path, name), status, detail)
            for at, repo, name, state, status, detail in self._db.execute(
                query + " ORDER BY id", args
            )
        ]

    def attempt_times(self, repository: str, since: float) -> list[float]:
        """When recent uploads to ``repository`` ended (or began, if the process died then).

        Pacing starts from these, so a restart does not forget what it already sent.
        """
        times: list[float] = []
        started: dict[str, float] = {}
        for event in self.events(repository, since):
            if event.state is LedgerState.UPLOADING:
                started[event.name] = event.at
            elif event.status is not None and event.name in started:
                times.append(event.at)
                del started[event.name]
        # An upload whose end was never recorded may have reached the registry as late as
        # the moment the process died, which is unknown: count it as now, to be safe.
        now = time.time()
        times.extend(now for _ in started)
        return sorted(times)

    def summary(
        self,
        repository: str,
        names: Iterable[str] | None = None,
        rate_per_second: float | None = None,
        error_limit: int = 5,
    ) -> LedgerSummary:
        """Counts by state, the time left and the last errors for ``repository``.

        With ``names`` (a plan's), only those count, and the ones the ledger has not seen yet
        count as ``planned``. The ETA uses ``rate_per_second``, else the pacing of the last
        batch, else the pace of the last hour of uploads.
        """
        rows = self.rows(repository)
        if names is not None:
            wanted = {canonicalize(n) for n in names}
            rows = [r for r in rows if r.name in wanted]
            unseen = len(wanted - {r.name for r in rows})
        else:
            unseen = 0
        counts = {state.value: 0 for state in STATE_ORDER}
        for row in rows:
            counts[row.state.value] += 1
        counts[LedgerState.PLANNED.value] += unseen
        remaining = sum(n for s, n in counts.items() if LedgerState(s) not in FINAL_STATES)
        rate_text = self.repositories().get(repository, "")
        paced = parse_rate(rate_text) if rate_text else None
        speed = rate_per_second or (paced.per_second if paced else None)
        speed = speed or self._observed_rate(repository)
        eta = remaining / speed if speed and remaining else (0.0 if not remaining else None)
        errors = sorted(
            (r for r in rows if r.last_error and r.state not in FINAL_STATES),
            key=lambda r: r.updated_at,
            reverse=True,
        )[:error_limit]
        return LedgerSummary(repository, counts, rate_text, remaining, eta, errors)

    def _observed_rate(self, repository: str) -> float | None:
        done = [
            e.at
            for e in self.events(repository, time.time() - 3600)
            if e.state is LedgerState.RESERVED and e.status is not None
        ]
        if len(done) < 2 or done[-1] <= done[0]:
            return None
        return (len(done) - 1) / (done[-1] - done[0])


class _Transaction:
    """BEGIN IMMEDIATE .. COMMIT, rolling back on any error (so a transition is all or none)."""

    def __init__(self, db: sqlite3.Connection, path: Path) -> None:
        self._db = db
        self._path = path

    def __enter__(self) -> None:
        try:
            self._db.execute("BEGIN IMMEDIATE")
        except sqlite3.OperationalError as exc:
            raise LedgerError(f"{self._path}: cannot write the ledger ({exc})") from None

    def __exit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        tb: TracebackType | None,
    ) -> None:
        if exc_type is None:
            self._db.execute("COMMIT")
        else:
            self._db.execute("ROLLBACK")


def _to_row(found: tuple[object, ...], path: Path) -> LedgerRow:
    repository, name, display, state, sha256, filename, reason, error, attempts, at = found
    try:
        return LedgerRow(
            str(repository),
            str(name),
            str(display),
            _state(state, path, name),
            None if sha256 is None else str(sha256),
            None if filename is None else str(filename),
            str(reason),
            str(error),
            int(str(attempts)),
            float(str(at)),
        )
    except ValueError as exc:
        raise LedgerError(
            f"{path}: the row of {excerpt(name)} is malformed ({excerpt(str(exc), 80)}); "
            "the ledger was edited or is damaged"
        ) from None


def _state(value: object, path: Path, name: object) -> LedgerState:
    """A state read from the ledger; LedgerError, naming the row, for any other word."""
    try:
        return LedgerState(value)
    except ValueError:
        known = ", ".join(state.value for state in LedgerState)
        raise LedgerError(
            f"{path}: {excerpt(name)} has the unknown state {excerpt(value)} (known: {known}); "
            "the ledger was edited or is damaged"
        ) from None


def check_ledger_folder(path: Path) -> Path:
    """``path`` when the folder a new ledger would go in exists, else LedgerError: a
    mistyped ``--ledger`` must not quietly start a second ledger in a new folder."""
    if not path.parent.is_dir():
        raise LedgerError(
            f"{path}: the folder {path.parent} does not exist; create it first, or give "
            "--ledger the path of the existing ledger"
        )
    return path


def _ledger_file_exists(path: Path, create: bool) -> bool:
    """Whether a ledger file is at ``path`` already; LedgerError when there is none and
    none may be made there, or when what is there cannot be a ledger."""
    try:
        info = path.stat()
    except FileNotFoundError:
        info = None
    except OSError as exc:  # a name too long for the file system, a file used as a folder
        raise LedgerError(f"{path}: cannot open ledger ({exc.strerror or exc})") from None
    if info is None:
        if not create:
            raise LedgerError(f"{path}: no ledger here yet; run 'reserver upload' first")
        check_ledger_folder(path)
        return False
    if not stat.S_ISREG(info.st_mode):
        raise LedgerError(f"{path}: not a ledger file")
    if info.st_size == 0:
        # SQLite would take an empty file for a new database: a ledger truncated to nothing
        # would restart from scratch without a word.
        raise LedgerError(
            f"{path}: the file is empty (0 bytes), not a ledger; move it aside to start a new "
            "one (the index will be checked for every name)"
        )
    return True
