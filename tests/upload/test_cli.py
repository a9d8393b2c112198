"""``reserver upload``, ``status`` and ``reserve`` against a real pypiserver, and bad input."""

from __future__ import annotations

import csv
import io
import json
import os
import select
import subprocess
import sys
import time
import urllib.request
from collections.abc import Callable
from pathlib import Path

import pytest

from reserver.index.local import LocalIndex
from reserver.plan.jsonfile import load_plan
from reserver.plan.model import PlanEntry
from reserver.publish.ledger import Ledger, LedgerState, SdistRecord

from ..conftest import Cli, CliResult, on_a_terminal
from .conftest import Batch, twine_env


def upload_args(batch: Batch, index_url: str, ledger: Path, *extra: str) -> list[str]:
    return ["upload", str(batch.plan_file), "--dist", str(batch.dist),
            "--repository-url", index_url, "--ledger", str(ledger), *extra]  # fmt: skip


def events(out: str) -> list[dict[str, object]]:
    return [json.loads(line) for line in out.splitlines() if line.strip()]


def on_index(index: LocalIndex) -> set[str]:
    return {path.name for path in index.packages.iterdir() if path.name.endswith(".tar.gz")}


@pytest.mark.slow
def test_two_hundred_names_reserved_status_right_and_a_second_run_sends_nothing(
    fresh_index: LocalIndex, batch_factory: Callable[[int], Batch], cli: Cli, tmp_path: Path
) -> None:
    batch = batch_factory(200)
    ledger = tmp_path / "ledger.sqlite"
    env = twine_env(fresh_index)
    first = cli(*upload_args(batch, fresh_index.url, ledger, "--json"), env=env)
    assert first.returncode == 0, first.stderr
    assert on_index(fresh_index) == {p.name for p in batch.dist.iterdir()}
    status = cli("status", str(batch.plan_file), "--ledger", str(ledger), "--format", "json")
    assert status.returncode == 0, status.stderr
    [summary] = json.loads(status.stdout)
    assert summary["repository"] == fresh_index.url
    assert summary["counts"]["reserved"] == 200 and summary["remaining"] == 0
    assert sum(summary["counts"].values()) == 200
    second = cli(*upload_args(batch, fresh_index.url, ledger, "--json"), env=env)
    assert second.returncode == 0, second.stderr
    log = events(second.stdout)
    assert not [e for e in log if e["event"] == "uploading"]
    assert log[-1]["uploaded"] == 0 and log[-1]["skipped"] == 200


def test_json_log_has_one_event_per_line_and_a_result(
    local_index: LocalIndex, batch_factory: Callable[..., Batch], cli: Cli, tmp_path: Path
) -> None:
    batch = batch_factory(3, "jsonlog")
    done = cli(*upload_args(batch, local_index.url, tmp_path / "l.sqlite", "--json"),
               env=twine_env(local_index))  # fmt: skip
    assert done.returncode == 0, done.stderr
    log = events(done.stdout)
    assert log[0]["event"] == "start" and log[-1]["event"] == "result", (done.stdout, done.stderr)
    reserved = [e["name"] for e in log if e["event"] == "reserved"]
    assert reserved == batch.names
    assert all("time" in e for e in log[:-1])


def test_progress_output_and_status_table_for_people(
    local_index: LocalIndex, batch_factory: Callable[..., Batch], cli: Cli, tmp_path: Path
) -> None:
    batch = batch_factory(2, "people")
    ledger = tmp_path / "l.sqlite"
    done = cli(*upload_args(batch, local_index.url, ledger), env=twine_env(local_index))
    assert done.returncode == 0, done.stderr
    assert "2 reserved" in done.stdout
    status = cli("status", "--ledger", str(ledger), "--repository-url", local_index.url)
    assert status.returncode == 0, status.stderr
    assert "reserved" in status.stdout and "remaining 0" in status.stdout


def test_dry_run_lists_what_it_would_upload_and_writes_nothing(
    local_index: LocalIndex, batch_factory: Callable[..., Batch], cli: Cli, tmp_path: Path
) -> None:
    batch = batch_factory(2, "dry")
    done = cli(*upload_args(batch, local_index.url, tmp_path / "l.sqlite", "--dry-run"))
    assert done.returncode == 0, done.stderr
    assert "would upload dry-name000" in done.stdout and "nothing was sent" in done.stdout
    assert not (tmp_path / "l.sqlite").exists()
    assert not any(name.startswith("dry_") for name in on_index(local_index))


