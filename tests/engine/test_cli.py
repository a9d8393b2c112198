"""``reserver generate``, ``plan`` and ``evaluate`` from the command line."""

from __future__ import annotations

import csv
import io
import json
import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path

import pytest

from reserver.index.local import LocalIndex
from reserver.names.candidates import generate_candidates
from reserver.plan.jsonfile import load_plan

from ..conftest import Cli
from ..fake_index import FakeIndex, Route

# The likeliest candidate of each target exists already, whatever the fitted order, so a run
# with a small budget meets a taken name before its budget is spent.
REQUESTS_BEST = generate_candidates("requests")[0].name
DATEUTIL_BEST = generate_candidates("python-dateutil")[0].name
LISTING = json.dumps(
    {
        "meta": {"api-version": "1.1"},
        "projects": [
            {"name": n}
            for n in ("requests", REQUESTS_BEST, "python-dateutil", DATEUTIL_BEST, "colorama")
        ],
    }
)


@pytest.fixture
def listing(tmp_path: Path) -> Path:
    path = tmp_path / "simple.json"
    path.write_text(LISTING)
    return path


def test_generate_json_lists_selected_then_blocked(cli: Cli, listing: Path) -> None:
    done = cli(
        "generate", "python-dateutil", "--index", str(listing), "--budget", "4", "--format", "json"
    )
    assert done.returncode == 0, done.stderr
    rows = json.loads(done.stdout)
    assert {"name", "target", "kind", "score", "status", "reason"} <= set(rows[0])
    assert [r["status"] for r in rows[:4]] == ["free"] * 4
    assert all(r["status"] in ("blocked", "taken") for r in rows[4:]) and rows[4:]
    assert {"name": DATEUTIL_BEST, "status": "taken"}.items() <= rows[4].items()
    # The chosen come in the model's order, and every name skipped ranks above the last.
    rank = {c.name: i for i, c in enumerate(generate_candidates("python-dateutil"))}
    chosen = [rank[r["name"]] for r in rows[:4]]
    assert chosen == sorted(chosen)
    assert all(rank[r["name"]] < chosen[-1] for r in rows[4:])


def test_generate_csv_and_explain(cli: Cli, listing: Path) -> None:
    done = cli(
        "generate", "requests", "--index", str(listing), "--budget", "3", "-f", "csv", "--explain"
    )
    rows = list(csv.DictReader(io.StringIO(done.stdout)))
    assert [r["status"] for r in rows[:3]] == ["free"] * 3
    assert "likelihood" in rows[0]["explain"] and "harm" in rows[0]["explain"]
    assert {"name": REQUESTS_BEST, "status": "taken"}.items() <= next(
        r for r in rows if r["name"] == REQUESTS_BEST
    ).items()


def test_generate_table_offline(cli: Cli) -> None:
    done = cli("generate", "requests", "--offline", "--budget", "2")
    assert done.returncode == 0 and "unchecked" in done.stdout
    assert all(c.name in done.stdout for c in generate_candidates("requests")[:2])


def test_generate_table_into_a_file_names_its_columns(cli: Cli, tmp_path: Path) -> None:
    out = tmp_path / "names.tsv"
    done = cli("generate", "requests", "--offline", "--budget", "2", "-o", str(out))
    assert done.returncode == 0
    header, *rows = out.read_text().splitlines()
    assert header.split("\t") == ["name", "target", "kind", "score", "status", "reason"]
    assert [row.split("\t")[0] for row in rows] == [
        c.name for c in generate_candidates("requests")[:2]
    ]
    assert all(len(row.split("\t")) == 6 for row in rows)


def test_plan_keeps_explicit_names_and_adds_engine_entries(
    cli: Cli, listing: Path, tmp_path: Path
) -> None:
    out = tmp_path / "plan.json"
    done = cli(
        "plan",
        "-n",
        "pwd",
        "-n",
        "rekwests=requests",
        "requests",
        "--index",
        str(listing),
        "--budget",
        "5",
        "-o",
        str(out),
    )
    assert done.returncode == 0, done.stderr
    plan = load_plan(out)
    entries = {e.name: e for e in plan.entries}
    assert entries["pwd"].category == "stdlib" and entries["pwd"].status == "blocked"
    assert entries["rekwests"].kind == "explicit" and entries["rekwests"].status == "free"
    # The engine's budget is its own: five names besides the one given (which it would not
    # pick: a two-step typo).
    engine = [e for e in plan.entries if e.kind != "explicit"]
    assert len([e for e in engine if e.status == "free"]) == 5
    best = entries[REQUESTS_BEST]
    assert best.status == "taken" and best not in plan.buildable()
    assert plan.options["budget"] == 5 and plan.options["targets"] == ["requests"]


