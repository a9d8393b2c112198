"""``check``: look for likely typosquats among the names a project depends on."""

from __future__ import annotations

import logging
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass
from pathlib import Path

from .._fork import map_halves
from .._gcpause import collector_paused
from ..errors import ReserverError, excerpt
from ..names.normalize import MAX_NAME_LENGTH, canonicalize, name_problem
from .detect import Detector, Policy
from .errors import InputFileError
from .model import Dependency, Finding, Location, Match
from .sources import read_dependencies
from .sources._text import MAX_DEPENDENCIES

logger = logging.getLogger(__name__)


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
            raise ReserverError(f"{excerpt(name)}: {problem}")
        found.append(Dependency(name))
    read: list[str] = []
    for path in files:
        before = len(found)
        for dependency in read_dependencies(path):
            where = dependency.location or Location(str(path))
            if len(dependency.name) > MAX_NAME_LENGTH:
                # No registry holds such a name; matching it would cost memory quadratic in
                # its length (a pull request's 5 MB "name" must not take down CI).
                raise InputFileError(
                    where,
                    f"a name of {len(dependency.name)} characters (at most {MAX_NAME_LENGTH})",
                )
            if len(found) >= MAX_DEPENDENCIES:
                # Each file is bounded on its own; this bounds many files together.
                raise InputFileError(where, f"more than {MAX_DEPENDENCIES:,} names to check")
            found.append(dependency)
        read.append(str(path))
        logger.info("%s: %d dependencies", path, len(found) - before)
    return found, read


#: From this many distinct names, half are checked in a forked process (see
#: reserver._fork.map_halves). Measured on ranks 10,001-15,000 against the top 10,000
#: (median of 5, one run): 200 names 41 ms in one process, 38 ms in two; 500 names 98 and
#: 71 ms; 5,000 names 909 and 454 ms.
PARALLEL_FROM = 500


def check_dependencies(dependencies: Sequence[Dependency], detector: Detector) -> list[Finding]:
    """One finding per suspicious name occurrence; each distinct name is scored once (on
    two cores for a long list: see :data:`PARALLEL_FROM`)."""
    keys = [canonicalize(dependency.name) for dependency in dependencies]
    first: dict[str, str] = {}
    for key, dependency in zip(keys, dependencies, strict=True):
        first.setdefault(key, dependency.name)
    matches = map_halves(detector.check, list(first.values()), PARALLEL_FROM)
    verdicts = dict(zip(first, matches, strict=True))
    return [
        Finding(match, dependency.location)
        for key, dependency in zip(keys, dependencies, strict=True)
        if (match := verdicts[key]) is not None
    ]


#: The finding kind of a dependency the index does not have (not an edit of anything).
UNREGISTERED = "unregistered"


def unregistered(
    dependencies: Sequence[Dependency], exists: Callable[[str], bool], index: str
) -> list[Finding]:
    """One finding per occurrence of a name ``index`` does not have: whoever registers it
    first is installed by the next resolve (dependency confusion, a hallucinated name)."""
    verdicts: dict[str, bool] = {}
    findings: list[Finding] = []
    for dependency in dependencies:
        key = canonicalize(dependency.name)
        if key not in verdicts:
            verdicts[key] = exists(key)
        if not verdicts[key]:
            detail = (
                f"not on {index}: anyone can register it and be installed next; "
                "reserve it (reserver plan --name) or fix the name"
            )
            match = Match(dependency.name, "", UNREGISTERED, 1.0, detail)
            findings.append(Finding(match, dependency.location))
    return findings


def check(
    names: Iterable[str],
    files: Iterable[Path],
    corpus: Sequence[str],
    allow: Iterable[str] = (),
    policy: Policy | None = None,
    index: tuple[str, Callable[[str], bool]] | None = None,
) -> CheckReport:
    """Check names and dependency files against ``corpus`` (popular names, most used first);
    with ``index`` (its name and a membership test of canonical names), also report the
    dependencies it does not have."""
    # The corpus index is a hundred thousand small records and checking makes as many more,
    # none in a reference cycle: the cyclic collector would walk them all for nothing.
    with collector_paused():
        dependencies, read = gather(names, files)
        detector = Detector(corpus, allow, policy)
        findings = check_dependencies(dependencies, detector)
    if index is not None:
        allowed = {canonicalize(name) for name in allow}
        wanted = [d for d in dependencies if canonicalize(d.name) not in allowed]
        findings += unregistered(wanted, index[1], index[0])
    distinct = {canonicalize(d.name) for d in dependencies}
    logger.info(
        "checked %d names against %d popular ones%s; findings: %d",
        len(distinct), len(corpus), f" and {index[0]}" if index else "", len(findings),
    )  # fmt: skip
    return CheckReport(tuple(findings), len(distinct), tuple(read))