def test_repository_name_from_pypirc(
    local_index: LocalIndex, batch_factory: Callable[..., Batch], cli: Cli, tmp_path: Path
) -> None:
    batch = batch_factory(1, "pypirc")
    pypirc = tmp_path / "pypirc"
    pypirc.write_text(
        "[distutils]\nindex-servers = local\n\n[local]\n"
        f"repository = {local_index.url}\nusername = {local_index.username}\n"
        f"password = {local_index.password}\n"
    )
    done = cli("upload", str(batch.plan_file), "--dist", str(batch.dist),
               "--repository", "local", "--ledger", str(tmp_path / "l.sqlite"),
               env={"TWINE_CONFIG_FILE": str(pypirc)})  # fmt: skip
    assert done.returncode == 0, done.stderr
    assert "pypirc_name000-0.0.1.tar.gz" in on_index(local_index)


def test_reserve_plans_builds_and_uploads_in_one_command(
    local_index: LocalIndex, cli: Cli, tmp_path: Path
) -> None:
    done = cli("reserve", "-n", "reqeustz-reserve=requests", "-n", "telnetlib",
               "--workdir", str(tmp_path / "work"), "--repository-url", local_index.url,
               "--ledger", str(tmp_path / "l.sqlite"), env=twine_env(local_index))  # fmt: skip
    assert done.returncode == 0, done.stderr
    assert (tmp_path / "work" / "plan.json").is_file()
    assert {"reqeustz_reserve-0.0.1.tar.gz", "telnetlib-0.0.1.tar.gz"} <= on_index(local_index)
    with Ledger(tmp_path / "l.sqlite", create=False) as ledger:
        assert {r.state for r in ledger.rows(local_index.url)} == {LedgerState.RESERVED}


def test_reserve_reruns_finish_the_same_plan_and_never_exceed_the_budget(
    fresh_index: LocalIndex, cli: Cli, tmp_path: Path
) -> None:
    # The engine's choice of 3 names for requests; the first run stops after one upload
    # (as an interrupted run does), then the same command runs three more times.
    args = ["reserve", "requests", "--budget", "3", "--offline",
            "--workdir", str(tmp_path / "w"), "--repository-url", fresh_index.url,
            "--ledger", str(tmp_path / "l.sqlite")]  # fmt: skip
    first = cli(*args, "--max", "1", env=twine_env(fresh_index))
    assert first.returncode == 0, first.stderr
    assert len(on_index(fresh_index)) == 1
    planned = {e.name for e in load_plan(tmp_path / "w" / "plan.json").buildable()}
    assert len(planned) == 3
    for _ in range(3):
        again = cli(*args, env=twine_env(fresh_index))
        assert again.returncode == 0, again.stderr
        assert "resuming" in again.stdout
    held = on_index(fresh_index)
    assert len(held) == 3, held
    with Ledger(tmp_path / "l.sqlite", create=False) as ledger:
        rows = ledger.rows(fresh_index.url)
        assert {r.name for r in rows} == planned
        assert {r.state for r in rows} == {LedgerState.RESERVED}


