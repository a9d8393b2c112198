"""``reserver check`` end to end: exit status 0/1/2, formats, corpus files, pre-commit."""

from __future__ import annotations

import csv
import io
import json
import random
from pathlib import Path

import pytest
import yaml

from ..conftest import Cli
from ..fake_index import FakeIndex, Route
from .conftest import POPULAR, REPO, run_cli_process


def test_clean_names_exit_0(cli: Cli, corpus_file: Path) -> None:
    result = cli("check", "--corpus", str(corpus_file), "requests", "numpy")
    assert result.returncode == 0, result.stderr
    assert "no likely typosquats" in result.stdout


def test_a_finding_exits_1_and_names_the_target(cli: Cli, corpus_file: Path) -> None:
    result = cli("check", "--corpus", str(corpus_file), "requests", "reqeusts")
    assert result.returncode == 1, result.stderr
    assert "reqeusts" in result.stdout and "requests" in result.stdout


def test_json_findings_carry_name_target_kind_score_and_place(
    cli: Cli, corpus_file: Path, tmp_path: Path
) -> None:
    (tmp_path / "requirements.txt").write_text("django\nurlib3==2.0\n")
    result = cli(
        "check", "--corpus", str(corpus_file), "--format", "json",
        str(tmp_path / "requirements.txt"),
    )  # fmt: skip
    assert result.returncode == 1, result.stderr
    (finding,) = json.loads(result.stdout)
    assert finding["name"] == "urlib3" and finding["target"] == "urllib3"
    assert finding["kind"] == "omission" and 0 < finding["score"] <= 1
    assert finding["file"].endswith("requirements.txt") and finding["line"] == 2


def test_sarif_output_points_at_the_file_and_line(
    cli: Cli, corpus_file: Path, tmp_path: Path
) -> None:
    (tmp_path / "pyproject.toml").write_text(
        '[project]\nname = "x"\nversion = "1"\ndependencies = ["colourama>=0.4"]\n'
    )
    out = tmp_path / "report.sarif"
    result = cli(
        "check", "--corpus", str(corpus_file), "-f", "sarif", "-o", str(out),
        "-r", str(tmp_path / "pyproject.toml"),
    )  # fmt: skip
    assert result.returncode == 1, result.stderr
    sarif = json.loads(out.read_text())
    assert sarif["version"] == "2.1.0"
    (res,) = sarif["runs"][0]["results"]
    assert res["properties"]["target"] == "colorama"
    location = res["locations"][0]["physicalLocation"]
    assert location["artifactLocation"]["uri"].endswith("pyproject.toml")
    assert location["region"]["startLine"] == 4


def test_a_malformed_file_is_a_usage_error_naming_file_and_line(
    cli: Cli, corpus_file: Path, tmp_path: Path
) -> None:
    bad = tmp_path / "requirements.txt"
    bad.write_text("requests\nflask=>2\n")
    result = cli("check", "--corpus", str(corpus_file), str(bad))
    assert result.returncode == 2
    lines = result.stderr.strip().splitlines()
    assert len(lines) == 1 and lines[0].startswith(f"error: {bad}:2: invalid requirement")
    assert "Traceback" not in result.stderr


def test_nothing_to_check_and_unknown_format_are_usage_errors(cli: Cli, corpus_file: Path) -> None:
    assert cli("check", "--corpus", str(corpus_file)).returncode == 2
    result = cli("check", "--corpus", str(corpus_file), "-f", "xml", "requests")
    assert result.returncode == 2 and "--format must be" in result.stderr


def test_a_mistyped_path_fails_instead_of_passing_as_a_package_name(
    cli: Cli, corpus_file: Path, tmp_path: Path
) -> None:
    for missing in ("nope.txt", str(tmp_path / "requirements"), "deps/dev.in", "Pipfile"):
        result = cli("check", "--corpus", str(corpus_file), missing)
        assert result.returncode == 2, (missing, result.stdout)
        assert result.stderr == f"error: {missing}: no such file\n"
    # A plain package name still reads as one.
    assert cli("check", "--corpus", str(corpus_file), "requests").returncode == 0


