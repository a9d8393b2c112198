"""The package's imports point one way: from the command line to the stages, from the stages
to infrastructure and the pure core, never back (README, "Architecture")."""

from __future__ import annotations

import ast
from collections.abc import Iterator, Mapping
from dataclasses import dataclass
from pathlib import Path

import pytest

import reserver

ROOT = Path(reserver.__file__).parent

#: The pure core: the name engine and its typo model. They use each other (the model
#: canonicalises with ``names.normalize``; the fuzzers rank with the model), so the cycle
#: check counts them as one unit.
CORE = frozenset({"names", "typo"})

#: Infrastructure: reading and writing files, closing what was opened, talking to indexes. It
#: knows the core's types (a listing is a set of canonical names) and nothing of the stages
#: that use it.
INFRASTRUCTURE = frozenset({"_files", "_closing", "index"})

#: What each top-level module or package may import from reserver besides itself. A new
#: package needs a line here: where it sits is a decision to make in review, not by accident.
#: ``__init__`` stands for ``from reserver import __version__``.
ALLOWED: Mapping[str, frozenset[str]] = {
    "__init__": frozenset(),
    "errors": frozenset(),
    "_gcpause": frozenset(),
    "_fork": frozenset(),
    "_files": frozenset({"errors"}),
    "_closing": frozenset(),
    "_rates": frozenset({"errors"}),
    "names": frozenset({"errors", "typo"}),
    "typo": frozenset({"errors", "names"}),
    "index": frozenset({"errors", "_files", "_closing", "names"}),
    "targets": frozenset({"errors", "_files", "names", "typo", "index"}),
    "plan": frozenset({"errors", "_files", "_gcpause", "names", "typo", "index"}),
    "selection": frozenset({"errors", "_files", "_gcpause", "_fork", "names", "typo", "index"})
    | {"targets", "plan"},
    "placeholder": frozenset({"errors", "_files", "names", "typo", "plan"}),
    "publish": frozenset({"errors", "_files", "_closing", "_rates", "names", "typo", "index"})
    | {"plan"}
    | {"placeholder"},
    "guard": frozenset({"__init__", "errors", "_files", "_fork", "_gcpause", "names", "typo"})
    | {"index", "targets", "plan", "publish"},
    "evaluation": frozenset({"errors", "_files", "_gcpause", "names", "typo", "selection"}),
    "stats": frozenset({"errors", "_files", "_rates", "names", "typo", "index", "plan"})
    | {"placeholder", "evaluation"},
    "demo": frozenset({"errors", "_files", "_gcpause", "names", "typo", "index", "targets"})
    | {"selection", "plan", "placeholder", "publish", "stats"},
    "config": frozenset({"errors", "_files", "plan"}),
    "cli": frozenset({"__init__", "errors", "_files", "_gcpause", "_rates", "config", "names"})
    | {"typo"}
    | {"index", "targets", "selection", "plan", "placeholder", "publish", "guard"}
    | {"evaluation", "stats", "demo"},
    "__main__": frozenset({"cli"}),
}

#: Modules that reach the network, other processes, a database or the file system beyond
#: the core's own bundled data (which it reads with importlib.resources). ``urllib.parse``
#: is pure and allowed; ``urllib.request`` is not.
IO_MODULES = frozenset(
    {
        "asyncio",
        "concurrent",
        "ftplib",
        "http",
        "httpx",
        "multiprocessing",
        "os",
        "platformdirs",
        "requests",
        "shutil",
        "smtplib",
        "socket",
        "sqlalchemy",
        "sqlite3",
        "ssl",
        "subprocess",
        "tempfile",
        "threading",
        "urllib.request",
        "webbrowser",
    }
)

#: What may sit at the top of reserver/: the package, its entry points, configuration and
#: errors, and private helpers (a leading underscore). Every stage is a package.
TOP_LEVEL_MODULES = frozenset({"__init__", "__main__", "cli", "config", "errors"})


@dataclass(frozen=True)
class Import:
    """One import statement of a module, resolved to an absolute module name."""

    module: str
    """The importing module, e.g. ``reserver.selection.run``."""
    target: str
    """The imported module, e.g. ``reserver.targets.files`` or ``httpx``."""
    line: int

    @property
    def unit(self) -> str:
        return unit_of(self.module)

    @property
    def target_unit(self) -> str | None:
        """The top-level module or package of reserver imported, None outside reserver."""
        return unit_of(self.target) if self.target.startswith("reserver.") else None

    def __str__(self) -> str:
        return f"{self.module}:{self.line} imports {self.target}"


def unit_of(module: str) -> str:
    """``reserver.selection.run`` -> ``selection``; ``reserver`` -> ``__init__``."""
    parts = module.split(".")
    return parts[1] if len(parts) > 1 else "__init__"


def module_name(path: Path, root: Path = ROOT) -> str:
    parts = ("reserver", *path.relative_to(root).with_suffix("").parts)
    return ".".join(parts[:-1] if parts[-1] == "__init__" else parts)


def is_package(path: Path) -> bool:
    return path.name == "__init__.py"


def source_files(root: Path = ROOT) -> list[Path]:
    # Templates are rendered into placeholders, not imported by reserver.
    return sorted(p for p in root.rglob("*.py") if "templates" not in p.relative_to(root).parts)


