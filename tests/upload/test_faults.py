"""The batch against a registry that fails on purpose: the same final ledger, nothing lost."""

from __future__ import annotations

import time
from collections import Counter
from collections.abc import Callable
from pathlib import Path

import pytest
from filelock import FileLock

from reserver._rates import Rate
from reserver.publish.batch import BatchEvent, upload_batch
from reserver.publish.ledger import Ledger, LedgerError, LedgerState

from .conftest import FAST_RETRY, Batch, credentials_of, ledger_states
from .faultserver import FaultServer

TOO_SIMILAR = "The name 'zq-name006' is too similar to an existing project."
NOT_YOURS = "The user 'reserver' isn't allowed to upload to project 'zq-name007'."
REFUSALS = {"zq-name006": (400, TOO_SIMILAR), "zq-name007": (403, NOT_YOURS)}
FAULTS = {
    "zq-name000": ["429:1"],
    "zq-name001": ["500", "503"],
    "zq-name002": ["drop"],
    "zq-name003": ["drop-after-store"],
    "zq-name004": ["slow:1.0"],
    "zq-name005": ["slow:0.2"],
    "zq-name008": ["429-bare"],
}


def run(
    batch: Batch, server: FaultServer, ledger: Path, **options: object
) -> tuple[object, list[BatchEvent]]:
    events: list[BatchEvent] = []
    result = upload_batch(
        batch.plan, batch.dist, credentials_of(server), ledger_path=ledger,
        retry=FAST_RETRY, timeout=(2.0, 0.5), on_event=events.append,
        **options,  # type: ignore[arg-type]
    )  # fmt: skip
    return result, events


def assert_index_matches_ledger(server: FaultServer, ledger: Path) -> None:
    """Every reserved name is on the server exactly once, with the sha the ledger recorded."""
    with Ledger(ledger, create=False) as opened:
        rows = opened.rows(server.url)
    reserved = {row.filename: row.sha256 for row in rows if row.state is LedgerState.RESERVED}
    assert set(server.files) == set(reserved)
    for filename, sha in reserved.items():
        assert server.sha256(filename) == sha


def test_faults_end_in_the_same_ledger_as_a_clean_run(
    batch_factory: Callable[[int], Batch], tmp_path: Path
) -> None:
    batch = batch_factory(10)
    with FaultServer(refuse=REFUSALS) as clean:
        run(batch, clean, tmp_path / "clean.sqlite")
        expected = ledger_states(tmp_path / "clean.sqlite", clean.url)
    with FaultServer(script=FAULTS, refuse=REFUSALS) as faulty:
        result, events = run(batch, faulty, tmp_path / "faulty.sqlite")
        got = ledger_states(tmp_path / "faulty.sqlite", faulty.url)
        assert_index_matches_ledger(faulty, tmp_path / "faulty.sqlite")
        answers = Counter(entry.answer for entry in faulty.log)
    assert got == expected
    assert Counter(state for state, _ in got.values()) == {
        LedgerState.RESERVED: 8, LedgerState.REFUSED: 1, LedgerState.TAKEN: 1,
    }  # fmt: skip
    assert got["zq-name006"] == (LedgerState.REFUSED, f"400 {TOO_SIMILAR}")
    assert got["zq-name007"] == (LedgerState.TAKEN, f"403 {NOT_YOURS}")
    # every scripted fault really happened, and the refusals were asked once, never retried
    assert answers["429"] == 2 and answers["500"] == 1 and answers["503"] == 1
    assert answers["drop"] == 1
    assert answers["400"] == 1 and answers["403"] == 1
    # the upload whose answer was lost (drop-after-store) was found on the index, not resent
    assert [e.answer for e in faulty.log if e.name == "zq-name003"] == ["200"]
    assert result.complete  # type: ignore[attr-defined]
    kinds = Counter(e.kind for e in events)
    assert kinds["pause"] == 2


