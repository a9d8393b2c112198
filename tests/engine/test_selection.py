"""Ranking under a budget and the selection API: budgets, blocked names, stdlib, plan entries."""

from __future__ import annotations

import json
import zipfile
from pathlib import Path

import pytest

from reserver.errors import ReserverError
from reserver.names.candidates import generate_candidates
from reserver.names.normalize import canonicalize
from reserver.names.ranking import apply_total_budget, budget_for, rank_target
from reserver.names.rules import BLOCKED, EMPTY, PRIVATE, PYPI, TAKEN, KnownNames, name_status
from reserver.names.targets import GIVEN, INTERNAL, POPULAR, STDLIB, Target
from reserver.plan.model import make_plan
from reserver.selection.entries import to_plan_entries
from reserver.selection.model import SelectionOptions, SelectionRequest
from reserver.selection.run import run_selection
from reserver.selection.select import select
from reserver.targets.files import read_targets_file
from reserver.targets.popularity import bundled_popular, stdlib_demand
from reserver.targets.wheels import import_names_from_wheel


def _free(rows: list) -> list:  # type: ignore[type-arg]
    return [r for r in rows if r.status in ("free", "unchecked")]


def test_budget_counts_only_names_that_can_be_reserved() -> None:
    # The two likeliest candidates exist already: the budget goes to the next five.
    best = [c.name for c in generate_candidates("requests")]
    known = KnownNames.from_names(["requests", *best[:2]], complete=True)
    selection = select([Target("requests", GIVEN)], known, PYPI, SelectionOptions(budget=5))
    statuses = [r.status for r in selection.names]
    assert statuses[:5] == ["free"] * 5
    skipped = {r.name: r.status for r in selection.names[5:]}
    assert skipped[best[0]] == TAKEN and skipped[best[1]] == TAKEN


def test_selected_names_come_in_score_order_then_the_skipped() -> None:
    # No budget: every candidate is chosen or skipped, whatever the fitted order.
    known = KnownNames.from_names(["python-dateutil"], complete=True)
    selection = select(
        [Target("python-dateutil", GIVEN)], known, PYPI, SelectionOptions(budget=None)
    )
    chosen = _free(list(selection.names))
    assert [r.score for r in chosen] == sorted((r.score for r in chosen), reverse=True)
    rows = {r.name: r for r in selection.names}
    assert rows["dateutil"].category == "import" and rows["dateutil"].status == "free"
    assert all((r.category == "import") == (r.kind == "import_name") for r in chosen)
    blocked = [r for r in selection.names if r.status == BLOCKED]
    assert any(r.name == "pythondateutil" and "too similar" in r.reason for r in blocked)
    assert selection.names[-len(blocked) :] == tuple(blocked)


def test_a_budget_takes_the_head_of_the_unbudgeted_order() -> None:
    known = KnownNames.from_names(["python-dateutil"], complete=True)
    target = [Target("python-dateutil", GIVEN)]
    everything = _free(list(select(target, known, PYPI, SelectionOptions(budget=None)).names))
    ten = _free(list(select(target, known, PYPI, SelectionOptions(budget=10)).names))
    assert [r.name for r in ten] == [r.name for r in everything[:10]]


def test_a_private_index_has_no_blocked_look_alikes() -> None:
    known = KnownNames.from_names(["python-dateutil"], complete=True)
    selection = select(
        [Target("python-dateutil", GIVEN)], known, PRIVATE, SelectionOptions(budget=None)
    )
    assert not [r for r in selection.names if r.status == BLOCKED]
    assert "pythondateutil" in {r.name for r in _free(list(selection.names))}


def test_the_same_input_gives_the_same_selection() -> None:
    targets = [Target(n, GIVEN) for n in ("requests", "numpy", "django", "six")]
    first = select(targets, EMPTY, PYPI, SelectionOptions(budget=25))
    again = select(list(targets), EMPTY, PYPI, SelectionOptions(budget=25))
    assert first.names == again.names


def test_a_name_is_claimed_once_across_targets() -> None:
    selection = select(
        [Target("colorama", GIVEN), Target("colourama", GIVEN)],
        EMPTY,
        PYPI,
        SelectionOptions(budget=30),
    )
    names = [r.name for r in selection.names]
    assert len(names) == len(set(names))
    # Each target is the other's typo: both are known to exist, so neither is planned.
    statuses = {r.name: r.status for r in selection.names}
    assert statuses.get("colourama", TAKEN) == TAKEN


