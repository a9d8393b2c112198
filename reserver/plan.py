"""The plan: the reviewed list of names to reserve, as a JSON file that build and upload read."""

from __future__ import annotations

import json
import math
import os
import re
import stat
import tempfile
from collections.abc import Iterable, Sequence
from dataclasses import asdict, dataclass, field, replace
from json.encoder import encode_basestring_ascii
from pathlib import Path
from typing import Any, Literal

from packaging.version import InvalidVersion, Version

from .errors import PlanError, ReserverError, read_text_file
from .gcpause import collector_paused
from .holder import Holder
from .names.import_names import distribution_for_import
from .names.normalize import canonicalize, is_valid_name, name_problem
from .names.rules import RegistryProfile
from .names.stdlib import REMOVED_REPLACEMENTS, is_stdlib, removed_in, stdlib_module

PLAN_FORMAT = "reserver-plan/1"
DEFAULT_VERSION = "0.0.1"

Category = Literal["typo", "import", "stdlib", "removed", "internal"]
CATEGORIES: tuple[str, ...] = ("typo", "import", "stdlib", "removed", "internal")
#: Statuses after which there is nothing to build: someone holds it, or the registry refuses it.
SKIPPED_STATUSES = frozenset({"taken", "blocked"})


_PYTHON_VERSION = re.compile(r"[0-9]{1,2}\.[0-9]{1,3}\Z")


@dataclass(frozen=True)
class PlanEntry:
    """One name to reserve and what the placeholder should tell the person who typed it."""

    name: str
    """The name to hold, as it will be registered."""
    target: str | None
    """The distribution the user probably meant; None for standard-library names."""
    category: str
    """Which message the placeholder shows: typo, import, stdlib, removed or internal."""
    kind: str = "explicit"
    """How the name was derived from the target (a fuzzer's kind, or "explicit")."""
    score: float = 1.0
    """How much reserving this name is worth; higher first."""
    status: str = "unchecked"
    """free, taken, blocked or unchecked, from the registry's point of view."""
    reason: str = ""
    """Why the name was chosen, or why it is blocked."""
    removed_in: str | None = None
    """For removed standard-library modules: the first Python version without it."""
    replacement: str | None = None
    """For removed modules: the maintained replacement, if there is one."""
    replacement_in_stdlib: bool = False
    """True when the replacement is itself a standard-library module."""

    def __post_init__(self) -> None:
        # is_valid_name is the cheap check; name_problem only runs to explain a failure.
        if not is_valid_name(self.name):
            raise ReserverError(name_problem(self.name) or f"invalid name {self.name!r}")
        if self.category not in CATEGORIES:
            raise ReserverError(f"unknown category {self.category!r} for {self.name!r}")
        if self.target is not None:
            if not is_valid_name(self.target):
                raise ReserverError(f"target of {self.name!r}: {name_problem(self.target)}")
            if canonicalize(self.target) == canonicalize(self.name):
                raise ReserverError(f"{self.name!r} cannot be a placeholder for itself")
        elif self.category in ("typo", "import"):
            raise ReserverError(f"{self.name!r} needs a target (NAME=TARGET)")
        if self.replacement is not None and name_problem(self.replacement):
            raise ReserverError(f"replacement {self.replacement!r} is not a valid name")
        # Written into the README, PKG-INFO and the install message: a Python version only.
        if self.removed_in is not None and not _PYTHON_VERSION.match(self.removed_in):
            raise ReserverError(
                f"removed_in of {self.name!r} must be a Python version such as 3.13, "
                f"not {self.removed_in[:40]!r}"
            )


def engine_entry(
    name: str, target: str | None, category: str, kind: str, score: float, status: str, reason: str
) -> PlanEntry:
    """A plan entry from a selection row, without validating it a second time.

    The engine only emits valid canonical names, distinct from their targets (property
    tests hold it to that), for targets it validated on the way in; checking each of a
    hundred thousand entries again cost a tenth of a plan run. Nothing is skipped at the
    edges: ``load_plan`` validates every entry it reads, and rendering validates every
    value before it reaches a template.
    """
    entry = object.__new__(PlanEntry)
    # A frozen dataclass refuses attribute assignment; its __dict__ is what __init__ fills.
    entry.__dict__.update(
        name=name,
        target=target,
        category=category,
        kind=kind,
        score=score,
        status=status,
        reason=reason,
        removed_in=None,
        replacement=None,
        replacement_in_stdlib=False,
    )
    return entry


