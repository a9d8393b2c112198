"""The plan/build/upload commands: exit codes and one-line errors for bad input."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest

from reserver.index.local import LocalIndex

from .conftest import Cli


@pytest.mark.parametrize("command", ["plan", "build", "upload"])
def test_help_exits_zero(cli: Cli, command: str) -> None:
    done = cli(command, "--help")
    assert done.returncode == 0 and "Usage" in done.stdout


def test_version_and_short_help_as_pip_and_twine_have_them(cli: Cli) -> None:
    from importlib.metadata import version

    for flag in ("--version", "-V"):
        done = cli(flag)
        assert done.returncode == 0 and done.stdout == f"reserver {version('reserver')}\n"
    done = cli("check", "-h")
    assert done.returncode == 0 and "Usage:" in done.stdout and " check " in done.stdout


@pytest.mark.parametrize(
    "name", ["re quests=requests", "-x=requests", "a" * 300 + "=requests", "réquests=requests"]
)
def test_a_malformed_name_is_one_line_and_exit_two(cli: Cli, tmp_path: Path, name: str) -> None:
    done = cli("plan", "--name", name, "-o", str(tmp_path / "plan.json"))
    assert done.returncode == 2
    assert done.stderr.startswith("error: ") and done.stderr.count("\n") == 1
    assert not (tmp_path / "plan.json").exists()


def test_build_of_a_missing_plan_is_one_line(cli: Cli, tmp_path: Path) -> None:
    done = cli("build", str(tmp_path / "nope.json"), "--out", str(tmp_path))
    assert (done.returncode, done.stderr.count("\n")) == (2, 1)
    assert "no such plan file" in done.stderr


def test_upload_without_built_sdists_says_to_build(cli: Cli, tmp_path: Path) -> None:
    assert cli("plan", "--name", "pwd", "-o", str(tmp_path / "p.json")).returncode == 0
    done = cli("upload", str(tmp_path / "p.json"), "--dist", str(tmp_path / "none"),
               "--repository-url", "http://127.0.0.1:9/")  # fmt: skip
    assert done.returncode == 2 and "Traceback" not in done.stderr
    assert "missing" in done.stderr


def test_plan_build_writes_one_valid_sdist_per_name(cli: Cli, tmp_path: Path) -> None:
    plan = tmp_path / "plan.json"
    assert cli("plan", "-n", "pwd", "-n", "reqeusts=requests", "-o", str(plan)).returncode == 0
    done = cli("build", str(plan), "--out", str(tmp_path / "dist"))
    assert done.returncode == 0, done.stderr
    assert sorted(p.name for p in (tmp_path / "dist").iterdir()) == [
        "pwd-0.0.1.tar.gz",
        "reqeusts-0.0.1.tar.gz",
    ]


def test_quiet_build_prints_nothing_and_verbose_names_each_sdist(cli: Cli, tmp_path: Path) -> None:
    plan, dist = tmp_path / "plan.json", tmp_path / "dist"
    planned = cli("plan", "-q", "-n", "pwd", "-n", "reqeusts=requests", "-o", str(plan))
    assert (planned.returncode, planned.stdout) == (0, "")
    quiet = cli("build", "-q", str(plan), "--out", str(dist))
    assert (quiet.returncode, quiet.stdout, quiet.stderr) == (0, "", "")
    verbose = cli("-v", "build", str(plan), "--out", str(dist))
    assert verbose.returncode == 0, verbose.stderr
    assert f"built {dist / 'pwd-0.0.1.tar.gz'}\nbuilt {dist / 'reqeusts-0.0.1.tar.gz'}\n" in (
        verbose.stderr
    )
    assert f"built 2 sdists into {dist}" in verbose.stdout


def test_pypi_rules_apply_offline_to_explicit_names(cli: Cli, tmp_path: Path) -> None:
    plan = tmp_path / "plan.json"
    done = cli("plan", "-n", "pwd", "-n", "telnetlib", "-n", "reqeusts=requests",
               "--registry", "pypi", "--offline", "-o", str(plan))  # fmt: skip
    assert done.returncode == 0, done.stderr
    entries = {e["name"]: e for e in json.loads(plan.read_text())["entries"]}
    assert entries["pwd"]["status"] == entries["telnetlib"]["status"] == "blocked"
    assert entries["pwd"]["reason"] == "standard-library module name"
    assert entries["reqeusts"]["status"] == "unchecked"  # not on the listing: nobody asked


def test_a_local_version_is_refused_for_pypi_at_plan_and_at_build(cli: Cli, tmp_path: Path) -> None:
    plan = tmp_path / "plan.json"
    done = cli("plan", "-n", "reqeusts=requests", "--registry", "pypi", "--offline",
               "--version", "1.0+acme", "-o", str(plan))  # fmt: skip
    assert done.returncode == 2 and "Traceback" not in done.stderr
    assert "pypi refuses local versions such as '1.0+acme'" in done.stderr
    assert not plan.exists()
    # A plan made without the rule (for a private index), then built with PyPI named in it.
    assert cli("plan", "-n", "reqeusts=requests", "--registry", "private", "--offline",
               "--version", "1.0+acme", "-o", str(plan)).returncode == 0  # fmt: skip
    raw = json.loads(plan.read_text())
    raw["options"]["registry"] = "pypi"
    plan.write_text(json.dumps(raw))
    built = cli("build", str(plan), "--out", str(tmp_path / "dist"))
    assert built.returncode == 2 and "refuses local versions" in built.stderr
    assert not (tmp_path / "dist").exists()


def test_a_reversed_name_pair_is_refused_unless_forced(cli: Cli, tmp_path: Path) -> None:
    plan = tmp_path / "plan.json"
    done = cli("plan", "--name", "requests=reqeusts", "-o", str(plan))
    assert done.returncode == 2 and "Traceback" not in done.stderr
    assert "'requests' is itself a popular project" in done.stderr
    assert "did you mean --name reqeusts=requests?" in done.stderr
    assert not plan.exists()
    forced = cli("plan", "--name", "requests=reqeusts", "--force", "-o", str(plan))
    assert forced.returncode == 0, forced.stderr


def test_listings_are_cached_in_the_user_cache_folder_not_the_current_one(
    local_index: LocalIndex, tmp_path: Path
) -> None:
    work, cache = tmp_path / "work", tmp_path / "xdg-cache"
    work.mkdir()
    env = {**os.environ, "XDG_CACHE_HOME": str(cache)}
    # A process of its own: the cache folder is read from XDG_CACHE_HOME at import.
    done = subprocess.run(
        [sys.executable, "-m", "reserver", "plan", "-n", "reqeustz-cache=requests",
         "--index", local_index.simple_url, "-o", "plan.json"],
        capture_output=True, text=True, cwd=work, env=env, check=False,
    )  # fmt: skip
    assert done.returncode == 0, done.stderr
    assert sorted(p.name for p in work.iterdir()) == ["plan.json"]  # no ./generated
    assert any((cache / "reserver").glob("*.body"))


def test_build_refuses_a_pypi_plan_that_names_the_example_holder(cli: Cli, tmp_path: Path) -> None:
    plan = tmp_path / "plan.json"
    assert cli("plan", "-n", "reqeusts=requests", "--registry", "pypi", "--offline",
               "-o", str(plan)).returncode == 0  # fmt: skip
    built = cli("build", str(plan), "--out", str(tmp_path / "dist"))
    assert built.returncode == 2 and "Traceback" not in built.stderr
    assert "holder contact is the example 'security@example.org'" in built.stderr
    assert not (tmp_path / "dist").exists()


def test_an_internal_error_is_one_line_and_exit_3(
    cli: Cli, monkeypatch: pytest.MonkeyPatch
) -> None:
    def broken(*args: object, **kwargs: object) -> None:
        raise RuntimeError("boom\nsecond line")

    monkeypatch.setattr("reserver.guard.corpus.default_corpus", broken)
    monkeypatch.delenv("RESERVER_TRACEBACK", raising=False)
    done = cli("check", "requests")
    assert done.returncode == 3
    assert done.stderr.startswith("internal error: RuntimeError: boom (a bug in reserver")
    assert done.stderr.count("\n") == 1 and "Traceback" not in done.stderr
    with pytest.raises(RuntimeError):
        cli("check", "requests", env={"RESERVER_TRACEBACK": "1"})


def test_no_output_is_written_into_a_folder_that_does_not_exist(cli: Cli, tmp_path: Path) -> None:
    # A mistyped folder once appeared silently with the file in it; now nothing is made.
    plan = tmp_path / "plan.json"
    assert cli("plan", "--name", "pwd", "-o", str(plan)).returncode == 0
    missing = tmp_path / "mistyped"
    for args in (
        ["plan", "--name", "pwd", "-o", str(missing / "plan.json")],
        ["generate", "requests", "--offline", "--budget", "2", "-o", str(missing / "g.csv"),
         "-f", "csv"],
        ["export", str(plan), "-o", str(missing / "names.txt"), "-f", "txt"],
    ):  # fmt: skip
        done = cli(*args)
        assert (done.returncode, done.stderr.count("\n")) == (2, 1), (args, done.stderr)
        assert f"the folder {missing} does not exist; create it first" in done.stderr
        assert not missing.exists()