def test_a_pipfile_is_read_and_setup_py_refused_with_advice(
    cli: Cli, corpus_file: Path, tmp_path: Path
) -> None:
    pipfile = tmp_path / "Pipfile"
    pipfile.write_text(
        '[[source]]\nurl = "https://pypi.org/simple"\nname = "pypi"\n\n'
        '[packages]\nreqeusts = "*"\nflask = {version = "*"}\n\n'
        '[dev-packages]\npytset = "*"\n\n[requires]\npython_version = "3.12"\n'
    )
    result = cli("check", "--corpus", str(corpus_file), "-f", "json", str(pipfile))
    assert result.returncode == 1, result.stderr
    found = {(f["name"], f["target"], f["line"]) for f in json.loads(result.stdout)}
    assert found == {("reqeusts", "requests", 6), ("pytset", "pytest", 10)}
    setup = tmp_path / "setup.py"
    setup.write_text("from setuptools import setup\nsetup(install_requires=['reqeusts'])\n")
    result = cli("check", "--corpus", str(corpus_file), str(setup))
    assert result.returncode == 2 and result.stderr.count("\n") == 1
    assert "setup.py is code and is not run" in result.stderr


def test_a_top_pypi_json_corpus_and_an_allow_list(cli: Cli, tmp_path: Path) -> None:
    rows = [{"project": n, "download_count": 10_000 - i} for i, n in enumerate(POPULAR)]
    corpus = tmp_path / "top.json"
    corpus.write_text(json.dumps({"last_update": "2026-04-01", "rows": rows}))
    assert cli("check", "--corpus", str(corpus), "reqeusts").returncode == 1
    allowed = cli("check", "--corpus", str(corpus), "--allow", "reqeusts", "reqeusts")
    assert allowed.returncode == 0


def test_the_bundled_corpus_file_and_counted_lines_read_back_as_a_corpus(
    cli: Cli, tmp_path: Path
) -> None:
    # The bundled list is "name<TAB>count": a copy edited for an organisation must work.
    bundled = REPO / "reserver" / "data" / "top-pypi-10000.txt"
    assert cli("check", "--corpus", str(bundled), "reqeusts").returncode == 1
    counted = tmp_path / "top.csv"
    counted.write_text("# ours\nourlib,12\nrequests 9\n")
    found = cli("check", "--corpus", str(counted), "--format", "json", "ourlibb")
    assert found.returncode == 1 and json.loads(found.stdout)[0]["target"] == "ourlib"
    counted.write_text("ourlib,12\nrequests,many\n")
    refused = cli("check", "--corpus", str(counted), "ourlibb")
    assert refused.returncode == 2 and f"{counted}:2: not a package name" in refused.stderr


def test_a_broken_corpus_is_a_usage_error(cli: Cli, tmp_path: Path) -> None:
    corpus = tmp_path / "top.json"
    corpus.write_text('{"rows": [')
    result = cli("check", "--corpus", str(corpus), "requests")
    assert result.returncode == 2 and str(corpus) in result.stderr


def test_pre_commit_hook_runs_check_on_matching_files(
    cli: Cli, corpus_file: Path, tmp_path: Path
) -> None:
    (hook,) = yaml.safe_load((REPO / ".pre-commit-hooks.yaml").read_text())
    assert hook["id"] == "reserver-check" and hook["pass_filenames"] is True
    import re

    pattern = re.compile(hook["files"])
    for name in ("requirements.txt", "requirements-dev.in", "sub/pyproject.toml", "uv.lock",
                 "poetry.lock", "pdm.lock", "pylock.toml", "pylock.dev.toml", "Pipfile",
                 "requirements/base.txt", "dev-requirements.txt", "constraints.txt"):  # fmt: skip
        assert pattern.search(name), name
    for name in ("setup.py", "Pipfile.lock", "docs/requirements.md", "README.txt"):
        assert not pattern.search(name), name
    (tmp_path / "requirements.txt").write_text("reqeusts\n")
    command = hook["entry"].split()[1:]  # "reserver check" as pre-commit would run it
    result = cli(*command, "--corpus", str(corpus_file), str(tmp_path / "requirements.txt"))
    assert result.returncode == 1


def test_the_pre_commit_config_in_the_docs_is_complete_and_matches_the_hook() -> None:
    import re

    text = (REPO / "docs" / "teams.md").read_text()
    (block,) = re.findall(r"```yaml\n(.*?)```", text, flags=re.S)
    config = yaml.safe_load(block)
    (repo,) = config["repos"]  # pasted as is, pre-commit needs the top-level list
    (hook,) = repo["hooks"]
    (declared,) = yaml.safe_load((REPO / ".pre-commit-hooks.yaml").read_text())
    assert hook["id"] == declared["id"] and hook["entry"] == declared["entry"]
    assert hook["files"] == declared["files"]


