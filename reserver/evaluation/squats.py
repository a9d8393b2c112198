"""Measure the engine against real attacks: the share of known squats a plan would have held or
the registry refuses, overall and per kind of typo."""

from __future__ import annotations

import csv
import hashlib
import io
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass
from fractions import Fraction
from importlib import resources
from pathlib import Path

from .._files import read_text_file
from ..errors import ReserverError
from ..names.normalize import canonicalize, name_problem
from ..names.rules import (
    BLOCKED,
    EMPTY,
    FREE,
    PYPI,
    UNCHECKED,
    KnownNames,
    RegistryProfile,
    name_status,
)
from ..names.stdlib import is_module_only, is_stdlib
from ..names.targets import GIVEN, Target
from ..selection.model import SelectionOptions
from ..selection.select import select
from ..typo import explain

RESERVED = "reserved"
MISSED = "missed"
NOT_GENERATED = "unexplained"

VALIDATION_SHARE = 0.3
"""The least share of a dataset's rows that :func:`split_dataset` holds out for validation."""
SPLITS = ("train", "validation", "all")


@dataclass(frozen=True)
class Attack:
    """A squat seen in the wild and the project it imitated."""

    squat: str
    target: str
    source: str = ""
    """The public report that names it."""


@dataclass(frozen=True)
class Outcome:
    """What the plan (or the registry) would have done about one attack."""

    attack: Attack
    result: str
    """reserved, blocked or missed."""
    kind: str
    """The model's kind for the squat (see :mod:`reserver.typo.kinds`), ``stdlib``, or
    ``unexplained``."""
    reason: str = ""
    """Why the registry would refuse the squat, when the result is blocked."""


@dataclass(frozen=True)
class Evaluation:
    """Outcomes of one method on one dataset."""

    label: str
    outcomes: tuple[Outcome, ...]

    @property
    def share(self) -> float:
        """Reserved or blocked, over all attacks."""
        if not self.outcomes:
            return 0.0
        return sum(o.result != MISSED for o in self.outcomes) / len(self.outcomes)

    def per_kind(self) -> list[KindRow]:
        rows: dict[str, list[int]] = {}
        for o in self.outcomes:
            counts = rows.setdefault(o.kind, [0, 0, 0])
            counts[0] += 1
            counts[1] += o.result == RESERVED
            counts[2] += o.result == BLOCKED
        return [KindRow(k, *v) for k, v in sorted(rows.items())]

    def missed(self) -> list[Outcome]:
        return [o for o in self.outcomes if o.result == MISSED]


@dataclass(frozen=True)
class KindRow:
    """One line of the per-kind report."""

    kind: str
    """A kind of :attr:`Outcome.kind`."""
    total: int
    """The attacks of that kind."""
    reserved: int
    """Of them, those the plan would have reserved."""
    blocked: int
    """Of them, those the registry's rules would refuse."""

    @property
    def missed(self) -> int:
        return self.total - self.reserved - self.blocked

    @property
    def share(self) -> float:
        return (self.reserved + self.blocked) / self.total if self.total else 0.0


def default_dataset() -> Path:
    """The bundled set of real PyPI typosquats (each row names its source, see its header)."""
    return Path(str(resources.files("reserver").joinpath("data/typosquats.csv")))


def load_dataset(path: Path) -> list[Attack]:
    """Read ``squat,target[,source]`` rows; ``#`` lines are comments; a header is optional."""
    text = read_text_file(path, "dataset")
    lines = [line for line in text.splitlines() if line.strip() and not line.startswith("#")]
    try:
        rows = list(csv.reader(io.StringIO("\n".join(lines))))
    except csv.Error as exc:  # a field over the csv module's limit (128 KiB), a stray NUL
        raise ReserverError(f"{path}: not a squat,target dataset (CSV: {exc})") from None
    attacks: list[Attack] = []
    for number, row in enumerate(rows, 1):
        if number == 1 and [c.strip().lower() for c in row[:2]] == ["squat", "target"]:
            continue
        if len(row) < 2:
            raise ReserverError(f"{path}: row {number} needs squat,target")
        squat, target = row[0].strip(), row[1].strip()
        for value in (squat, target):
            problem = name_problem(value)
            if problem is not None:
                raise ReserverError(f"{path}: row {number}: {problem}")
        if canonicalize(squat) == canonicalize(target) and not is_stdlib(squat):
            raise ReserverError(f"{path}: row {number}: {squat!r} imitates itself")
        attacks.append(Attack(squat, target, row[2].strip() if len(row) > 2 else ""))
    if not attacks:
        raise ReserverError(f"{path}: the dataset has no rows")
    return attacks