def test_total_budget_keeps_the_best_across_targets() -> None:
    popular = Target("requests", POPULAR, harm=1.0)
    obscure = Target("tinylib", POPULAR, harm=0.2)
    selection = select(
        [popular, obscure], EMPTY, PYPI, SelectionOptions(budget=10, total_budget=12)
    )
    chosen = _free(list(selection.names))
    assert len(chosen) == 12
    assert sum(r.target == "requests" for r in chosen) == 10


def test_popular_targets_may_earn_more() -> None:
    assert budget_for(10, 1.0, popular_bonus=1.0) == 20
    assert budget_for(10, 0.1, popular_bonus=1.0) == 11
    selection = select(
        [Target("requests", POPULAR, harm=1.0)],
        EMPTY,
        PYPI,
        SelectionOptions(budget=10, popular_bonus=1.0),
    )
    assert len(_free(list(selection.names))) == 20


def test_apply_total_budget_is_deterministic_on_ties() -> None:
    status = lambda n: name_status(n, PYPI)  # noqa: E731
    rankings = [rank_target(Target(t, GIVEN), 5, status) for t in ("abcdef", "ghijkl")]
    assert apply_total_budget(rankings, 3) == apply_total_budget(list(rankings), 3)


def test_stdlib_names_are_blocked_on_pypi_and_planned_on_a_private_index() -> None:
    targets = [Target("telnetlib", STDLIB, 0.5), Target("pwd", STDLIB, 0.5)]
    on_pypi = select(targets, EMPTY, PYPI, SelectionOptions(budget=2))
    rows = {r.name: r for r in on_pypi.names}
    assert rows["telnetlib"].status == BLOCKED and rows["telnetlib"].category == "removed"
    private = select(targets, EMPTY, PRIVATE, SelectionOptions(budget=2))
    entries = {e.name: e for e in to_plan_entries(private)}
    assert entries["telnetlib"].category == "removed" and entries["telnetlib"].removed_in == "3.13"
    assert entries["telnetlib"].replacement == "telnetlib3"
    assert entries["pwd"].category == "stdlib" and entries["pwd"].status == "unchecked"
    assert sum(e.target == "telnetlib" for e in entries.values()) == 2


def test_plan_entries_keep_blocked_names_and_build_skips_them() -> None:
    # The likeliest candidate is made "too similar" to a listed project, so it is met
    # (and blocked) before the budget is spent, whatever the fitted order.
    best = generate_candidates("python-dateutil")[0].name
    twin = best.replace("-", "") if "-" in best else f"{best[0]}-{best[1:]}"
    known = KnownNames.from_names(["python-dateutil", twin], complete=True)
    selection = select([Target("python-dateutil", GIVEN)], known, PYPI, SelectionOptions(budget=5))
    plan = make_plan(to_plan_entries(selection))
    blocked = [e for e in plan.entries if e.status == BLOCKED]
    assert best in {e.name for e in blocked}
    assert blocked and all(e.reason for e in blocked)
    assert len(plan.buildable()) == 5
    assert all(e.kind != "explicit" and e.score > 0 for e in plan.entries)


def test_targets_file_marks_internal_names(tmp_path: Path) -> None:
    path = tmp_path / "targets.txt"
    path.write_text("# ours\nacme-tools\nacme-secret internal  # never public\n\n")
    targets = read_targets_file(path)
    assert [(t.name, t.source) for t in targets] == [
        ("acme-tools", "file"),
        ("acme-secret", INTERNAL),
    ]
    selection = select(targets, EMPTY, PYPI, SelectionOptions(budget=3))
    internal = [r for r in selection.names if r.category == "internal"]
    assert [r.name for r in internal] == ["acme-secret"]
    (entry,) = [e for e in to_plan_entries(selection) if e.name == "acme-secret"]
    assert (entry.category, entry.target) == ("internal", None)


@pytest.mark.parametrize(
    ("text", "message"),
    [("", "no target names"), ("good\nbad name here\n", ":2:"), ("-x\n", ":1:")],
)
def test_bad_targets_files_are_refused_with_the_line(
    tmp_path: Path, text: str, message: str
) -> None:
    path = tmp_path / "t.txt"
    path.write_text(text)
    with pytest.raises(ReserverError, match=message):
        read_targets_file(path)