def test_hostile_input_is_one_line_and_exit_2_not_a_crash(
    cli: Cli, corpus_file: Path, tmp_path: Path
) -> None:
    # Each of these once ran out of memory, recursed or crashed with a traceback (exit 1,
    # read by CI as "findings"; later exit 3, an internal error).
    long_name = tmp_path / "requirements.txt"
    long_name.write_text("requests\n" + "x" * 1000 + "\n")
    nested = tmp_path / "pyproject.toml"
    nested.write_text("a = " + "[\n" * 50_000 + "]\n" * 50_000)  # short lines: past the limits
    a_file = tmp_path / "notes.txt"
    a_file.write_text("not a folder\n")
    too_long = "a" * 1000 + ".txt"  # a file argument too long for the file system
    cases = [
        (["-r", str(long_name)], f"{long_name}:2: a name of 1000 characters (at most 128)"),
        ([str(nested)], f"{nested}: invalid TOML: nested too deeply"),
        (["a" * 1000], "the name is 1000 characters long (at most 128)"),
        ([too_long], f"{too_long[:60]}...: cannot read (File name too long)"),
        (["-r", "x" * 5000], "cannot read (File name too long)"),
        (["requests", "-o", "/proc/reserver-report"], "cannot write /proc/reserver-report"),
        (["requests", "-o", f"{a_file}/report.json"], f"cannot write {a_file}/report.json"),
    ]
    for args, message in cases:
        result = cli("check", "--corpus", str(corpus_file), *args)
        assert result.returncode == 2, (args, result.stderr[-300:])
        assert result.stderr.startswith("error: ") and result.stderr.count("\n") == 1, args
        assert message in result.stderr, (args, result.stderr[-300:])
        assert len(result.stderr) < 400, args  # what a file or argument holds is cut short


def test_a_5_mb_single_line_file_is_one_line_and_exit_2(
    cli: Cli, corpus_file: Path, tmp_path: Path
) -> None:
    # Issue #16: this file once grew `reserver check` to 23.5 GB. Its peak memory is measured
    # by benchmarks/bench_check_limits.py; this holds the outcome.
    requirements = tmp_path / "r.txt"
    requirements.write_text("x" * 5_000_000 + "\n")
    result = cli("check", "--corpus", str(corpus_file), "-r", str(requirements))
    assert result.returncode == 2 and result.stdout == ""
    assert result.stderr == (
        f"error: {requirements}:1: a line of 5,000,000 characters (at most 65,536): "
        "not a dependency file\n"
    )


def test_dev_zero_ends_promptly_with_exit_2(corpus_file: Path) -> None:
    # In a child process with a deadline: reading it whole would never end, and must not
    # hang the suite if that comes back (TimeoutExpired fails the test instead).
    done = run_cli_process("check", "--corpus", str(corpus_file), "-r", "/dev/zero", timeout=60)
    assert done.returncode == 2, done.stderr[-300:]
    assert done.stderr == "error: /dev/zero: larger than 16 MiB: not a dependency file\n"


def test_a_report_is_never_written_into_a_folder_that_does_not_exist(
    cli: Cli, corpus_file: Path, tmp_path: Path
) -> None:
    report = tmp_path / "reprot" / "check.json"  # a mistyped folder
    result = cli("check", "--corpus", str(corpus_file), "reqeusts", "-o", str(report))
    assert result.returncode == 2 and result.stderr.count("\n") == 1
    assert f"the folder {report.parent} does not exist; create it first" in result.stderr
    assert not report.parent.exists()


def test_a_report_to_a_pipe_or_device_is_written_in_place(
    cli: Cli, corpus_file: Path, tmp_path: Path
) -> None:
    # `-o /dev/null` once renamed a temporary file over the device: run as root, it took
    # /dev/null from the whole machine. A FIFO stands in for a device here.
    import os
    import stat
    import threading

    fifo = tmp_path / "report.fifo"
    os.mkfifo(fifo)
    received: list[bytes] = []
    reader = threading.Thread(target=lambda: received.append(fifo.read_bytes()), daemon=True)
    reader.start()
    result = cli("check", "--corpus", str(corpus_file), "reqeusts", "-f", "json", "-o", str(fifo))
    reader.join(timeout=30)
    assert result.returncode == 1, result.stderr
    assert stat.S_ISFIFO(fifo.stat().st_mode)
    assert json.loads(b"".join(received))[0]["target"] == "requests"
    folder = tmp_path / "folder"
    folder.mkdir()
    result = cli("check", "--corpus", str(corpus_file), "requests", "-o", str(folder))
    assert result.returncode == 2 and "it is a folder" in result.stderr, result.stderr