def test_plan_with_names_only_stays_unchecked_and_offline(cli: Cli, tmp_path: Path) -> None:
    out = tmp_path / "plan.json"
    assert cli("plan", "-n", "reqeusts=requests", "-o", str(out)).returncode == 0
    assert [e.status for e in load_plan(out).entries] == ["unchecked"]


@pytest.mark.slow
def test_plan_against_a_real_private_index(
    cli: Cli, fresh_index: LocalIndex, tmp_path: Path
) -> None:
    (fresh_index.packages / "acme_tools-1.0.tar.gz").write_bytes(b"x")
    (fresh_index.packages / "acme_tool-1.0.tar.gz").write_bytes(b"x")
    out = tmp_path / "plan.json"
    done = cli(
        "plan",
        "acme-tools",
        "--stdlib",
        "--index",
        fresh_index.simple_url,
        "--budget",
        "3",
        "--cache-dir",
        str(tmp_path / "cache"),
        "-o",
        str(out),
    )
    assert done.returncode == 0, done.stderr
    entries = {e.name: e for e in load_plan(out).entries}
    # A private index refuses nothing: the stdlib names themselves need placeholders there.
    assert entries["telnetlib"].status == "free" and entries["telnetlib"].category == "removed"
    assert entries["acme-tool"].status == "taken"
    assert sum(e.target == "acme-tools" and e.status == "free" for e in entries.values()) == 3


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (["generate", "--offline"], "no targets"),
        (["generate", "re quests", "--offline"], "target 're quests'"),
        (["generate", "reqeusts", "--index", "LISTING"], "unknown target 'reqeusts'"),
        (["generate", "requests", "--index", "CORRUPT"], "not a PEP 691 project listing"),
        (["generate", "requests", "--index", "LISTING", "--offline"], "exclude each other"),
        (["generate", "requests", "--offline", "--format", "xml"], "--format must be"),
        (["generate", "requests", "--offline", "--registry", "npm"], "unknown registry profile"),
        (["generate", "requests", "--offline", "--layout", "dvorak"], "unknown keyboard layout"),
        (["evaluate", "--dataset", "CORRUPT"], "row 1"),
        (["evaluate", "--split", "test"], "--split must be one of"),
    ],
)
def test_bad_input_is_one_line_and_exit_2(
    cli: Cli, listing: Path, tmp_path: Path, args: list[str], message: str
) -> None:
    corrupt = tmp_path / "corrupt.json"
    corrupt.write_text('{"projects": [')
    argv = [str(listing) if a == "LISTING" else str(corrupt) if a == "CORRUPT" else a for a in args]
    done = cli(*argv)
    assert done.returncode == 2
    assert done.stderr.startswith("error: ") and message in done.stderr
    assert len(done.stderr.strip().splitlines()) == 1


@pytest.fixture
def fake_index() -> Iterator[FakeIndex]:
    """The shared fake (tests/fake_index.py) on loopback: the CLI takes an index URL."""
    with FakeIndex() as fake:
        yield fake


def test_no_plan_is_written_when_the_index_fails(
    cli: Cli, fake_index: FakeIndex, tmp_path: Path
) -> None:
    # A login page where the listing should be (pypiserver cannot be made to send one).
    fake_index.routes["/simple/"] = Route(
        b"<html><body>Please log in</body></html>", headers={"Content-Type": "text/html"}
    )
    out = tmp_path / "plan.json"
    done = cli(
        "plan",
        *(f"pkg{i}" for i in range(12)),
        "--index",
        fake_index.url,
        "-o",
        str(out),
        "--cache-dir",
        str(tmp_path / "cache"),
    )
    assert done.returncode == 2 and "no project links" in done.stderr
    assert not out.exists()


def test_a_small_run_falls_back_to_per_name_lookups(cli: Cli, fake_index: FakeIndex) -> None:
    # An index with a page per name and no listing (pypiserver always serves its listing).
    best = generate_candidates("acme")[0].name
    fake_index.routes["/simple/acme/"] = Route(b"<html></html>")
    fake_index.routes[f"/simple/{best}/"] = Route(b"<html></html>")
    done = cli(
        "generate",
        "acme",
        "--index",
        fake_index.url,
        "--budget",
        "2",
        "-f",
        "json",
        "--registry",
        "private",
    )
    assert done.returncode == 0, done.stderr
    rows = json.loads(done.stdout)
    assert [r["status"] for r in rows[:2]] == ["free", "free"]
    assert {"name": best, "status": "taken"}.items() <= next(
        r for r in rows if r["name"] == best
    ).items()
    assert len(fake_index.requests) < 20


