"""The plan: the reviewed list of names to reserve, as a JSON file that build and upload read."""

from __future__ import annotations

import json
import math
import os
import re
import stat
import tempfile
import unicodedata
from collections.abc import Iterable, Sequence
from dataclasses import asdict, dataclass, field, replace
from json.encoder import encode_basestring_ascii
from pathlib import Path
from typing import Any, Literal

from packaging.version import InvalidVersion, Version

from .._files import load_json, nested_deeper, read_text_file
from .._gcpause import collector_paused
from ..errors import PlanError, ReserverError, excerpt
from ..names.import_names import distribution_for_import
from ..names.normalize import canonicalize, is_valid_name, name_problem
from ..names.rules import STATUSES, RegistryProfile
from ..names.stdlib import REMOVED_REPLACEMENTS, is_stdlib, removed_in, stdlib_module
from .holder import Holder

PLAN_FORMAT = "reserver-plan/1"
DEFAULT_VERSION = "0.0.1"

Category = Literal["typo", "import", "stdlib", "removed", "internal"]
CATEGORIES: tuple[str, ...] = ("typo", "import", "stdlib", "removed", "internal")
#: Statuses after which there is nothing to build: someone holds it, or the registry refuses it.
SKIPPED_STATUSES = frozenset({"taken", "blocked"})


_PYTHON_VERSION = re.compile(r"[0-9]{1,2}\.[0-9]{1,3}\Z")
# A kind is a word of the typo model's vocabulary (or an older plan's): lowercase and "_".
_KIND = re.compile(r"[a-z][a-z0-9_]{0,39}\Z")
#: Longest reason a plan entry may give: the engine's are short, but one may quote a
#: project of the index ("too similar to existing project '...'"), whose names have no cap.
MAX_REASON = 1000


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
        check_entry(self)


def check_entry(entry: PlanEntry) -> PlanEntry:
    """``entry`` unchanged, or ReserverError saying in one line which field is unusable."""
    problem = entry_problem(entry)
    if problem is not None:
        raise ReserverError(problem)
    return entry


def entry_problem(entry: PlanEntry) -> str | None:
    """What in ``entry`` must not reach a placeholder, a README, PKG-INFO or a terminal, or
    None when every field is fit for all of them.

    The one validation of a plan entry: every entry made or read from a plan file passes it
    (``PlanEntry.__post_init__``), and the builder runs it again before rendering, since an
    entry can be made without it (:func:`engine_entry`) or altered after.
    """
    return _names_problem(entry) or _category_problem(entry) or _recorded_problem(entry)


def _names_problem(entry: PlanEntry) -> str | None:
    # is_valid_name is the cheap check; name_problem only runs to explain a failure.
    if not isinstance(entry.name, str) or not is_valid_name(entry.name):
        return _name_problem(entry.name) or f"invalid name {excerpt(entry.name)}"
    if entry.target is not None:
        if not isinstance(entry.target, str) or not is_valid_name(entry.target):
            return f"target of {entry.name!r}: {_name_problem(entry.target)}"
        if canonicalize(entry.target) == canonicalize(entry.name):
            return f"{entry.name!r} cannot be a placeholder for itself"
    elif entry.category in ("typo", "import"):
        return f"{entry.name!r} needs a target (NAME=TARGET)"
    replacement = entry.replacement
    if replacement is not None and (not isinstance(replacement, str) or name_problem(replacement)):
        return f"replacement {excerpt(replacement)} of {entry.name!r} is not a valid name"
    return None


def _name_problem(value: object) -> str | None:
    return name_problem(value) if isinstance(value, str) else f"{excerpt(value)} is not a name"


def _category_problem(entry: PlanEntry) -> str | None:
    if entry.category not in CATEGORIES:
        return f"unknown category {excerpt(entry.category)} for {entry.name!r}"
    # Written into the README, PKG-INFO and the install message: a Python version only.
    removed = entry.removed_in
    if removed is not None and not (isinstance(removed, str) and _PYTHON_VERSION.match(removed)):
        return (
            f"removed_in of {entry.name!r} must be a Python version such as 3.13, "
            f"not {excerpt(removed, 40)}"
        )
    if not isinstance(entry.replacement_in_stdlib, bool):
        return f"replacement_in_stdlib of {entry.name!r} must be true or false"
    return None


def _recorded_problem(entry: PlanEntry) -> str | None:
    """The fields a plan records for review (kind, score, status, reason): printed by plan
    summaries and exports, so they are words, never escapes or bidirectional overrides."""
    if not isinstance(entry.kind, str) or not _KIND.match(entry.kind):
        return f"kind of {entry.name!r} must be a lowercase word, not {excerpt(entry.kind, 40)}"
    if isinstance(entry.score, bool) or not isinstance(entry.score, (int, float)):
        return f"score of {entry.name!r} must be a number, not {excerpt(entry.score, 40)}"
    if entry.status not in STATUSES:
        return (
            f"status of {entry.name!r} must be one of {', '.join(STATUSES)}, "
            f"not {excerpt(entry.status, 40)}"
        )
    return _reason_problem(entry.name, entry.reason)