@dataclass(frozen=True)
class Plan:
    """A batch of names to reserve for one holder."""

    entries: tuple[PlanEntry, ...]
    holder: Holder = field(default_factory=Holder)
    version: str = DEFAULT_VERSION
    """The placeholder version; a final release so installers pick it without --pre."""
    options: dict[str, Any] = field(default_factory=dict)
    """How the plan was made (selection options), kept for review and reruns."""

    def __post_init__(self) -> None:
        try:
            parsed = Version(self.version)
        except InvalidVersion:
            raise ReserverError(f"invalid placeholder version {self.version!r}") from None
        if parsed.is_prerelease or parsed.is_devrelease or str(parsed) != self.version:
            raise ReserverError(
                f"placeholder version must be a normalised final release, not {self.version!r}"
            )
        seen: dict[str, str] = {}
        for entry in self.entries:
            key = canonicalize(entry.name)
            if key in seen:
                raise ReserverError(f"{entry.name!r} and {seen[key]!r} are the same project name")
            seen[key] = entry.name

    def buildable(self) -> list[PlanEntry]:
        """Entries that need a placeholder: not taken by someone, not refused by the registry."""
        return [e for e in self.entries if e.status not in SKIPPED_STATUSES]

    def to_json(self) -> dict[str, Any]:
        return {
            "format": PLAN_FORMAT,
            "version": self.version,
            "holder": self.holder.to_dict(),
            "options": self.options,
            "entries": [asdict(e) for e in self.entries],
        }


def entry_for(name: str, target: str | None = None) -> PlanEntry:
    """Classify an explicit ``name`` (with an optional intended ``target``) into a plan entry.

    >>> entry_for("pwd").category, entry_for("telnetlib").category
    ('stdlib', 'removed')
    >>> entry_for("sklearn", "scikit-learn").category
    'import'
    """
    problem = name_problem(name)
    if problem is not None:
        raise ReserverError(problem)
    if target is not None and target != "":
        dist = distribution_for_import(name)
        if dist is not None and canonicalize(dist) == canonicalize(target):
            return PlanEntry(name, target, "import", reason=f"import name of {target}")
        return PlanEntry(name, target, "typo", reason=f"typo of {target}")
    if not is_stdlib(name):
        dist = distribution_for_import(name)
        if dist is not None:
            return PlanEntry(name, dist, "import", reason=f"import name of {dist}")
        raise ReserverError(
            f"{name!r} is not a standard-library module; give its target as {name}=TARGET"
        )
    version = removed_in(name)
    if version is not None:
        module = stdlib_module(name) or name
        replacement = REMOVED_REPLACEMENTS.get(module)
        return PlanEntry(
            name,
            None,
            "removed",
            reason=f"removed from the standard library in Python {version}",
            removed_in=version,
            replacement=replacement.name if replacement else None,
            replacement_in_stdlib=replacement.in_stdlib if replacement else False,
        )
    return PlanEntry(name, None, "stdlib", reason="standard-library module")


def parse_name_option(value: str) -> PlanEntry:
    """Parse one ``--name SQUAT=TARGET`` (or ``--name pwd``) command-line value."""
    squat, sep, target = value.partition("=")
    if sep and not target.strip():
        raise ReserverError(f"--name {value!r}: the target after '=' is empty")
    return entry_for(squat.strip(), target.strip() if sep else None)


def make_plan(
    entries: Iterable[PlanEntry],
    holder: Holder | None = None,
    version: str = DEFAULT_VERSION,
    options: dict[str, Any] | None = None,
) -> Plan:
    """Assemble a plan, refusing an empty one: a plan with nothing in it is a mistake upstream."""
    items = tuple(entries)
    if not items:
        raise ReserverError("the plan is empty: give at least one name")
    return Plan(items, holder or Holder(), version, options or {})


def save_plan(plan: Plan, path: Path) -> None:
    """Write the plan atomically, one entry per line: quick to write for 100,000 names, easy
    to review and diff, and a reader never sees a half-written plan."""
    with collector_paused():
        lines = [_entry_line(entry) for entry in plan.entries]
    header = {
        "format": PLAN_FORMAT,
        "version": plan.version,
        "holder": plan.holder.to_dict(),
        "options": plan.options,
    }
    text = json.dumps(header, indent=2)[:-2] + ',\n  "entries": [\n    '
    text += ",\n    ".join(lines) + "\n  ]\n}\n"
    write_atomic(path, text.encode())


_ENTRY_FIELDS = (
    "name",
    "target",
    "category",
    "kind",
    "score",
    "status",
    "reason",
    "removed_in",
    "replacement",
    "replacement_in_stdlib",
)
_encode = json.JSONEncoder().encode


