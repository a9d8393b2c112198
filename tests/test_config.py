"""Configuration: file, pyproject section, command-line overrides, and unknown keys."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from reserver.config import resolve
from reserver.errors import ReserverError

from .conftest import Cli


def test_defaults_apply_without_a_file(tmp_path: Path) -> None:
    config = resolve(start=tmp_path)
    assert config.values["budget"].source == "default"
    assert config.holder().name == "reserver volunteers"


def test_pyproject_section_is_read_and_options_override_it(tmp_path: Path) -> None:
    (tmp_path / "pyproject.toml").write_text(
        '[project]\nname = "x"\n\n[tool.reserver]\nholder = "ACME Security"\nbudget = 10\n'
    )
    config = resolve({"budget": 5}, start=tmp_path)
    assert config["holder"] == "ACME Security"
    assert "pyproject.toml" in config.values["holder"].source
    assert (config["budget"], config.values["budget"].source) == (5, "command line")


def test_reserver_toml_wins_over_pyproject(tmp_path: Path) -> None:
    (tmp_path / "pyproject.toml").write_text('[tool.reserver]\nholder = "A"\n')
    (tmp_path / "reserver.toml").write_text('holder = "B"\n')
    assert resolve(start=tmp_path)["holder"] == "B"


@pytest.mark.parametrize(
    ("content", "message"),
    [
        ('holdr = "x"\n', "unknown key 'holdr'"),
        ('budget = "many"\n', "whole number"),
        ("allow = [1]\n", "list of strings"),
        ('holder = "<b>"\n', "markup"),
        ("budget = \n", "invalid TOML"),
    ],
)
def test_bad_configuration_is_a_clear_error(tmp_path: Path, content: str, message: str) -> None:
    (tmp_path / "reserver.toml").write_text(content)
    with pytest.raises(ReserverError, match=message):
        resolve(start=tmp_path)


def test_config_command_shows_sources_and_refuses_unknown_keys(cli: Cli, tmp_path: Path) -> None:
    (tmp_path / "reserver.toml").write_text('holder = "ACME"\n')
    done = cli("config", "--format", "json", cwd=tmp_path)
    assert done.returncode == 0 and '"ACME"' in done.stdout and "reserver.toml" in done.stdout
    (tmp_path / "reserver.toml").write_text('colour = "red"\n')
    done = cli("config", cwd=tmp_path)
    assert done.returncode == 2 and done.stderr.count("\n") == 1 and "colour" in done.stderr


def test_config_json_stays_parseable_when_very_verbose(cli: Cli, tmp_path: Path) -> None:
    (tmp_path / "reserver.toml").write_text('holder = "ACME"\n')
    done = cli("config", "-f", "json", "-vv", cwd=tmp_path)
    assert done.returncode == 0, done.stderr
    holder = json.loads(done.stdout)["holder"]
    assert holder["value"] == "ACME" and holder["source"] == str(tmp_path / "reserver.toml")
    assert f"configuration: {tmp_path / 'reserver.toml'}" in done.stderr


def test_plan_takes_holder_and_budget_from_the_config_and_options_win(
    cli: Cli, tmp_path: Path
) -> None:
    (tmp_path / "reserver.toml").write_text(
        'holder = "ACME Security"\ncontact = "names@acme.example"\nbudget = 3\n'
    )
    run = ["plan", "requests", "--offline", "-o"]
    done = cli(*run, "a.json", cwd=tmp_path)
    assert done.returncode == 0, done.stderr
    plan = json.loads((tmp_path / "a.json").read_text())
    assert plan["holder"]["name"] == "ACME Security"
    assert len([e for e in plan["entries"] if e["status"] == "unchecked"]) == 3
    done = cli(*run, "b.json", "--budget", "5", "--holder", "Me", cwd=tmp_path)
    assert done.returncode == 0, done.stderr
    plan = json.loads((tmp_path / "b.json").read_text())
    assert plan["holder"]["name"] == "Me"
    assert len([e for e in plan["entries"] if e["status"] == "unchecked"]) == 5