def _reason_problem(name: str, reason: object) -> str | None:
    if not isinstance(reason, str) or len(reason) > MAX_REASON:
        return f"reason of {name!r} must be text of at most {MAX_REASON} characters"
    # Cc: control characters (terminal escapes, line breaks); Cf: invisible format
    # characters, among them the bidirectional overrides that make text read backwards.
    if any(unicodedata.category(c) in ("Cc", "Cf") for c in reason):
        return f"reason of {name!r} contains control or invisible characters"
    return None


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
        check_version(self.version)
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


def check_version(version: str) -> str:
    """``version`` unchanged when it is a normalised final release (what a placeholder is
    published as, and written into its file name and PKG-INFO), else ReserverError."""
    try:
        parsed = Version(version)
    except (InvalidVersion, TypeError):
        raise ReserverError(f"invalid placeholder version {excerpt(version, 40)}") from None
    if parsed.is_prerelease or parsed.is_devrelease or str(parsed) != version:
        raise ReserverError(
            f"placeholder version must be a normalised final release, not {excerpt(version, 40)}"
        )
    return version


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
        raise ReserverError(f"--name {excerpt(value)}: the target after '=' is empty")
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


def write_atomic(path: Path, data: bytes, *, make_parents: bool = False) -> None:
    """Write ``data`` to ``path`` through a temporary file and a rename.

    A folder that cannot hold the file (``/proc``, read-only, missing rights, a full disk)
    is a ReserverError naming the path, not a traceback. A device or a pipe (``-o
    /dev/null``, ``/dev/stdout``, a FIFO) is written where it is: a rename would put a
    regular file in its place (and, run as root, take ``/dev/null`` from the whole machine).
    A missing folder is refused, not created: a mistyped ``-o reprot/x.json`` would
    otherwise leave the report where nobody looks. ``make_parents`` is for reserver's own
    folders (its cache)."""
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
        if make_parents:
            path.parent.mkdir(parents=True, exist_ok=True)
        else:
            check_parent_folder(path)
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


def check_parent_folder(path: Path) -> Path:
    """``path`` unchanged when the folder it goes in exists, else ReserverError: files the
    user names are written only into folders that are already there."""
    parent = path.parent
    try:
        exists = parent.is_dir()
    except OSError as exc:  # a name too long for the file system, for one
        raise _cannot_write(path, exc) from None
    if not exists:
        if parent.exists():
            raise ReserverError(f"cannot write {path} ({parent} is a file, not a folder)")
        raise ReserverError(
            f"cannot write {path} (the folder {parent} does not exist; create it first)"
        )
    return path


#: Largest plan file read: a plan of 100,000 names is about 25 MiB.
MAX_PLAN_BYTES = 128 * 1024 * 1024


def load_plan(path: Path) -> Plan:
    """Read and validate a plan file; any problem is a PlanError naming the file."""
    text = read_text_file(path, "plan file", PlanError, MAX_PLAN_BYTES)
    try:
        raw = load_json(text, str(path), PlanError)
    except json.JSONDecodeError as exc:
        raise PlanError(f"{path}: not a plan (invalid JSON at line {exc.lineno})") from None
    if not isinstance(raw, dict) or raw.get("format") != PLAN_FORMAT:
        raise PlanError(f"{path}: not a reserver plan (expected format {PLAN_FORMAT!r})")
    options = raw.get("options", {})
    if not isinstance(options, dict):
        raise PlanError(f"{path}: malformed plan ('options' must be an object)")
    if nested_deeper(options):
        # Kept and written again by every rerun: a deep one would overflow that code's stack.
        raise PlanError(f"{path}: malformed plan ('options' nested too deeply)")
    entries, holder = raw.get("entries"), raw.get("holder", {})
    if not isinstance(entries, list) or not all(isinstance(item, dict) for item in entries):
        raise PlanError(f"{path}: malformed plan ('entries' must be a list of objects)")
    if not isinstance(holder, dict):
        raise PlanError(f"{path}: malformed plan ('holder' must be an object)")
    version = raw.get("version", DEFAULT_VERSION)
    if not isinstance(version, str):
        raise PlanError(f"{path}: malformed plan ('version' must be a string)")
    try:
        made = tuple(PlanEntry(**item) for item in entries)
        return Plan(made, Holder(**holder), version, options)
    except ReserverError as exc:
        raise PlanError(f"{path}: {exc}") from None
    except TypeError as exc:
        raise PlanError(f"{path}: malformed plan entry ({excerpt(str(exc), 120)})") from None


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