def test_import_names_are_derived_from_a_wheel(tmp_path: Path) -> None:
    wheel = tmp_path / "acme_vision-1.0-py3-none-any.whl"
    with zipfile.ZipFile(wheel, "w") as archive:
        archive.writestr("acmecv/__init__.py", "")
        archive.writestr("acme_vision-1.0.dist-info/METADATA", "Name: acme-vision\n")
        archive.writestr(
            "acme_vision-1.0.dist-info/RECORD",
            "acmecv/__init__.py,,\nacme_vision-1.0.dist-info/RECORD,,\n",
        )
    assert import_names_from_wheel(wheel) == ("acme-vision", ("acmecv",))
    request = SelectionRequest(
        targets=("acme-vision",),
        offline=True,
        wheels=(wheel,),
        options=SelectionOptions(budget=None),
    )
    rows = {r.name: r for r in run_selection(request).names}
    assert rows["acmecv"].category == "import" and rows["acmecv"].target == "acme-vision"


def test_no_targets_is_an_error() -> None:
    with pytest.raises(ReserverError, match="no targets"):
        run_selection(SelectionRequest(offline=True))


def test_popularity_without_top_is_an_error() -> None:
    with pytest.raises(ReserverError, match="--top"):
        run_selection(SelectionRequest(targets=("requests",), popularity="x.json", offline=True))


def test_stdlib_modules_people_ask_pip_for_get_more_of_a_total_budget(tmp_path: Path) -> None:
    # A popularity file where "asyncio" is downloaded as often as a top project (people who
    # meant the standard library), and "colorsys" is not listed at all.
    rows = [{"project": "requests", "download_count": 1_000_000},
            {"project": "asyncio", "download_count": 500_000},
            {"project": "tinylib", "download_count": 10}]  # fmt: skip
    popularity = tmp_path / "top.json"
    popularity.write_text(json.dumps({"last_update": "2026-11-30", "rows": rows}))
    request = SelectionRequest(
        targets=(), stdlib=True, popularity=str(popularity), offline=True,
        options=SelectionOptions(budget=3, total_budget=30),
    )  # fmt: skip
    chosen = [r.target for r in _free(list(run_selection(request).names))]
    assert chosen.count("asyncio") == 3  # measured demand: its full budget
    assert chosen.count("colorsys") == 0  # unmeasured: at most the least popular's harm


def test_a_volunteers_total_budget_goes_where_the_installs_are() -> None:
    # The plan: the top 50 and the standard library, 5 names each, 400 in all.
    request = SelectionRequest(
        targets=(), stdlib=True, top=50, offline=True,
        options=SelectionOptions(budget=5, total_budget=400),
    )  # fmt: skip
    chosen = [r.target for r in _free(list(run_selection(request).names))]
    top = {p.project for p in bundled_popular()[:50]}
    demand, floor = stdlib_demand(bundled_popular())
    modules = {t for t in chosen if t not in top}
    # Every popular project gets its full 5 before a little-asked module gets any.
    assert all(chosen.count(t) == 5 for t in top)
    # The rest goes to modules people are known or predicted to ask pip for; none to the
    # modules without evidence (uu, nt, tty, sre_*), which once took 112 of 250 names.
    assert modules and all(demand.get(canonicalize(m), floor) > floor for m in modules)
    assert {"asyncio", "argparse"} <= modules and not {"uu", "nt", "tty"} & modules


def test_stdlib_demand_follows_measured_use_where_pip_demand_is_not_measured() -> None:
    # The bundled popularity data lists no project named urllib, xml, pwd or idlelib, and
    # telnetlib left the standard library in 3.13.
    demand, floor = stdlib_demand(bundled_popular())
    by_name = {canonicalize(p.project): p for p in bundled_popular()}
    assert "standard-telnetlib" in by_name and "telnetlib" not in by_name
    # A removed module is asked for as often as its drop-in is installed.
    assert demand["telnetlib"] == demand["standard-telnetlib"] > floor
    # Modules many widely used projects import outweigh ones almost none import.
    assert demand["urllib"] > demand["pwd"] > demand["idlelib"] >= floor
    assert demand["xml"] > demand["idlelib"]
    # Measured demand is kept as measured.
    assert demand["asyncio"] == demand[canonicalize("asyncio")] > demand["urllib"]


