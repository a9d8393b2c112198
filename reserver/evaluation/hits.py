"""Which kinds of typo caught real people: the stats service's hits per reserved name, sorted
by the typo model's kind and position, beside the split the model expected (pure).

The expectation is conditional on each target's own demand: a target's hits are shared among
the names held for it in proportion to the model's probability of each name (P(typed |
meant)). Observed against expected then says which kinds and positions the fitted weights
under- or over-rate, on installs by real people rather than on attackers' registrations.
"""

from __future__ import annotations

import csv
import io
import json
from collections import defaultdict
from collections.abc import Iterable, Sequence
from dataclasses import dataclass

from .._files import load_json
from ..errors import ReserverError, excerpt
from ..names.normalize import canonicalize, name_problem
from ..typo import TypoModel
from ..typo.edits import Edit
from ..typo.kinds import IMPORT_NAME

#: The feed's columns, in the CSV's order.
FIELDS = ("name", "target", "category", "kind", "position", "hits")
_CATEGORIES = ("typo", "import", "stdlib", "removed", "internal")


@dataclass(frozen=True)
class Hit:
    """One reserved name and how many blocked installs it counted."""

    name: str
    target: str | None
    category: str
    hits: int


@dataclass(frozen=True)
class Share:
    """One kind (or position) of name: how many were held and hit, and the hits' share."""

    key: str
    held: int
    hit: int
    hits: int
    share: float
    """Observed share of all hits."""
    expected: float | None
    """The share of all hits the model expected here (None for names that are no typo of a
    target: their hits are what they are)."""


def _typo_edit(hit: Hit, model: TypoModel) -> Edit | None:
    # The edit from a typo name's target to it (None for other names, or none found).
    if hit.category != "typo" or hit.target is None:
        return None
    return model.explain(canonicalize(hit.name), canonicalize(hit.target))


def _kind_and_position(hit: Hit, edit: Edit | None) -> tuple[str, str]:
    if hit.category == "import":
        return IMPORT_NAME, ""
    if hit.category != "typo" or hit.target is None:
        return hit.category, ""
    return ("other", "") if edit is None else (edit.kind, edit.position)


def describe(hit: Hit, model: TypoModel) -> tuple[str, str]:
    """(kind, position) of a reserved name in the model's vocabulary; a name that is not a
    typo of its target is its category (``stdlib``, ``removed``, ``internal``)."""
    return _kind_and_position(hit, _typo_edit(hit, model))


def _expected(explained: Sequence[tuple[Hit, Edit | None]], model: TypoModel) -> dict[str, float]:
    # Each target's hits, shared among its held typo names by the model's probability.
    by_target: dict[str, list[tuple[Hit, float]]] = defaultdict(list)
    for hit, edit in explained:
        if hit.category != "typo" or hit.target is None:
            continue
        p = model.edit_probability(edit, hit.target) if edit is not None else 0.0
        by_target[canonicalize(hit.target)].append((hit, p))
    expected: dict[str, float] = {}
    for names in by_target.values():
        total_p = sum(p for _, p in names)
        total_hits = sum(h.hits for h, _ in names)
        for hit, p in names:
            share = p / total_p if total_p > 0 else 1.0 / len(names)
            expected[hit.name] = total_hits * share
    return expected


def shares(hits: Sequence[Hit], model: TypoModel, by: str = "kind") -> list[Share]:
    """Hits per kind (``by="kind"``) or per position of the letter slips (``"position"``),
    most hits first: each row's share of all hits, and the share the model expected for the
    typo names (their target's hits split by the model's probability of each name)."""
    # Each name explained once, for its kind and for the model's expectation alike.
    explained = [(hit, _typo_edit(hit, model)) for hit in hits]
    expected = _expected(explained, model)
    total = sum(h.hits for h in hits) or 1
    held: dict[str, int] = defaultdict(int)
    hit_names: dict[str, int] = defaultdict(int)
    counts: dict[str, int] = defaultdict(int)
    wanted: dict[str, float | None] = {}
    for hit, edit in explained:
        kind, position = _kind_and_position(hit, edit)
        key = kind if by == "kind" else position
        if not key:
            continue
        held[key] += 1
        hit_names[key] += hit.hits > 0
        counts[key] += hit.hits
        if hit.name in expected:
            wanted[key] = (wanted.get(key) or 0.0) + expected[hit.name] / total
        else:
            wanted.setdefault(key, None)
    rows = (Share(k, held[k], hit_names[k], counts[k], counts[k] / total, wanted[k]) for k in held)
    return sorted(rows, key=lambda s: (-s.hits, s.key))


def feed_rows(hits: Iterable[Hit], model: TypoModel) -> list[dict[str, object]]:
    """The ``/api/hits`` rows: each name with its kind, position and hits."""
    rows: list[dict[str, object]] = []
    for hit in hits:
        kind, position = describe(hit, model)
        rows.append({"name": hit.name, "target": hit.target, "category": hit.category,
                     "kind": kind, "position": position, "hits": hit.hits})  # fmt: skip
    return rows


def feed_url(url: str) -> str:
    """The feed's address: a stats service's base URL gets ``/api/hits`` added.

    >>> feed_url("https://stats.example.org"), feed_url("http://h/api/hits.csv")
    ('https://stats.example.org/api/hits', 'http://h/api/hits.csv')
    """
    path = url.split("?", 1)[0].rstrip("/")
    return url if path.endswith(("/hits", "/hits.csv")) else path + "/api/hits"


def parse_feed(text: str, source: str) -> list[Hit]:
    """The hits of a ``/api/hits`` feed, JSON or CSV; any problem is one ReserverError."""
    stripped = text.lstrip()
    try:
        if stripped.startswith("{"):
            raw = load_json(text, source)
            rows = raw.get("hits") if isinstance(raw, dict) else None
            if not isinstance(rows, list):
                raise ReserverError(f'{source}: not a hits feed (no "hits" list)')
        else:
            reader = csv.DictReader(io.StringIO(text))
            if reader.fieldnames is None or not {"name", "hits"} <= set(reader.fieldnames):
                raise ReserverError(f"{source}: not a hits feed (CSV needs name and hits)")
            rows = list(reader)
    except json.JSONDecodeError as exc:
        message = f"{source}: not a hits feed (invalid JSON at line {exc.lineno})"
        raise ReserverError(message) from None
    except csv.Error as exc:  # a field over the csv module's limit (128 KiB), a stray NUL
        raise ReserverError(f"{source}: not a hits feed (CSV: {exc})") from None
    return [_hit(row, source, number) for number, row in enumerate(rows, start=1)]


def _hit(row: object, source: str, number: int) -> Hit:
    where = f"{source}: row {number}"
    if not isinstance(row, dict):
        raise ReserverError(f"{where}: not an object")
    name, target = row.get("name"), row.get("target") or None
    category = row.get("category") or "typo"
    for label, value in (("name", name), ("target", target)):
        if value is None and label == "target":
            continue
        if not isinstance(value, str) or name_problem(value) is not None:
            raise ReserverError(f"{where}: {label} {excerpt(value)} is not a package name")
    if category not in _CATEGORIES:
        raise ReserverError(f"{where}: unknown category {excerpt(category)}")
    try:
        hits = int(row.get("hits", ""))
    except (TypeError, ValueError, OverflowError):
        message = f"{where}: hits {excerpt(row.get('hits'))} is not a whole number"
        raise ReserverError(message) from None
    if hits < 0:
        raise ReserverError(f"{where}: hits {hits} is negative")
    assert isinstance(name, str)
    return Hit(name, target, category, hits)