def test_reserve_with_other_options_asks_before_replacing_the_plan(
    fresh_index: LocalIndex, cli: Cli, tmp_path: Path
) -> None:
    args = ["--offline", "--workdir", str(tmp_path / "w"), "--repository-url", fresh_index.url,
            "--ledger", str(tmp_path / "l.sqlite")]  # fmt: skip
    first = cli("reserve", "-n", "nmupy-swap=numpy", *args, env=twine_env(fresh_index))
    assert first.returncode == 0, first.stderr
    plan_file = tmp_path / "w" / "plan.json"
    before = plan_file.read_bytes()
    other = cli("reserve", "-n", "nmupy-other=numpy", *args, env=twine_env(fresh_index))
    assert other.returncode == 2 and "Traceback" not in other.stderr
    # The difference is shown first, then one error line says what to do.
    assert other.stderr.splitlines()[-1].startswith("error: ")
    assert "add --yes to replace it" in other.stderr.splitlines()[-1]
    assert "+ nmupy-other" in other.stderr and "- nmupy-swap" in other.stderr
    assert plan_file.read_bytes() == before  # nothing replaced, nothing uploaded
    assert "new plan for" in other.stdout and not plan_file.with_name("plan.json.new").exists()
    assert on_index(fresh_index) == {"nmupy_swap-0.0.1.tar.gz"}
    confirmed = cli("reserve", "-n", "nmupy-other=numpy", *args, "--yes",
                    env=twine_env(fresh_index))  # fmt: skip
    assert confirmed.returncode == 0, confirmed.stderr
    assert on_index(fresh_index) == {"nmupy_swap-0.0.1.tar.gz", "nmupy_other-0.0.1.tar.gz"}


# -- bad input: one line, non-zero exit, ledger untouched or consistent ----------------------


def assert_one_line_error(done: CliResult, words: str) -> None:
    assert done.returncode == 2, (done.stdout, done.stderr)
    assert done.stderr.startswith("error: ") and words in done.stderr
    assert "Traceback" not in done.stderr


def test_missing_sdists_are_named_and_nothing_is_written(
    batch_factory: Callable[..., Batch], cli: Cli, tmp_path: Path
) -> None:
    batch = batch_factory(4, "missing")
    for path in list(batch.dist.iterdir())[:2]:
        path.unlink()
    done = cli(*upload_args(batch, "http://127.0.0.1:9/", tmp_path / "l.sqlite"))
    assert_one_line_error(done, "2 of 4 sdists are missing")
    assert not (tmp_path / "l.sqlite").exists()


def test_an_invalid_sdist_stops_everything_before_any_upload(
    batch_factory: Callable[..., Batch], cli: Cli, tmp_path: Path
) -> None:
    batch = batch_factory(2, "broken")
    (batch.dist / "broken_name001-0.0.1.tar.gz").write_bytes(b"not a tarball")
    done = cli(*upload_args(batch, "http://127.0.0.1:9/", tmp_path / "l.sqlite"))
    assert_one_line_error(done, "not a readable .tar.gz")
    assert not (tmp_path / "l.sqlite").exists()


def test_a_corrupt_ledger_is_a_clear_error_and_stays_as_it_was(
    local_index: LocalIndex, batch_factory: Callable[..., Batch], cli: Cli, tmp_path: Path
) -> None:
    batch = batch_factory(1, "corrupt")
    ledger = tmp_path / "l.sqlite"
    ledger.write_bytes(b"\x00garbage" * 512)
    before = ledger.read_bytes()
    done = cli(*upload_args(batch, local_index.url, ledger), env=twine_env(local_index))
    assert_one_line_error(done, "corrupt")
    assert ledger.read_bytes() == before
    assert "corrupt_name000-0.0.1.tar.gz" not in on_index(local_index)
    status = cli("status", "--ledger", str(ledger))
    assert_one_line_error(status, "corrupt")


def test_a_url_that_is_not_an_upload_endpoint_is_a_clear_error(
    local_index: LocalIndex, batch_factory: Callable[..., Batch], cli: Cli, tmp_path: Path
) -> None:
    batch = batch_factory(2, "endpoint")
    ledger = tmp_path / "l.sqlite"
    done = cli("upload", str(batch.plan_file), "--dist", str(batch.dist),
               "--repository-url", local_index.simple_url, "--simple-url",
               local_index.simple_url, "--ledger", str(ledger),
               env=twine_env(local_index))  # fmt: skip
    assert_one_line_error(done, "not an upload endpoint (405")
    assert "resume with: reserver upload" in done.stderr
    with Ledger(ledger, create=False) as opened:
        states = {r.state for r in opened.rows(local_index.simple_url)}
    assert LedgerState.RESERVED not in states and LedgerState.UPLOADING not in states


def test_wrong_password_on_pypiserver_stops_with_a_credentials_message(
    local_index: LocalIndex, batch_factory: Callable[..., Batch], cli: Cli, tmp_path: Path
) -> None:
    batch = batch_factory(2, "badpass")
    done = cli(*upload_args(batch, local_index.url, tmp_path / "l.sqlite"),
               env=twine_env(local_index, password="wrong"))  # fmt: skip
    assert_one_line_error(done, "refused the credentials (403")
    assert not any(name.startswith("badpass_") for name in on_index(local_index))


