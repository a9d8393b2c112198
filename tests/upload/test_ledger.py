"""The ledger: one transaction per transition, WAL, history, and a clear error when corrupt."""

from __future__ import annotations

import re
import sqlite3
from pathlib import Path

import pytest

from reserver.publish.ledger import Ledger, LedgerError, LedgerState, SdistRecord

REPO = "http://127.0.0.1:1/"


def test_register_records_built_with_sha_and_planned_without(tmp_path: Path) -> None:
    with Ledger(tmp_path / "l.sqlite") as ledger:
        ledger.register(REPO, [SdistRecord("Foo_Bar", "foo_bar-1.tar.gz", "ab" * 32),
                               SdistRecord("baz")])  # fmt: skip
        foo = ledger.get(REPO, "foo-bar")
        baz = ledger.get(REPO, "baz")
    assert foo is not None and baz is not None
    assert (foo.state, foo.sha256, foo.display_name) == (LedgerState.BUILT, "ab" * 32, "Foo_Bar")
    assert (baz.state, baz.sha256) == (LedgerState.PLANNED, None)


def test_registering_again_keeps_final_states(tmp_path: Path) -> None:
    with Ledger(tmp_path / "l.sqlite") as ledger:
        ledger.register(REPO, [SdistRecord("foo", "foo-1.tar.gz", "aa" * 32)])
        ledger.transition(REPO, "foo", LedgerState.UPLOADING)
        ledger.transition(REPO, "foo", LedgerState.RESERVED, status=200)
        ledger.register(REPO, [SdistRecord("foo", "foo-1.tar.gz", "bb" * 32)])
        row = ledger.get(REPO, "foo")
    assert row is not None and (row.state, row.sha256) == (LedgerState.RESERVED, "aa" * 32)


def test_transitions_count_attempts_and_keep_reasons(tmp_path: Path) -> None:
    with Ledger(tmp_path / "l.sqlite") as ledger:
        ledger.register(REPO, [SdistRecord("foo", "foo-1.tar.gz", "aa" * 32)])
        ledger.transition(REPO, "foo", LedgerState.UPLOADING)
        failed = ledger.transition(REPO, "foo", LedgerState.FAILED, status=503, detail="503 busy")
        ledger.transition(REPO, "foo", LedgerState.UPLOADING)
        refused = ledger.transition(
            REPO, "foo", LedgerState.REFUSED, status=400, detail="400 too similar"
        )
        history = [(e.state, e.status) for e in ledger.events(REPO)]
    assert (failed.attempts, failed.last_error) == (1, "503 busy")
    assert (refused.attempts, refused.reason) == (2, "400 too similar")
    assert history == [
        (LedgerState.BUILT, None),
        (LedgerState.UPLOADING, None),
        (LedgerState.FAILED, 503),
        (LedgerState.UPLOADING, None),
        (LedgerState.REFUSED, 400),
    ]


def test_reserved_clears_the_last_error(tmp_path: Path) -> None:
    with Ledger(tmp_path / "l.sqlite") as ledger:
        ledger.register(REPO, [SdistRecord("foo", "foo-1.tar.gz", "aa" * 32)])
        ledger.transition(REPO, "foo", LedgerState.FAILED, status=0, detail="network error")
        row = ledger.transition(REPO, "foo", LedgerState.RESERVED, status=200)
    assert row.last_error == ""


def test_the_ledger_is_in_wal_mode(tmp_path: Path) -> None:
    path = tmp_path / "l.sqlite"
    Ledger(path).close()
    mode = sqlite3.connect(path).execute("PRAGMA journal_mode").fetchone()[0]
    assert mode == "wal"


def test_a_corrupt_ledger_is_a_clear_error_and_left_alone(tmp_path: Path) -> None:
    path = tmp_path / "l.sqlite"
    path.write_bytes(b"this is not a database\n" * 100)
    before = path.read_bytes()
    with pytest.raises(LedgerError, match="corrupt or not a reserver ledger"):
        Ledger(path)
    assert path.read_bytes() == before


def test_a_damaged_page_is_reported_as_corrupt(tmp_path: Path) -> None:
    path = tmp_path / "l.sqlite"
    with Ledger(path) as ledger:
        ledger.register(REPO, [SdistRecord(f"n{i}", f"n{i}-1.tar.gz", "aa" * 32)
                               for i in range(300)])  # fmt: skip
    connection = sqlite3.connect(path)
    connection.execute("PRAGMA wal_checkpoint(TRUNCATE)")
    connection.close()
    data = bytearray(path.read_bytes())
    for offset in range(4096 + 100, len(data), 4096):  # scribble over every page but the first
        data[offset : offset + 64] = b"\xff" * 64
    path.write_bytes(bytes(data))
    with pytest.raises(LedgerError, match="corrupt"):
        Ledger(path)