def imports_of(path: Path, root: Path = ROOT) -> Iterator[Import]:
    """Every import in the file, at module level or inside a function (a lazy import is still
    a dependency), each resolved to an absolute module name."""
    module = module_name(path, root)
    package = module if is_package(path) else module.rpartition(".")[0]
    for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"), str(path))):
        if isinstance(node, ast.Import):
            for alias in node.names:
                yield Import(module, alias.name, node.lineno)
        elif isinstance(node, ast.ImportFrom):
            if node.level:
                base = package.split(".")[: len(package.split(".")) - (node.level - 1)]
                source = ".".join([*base, node.module] if node.module else base)
            else:
                source = node.module or ""
            if source == "reserver":
                # ``from reserver import cli`` names a module; ``import __version__`` does not.
                for alias in node.names:
                    is_module = (root / alias.name).is_dir() or (root / f"{alias.name}.py").exists()
                    yield Import(
                        module, f"reserver.{alias.name}" if is_module else source, node.lineno
                    )
            else:
                yield Import(module, source, node.lineno)


def all_imports(root: Path = ROOT) -> list[Import]:
    return [i for path in source_files(root) for i in imports_of(path, root)]


def does_io(module: str) -> bool:
    return any(module == m or module.startswith(m + ".") for m in IO_MODULES)


def forbidden(imports: list[Import]) -> list[str]:
    """Every import that breaks a rule, one line each; empty when the layout holds."""
    problems: list[str] = []
    for imp in imports:
        target = imp.target_unit
        if imp.unit in CORE and does_io(imp.target):
            problems.append(f"{imp}: the core does no I/O")
        if target is None or target == imp.unit:
            continue
        if target == "cli" and imp.unit != "__main__":
            problems.append(f"{imp}: only the entry point imports the command line")
        elif imp.unit in INFRASTRUCTURE and target not in {"errors", "_files", "_closing", *CORE}:
            problems.append(f"{imp}: infrastructure imports no stage")
        elif imp.unit in CORE and target not in {"errors", *CORE}:
            problems.append(f"{imp}: the core imports nothing from the edges")
        elif target not in ALLOWED.get(imp.unit, frozenset()):
            problems.append(f"{imp}: {imp.unit} may not import {target} (see ALLOWED)")
    return problems


def package_graph(imports: list[Import]) -> dict[str, set[str]]:
    """Which top-level unit imports which, with the core counted as one unit."""

    def node(unit: str) -> str:
        return "names+typo" if unit in CORE else unit

    graph: dict[str, set[str]] = {}
    for imp in imports:
        target = imp.target_unit
        if target is not None and node(target) != node(imp.unit):
            graph.setdefault(node(imp.unit), set()).add(node(target))
    return graph


def find_cycle(graph: Mapping[str, set[str]]) -> list[str] | None:
    """A cycle of ``graph`` as the list of its nodes (first repeated at the end), or None."""
    done: set[str] = set()

    def visit(node: str, path: list[str]) -> list[str] | None:
        if node in path:
            return [*path[path.index(node) :], node]
        if node in done:
            return None
        for nxt in sorted(graph.get(node, ())):
            cycle = visit(nxt, [*path, node])
            if cycle is not None:
                return cycle
        done.add(node)
        return None

    for start in sorted(graph):
        cycle = visit(start, [])
        if cycle is not None:
            return cycle
    return None


@pytest.fixture(scope="module")
def imports() -> list[Import]:
    found = all_imports()
    # A walk that found nothing would let every rule below pass on nothing.
    assert len({i.module for i in found}) > 100
    return found


def test_every_top_level_module_and_package_has_a_place_in_the_rules() -> None:
    units = {unit_of(module_name(p)) for p in source_files()}
    assert units - ALLOWED.keys() == set()


def test_only_entry_points_configuration_errors_and_private_helpers_sit_at_the_top() -> None:
    loose = {
        p.stem
        for p in ROOT.glob("*.py")
        if p.stem not in TOP_LEVEL_MODULES and not p.stem.startswith("_")
    }
    assert loose == set()


def test_the_core_imports_nothing_with_io_and_nothing_from_the_edges(
    imports: list[Import],
) -> None:
    core = [i for i in imports if i.unit in CORE]
    assert core
    assert forbidden(core) == []


def test_nothing_but_the_entry_point_imports_the_command_line(imports: list[Import]) -> None:
    assert [
        str(i) for i in imports if i.target_unit == "cli" and i.unit not in {"cli", "__main__"}
    ] == []


def test_infrastructure_imports_no_domain_module(imports: list[Import]) -> None:
    assert forbidden([i for i in imports if i.unit in INFRASTRUCTURE]) == []


def test_each_package_imports_only_what_the_rules_allow(imports: list[Import]) -> None:
    assert forbidden(imports) == []


def test_no_cycles_between_packages(imports: list[Import]) -> None:
    assert find_cycle(package_graph(imports)) is None


def test_a_forbidden_import_is_caught(tmp_path: Path) -> None:
    # The rules above would pass on a walk that resolved nothing; this copy breaks each one.
    copy = tmp_path / "reserver"
    for path in source_files():
        target = copy / path.relative_to(ROOT)
        target.parent.mkdir(parents=True, exist_ok=True)
        target.write_text(path.read_text(encoding="utf-8"), encoding="utf-8")
    breaks = {
        "names/normalize.py": "import httpx\n",
        "typo/kinds.py": "from ..plan.model import Plan\n",
        "index/listing.py": "from ..selection.model import Selection\n",
        "plan/model.py": "from ..cli import main\n",
        "targets/files.py": "from ..selection.run import run_selection\n",
    }
    for name, line in breaks.items():
        path = copy / name
        path.write_text(path.read_text(encoding="utf-8") + line, encoding="utf-8")
    problems = "\n".join(forbidden(all_imports(copy)))
    assert "reserver.names.normalize" in problems and "the core does no I/O" in problems
    assert "reserver.typo.kinds" in problems and "the core imports nothing" in problems
    assert "reserver.index.listing" in problems and "infrastructure imports no stage" in problems
    assert "reserver.plan.model" in problems and "only the entry point" in problems
    assert "targets may not import selection" in problems
    assert find_cycle(package_graph(all_imports(copy))) is not None