def test_both_repository_options_are_a_usage_error(cli: Cli, tmp_path: Path) -> None:
    done = cli("upload", str(tmp_path / "p.json"), "--repository-url", "http://x/",
               "--repository", "pypi")  # fmt: skip
    assert done.returncode == 2


def test_a_bad_rate_is_a_clear_error(
    batch_factory: Callable[..., Batch], cli: Cli, tmp_path: Path
) -> None:
    batch = batch_factory(1, "rate")
    done = cli(*upload_args(batch, "http://127.0.0.1:9/", tmp_path / "l.sqlite",
                            "--rate", "lots"))  # fmt: skip
    assert_one_line_error(done, "invalid rate 'lots'")


def test_status_without_a_ledger_says_so(cli: Cli, tmp_path: Path) -> None:
    done = cli("status", "--ledger", str(tmp_path / "none.sqlite"))
    assert_one_line_error(done, "no ledger here yet")
    assert not (tmp_path / "none.sqlite").exists()


def test_reserve_with_json_keeps_stdout_to_json_lines(
    local_index: LocalIndex, cli: Cli, tmp_path: Path
) -> None:
    done = cli("reserve", "-n", "nmupyy-json=numpy", "--json",
               "--workdir", str(tmp_path / "work"), "--repository-url", local_index.url,
               "--ledger", str(tmp_path / "l.sqlite"), env=twine_env(local_index))  # fmt: skip
    assert done.returncode == 0, done.stderr
    log = events(done.stdout)  # every line parses
    assert [e["name"] for e in log if e["event"] == "reserved"] == ["nmupyy-json"]
    assert "wrote" in done.stderr


# -- -q, -v and --format: the conventions every command shares (README) ---------------------


def test_quiet_upload_says_nothing_and_verbose_names_each_outcome_on_stderr(
    local_index: LocalIndex, batch_factory: Callable[..., Batch], cli: Cli, tmp_path: Path
) -> None:
    batch = batch_factory(2, "hush")
    ledger, env = tmp_path / "l.sqlite", twine_env(local_index)
    quiet = cli(*upload_args(batch, local_index.url, ledger, "-q", "--max", "1"), env=env)
    # No bar, summary or --max hint.
    assert (quiet.returncode, quiet.stdout, quiet.stderr) == (0, "", "")
    verbose = cli(*upload_args(batch, local_index.url, ledger, "-v"), env=env)
    assert verbose.returncode == 0, verbose.stderr
    assert "skip hush-name000: reserved in the ledger\n" in verbose.stderr
    assert "reserved hush-name001 (HTTP 200)" in verbose.stderr
    assert "2 reserved (1 uploaded in this run, 1 already done)" in verbose.stdout


@pytest.mark.parametrize(
    ("prefix", "flag"),
    [("fmtlong", ["--format", "json"]), ("fmtshort", ["-f", "json"]), ("oldflag", ["--json"])],
)
def test_format_json_and_the_deprecated_json_flag_write_the_same_lines(
    local_index: LocalIndex,
    batch_factory: Callable[..., Batch],
    cli: Cli,
    tmp_path: Path,
    prefix: str,
    flag: list[str],
) -> None:
    batch = batch_factory(1, prefix)
    done = cli(*upload_args(batch, local_index.url, tmp_path / "l.sqlite", *flag),
               env=twine_env(local_index))  # fmt: skip
    assert (done.returncode, done.stderr) == (0, "")  # --json says nothing of being deprecated
    log = events(done.stdout)
    assert [e["event"] for e in log] == ["start", "uploading", "reserved", "done", "result"]
    assert log[2]["name"] == f"{prefix}-name000"