def _entry_line(entry: PlanEntry) -> str:
    """``entry`` as one line of JSON, exactly what ``json.dumps(vars(entry))`` gives.

    Formatted by hand because a plan holds a hundred thousand entries and the generic
    encoder's per-call setup was most of the time to write them; every string still goes
    through the json module's own escaping.
    """
    score = entry.score
    if not math.isfinite(score):
        return _encode(dict(vars(entry)))
    quote = encode_basestring_ascii
    target, removed, replacement = entry.target, entry.removed_in, entry.replacement
    return (
        f'{{"name": {quote(entry.name)}, '
        f'"target": {"null" if target is None else quote(target)}, '
        f'"category": {quote(entry.category)}, "kind": {quote(entry.kind)}, '
        f'"score": {score!r}, "status": {quote(entry.status)}, "reason": {quote(entry.reason)}, '
        f'"removed_in": {"null" if removed is None else quote(removed)}, '
        f'"replacement": {"null" if replacement is None else quote(replacement)}, '
        f'"replacement_in_stdlib": {"true" if entry.replacement_in_stdlib else "false"}}}'
    )


def write_atomic(path: Path, data: bytes) -> None:
    """Write ``data`` to ``path`` through a temporary file and a rename.

    A folder that cannot hold the file (``/proc``, read-only, missing rights, a full disk)
    is a ReserverError naming the path, not a traceback. A device or a pipe (``-o
    /dev/null``, ``/dev/stdout``, a FIFO) is written where it is: a rename would put a
    regular file in its place (and, run as root, take ``/dev/null`` from the whole machine)."""
    try:
        mode: int | None = path.stat().st_mode
    except FileNotFoundError:
        mode = None
    except OSError as exc:
        raise _cannot_write(path, exc) from None
    if mode is not None and stat.S_ISDIR(mode):
        raise ReserverError(f"cannot write {path} (it is a folder)")
    if mode is not None and not stat.S_ISREG(mode):
        try:
            with open(path, "wb") as handle:
                handle.write(data)
        except OSError as exc:
            raise _cannot_write(path, exc) from None
        return
    try:
        path.parent.mkdir(parents=True, exist_ok=True)
        fd, tmp = tempfile.mkstemp(dir=path.parent, prefix=f".{path.name}.", suffix=".tmp")
    except OSError as exc:
        raise _cannot_write(path, exc) from None
    try:
        with os.fdopen(fd, "wb") as handle:
            handle.write(data)
            handle.flush()
            os.fsync(handle.fileno())
        os.replace(tmp, path)
    except BaseException as exc:
        Path(tmp).unlink(missing_ok=True)
        if isinstance(exc, OSError):
            raise _cannot_write(path, exc) from None
        raise


def _cannot_write(path: Path, exc: OSError) -> ReserverError:
    return ReserverError(f"cannot write {path} ({exc.strerror or exc})")


def load_plan(path: Path) -> Plan:
    """Read and validate a plan file; any problem is a PlanError naming the file."""
    text = read_text_file(path, "plan file", PlanError)
    try:
        raw = json.loads(text)
    except json.JSONDecodeError as exc:
        raise PlanError(f"{path}: not a plan (invalid JSON at line {exc.lineno})") from None
    if not isinstance(raw, dict) or raw.get("format") != PLAN_FORMAT:
        raise PlanError(f"{path}: not a reserver plan (expected format {PLAN_FORMAT!r})")
    options = raw.get("options", {})
    if not isinstance(options, dict):
        raise PlanError(f"{path}: malformed plan ('options' must be an object)")
    try:
        holder = Holder(**raw.get("holder", {}))
        entries = tuple(PlanEntry(**item) for item in raw["entries"])
        return Plan(entries, holder, str(raw.get("version", DEFAULT_VERSION)), dict(options))
    except ReserverError as exc:
        raise PlanError(f"{path}: {exc}") from None
    except (KeyError, TypeError) as exc:
        raise PlanError(f"{path}: malformed plan entry ({exc})") from None


def with_status(entries: Sequence[PlanEntry], status: str) -> list[PlanEntry]:
    """Copies of ``entries`` with a new status (used when the registry is not consulted)."""
    return [replace(e, status=status) for e in entries]


def publish_problem(plan: Plan, profile: RegistryProfile) -> str | None:
    """What a registry with ``profile`` would refuse of ``plan``, or should never carry:
    a local version on PyPI, and placeholders naming the example holder on a public registry
    (every README and error message would send people to an address nobody reads)."""
    problem = profile.version_problem(plan.version)
    if problem is not None:
        return f"{problem} (plan again with --version)"
    if profile.public and plan.holder.is_example():
        return (
            f"the plan's holder contact is the example {plan.holder.contact!r}: placeholders on "
            f"{profile.name} must say who holds the names. Plan again with --holder, --contact "
            "and --holder-url (or once, as holder, contact and homepage in reserver.toml)"
        )
    return None