def test_a_total_budget_counts_every_name_to_build_on_a_private_index() -> None:
    # On a private index the standard-library names themselves are held too: they count
    # against the total and compete with the typos by harm; internal names always go first.
    targets = [Target("acme-core", INTERNAL), Target("requests", POPULAR, harm=0.5),
               Target("asyncio", STDLIB, 0.9), Target("pwd", STDLIB, 1e-5)]  # fmt: skip
    selection = select(targets, EMPTY, PRIVATE, SelectionOptions(budget=5, total_budget=4))
    built = [(r.name, r.category) for r in _free(list(selection.names))]
    assert len(built) == 4
    assert ("acme-core", "internal") in built and ("asyncio", "stdlib") in built
    assert ("pwd", "stdlib") not in built  # one install in 100,000 of asyncio's
    with pytest.raises(ReserverError, match="2 internal names"):
        select([Target("a-one", INTERNAL), Target("a-two", INTERNAL)], EMPTY, PRIVATE,
               SelectionOptions(total_budget=1))  # fmt: skip


def test_a_module_named_like_a_public_project_is_not_held_as_itself() -> None:
    # importlib.metadata is also importlib-metadata, a backport installed 400 million times a
    # month: a placeholder of that name on a private index would hide it.
    request = SelectionRequest(
        targets=(), stdlib=True, offline=True, registry="private",
        options=SelectionOptions(budget=1),
    )  # fmt: skip
    rows = {r.name: r for r in run_selection(request).names}
    assert rows["importlib.metadata"].status == BLOCKED
    assert "public project" in rows["importlib.metadata"].reason
    assert rows["pwd"].status != BLOCKED  # no public project of that name


def test_a_module_named_as_a_target_has_look_alikes_anyone_may_register() -> None:
    # PyPI has no project "telnetlib" (it refuses the name), so nothing is "too similar" to
    # it: its look-alikes stay to hold. "asyncio" is a project registered before that rule.
    rows = select(
        [Target("telnetlib", GIVEN), Target("asyncio", GIVEN)],
        KnownNames.from_names(["asyncio"], complete=True),
        PYPI,
        SelectionOptions(budget=400),
    ).names
    status = {(r.target, r.name): r.status for r in rows}
    assert status[("telnetlib", "te1netlib")] == "free"
    assert status[("telnetlib", "telnet-lib")] == "free"
    assert status[("asyncio", "async1o")] == BLOCKED
    # Offline, the bundled list of standard-library names that are projects says the same.
    offline = select(
        [Target("telnetlib", GIVEN), Target("asyncio", GIVEN)], EMPTY, PYPI,
        SelectionOptions(budget=400),
    ).names  # fmt: skip
    status = {(r.target, r.name): r.status for r in offline}
    assert status[("telnetlib", "te1netlib")] == "unchecked"
    assert status[("asyncio", "async1o")] == BLOCKED


def test_a_module_named_as_a_target_need_not_be_on_the_index(tmp_path: Path) -> None:
    listing = tmp_path / "simple.json"
    projects = [{"name": n} for n in ("requests", "asyncio")]
    listing.write_text(json.dumps({"meta": {"api-version": "1.1"}, "projects": projects}))
    request = SelectionRequest(targets=("telnetlib", "requests"), index=str(listing))
    names = {r.name for r in run_selection(request).names}
    assert "te1netlib" in names and "reqeusts" in names
    with pytest.raises(ReserverError, match="unknown target 'telnetlb'"):
        run_selection(SelectionRequest(targets=("telnetlb",), index=str(listing)))


def test_the_bundled_module_projects_are_module_names_on_the_listing() -> None:
    from reserver.names.stdlib import prohibited_stdlib_names, stdlib_projects

    projects = stdlib_projects()
    assert {"asyncio", "typing", "importlib-metadata"} <= projects
    assert projects <= prohibited_stdlib_names() and "telnetlib" not in projects


def test_a_module_that_is_also_a_project_exists_on_pypi_offline_too() -> None:
    # --stdlib offline: "asyncio" is a PyPI project (registered before the rule), so it is
    # taken and its look-alikes are refused; "telnetlib" is refused as a module name only.
    targets = [Target("asyncio", STDLIB, 0.5), Target("telnetlib", STDLIB, 0.5)]
    selected = select(targets, EMPTY, PYPI, SelectionOptions(budget=400)).names
    rows = {(r.target, r.name): r.status for r in selected}
    assert rows[(None, "asyncio")] == TAKEN and rows[(None, "telnetlib")] == BLOCKED
    reasons = {r.name: r.reason for r in selected if r.target is None}
    assert reasons["asyncio"].startswith("a PyPI project has this name")
    assert rows[("asyncio", "async1o")] == BLOCKED
    assert rows[("telnetlib", "te1netlib")] == "unchecked"