def test_verbose_json_keeps_stdout_to_json_lines(
    local_index: LocalIndex, batch_factory: Callable[..., Batch], cli: Cli, tmp_path: Path
) -> None:
    batch = batch_factory(1, "loudjson")
    done = cli(*upload_args(batch, local_index.url, tmp_path / "l.sqlite", "-f", "json",
                                "-v"), env=twine_env(local_index))  # fmt: skip
    assert done.returncode == 0, done.stderr
    assert [e["event"] for e in events(done.stdout)][-1] == "result"
    assert "reserved loudjson-name000 (HTTP 200)" in done.stderr


def test_quiet_reserve_says_nothing_and_verbose_json_says_its_steps_on_stderr(
    local_index: LocalIndex, cli: Cli, tmp_path: Path
) -> None:
    def reserve(name: str, work: str, *extra: str) -> CliResult:
        return cli("reserve", "-n", name, "--workdir", str(tmp_path / work),
                   "--repository-url", local_index.url, "--ledger", str(tmp_path / "l"),
                   *extra, env=twine_env(local_index))  # fmt: skip

    quiet = reserve("nmupyy-hush=numpy", "quiet", "-q")
    assert (quiet.returncode, quiet.stdout, quiet.stderr) == (0, "", "")
    verbose = reserve("nmupyy-loud=numpy", "loud", "-f", "json", "-v")
    assert verbose.returncode == 0, verbose.stderr
    reserved = [e["name"] for e in events(verbose.stdout) if e["event"] == "reserved"]
    assert reserved == ["nmupyy-loud"]
    sdist = tmp_path / "loud" / "dist" / "nmupyy_loud-0.0.1.tar.gz"
    for step in ("wrote", f"built {sdist}", "reserved nmupyy-loud (HTTP 200)"):
        assert step in verbose.stderr


def test_status_csv_has_a_row_per_name_and_quiet_keeps_the_table(
    local_index: LocalIndex, batch_factory: Callable[..., Batch], cli: Cli, tmp_path: Path
) -> None:
    batch = batch_factory(2, "stcsv")
    ledger = tmp_path / "l.sqlite"
    cli(*upload_args(batch, local_index.url, ledger, "-q"), env=twine_env(local_index))
    done = cli("status", "--ledger", str(ledger), "-f", "csv")
    assert done.returncode == 0, done.stderr
    rows = list(csv.DictReader(io.StringIO(done.stdout)))
    assert list(rows[0]) == ["repository", "name", "state", "reason", "attempts"]
    assert sorted((r["name"], r["state"], r["attempts"]) for r in rows) == [
        ("stcsv-name000", "reserved", "1"),
        ("stcsv-name001", "reserved", "1"),
    ]
    normal, quiet = (cli("status", *flag, "--ledger", str(ledger)) for flag in ([], ["-q"]))
    assert quiet.stdout == normal.stdout and "remaining 0" in quiet.stdout


def test_status_lists_every_refused_name_with_verbose(cli: Cli, tmp_path: Path) -> None:
    ledger, url = tmp_path / "l.sqlite", "http://127.0.0.1:9/"
    names = [f"zq-refused{i:02d}" for i in range(25)]
    with Ledger(ledger) as opened:
        opened.register(url, [SdistRecord(name) for name in names])
        for name in names:
            opened.transition(url, name, LedgerState.REFUSED, status=400, detail="too similar")
    normal = cli("status", "--ledger", str(ledger))
    verbose = cli("status", "-v", "--ledger", str(ledger))
    assert sum(f"  {name}: too similar" in normal.stdout for name in names) == 20
    assert "... 5 more (-v or --format json lists all)" in normal.stdout
    assert all(f"  {name}: too similar" in verbose.stdout for name in names)
    assert "more" not in verbose.stdout and f"{ledger}: repositories: 1" in verbose.stderr


# -- public registries: twine's built-in repositories, and the holder must be real -----------