def split_dataset(attacks: Iterable[Attack], part: str) -> list[Attack]:
    """The ``train`` or ``validation`` part of ``attacks`` (``all``: every row), in file order.

    The split is by whole targets, never by row: a target's typos share its letters and often
    its kind of edit, so a model fitted on some of them and measured on the rest would be
    credited for memorising that target, and the held-out figure would be inflated. Targets
    (PEP 503 canonical) are ordered by the sha256 of their name, and validation takes whole
    targets in that order until it holds at least ``VALIDATION_SHARE`` of the rows; the rest is
    train. The order depends on nothing but the names, so the split is the same on every run
    and machine (editing the dataset can still move targets across the line).
    """
    if part not in SPLITS:
        raise ReserverError(f"the split must be one of {', '.join(SPLITS)}, not {part!r}")
    rows = list(attacks)
    if part == "all":
        return rows
    sizes: dict[str, int] = {}
    for attack in rows:
        key = canonicalize(attack.target)
        sizes[key] = sizes.get(key, 0) + 1
    order = sorted(sizes, key=lambda t: (hashlib.sha256(t.encode()).hexdigest(), t))
    needed = Fraction(str(VALIDATION_SHARE)) * len(rows)
    held: set[str] = set()
    count = 0
    for target in order:
        if count >= needed:
            break
        held.add(target)
        count += sizes[target]
    validation = part == "validation"
    return [a for a in rows if (canonicalize(a.target) in held) == validation]


def classify(attack: Attack, options: SelectionOptions | None = None) -> str:
    """The kind of edit the engine knows that turns the target into the squat."""
    options = options or SelectionOptions()
    if is_stdlib(attack.squat) and canonicalize(attack.squat) == canonicalize(attack.target):
        return "stdlib"
    edit = explain(attack.squat, attack.target, tuple(options.layouts))
    return edit.kind if edit is not None else NOT_GENERATED


def _known(attacks: Sequence[Attack], known: KnownNames | None) -> KnownNames:
    # The squats were taken down long ago; if a listing still holds one it must not hide it.
    base = known if known is not None else EMPTY
    squats = {canonicalize(a.squat) for a in attacks}
    if any(s in base for s in squats):
        base = KnownNames.from_names(base.names() - squats, base.complete)
    # A module PyPI has no project of (``telnetlib``) is not "existing" there; the few that
    # are projects (``asyncio``) are, as select() has them.
    return base.with_names(a.target for a in attacks if not is_module_only(canonicalize(a.target)))


def evaluate_sets(
    attacks: Sequence[Attack],
    names_for: Callable[[str], Iterable[str]],
    label: str,
    profile: RegistryProfile = PYPI,
    known: KnownNames | None = None,
    options: SelectionOptions | None = None,
) -> Evaluation:
    """Score any method that gives a set of names per target (the engine or a baseline)."""
    view = _known(attacks, known)
    cache: dict[str, frozenset[str]] = {}
    outcomes = []
    for attack in attacks:
        kind = classify(attack, options)
        status, why = name_status(attack.squat, profile, view)
        if status == BLOCKED:
            outcomes.append(Outcome(attack, BLOCKED, kind, why))
            continue
        if attack.target not in cache:
            cache[attack.target] = frozenset(canonicalize(n) for n in names_for(attack.target))
        if canonicalize(attack.squat) in cache[attack.target]:
            outcomes.append(Outcome(attack, RESERVED, kind))
        else:
            outcomes.append(Outcome(attack, MISSED, kind))
    return Evaluation(label, tuple(outcomes))


def evaluate(
    attacks: Sequence[Attack],
    budget: int | None,
    profile: RegistryProfile = PYPI,
    known: KnownNames | None = None,
    options: SelectionOptions | None = None,
) -> Evaluation:
    """The engine with ``budget`` names per target (None: unlimited) against ``attacks``."""
    base = options or SelectionOptions()
    options = SelectionOptions(
        budget=budget,
        layouts=base.layouts,
        two_step=base.two_step,
        extra_imports=base.extra_imports,
    )
    view = _known(attacks, known)

    def names_for(target: str) -> list[str]:
        selection = select([Target(target, GIVEN)], view, profile, options)
        names = [r.name for r in selection.names if r.status in (FREE, UNCHECKED)]
        if is_stdlib(target):
            names.append(target)  # --stdlib holds the module name itself where it is allowed
        return names

    label = f"reserver, budget {budget}" if budget is not None else "reserver, unlimited"
    return evaluate_sets(attacks, names_for, label, profile, known, options)