def test_a_429_pauses_for_retry_after_then_retries_the_same_name(
    batch_factory: Callable[[int], Batch], tmp_path: Path
) -> None:
    batch = batch_factory(2)
    with FaultServer(script={"zq-name000": ["429:1"]}) as server:
        run(batch, server, tmp_path / "l.sqlite")
        log = server.log
    assert [(e.name, e.answer) for e in log] == [
        ("zq-name000", "429"), ("zq-name000", "200"), ("zq-name001", "200"),
    ]  # fmt: skip
    assert log[1].at - log[0].at >= 1.0


def test_a_registry_that_keeps_failing_stops_the_batch_and_keeps_the_error(
    batch_factory: Callable[[int], Batch], tmp_path: Path
) -> None:
    batch = batch_factory(3)
    with FaultServer(script={"zq-name001": ["500"] * 20}) as server:
        result, _ = run(batch, server, tmp_path / "l.sqlite")
        with Ledger(tmp_path / "l.sqlite", create=False) as ledger:
            row = ledger.get(server.url, "zq-name001")
            third = ledger.get(server.url, "zq-name002")
    assert result.stopped is not None and "kept failing" in result.stopped  # type: ignore[attr-defined]
    assert row is not None and row.state is LedgerState.FAILED
    assert row.attempts == FAST_RETRY.max_attempts and "500" in row.last_error
    assert third is not None and third.state is LedgerState.BUILT  # untouched, not lost


def test_bad_credentials_stop_the_batch_and_lose_nothing(
    batch_factory: Callable[[int], Batch], tmp_path: Path
) -> None:
    batch = batch_factory(3)
    ledger = tmp_path / "l.sqlite"
    with FaultServer() as server:
        result = upload_batch(
            batch.plan, batch.dist, credentials_of(server, password="expired"),
            ledger_path=ledger, retry=FAST_RETRY,
        )  # fmt: skip
        assert result.stopped is not None and "refused the credentials" in result.stopped
        assert len(server.log) == 1 and server.files == {}
        states = {state for state, _ in ledger_states(ledger, server.url).values()}
        assert LedgerState.RESERVED not in states and LedgerState.REFUSED not in states
        resumed, _ = run(batch, server, ledger)
        assert resumed.complete  # type: ignore[attr-defined]
        assert_index_matches_ledger(server, ledger)


def test_a_url_that_is_not_an_upload_endpoint_stops_with_a_clear_message(
    batch_factory: Callable[[int], Batch], tmp_path: Path
) -> None:
    batch = batch_factory(2)
    with FaultServer() as server:
        credentials = credentials_of(server)
        wrong = type(credentials)(
            repository_url=server.simple_url, username=server.username,
            password=server.password, config_file=credentials.config_file,
        )  # fmt: skip
        result = upload_batch(batch.plan, batch.dist, wrong, ledger_path=tmp_path / "l.sqlite",
                              simple_url=server.simple_url, retry=FAST_RETRY)  # fmt: skip
    assert result.stopped is not None and "not an upload endpoint" in result.stopped
    assert "405" in result.stopped
    assert result.counts["reserved"] == 0


def test_a_file_already_there_with_other_bytes_is_taken_not_overwritten(
    batch_factory: Callable[[int], Batch], tmp_path: Path
) -> None:
    batch = batch_factory(2)
    with FaultServer() as server:
        filename = (batch.dist / "zq_name000-0.0.1.tar.gz").name
        server.files[filename] = b"someone else's bytes"
        server.projects["zq-name000"] = {filename}
        run(batch, server, tmp_path / "l.sqlite")
        states = ledger_states(tmp_path / "l.sqlite", server.url)
        assert server.files[filename] == b"someone else's bytes"
        posted = [e.name for e in server.log]
    assert states["zq-name000"][0] is LedgerState.TAKEN
    assert "other content" in states["zq-name000"][1]
    assert posted == ["zq-name001"]  # the index check spared the doomed upload


