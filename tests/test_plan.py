"""Plans: classifying explicit names, validation, and safe round trips through a file."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from reserver.errors import PlanError, ReserverError
from reserver.plan.jsonfile import load_plan, save_plan
from reserver.plan.model import PlanEntry, entry_for, make_plan, parse_name_option


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

    from reserver.plan.jsonfile import _ENTRY_FIELDS, _entry_line
    from reserver.plan.model import PlanEntry

    assert tuple(f.name for f in fields(PlanEntry)) == _ENTRY_FIELDS
    entries = [
        parse_name_option("telnetlib"),
        parse_name_option("sklearn=scikit-learn"),
        # Quotes, a backslash and non-ASCII: every one escaped by the json module.
        PlanEntry(
            "reqests", "requests", "typo", score=0.123456, reason='say "hi" \\ \u00e9 \u2603'
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
    from reserver.plan.model import PlanEntry, engine_entry

    made = engine_entry("reqests", "requests", "typo", "deleted_letter", 0.9, "free", "typo of x")
    checked = PlanEntry("reqests", "requests", "typo", "deleted_letter", 0.9, "free", "typo of x")
    assert made == checked and vars(made) == vars(checked)
    with pytest.raises(AttributeError):
        made.name = "other"  # type: ignore[misc]


@pytest.mark.parametrize(
    "removed",
    ["<script>alert(1)</script>", "[see](https://evil.test)", "3.13\n", "x" * 5_000_000, 3.13],
)
def test_removed_in_is_a_python_version_or_the_plan_is_refused(
    removed: object, tmp_path: Path
) -> None:
    plan = tmp_path / "plan.json"
    save_plan(make_plan([PlanEntry("asynchat", None, "removed", removed_in="3.12")]), plan)
    raw = json.loads(plan.read_text())
    raw["entries"][0]["removed_in"] = removed
    plan.write_text(json.dumps(raw))
    with pytest.raises(PlanError, match="must be a Python version") as caught:
        load_plan(plan)
    assert len(str(caught.value)) < 300  # the 5 MB value is quoted, not printed


def _plan_file_with(tmp_path: Path, **fields: object) -> Path:
    """A saved plan of one typo entry, with ``fields`` changed in the file."""
    path = tmp_path / "plan.json"
    save_plan(make_plan([entry_for("reqeusts", "requests")]), path)
    raw = json.loads(path.read_text())
    for key, value in fields.items():
        if key.startswith("holder_"):
            raw["holder"][key.removeprefix("holder_")] = value
        else:
            raw["entries"][0][key] = value
    path.write_text(json.dumps(raw))
    return path


@pytest.mark.parametrize(
    ("fields", "message"),
    [
        ({"target": None}, "needs a target"),
        ({"target": "Re_Quests", "name": "re-quests"}, "placeholder for itself"),
        ({"reason": "typo of \u202erequests"}, "control or invisible characters"),
        ({"reason": "line one\n\x1b[2Jcleared"}, "control or invisible characters"),
        ({"reason": "x" * 1001}, "at most 1000 characters"),
        ({"kind": "\u202etypo"}, "kind of 'reqeusts' must be a lowercase word"),
        ({"kind": ["omission"]}, "kind of 'reqeusts' must be a lowercase word"),
        ({"status": "free\x1b[31m"}, "status of 'reqeusts' must be one of"),
        ({"score": "1"}, "score of 'reqeusts' must be a number"),
        ({"replacement_in_stdlib": "yes"}, "must be true or false"),
        ({"category": "x" * 5_000_000}, "unknown category"),
        ({"holder_name": "ACME\u202eytiruceS"}, "control characters or markup"),
        ({"holder_contact": ["a@b.org"]}, "is not an email address or URL"),
    ],
)
def test_every_field_that_reaches_a_page_or_a_terminal_is_validated_on_load(
    tmp_path: Path, fields: dict[str, object], message: str
) -> None:
    with pytest.raises(PlanError, match=message) as caught:
        load_plan(_plan_file_with(tmp_path, **fields))
    assert "\n" not in str(caught.value) and len(str(caught.value)) < 300


@pytest.mark.parametrize(
    "text",
    [
        '{"format": "reserver-plan/1", "entries": ' + "[" * 100_000 + "]" * 100_000 + "}",
        '{"format": "reserver-plan/1", "entries": [], "version": ' + "1" * 5000 + "}",
        '{"format": "reserver-plan/1", "entries": [], "options": {"a": '
        + "[" * 40
        + "]" * 40
        + "}}",
        '{"format": "reserver-plan/1", "entries": [], "version": ' + "[" * 500 + "]" * 500 + "}",
    ],
)
def test_json_nested_too_deep_or_too_large_is_a_plan_error(tmp_path: Path, text: str) -> None:
    path = tmp_path / "plan.json"
    path.write_text(text)
    with pytest.raises(PlanError) as caught:
        load_plan(path)
    assert str(caught.value).startswith(str(path)) and "\n" not in str(caught.value)


def test_an_endless_plan_file_is_refused_after_its_limit() -> None:
    with pytest.raises(PlanError, match="/dev/zero: plan file larger than 128 MiB"):
        load_plan(Path("/dev/zero"))


@pytest.mark.parametrize(
    ("field", "value"),
    [
        ("removed_in", "<script>alert(1)</script>"),
        ("reason", "\u202egnirts"),
        ("kind", "[link](https://evil.test)"),
        ("category", "other"),
        ("target", None),
    ],
)
def test_the_builder_runs_the_plan_validation_again(field: str, value: object) -> None:
    # An entry changed after it was made (or made by engine_entry, which skips the check)
    # still cannot reach a README, PKG-INFO or the install message.
    from reserver.placeholder.render import render
    from reserver.plan.holder import Holder

    entry = entry_for("reqeusts", "requests")
    object.__setattr__(entry, field, value)
    with pytest.raises(ReserverError, match="refusing to render 'reqeusts'"):
        render(entry, Holder(), "0.0.1")


def test_plan_files_are_written_only_into_existing_folders(tmp_path: Path) -> None:
    target = tmp_path / "missing" / "plan.json"
    with pytest.raises(ReserverError, match=r"the folder .*missing does not exist; create it"):
        save_plan(make_plan([entry_for("pwd")]), target)
    assert not target.parent.exists()
