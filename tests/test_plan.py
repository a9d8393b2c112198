"""Plans: classifying explicit names, validation, and safe round trips through a file."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from reserver.errors import PlanError, ReserverError
from reserver.plan import PlanEntry, entry_for, load_plan, make_plan, parse_name_option, save_plan


def test_a_standard_library_name_needs_no_target() -> None:
    entry = parse_name_option("pwd")
    assert (entry.category, entry.target) == ("stdlib", None)


def test_a_removed_module_knows_when_it_left_and_its_replacement() -> None:
    entry = parse_name_option("telnetlib")
    assert entry.category == "removed"
    assert entry.removed_in == "3.13"
    assert entry.replacement == "telnetlib3"


def test_an_import_name_is_classified_as_such() -> None:
    assert parse_name_option("sklearn=scikit-learn").category == "import"
    assert parse_name_option("yaml").target == "PyYAML"


def test_a_typo_keeps_its_target() -> None:
    entry = parse_name_option("reqeusts=requests")
    assert (entry.category, entry.target) == ("typo", "requests")


@pytest.mark.parametrize(
    "value", ["re quests=requests", "-x=requests", "reqeusts=", "requests=Requests", "notstdlib"]
)
def test_bad_name_options_are_refused(value: str) -> None:
    with pytest.raises(ReserverError):
        parse_name_option(value)


def test_two_spellings_of_one_project_cannot_share_a_plan() -> None:
    with pytest.raises(ReserverError, match="same project"):
        make_plan([entry_for("Foo_Bar", "foobar"), entry_for("foo-bar", "foobar")])


def test_plan_round_trips_through_its_file(tmp_path: Path) -> None:
    plan = make_plan([entry_for("pwd"), entry_for("reqeusts", "requests")])
    path = tmp_path / "plan.json"
    save_plan(plan, path)
    assert load_plan(path) == plan
    assert not list(tmp_path.glob(".*tmp"))


@pytest.mark.parametrize(
    "content", ["", "{", "[]", '{"format": "other"}', '{"format": "reserver-plan/1"}']
)
def test_a_corrupt_plan_is_a_one_line_error(tmp_path: Path, content: str) -> None:
    path = tmp_path / "plan.json"
    path.write_text(content)
    with pytest.raises(PlanError) as info:
        load_plan(path)
    assert str(path) in str(info.value) and "\n" not in str(info.value)


def test_an_injected_name_in_a_plan_file_is_refused(tmp_path: Path) -> None:
    plan = make_plan([entry_for("reqeusts", "requests")])
    raw = plan.to_json()
    raw["entries"][0]["name"] = "x'); import os; os.system('id'); ('"
    path = tmp_path / "plan.json"
    path.write_text(json.dumps(raw))
    with pytest.raises(PlanError):
        load_plan(path)


def test_plan_lines_are_exactly_what_json_makes_of_each_entry(tmp_path: Path) -> None:
    from dataclasses import fields

    from reserver.plan import _ENTRY_FIELDS, PlanEntry, _entry_line

    assert tuple(f.name for f in fields(PlanEntry)) == _ENTRY_FIELDS
    entries = [
        parse_name_option("telnetlib"),
        parse_name_option("sklearn=scikit-learn"),
        PlanEntry(
            "reqests", "requests", "typo", score=0.123456, reason='say "hi"\n\\ \u00e9 \u2603'
        ),
        PlanEntry("intern-tool", None, "internal", score=1, status="free"),
        PlanEntry("reqeusts", "requests", "typo", score=float("nan")),
    ]
    for entry in entries:
        assert _entry_line(entry) == json.dumps(vars(entry))
    plan = make_plan(entries[:4])
    path = tmp_path / "plan.json"
    save_plan(plan, path)
    assert load_plan(path) == plan


def test_engine_entries_equal_validated_ones() -> None:
    from reserver.plan import PlanEntry, engine_entry

    made = engine_entry("reqests", "requests", "typo", "deleted_letter", 0.9, "free", "typo of x")
    checked = PlanEntry("reqests", "requests", "typo", "deleted_letter", 0.9, "free", "typo of x")
    assert made == checked and vars(made) == vars(checked)
    with pytest.raises(AttributeError):
        made.name = "other"  # type: ignore[misc]


@pytest.mark.parametrize(
    "removed", ["<script>alert(1)</script>", "[see](https://evil.test)", "3.13\n", "x" * 5000]
)
def test_removed_in_is_a_python_version_or_the_plan_is_refused(
    removed: str, tmp_path: Path
) -> None:
    plan = tmp_path / "plan.json"
    save_plan(make_plan([PlanEntry("asynchat", None, "removed", removed_in="3.12")]), plan)
    raw = json.loads(plan.read_text())
    raw["entries"][0]["removed_in"] = removed
    plan.write_text(json.dumps(raw))
    with pytest.raises(PlanError, match="must be a Python version"):
        load_plan(plan)