@pytest.mark.parametrize("name", ["pypi", "testpypi"])
def test_builtin_repositories_resolve_without_a_pypirc(
    name: str, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    from reserver.publish.twine_upload import Credentials, resolve_repository_url

    monkeypatch.setenv("HOME", str(tmp_path))  # no ~/.pypirc there
    monkeypatch.delenv("TWINE_CONFIG_FILE", raising=False)
    url = resolve_repository_url(Credentials(repository_name=name))
    assert url == {"pypi": "https://upload.pypi.org/legacy/",
                   "testpypi": "https://test.pypi.org/legacy/"}[name]  # fmt: skip


@pytest.mark.parametrize(
    ("target", "registry"),
    [(["--repository", "testpypi"], "testpypi"),
     (["--repository-url", "https://upload.pypi.org/legacy/"], "pypi")],
)  # fmt: skip
def test_placeholders_with_the_example_holder_never_go_to_a_public_registry(
    target: list[str],
    registry: str,
    batch_factory: Callable[..., Batch],
    cli: Cli,
    tmp_path: Path,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    # Refused before any request: nothing here reaches the network.
    monkeypatch.setenv("HOME", str(tmp_path))  # twine's default ~/.pypirc, missing
    monkeypatch.delenv("TWINE_CONFIG_FILE", raising=False)
    batch = batch_factory(2, f"example-{registry}")
    ledger = tmp_path / "l.sqlite"
    for extra in ([], ["--dry-run"]):
        done = cli("upload", str(batch.plan_file), "--dist", str(batch.dist), *target,
                   "--ledger", str(ledger), *extra)  # fmt: skip
        assert_one_line_error(done, "holder contact is the example 'security@example.org'")
        assert f"placeholders on {registry} must say who holds the names" in done.stderr
    assert not ledger.exists()


def _built_plan_of_a_real_holder(
    cli: Cli, tmp_path: Path, registry: str, suffix: str
) -> tuple[Path, CliResult]:
    """Two typo names planned offline for ``registry`` by a real (non-example) holder, and
    their placeholders built into ``tmp_path / "dist"``."""
    plan = tmp_path / "plan.json"
    planned = cli("plan", "-n", f"reqeustz-{suffix}=requests", "-n", f"nmupy-{suffix}=numpy",
                  "--registry", registry, "--offline", "--holder", "ACME Security",
                  "--contact", "security@acme.test", "--holder-url", "https://acme.test/",
                  "-o", str(plan))  # fmt: skip
    assert planned.returncode == 0, planned.stderr
    assert cli("build", str(plan), "--out", str(tmp_path / "dist")).returncode == 0
    return plan, planned


def test_an_unattended_upload_to_pypi_needs_yes_and_says_what_it_costs(
    cli: Cli, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    # A real holder, so only the confirmation stands between the batch and PyPI; it is
    # refused before any request (stdin is not a terminal here): nothing reaches the network.
    monkeypatch.setenv("HOME", str(tmp_path))
    plan, planned = _built_plan_of_a_real_holder(cli, tmp_path, "pypi", "yes")
    assert "uploading 2 new projects to pypi at its 20 an hour takes about 6 min" in planned.stdout
    args = ["upload", str(plan), "--dist", str(tmp_path / "dist"),
            "--ledger", str(tmp_path / "l.sqlite"),
            "--repository-url", "https://upload.pypi.org/legacy/"]  # fmt: skip
    done = cli(*args)
    assert_one_line_error(done, "about to upload up to 2 placeholders to pypi")
    assert "as ACME Security <security@acme.test>, about 6 min" in done.stderr
    assert "add --yes to confirm an unattended run" in done.stderr
    assert not (tmp_path / "l.sqlite").exists()


def test_the_plan_summary_counts_targets_kinds_reasons_and_hours(cli: Cli, tmp_path: Path) -> None:
    done = cli("plan", "requests", "--budget", "3", "-n", "pwd", "-n", "telnetlib",
               "--registry", "pypi", "--offline",
               "-o", str(tmp_path / "plan.json"))  # fmt: skip
    assert done.returncode == 0, done.stderr
    assert "to build, by target: requests 3" in done.stdout
    # The plan may also list names PyPI refuses above the cut ("req-uests"), which cost no
    # budget: the summary gives each reason with its count.
    blocked = next(line for line in done.stdout.splitlines() if line.strip().startswith("blocked"))
    assert "standard-library module name 2" in blocked
    assert "at its 20 an hour takes about 9 min" in done.stdout
    assert "first: " in done.stdout


def test_status_names_what_others_hold_with_the_registry_words(
    fresh_index: LocalIndex, batch_factory: Callable[..., Batch], cli: Cli, tmp_path: Path
) -> None:
    from reserver.placeholder.build import build_plan
    from reserver.plan.holder import Holder
    from reserver.plan.jsonfile import save_plan
    from reserver.plan.model import make_plan

    theirs = batch_factory(2, "held")  # someone else reserves two names first
    first = cli(*upload_args(theirs, fresh_index.url, tmp_path / "theirs.sqlite"),
                env=twine_env(fresh_index))  # fmt: skip
    assert first.returncode == 0, first.stderr
    ours = make_plan(
        [*theirs.plan.entries, PlanEntry("held-free", "requests", "typo")],
        Holder("ACME Security", "security@acme.test", "https://acme.test/"),
    )
    save_plan(ours, tmp_path / "ours.json")
    build_plan(ours, tmp_path / "dist")
    ledger = tmp_path / "ours.sqlite"
    done = cli("upload", str(tmp_path / "ours.json"), "--dist", str(tmp_path / "dist"),
               "--repository-url", fresh_index.url, "--ledger", str(ledger),
               env=twine_env(fresh_index))  # fmt: skip
    assert done.returncode == 0, done.stderr
    table = cli("status", "--ledger", str(ledger))
    assert table.returncode == 0, table.stderr
    assert "taken:" in table.stdout
    for name in theirs.names:
        assert f"  {name}: " in table.stdout
    report = json.loads(cli("status", "--ledger", str(ledger), "--format", "json").stdout)
    listed = {item["name"]: item for item in report[0]["names"]}
    assert set(listed) == set(theirs.names)
    assert {item["state"] for item in listed.values()} == {"taken"}
    assert all(item["reason"] for item in listed.values())


def test_upload_to_testpypi_by_name_works_without_a_pypirc(
    fresh_index: LocalIndex, cli: Cli, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    # As twine does: "--repository testpypi" needs no ~/.pypirc, and TWINE_REPOSITORY_URL
    # points it at a stand-in (here a real local pypiserver; nothing reaches the network).
    monkeypatch.setenv("HOME", str(tmp_path))
    monkeypatch.delenv("TWINE_CONFIG_FILE", raising=False)
    plan, _ = _built_plan_of_a_real_holder(cli, tmp_path, "testpypi", "tp")
    env = {**twine_env(fresh_index), "TWINE_REPOSITORY_URL": fresh_index.url}
    done = cli("upload", str(plan), "--dist", str(tmp_path / "dist"),
               "--repository", "testpypi", "--yes", "--rate", "100/s",
               "--ledger", str(tmp_path / "l.sqlite"), env=env)  # fmt: skip
    assert done.returncode == 0, done.stderr
    with urllib.request.urlopen(fresh_index.simple_url, timeout=10) as page:  # loopback only
        body = page.read().decode()
    assert "reqeustz-tp" in body and "nmupy-tp" in body


def _upload_process(
    batch: Batch, index: LocalIndex, tmp_path: Path, env: dict[str, str]
) -> list[str]:
    # A real ``reserver upload`` process with twine's own credential lookup: no
    # TWINE_PASSWORD, no ~/.pypirc. A process of its own: keyring picks its backend from the
    # environment once per process, and getpass prompts on the process's terminal.
    for key in ("TWINE_PASSWORD", "TWINE_CONFIG_FILE", "TWINE_REPOSITORY_URL"):
        env.pop(key, None)
    env.update(HOME=str(tmp_path), TWINE_USERNAME=index.username)
    return [sys.executable, "-m", "reserver", "upload", str(batch.plan_file),
            "--dist", str(batch.dist), "--repository-url", index.url,
            "--ledger", str(tmp_path / "l.sqlite")]  # fmt: skip


def test_upload_takes_the_token_from_the_keyring(
    fresh_index: LocalIndex, batch_factory: Callable[..., Batch], tmp_path: Path
) -> None:
    batch = batch_factory(1, "keyring")
    env = dict(os.environ)
    command = _upload_process(batch, fresh_index, tmp_path, env)
    env.update(PYTHON_KEYRING_BACKEND="tests.upload.keyring_backend.EnvKeyring",
               RESERVER_TEST_KEYRING=fresh_index.password,
               PYTHONPATH=str(Path(__file__).resolve().parents[2]))  # fmt: skip
    done = subprocess.run(command, env=env, capture_output=True, text=True, timeout=120,
                          stdin=subprocess.DEVNULL, check=False)  # fmt: skip
    assert done.returncode == 0, done.stderr
    with Ledger(tmp_path / "l.sqlite", create=False) as ledger:
        assert {(r.name, r.state) for r in ledger.rows(fresh_index.url)} == {
            ("keyring-name000", LedgerState.RESERVED)
        }


def test_upload_asks_for_a_missing_token_in_a_terminal(
    fresh_index: LocalIndex, batch_factory: Callable[..., Batch], tmp_path: Path
) -> None:
    batch = batch_factory(1, "prompt")
    env = dict(os.environ)
    command = _upload_process(batch, fresh_index, tmp_path, env)
    env["PYTHON_KEYRING_BACKEND"] = "keyring.backends.null.Keyring"
    # getpass reads and writes /dev/tty: the pty, as in a real shell.
    process, primary = on_a_terminal(command, env=env)
    seen = b""
    deadline = time.monotonic() + 60
    try:
        while b"password" not in seen.lower() and time.monotonic() < deadline:
            ready, _, _ = select.select([primary], [], [], 1.0)
            if ready:
                seen += os.read(primary, 4096)
        assert b"password" in seen.lower(), seen.decode(errors="replace")
        # The prompt comes before the progress bar, not behind it.
        assert b"starting" not in seen
        os.write(primary, fresh_index.password.encode() + b"\n")
        while process.poll() is None and time.monotonic() < deadline:
            ready, _, _ = select.select([primary], [], [], 1.0)
            if ready:
                try:
                    seen += os.read(primary, 4096)
                except OSError:
                    break
        assert process.wait(timeout=30) == 0, seen.decode(errors="replace")
    finally:
        if process.poll() is None:
            process.kill()
        os.close(primary)
    # The token typed is never echoed back.
    assert fresh_index.password.encode() not in seen
    with Ledger(tmp_path / "l.sqlite", create=False) as ledger:
        assert {(r.name, r.state) for r in ledger.rows(fresh_index.url)} == {
            ("prompt-name000", LedgerState.RESERVED)
        }


def test_a_ledger_that_is_empty_or_damaged_is_refused_in_one_line(
    batch_factory: Callable[..., Batch], cli: Cli, tmp_path: Path
) -> None:
    import sqlite3

    batch = batch_factory(1, "damaged")
    creds = {"TWINE_USERNAME": "u", "TWINE_PASSWORD": "p"}
    empty = tmp_path / "empty.sqlite"
    empty.write_bytes(b"")
    for args in (["status", "--ledger", str(empty)], ["export", "--from-ledger", str(empty)],
                 upload_args(batch, "http://127.0.0.1:9/", empty)):  # fmt: skip
        done = cli(*args, env=creds)
        assert_one_line_error(done, "the file is empty (0 bytes), not a ledger")
        assert done.stderr.count("\n") == 1 and empty.stat().st_size == 0
    damaged = tmp_path / "damaged.sqlite"
    with Ledger(damaged) as ledger:
        ledger.register("http://127.0.0.1:9/", [SdistRecord("zq-x")])
    connection = sqlite3.connect(damaged)
    connection.execute("UPDATE names SET state = 'gone'")
    connection.commit()
    connection.close()
    for args in (["status", "--ledger", str(damaged)], ["export", "--from-ledger", str(damaged)]):
        done = cli(*args)
        assert_one_line_error(done, "'zq-x' has the unknown state 'gone'")
        assert done.stderr.count("\n") == 1


def test_upload_never_puts_a_ledger_in_a_new_folder(
    batch_factory: Callable[..., Batch], cli: Cli, tmp_path: Path
) -> None:
    batch = batch_factory(1, "nofolder")
    ledger = tmp_path / "ledgres" / "l.sqlite"  # a mistyped folder
    done = cli(*upload_args(batch, "http://127.0.0.1:9/", ledger),
               env={"TWINE_USERNAME": "u", "TWINE_PASSWORD": "p"})  # fmt: skip
    assert_one_line_error(done, "the folder")
    assert "ledgres does not exist; create it first" in done.stderr
    assert not ledger.parent.exists()