def test_fail_on_error_fails_only_on_error_level_findings(cli: Cli, corpus_file: Path) -> None:
    # "bots3" scores between the reporting floor (0.5) and the error level (0.8) against
    # boto3; "reqeusts" above it.
    base = ("check", "--corpus", str(corpus_file), "--format", "json")
    warning = cli(*base, "bots3", "--fail-on", "error")
    assert warning.returncode == 0, warning.stderr
    (finding,) = json.loads(warning.stdout)
    assert (finding["target"], finding["level"]) == ("boto3", "warning")
    assert cli(*base, "bots3").returncode == 1  # the default fails on any finding
    error = cli(*base, "bots3", "reqeusts", "--fail-on", "error")
    assert error.returncode == 1
    assert [f["level"] for f in json.loads(error.stdout)] == ["warning", "error"]
    quiet = cli(*base, "bots3", "reqeusts", "--min-score", "0.8")
    assert [f["name"] for f in json.loads(quiet.stdout)] == ["reqeusts"]
    sarif = json.loads(cli(*base[:-1], "sarif", "bots3", "reqeusts").stdout)
    assert [r["level"] for r in sarif["runs"][0]["results"]] == ["warning", "error"]
    bad = cli(*base, "bots3", "--fail-on", "fatal")
    assert bad.returncode == 2 and "--fail-on must be warning or error" in bad.stderr


def test_real_pre_commit_with_the_documented_config_blocks_a_typo(tmp_path: Path) -> None:
    # The snippet of docs/teams.md pasted into a fresh repository, run by pre-commit itself
    # (language: system: the reserver on PATH, no download).
    import os
    import re
    import subprocess
    import sys

    text = (REPO / "docs" / "teams.md").read_text()
    (block,) = re.findall(r"```yaml\n(.*?)```", text, flags=re.S)
    (tmp_path / ".pre-commit-config.yaml").write_text(block)
    (tmp_path / "requirements").mkdir()
    (tmp_path / "requirements" / "base.txt").write_text("requests\nreqeusts\n")
    (tmp_path / "notes.txt").write_text("reqeusts is not a dependency here\n")
    bin_dir = str(Path(sys.executable).parent)
    env = {**os.environ, "PATH": bin_dir + os.pathsep + os.environ.get("PATH", ""),
           "PRE_COMMIT_HOME": str(tmp_path / ".cache"), "GIT_CONFIG_GLOBAL": os.devnull,
           "GIT_CONFIG_NOSYSTEM": "1"}  # fmt: skip

    def git(*args: str) -> None:
        subprocess.run(["git", *args], cwd=tmp_path, env=env, check=True, capture_output=True)

    def pre_commit() -> subprocess.CompletedProcess[str]:
        command = [str(Path(bin_dir) / "pre-commit"), "run", "--all-files"]
        return subprocess.run(
            command, cwd=tmp_path, env=env, capture_output=True, text=True, timeout=120
        )

    git("init", "-q")
    git("add", ".")
    done = pre_commit()
    output = done.stdout + done.stderr
    assert done.returncode == 1, output
    assert "reserver check" in output and "Failed" in output, output
    assert "requirements/base.txt:2" in output and "reqeusts" in output, output
    assert "notes.txt" not in output, output
    (tmp_path / "requirements" / "base.txt").write_text("requests\n")
    git("add", ".")
    fixed = pre_commit()
    assert fixed.returncode == 0, fixed.stdout + fixed.stderr


def test_an_error_about_a_line_never_echoes_its_secret(
    cli: Cli, corpus_file: Path, tmp_path: Path
) -> None:
    secrets = ("s3cr3tT0ken", "ABCSECRET9", "ghp_16C7e42F292c6912E7710c838347Ae178B4a")
    cases = [
        f"--index-url https://bob:{secrets[0]}@pypi.internal/simple\n"
        f"bad line !!! token={secrets[1]}\n",
        f"reqeusts\n-r https://bob:{secrets[0]}@host/req.txt\n",
        f"bad requirement ({secrets[2]})\n",
    ]
    for number, text in enumerate(cases):
        requirements = tmp_path / f"r{number}.txt"
        requirements.write_text(text)
        result = cli("check", "--corpus", str(corpus_file), "-r", str(requirements))
        assert result.returncode == 2 and str(requirements) in result.stderr, result.stderr
        assert "***" in result.stderr, result.stderr
        assert not any(secret in result.stderr + result.stdout for secret in secrets), result.stderr


def test_the_corpus_can_be_a_newer_snapshot_by_url(cli: Cli) -> None:
    # A "top PyPI packages" JSON served on loopback, as its publisher serves it.
    rows = [{"project": "acme-widgets", "download_count": 100}, {"project": "requests",
            "download_count": 90}]  # fmt: skip
    with FakeIndex() as fake:
        fake.routes["/top.json"] = Route(json.dumps({"last_update": "x", "rows": rows}).encode())
        found = cli("check", "--corpus", f"{fake.url}/top.json", "acme-widgtes", "-f", "json")
        missing = cli("check", "--corpus", f"{fake.url}/nothing.json", "acme-widgtes")
    assert found.returncode == 1, found.stderr
    assert json.loads(found.stdout)[0]["target"] == "acme-widgets"
    assert missing.returncode == 2 and "404" in missing.stderr, missing.stderr
    assert missing.stderr.count("\n") == 1


