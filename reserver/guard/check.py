"""``check``: look for likely typosquats among the names a project depends on."""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from pathlib import Path

from ..errors import ReserverError
from ..names.normalize import MAX_NAME_LENGTH, canonicalize, name_problem
from .detect import Detector, Policy
from .errors import InputFileError
from .model import Dependency, Finding, Location
from .sources import read_dependencies


@dataclass(frozen=True)
class CheckReport:
    """What ``check`` looked at and what it found."""

    findings: tuple[Finding, ...]
    checked: int
    """How many distinct names were checked."""
    sources: tuple[str, ...]
    """The files read (names given directly are not listed)."""

    @property
    def ok(self) -> bool:
        return not self.findings


def gather(names: Iterable[str], files: Iterable[Path]) -> tuple[list[Dependency], list[str]]:
    """The dependencies named directly and in ``files``, and the files read."""
    found: list[Dependency] = []
    for name in names:
        problem = name_problem(name)
        if problem is not None:
            raise ReserverError(f"{name!r}: {problem}")
        found.append(Dependency(name))
    read: list[str] = []
    for path in files:
        for dependency in read_dependencies(path):
            if len(dependency.name) > MAX_NAME_LENGTH:
                # No registry holds such a name; matching it would cost memory quadratic in
                # its length (a pull request's 5 MB "name" must not take down CI).
                raise InputFileError(
                    dependency.location or Location(str(path)),
                    f"a name of {len(dependency.name)} characters (at most {MAX_NAME_LENGTH})",
                )
            found.append(dependency)
        read.append(str(path))
    return found, read


def check_dependencies(dependencies: Sequence[Dependency], detector: Detector) -> list[Finding]:
    """One finding per suspicious name occurrence; each distinct name is scored once."""
    verdicts: dict[str, Finding | None] = {}
    findings: list[Finding] = []
    for dependency in dependencies:
        key = canonicalize(dependency.name)
        if key not in verdicts:
            match = detector.check(dependency.name)
            verdicts[key] = None if match is None else Finding(match)
        verdict = verdicts[key]
        if verdict is not None:
            findings.append(Finding(verdict.match, dependency.location))
    return findings


def check(
    names: Iterable[str],
    files: Iterable[Path],
    corpus: Sequence[str],
    allow: Iterable[str] = (),
    policy: Policy | None = None,
) -> CheckReport:
    """Check names and dependency files against ``corpus`` (popular names, most used first)."""
    dependencies, read = gather(names, files)
    detector = Detector(corpus, allow, policy)
    findings = check_dependencies(dependencies, detector)
    distinct = {canonicalize(d.name) for d in dependencies}
    return CheckReport(tuple(findings), len(distinct), tuple(read))
