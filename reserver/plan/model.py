"""The plan: the reviewed list of names to reserve, each entry checked and classified
(typo, import name, standard library, removed module, internal name)."""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Iterable, Sequence
from dataclasses import asdict, dataclass, field, replace
from typing import Any, Literal

from packaging.version import InvalidVersion, Version

from ..errors import ReserverError, excerpt
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
    entry = _classify(name, target)
    return replace(entry, reason=describe(entry))


def _classify(name: str, target: str | None) -> PlanEntry:
    problem = name_problem(name)
    if problem is not None:
        raise ReserverError(problem)
    if target is not None and target != "":
        dist = distribution_for_import(name)
        if dist is not None and canonicalize(dist) == canonicalize(target):
            return PlanEntry(name, target, "import")
        return PlanEntry(name, target, "typo")
    if not is_stdlib(name):
        dist = distribution_for_import(name)
        if dist is not None:
            return PlanEntry(name, dist, "import")
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
            removed_in=version,
            replacement=replacement.name if replacement else None,
            replacement_in_stdlib=replacement.in_stdlib if replacement else False,
        )
    return PlanEntry(name, None, "stdlib")


def describe(entry: PlanEntry) -> str:
    """What a name of the plan is, by its category, in the words every output uses: a plan
    entry's reason, export's comment for administrators.

    >>> describe(entry_for("reqeusts", "requests")), describe(entry_for("telnetlib"))
    ('typo of requests', 'removed from the standard library in Python 3.13')
    >>> describe(engine_entry("acme-core", None, "internal", "given", 1.0, "free", "free"))
    'private name, held against dependency confusion'
    """
    if entry.category == "typo":
        return f"typo of {entry.target}"
    if entry.category == "import":
        return f"import name of {entry.target}"
    if entry.category == "removed":
        return f"removed from the standard library in Python {entry.removed_in}"
    if entry.category == "internal":
        return "private name, held against dependency confusion"
    return "standard-library module"


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