def test_a_lost_ledger_is_rebuilt_from_the_index_without_uploading_again(
    batch_factory: Callable[[int], Batch], tmp_path: Path
) -> None:
    batch = batch_factory(4)
    with FaultServer() as server:
        run(batch, server, tmp_path / "first.sqlite")
        posts = len(server.log)
        result, _ = run(batch, server, tmp_path / "second.sqlite", rate=Rate(100, 1.0))
        assert len(server.log) == posts  # per-name page checks, no POST
        assert result.uploaded == 0 and result.counts["reserved"] == 4  # type: ignore[attr-defined]
        result, _ = run(batch, server, tmp_path / "third.sqlite", rate=None)
        assert len(server.log) == posts  # the listing shortcut agrees
        assert result.counts["reserved"] == 4  # type: ignore[attr-defined]


# Slow: the achieved rate is measured in real time (the window's own logic is tested on a
# fake clock in test_pacing.py).
@pytest.mark.slow
def test_pacing_keeps_under_the_window_and_uses_most_of_it(
    batch_factory: Callable[[int], Batch], tmp_path: Path
) -> None:
    count, period, names = 5, 2.0, 15
    batch = batch_factory(names)
    with FaultServer(window=(count, period)) as server:
        started = time.monotonic()
        result, _ = run(batch, server, tmp_path / "l.sqlite", rate=Rate(count, period))
        elapsed = time.monotonic() - started
        arrivals = [e.at for e in server.log]
        answers = {e.answer for e in server.log}
    assert answers == {"200"}, "the pacing let a 429 through"
    assert result.uploaded == names  # type: ignore[attr-defined]
    # Uses most of the window: where the window held an upload back (the one `count`
    # earlier left it less than `period` ago when the previous one arrived), it goes as
    # soon as the window lets it. Measured per held upload, not as a rate over the batch,
    # so a loaded machine's slower uploads do not count against the pacing.
    late = [
        arrivals[i] - (arrivals[i - count] + period)
        for i in range(count, names)
        if arrivals[i - count] + period > arrivals[i - 1]
    ]
    assert late, ("the window never held an upload back", arrivals)
    assert max(late) < 0.35 * period, (late, elapsed)


def test_without_pacing_the_same_window_answers_429_and_the_batch_still_finishes(
    batch_factory: Callable[[int], Batch], tmp_path: Path
) -> None:
    batch = batch_factory(7)
    with FaultServer(window=(5, 1.0)) as server:
        result, events = run(batch, server, tmp_path / "l.sqlite", rate=None)
        answers = Counter(e.answer for e in server.log)
    assert answers["429"] >= 1 and answers["200"] == 7
    assert result.complete  # type: ignore[attr-defined]
    assert any(e.kind == "pause" and e.status == 429 for e in events)


def test_a_second_batch_on_the_same_ledger_is_refused(
    batch_factory: Callable[[int], Batch], tmp_path: Path
) -> None:
    batch = batch_factory(1)
    ledger = tmp_path / "l.sqlite"
    with FaultServer() as server, FileLock(str(ledger) + ".lock"):
        with pytest.raises(LedgerError, match="in use by another reserver batch"):
            run(batch, server, ledger)
        assert server.log == []


def test_max_uploads_stops_after_n_and_the_next_run_goes_on(
    batch_factory: Callable[[int], Batch], tmp_path: Path
) -> None:
    batch = batch_factory(5)
    with FaultServer() as server:
        first, _ = run(batch, server, tmp_path / "l.sqlite", max_uploads=2)
        assert (first.uploaded, first.limited, first.remaining) == (2, True, 3)  # type: ignore[attr-defined]
        second, _ = run(batch, server, tmp_path / "l.sqlite")
        assert (second.uploaded, second.skipped) == (3, 2)  # type: ignore[attr-defined]
        assert len(server.log) == 5


def test_dry_run_sends_and_writes_nothing(
    batch_factory: Callable[[int], Batch], tmp_path: Path
) -> None:
    batch = batch_factory(3)
    with FaultServer() as server:
        result = upload_batch(
            batch.plan, batch.dist, credentials_of(server, password="not needed"),
            ledger_path=tmp_path / "l.sqlite", dry_run=True,
        )  # fmt: skip
        assert server.log == []
    assert result.would_upload == batch.names
    assert not (tmp_path / "l.sqlite").exists()
