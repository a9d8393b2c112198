"""``reserver export``: prohibited-name lists from a plan or from the ledger."""

from __future__ import annotations

import csv
import io
import json
from dataclasses import replace
from pathlib import Path

from reserver.guard.export import ExportEntry, render
from reserver.plan.holder import Holder
from reserver.plan.jsonfile import save_plan
from reserver.plan.model import entry_for, make_plan
from reserver.publish.ledger import Ledger, LedgerState, SdistRecord

from ..conftest import Cli


def write_plan(path: Path) -> None:
    entries = [
        entry_for("reqeusts", "requests"),
        entry_for("sklearn"),
        entry_for("telnetlib"),
        replace(entry_for("colourama", "colorama"), status="taken"),
    ]
    save_plan(
        make_plan(entries, Holder("Example Volunteers", "x@example.org", "https://e.org")), path
    )


def test_prohibited_csv_has_name_comment_target_and_skips_taken(cli: Cli, tmp_path: Path) -> None:
    plan = tmp_path / "plan.json"
    write_plan(plan)
    result = cli("export", str(plan))
    assert result.returncode == 0, result.stderr
    rows = list(csv.DictReader(io.StringIO(result.stdout)))
    assert [r["name"] for r in rows] == ["reqeusts", "sklearn", "telnetlib"]
    assert rows[0]["target"] == "requests" and "typo of requests" in rows[0]["comment"]
    assert "Example Volunteers" in rows[0]["comment"]
    assert rows[1]["target"] == "scikit-learn"
    assert "removed from the standard library" in rows[2]["comment"] and rows[2]["target"] == ""


def test_txt_is_a_plain_block_list_and_json_carries_everything(cli: Cli, tmp_path: Path) -> None:
    plan = tmp_path / "plan.json"
    write_plan(plan)
    txt = cli("export", str(plan), "--format", "txt")
    assert txt.stdout == "reqeusts\nsklearn\ntelnetlib\n"
    out = tmp_path / "names.json"
    assert cli("export", str(plan), "-f", "json", "-o", str(out)).returncode == 0
    data = json.loads(out.read_text())
    assert data["format"] == "reserver-export/1"
    assert {n["canonical"] for n in data["names"]} == {"reqeusts", "sklearn", "telnetlib"}


def test_export_from_the_ledger_lists_held_names_only(cli: Cli, tmp_path: Path) -> None:
    path = tmp_path / "ledger.sqlite"
    repo = "http://127.0.0.1:9/"
    with Ledger(path) as ledger:
        ledger.register(repo, [SdistRecord("Reqeusts"), SdistRecord("urlib3"), SdistRecord("pwd")])
        ledger.transition(repo, "Reqeusts", LedgerState.RESERVED, status=200)
        ledger.transition(repo, "pwd", LedgerState.REFUSED, status=400, detail="isn't allowed")
    result = cli("export", "--from-ledger", str(path), "-f", "txt")
    assert result.returncode == 0, result.stderr
    assert result.stdout == "reqeusts\nurlib3\n"


def test_export_usage_errors(cli: Cli, tmp_path: Path) -> None:
    assert cli("export").returncode == 2
    assert cli("export", "x.json", "--from-ledger", "l.sqlite").returncode == 2
    missing = cli("export", str(tmp_path / "absent.json"))
    assert missing.returncode == 2 and "no such plan file" in missing.stderr
    assert cli("export", "--from-ledger", str(tmp_path / "none.sqlite")).returncode == 2


def test_export_offers_every_format_there_is() -> None:
    from reserver.cli.export_cmd import EXPORT_FORMATS
    from reserver.guard.export import FORMATS

    assert EXPORT_FORMATS == FORMATS


def test_verbose_counts_the_names_on_stderr_and_quiet_changes_no_output(
    cli: Cli, tmp_path: Path
) -> None:
    plan = tmp_path / "plan.json"
    write_plan(plan)
    normal = cli("export", str(plan), "-f", "json")
    verbose = cli("export", str(plan), "-f", "json", "-v")
    quiet = cli("-q", "export", str(plan), "-f", "json")
    assert normal.stdout == verbose.stdout == quiet.stdout and normal.stderr == quiet.stderr == ""
    assert len(json.loads(verbose.stdout)["names"]) == 3
    assert verbose.stderr == f"3 names to export from {plan}\n"


def test_a_private_name_is_exported_as_a_private_name_not_a_stdlib_module() -> None:
    from reserver.guard.export import entries_from_plan
    from reserver.plan.model import engine_entry

    internal = engine_entry("acme-core", None, "internal", "given", 1.0, "free", "free")
    (entry,) = entries_from_plan(make_plan([internal]))
    assert entry.comment.startswith("private name, held against dependency confusion")


def test_a_name_given_in_two_spellings_is_listed_once_as_first_given() -> None:
    entries = [
        ExportEntry("Req_eusts", "requests", "first"),
        ExportEntry("sklearn", None, "removed"),
        ExportEntry("req-eusts", "requests", "second"),
    ]
    assert render(entries, "txt") == "req-eusts\nsklearn\n"
    names = json.loads(render(entries, "json"))["names"]
    assert [(n["name"], n["comment"]) for n in names] == [
        ("Req_eusts", "first"),
        ("sklearn", "removed"),
    ]