# -- -q, -v and --format csv: the conventions every command shares (README) -------------------


@pytest.mark.parametrize("where", ["before", "after"])
def test_quiet_prints_findings_alone_and_nothing_when_clean(
    cli: Cli, corpus_file: Path, where: str
) -> None:
    def quiet(*names: str) -> tuple[int, str, str]:
        args = ["--corpus", str(corpus_file), *names]
        argv = ["-q", "check", *args] if where == "before" else ["check", "-q", *args]
        result = cli(*argv)
        return result.returncode, result.stdout, result.stderr

    assert quiet("requests", "numpy") == (0, "", "")  # not "no likely typosquats found"
    code, out, err = quiet("requests", "reqeusts")
    assert (code, err) == (1, "") and "reqeusts" in out and "requests" in out


def test_verbose_says_what_was_read_on_stderr_and_json_stays_parseable(
    cli: Cli, corpus_file: Path, tmp_path: Path
) -> None:
    (tmp_path / "requirements.txt").write_text("django\nurlib3==2.0\n")
    result = cli("check", "-v", "--corpus", str(corpus_file), "-f", "json",
                 "-r", str(tmp_path / "requirements.txt"))  # fmt: skip
    assert result.returncode == 1, result.stderr
    assert [f["name"] for f in json.loads(result.stdout)] == ["urlib3"]
    assert f"popular names: {len(POPULAR)} from {corpus_file}" in result.stderr
    assert f"{tmp_path / 'requirements.txt'}: 2 dependencies" in result.stderr
    assert "checked 2 names" in result.stderr and "findings: 1" in result.stderr


def test_csv_has_a_row_per_finding_with_the_json_fields(
    cli: Cli, corpus_file: Path, tmp_path: Path
) -> None:
    (tmp_path / "requirements.txt").write_text("reqeusts\nnumpy\ncolourama\n")
    base = ("check", "--corpus", str(corpus_file), "-r", str(tmp_path / "requirements.txt"))
    as_csv = cli(*base, "-f", "csv")
    as_json = cli(*base, "-f", "json")
    assert as_csv.returncode == as_json.returncode == 1
    rows = list(csv.DictReader(io.StringIO(as_csv.stdout)))
    findings = json.loads(as_json.stdout)
    assert [(r["name"], r["target"], r["line"]) for r in rows] == [
        (f["name"], f["target"], str(f["line"])) for f in findings
    ]
    assert list(rows[0]) == list(findings[0])


def test_quiet_and_verbose_together_are_a_usage_error(cli: Cli, corpus_file: Path) -> None:
    result = cli("-q", "check", "-v", "--corpus", str(corpus_file), "requests")
    assert result.returncode == 2
    assert result.stderr == "error: -q and -v exclude each other: give one of them\n"


def test_a_long_list_checked_on_two_cores_reports_as_one_process_does(
    cli: Cli, corpus_file: Path, tmp_path: Path, rng: random.Random
) -> None:
    # Above check.PARALLEL_FROM distinct names, a real process checks half of them in a forked
    # child (reserver._fork); in-process here (pytest's threads forbid the fork) they are all
    # checked in one. Both must give the same findings, in input order, duplicates included.
    from reserver.guard.check import PARALLEL_FROM

    squats = ["reqeusts", "numpyy", "colourama", "djnago", "pandsa", "python-dateutl"]
    letters = "abcdefghijklmnopqrstuvwxyz"
    filler = {"".join(rng.choices(letters, k=rng.randint(5, 12))) for _ in range(PARALLEL_FROM)}
    names = sorted(filler) + squats
    rng.shuffle(names)
    names += squats  # a second occurrence of each, reported again on its own line
    requirements = tmp_path / "requirements.txt"
    requirements.write_text("\n".join(names) + "\n")
    args = ("check", "-r", str(requirements), "--corpus", str(corpus_file), "--format", "json")
    forked = run_cli_process(*args)
    single = cli(*args)
    assert forked.returncode == single.returncode == 1
    assert json.loads(forked.stdout) == json.loads(single.stdout)
    found = [(f["name"], f["line"]) for f in json.loads(single.stdout)]
    assert {name for name, _ in found} >= set(squats)
    assert len(found) == len({line for _, line in found})