def test_a_foreign_sqlite_file_is_refused(tmp_path: Path) -> None:
    path = tmp_path / "other.sqlite"
    connection = sqlite3.connect(path)
    connection.execute("CREATE TABLE things (x)")
    connection.commit()
    connection.close()
    with pytest.raises(LedgerError, match="not a reserver ledger"):
        Ledger(path)


def test_reading_a_missing_ledger_does_not_create_one(tmp_path: Path) -> None:
    with pytest.raises(LedgerError, match="no ledger here yet"):
        Ledger(tmp_path / "none.sqlite", create=False)
    assert not (tmp_path / "none.sqlite").exists()


def test_summary_counts_plan_names_not_seen_as_planned(tmp_path: Path) -> None:
    with Ledger(tmp_path / "l.sqlite") as ledger:
        ledger.register(REPO, [SdistRecord("a", "a-1.tar.gz", "aa" * 32),
                               SdistRecord("b", "b-1.tar.gz", "bb" * 32)])  # fmt: skip
        ledger.transition(REPO, "a", LedgerState.RESERVED, status=200)
        ledger.note_repository(REPO, "20/hour")
        summary = ledger.summary(REPO, ["a", "b", "c"])
    assert summary.counts["reserved"] == 1
    assert summary.counts["built"] == 1
    assert summary.counts["planned"] == 1
    assert summary.remaining == 2
    assert summary.eta_seconds == pytest.approx(2 / (20 / 3600))


def test_attempt_times_count_an_unfinished_upload_as_now(tmp_path: Path) -> None:
    with Ledger(tmp_path / "l.sqlite") as ledger:
        ledger.register(REPO, [SdistRecord("a", "a-1.tar.gz", "aa" * 32),
                               SdistRecord("b", "b-1.tar.gz", "bb" * 32)])  # fmt: skip
        ledger.transition(REPO, "a", LedgerState.UPLOADING)
        finished = ledger.transition(REPO, "a", LedgerState.RESERVED, status=200).updated_at
        ledger.transition(REPO, "b", LedgerState.UPLOADING)
        times = ledger.attempt_times(REPO, since=0)
    assert len(times) == 2
    assert times[0] == finished and times[1] >= finished


def test_an_empty_file_is_refused_not_taken_for_a_new_ledger(tmp_path: Path) -> None:
    # SQLite opens a 0-byte file as a new database: a truncated ledger would have started
    # over without a word, and status would have written a fresh schema into it.
    path = tmp_path / "l.sqlite"
    path.write_bytes(b"")
    for create in (True, False):
        with pytest.raises(LedgerError, match=r"l\.sqlite: the file is empty \(0 bytes\)"):
            Ledger(path, create=create)
    assert path.stat().st_size == 0


def test_a_ledger_is_never_made_in_a_folder_that_does_not_exist(tmp_path: Path) -> None:
    path = tmp_path / "ledgres" / "l.sqlite"  # a mistyped folder
    with pytest.raises(LedgerError, match=r"the folder .*ledgres does not exist; create it first"):
        Ledger(path)
    assert not path.parent.exists()


def test_an_existing_sqlite_file_without_tables_is_not_made_a_ledger(tmp_path: Path) -> None:
    path = tmp_path / "l.sqlite"
    connection = sqlite3.connect(path)
    connection.execute("PRAGMA user_version = 7")  # a valid SQLite file, no tables
    connection.close()
    with pytest.raises(LedgerError, match="not a reserver ledger"):
        Ledger(path)


@pytest.mark.parametrize(
    ("column", "value", "message"),
    [
        ("state", "bogus", "'foo' has the unknown state 'bogus' (known: planned, built"),
        ("state", "x" * 5_000_000, "'foo' has the unknown state 'xxxx"),
        ("attempts", "many", "the row of 'foo' is malformed"),
    ],
)
def test_a_row_the_ledger_cannot_hold_is_a_one_line_error(
    tmp_path: Path, column: str, value: str, message: str
) -> None:
    path = tmp_path / "l.sqlite"
    with Ledger(path) as ledger:
        ledger.register(REPO, [SdistRecord("foo", "foo-1.tar.gz", "aa" * 32)])
    connection = sqlite3.connect(path)
    connection.execute(f"UPDATE names SET {column} = ?", (value,))
    if column == "state":
        connection.execute("UPDATE events SET state = ?", (value,))
    connection.commit()
    connection.close()
    with Ledger(path, create=False) as ledger:
        reads = [lambda: ledger.rows(), lambda: ledger.get(REPO, "foo"),
                 lambda: ledger.summary(REPO)]  # fmt: skip
        if column == "state":
            reads.append(lambda: ledger.events())
        for read in reads:
            with pytest.raises(LedgerError, match=re.escape(message)) as caught:
                read()
            assert "\n" not in str(caught.value) and len(str(caught.value)) < 400
