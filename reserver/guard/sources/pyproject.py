"""pyproject.toml: PEP 621 dependencies and extras, PEP 735 groups, build requirements, and
Poetry's own dependency tables; Pipenv's Pipfile, TOML too."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from packaging.requirements import InvalidRequirement, Requirement

from ...errors import excerpt
from ..errors import InputFileError
from ..model import Dependency, Location
from ._text import FirstLines, line_of, read_toml

#: Keys of Poetry dependency tables that are not packages.
_POETRY_NOT_PACKAGES = frozenset({"python"})
#: Pipfile tables that are not package categories.
_PIPFILE_NOT_PACKAGES = frozenset({"source", "requires", "scripts", "pipenv"})


def read_pyproject(path: Path) -> list[Dependency]:
    """Every package name the project declares, in any table that names packages."""
    data, text = read_toml(path)
    lines = FirstLines(text)
    found: list[Dependency] = []

    def pep508(value: object, context: str) -> None:
        if not isinstance(value, str):
            where = Location(str(path), line_of(text, context.split(".")[-1]))
            raise InputFileError(where, f"{context}: expected a requirement string")
        where = Location(str(path), lines.string(value))
        try:
            found.append(Dependency(Requirement(value).name, where))
        except InvalidRequirement as exc:
            reason = str(exc).splitlines()[0][:200]  # packaging's words; the value is quoted
            raise InputFileError(where, f"invalid requirement {excerpt(value)}: {reason}") from None

    def pep508_list(value: object, context: str) -> None:
        if not isinstance(value, list):
            where = Location(str(path), line_of(text, context.split(".")[-1]))
            raise InputFileError(where, f"{context} must be a list of requirement strings")
        for item in value:
            pep508(item, context)

    build = _table(data, "build-system")
    if "requires" in build:
        pep508_list(build["requires"], "build-system.requires")
    project = _table(data, "project")
    if "dependencies" in project:
        pep508_list(project["dependencies"], "project.dependencies")
    for extra, items in _table(project, "optional-dependencies").items():
        pep508_list(items, f"project.optional-dependencies.{extra}")
    for group, items in _table(data, "dependency-groups").items():
        if not isinstance(items, list):
            raise InputFileError(
                Location(str(path), line_of(text, group)),
                f"dependency-groups.{group} must be a list",
            )
        for item in items:
            if isinstance(item, dict) and "include-group" in item:
                continue  # PEP 735: names another group, already read on its own
            pep508(item, f"dependency-groups.{group}")
    poetry = _table(_table(data, "tool"), "poetry")
    tables = [_table(poetry, "dependencies"), _table(poetry, "dev-dependencies")]
    tables += [_table(group, "dependencies") for group in _table(poetry, "group").values()
               if isinstance(group, dict)]  # fmt: skip
    for table in tables:
        for name in table:
            if name.lower() not in _POETRY_NOT_PACKAGES:
                found.append(Dependency(name, Location(str(path), lines.key(name))))
    return found


def read_pipfile(path: Path) -> list[Dependency]:
    """Pipenv's Pipfile: the package names of ``[packages]``, ``[dev-packages]`` and any
    other category table (Pipenv allows custom ones); ``[source]`` and ``[requires]`` hold
    no packages."""
    data, text = read_toml(path)
    lines = FirstLines(text)
    found: list[Dependency] = []
    for key, table in data.items():
        if key in _PIPFILE_NOT_PACKAGES or not isinstance(table, dict):
            continue
        for name in table:
            found.append(Dependency(name, Location(str(path), lines.key(name))))
    return found


def _table(data: dict[str, Any], key: str) -> dict[str, Any]:
    value = data.get(key, {})
    return value if isinstance(value, dict) else {}