def test_evaluate_reports_overall_and_per_kind(cli: Cli) -> None:
    from reserver.evaluation.squats import classify, default_dataset, load_dataset, split_dataset

    done = cli("evaluate", "--budget", "25", "-f", "json")
    assert done.returncode == 0, done.stderr
    report = json.loads(done.stdout)
    held_out = split_dataset(load_dataset(default_dataset()), "validation")
    assert report["split"] == "validation"
    assert report["squats"] == len(held_out) and 0 < report["share"] <= 1
    assert sum(row["squats"] for row in report["per_kind"]) == len(held_out)
    assert {row["kind"] for row in report["per_kind"]} == {classify(a) for a in held_out}


def test_evaluate_can_measure_every_row(cli: Cli) -> None:
    from reserver.evaluation.squats import default_dataset, load_dataset

    done = cli("evaluate", "--budget", "10", "--split", "all", "-f", "json")
    assert done.returncode == 0, done.stderr
    report = json.loads(done.stdout)
    assert report["split"] == "all"
    assert report["squats"] == len(load_dataset(default_dataset()))


def test_errors_from_the_installed_command_are_one_line(tmp_path: Path) -> None:
    # The console script pip installs, in a process of its own: its entry point is the test.
    reserver = Path(sys.executable).parent / "reserver"
    done = subprocess.run([str(reserver), "generate", "--offline"], capture_output=True, text=True)
    assert done.returncode == 2
    assert done.stderr.strip() == (
        "error: no targets: give TARGET names, --stdlib, --top N or --targets-file FILE"
    )


# -- -q, -v and --format csv: the conventions every command shares (README) -------------------


def test_quiet_plan_and_generate_print_their_output_alone(cli: Cli, tmp_path: Path) -> None:
    plan = cli("plan", "-q", "-n", "pwd", "requests", "--budget", "2", "--offline",
               "-o", str(tmp_path / "plan.json"))  # fmt: skip
    assert (plan.returncode, plan.stdout, plan.stderr) == (0, "", "")  # no "wrote ...", no summary
    assert len(load_plan(tmp_path / "plan.json").entries) == 3
    written = cli("-q", "generate", "requests", "--budget", "2", "--offline", "-f", "json",
                  "-o", str(tmp_path / "g.json"))  # fmt: skip
    assert (written.returncode, written.stdout, written.stderr) == (0, "", "")
    shown = cli("generate", "requests", "--budget", "2", "--offline", "-f", "json", "-q")
    assert len(json.loads(shown.stdout)) == 2 and shown.stderr == ""


def test_verbose_says_each_step_and_target_on_stderr(
    cli: Cli, listing: Path, tmp_path: Path
) -> None:
    done = cli("generate", "requests", "colorama", "--index", str(listing), "--budget", "2",
               "-f", "json", "-v")  # fmt: skip
    assert done.returncode == 0, done.stderr
    assert len(json.loads(done.stdout)) >= 4  # stdout is the JSON alone
    assert "targets to protect: 2" in done.stderr
    assert f"{listing}: 5 projects (a saved listing)" in done.stderr
    assert "requests: 2 names to hold, 1 blocked or taken" in done.stderr
    plan = cli("plan", "-v", "requests", "--budget", "2", "--offline", "-o", str(tmp_path / "p"))
    assert "wrote" in plan.stdout and "requests: 2 names to hold" in plan.stderr


def test_evaluate_csv_is_the_tables_rows(cli: Cli) -> None:
    as_json = json.loads(cli("evaluate", "--budget", "5", "-f", "json").stdout)
    done = cli("evaluate", "--budget", "5", "-f", "csv")
    assert done.returncode == 0, done.stderr
    rows = list(csv.DictReader(io.StringIO(done.stdout)))
    assert [r["kind"] for r in rows] == [r["kind"] for r in as_json["per_kind"]]
    assert [int(r["squats"]) for r in rows] == [r["squats"] for r in as_json["per_kind"]]
    assert list(rows[0]) == ["kind", "squats", "reserved", "blocked", "missed", "share"]


def test_evaluate_hits_csv_has_a_row_per_kind_and_position(cli: Cli, tmp_path: Path) -> None:
    feed = tmp_path / "hits.csv"
    feed.write_text(
        "name,target,category,kind,position,hits\n"
        "reqeusts,requests,typo,transposition,late,3\n"
        "pwd,,stdlib,stdlib,,2\n"
    )
    done = cli("evaluate", "--hits", str(feed), "-f", "csv")
    assert done.returncode == 0, done.stderr
    rows = list(csv.DictReader(io.StringIO(done.stdout)))
    assert {r["by"] for r in rows} == {"kind", "position"}
    assert {(r["key"], r["hits"]) for r in rows if r["by"] == "kind"} == {
        ("transposition", "3"),
        ("stdlib", "2"),
    }
    table, quiet = cli("evaluate", "--hits", str(feed)), cli("evaluate", "--hits", str(feed), "-q")
    assert "model expected:" in table.stdout and "model expected:" not in quiet.stdout  # the legend
    assert "Blocked installs by kind" in quiet.stdout
