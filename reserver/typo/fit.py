"""Fit the typo model's weights from real squats: counts over opportunities, with provenance.

Pure functions over rows already read (the script ``benchmarks/fit_typo_model.py`` reads the
files and writes ``weights.json``). Each factor is an observed share divided by the share of
opportunities: if 60% of real substitutions hit a neighbouring key while 15% of the possible
substitutions of those names do, a neighbour substitution is four times as likely as the
average one. Add-one smoothing keeps a kind or value never seen possible, and small.
"""

from __future__ import annotations

import math
from collections import Counter
from collections.abc import Iterable, Sequence
from dataclasses import dataclass

from ..names.normalize import canonicalize
from .edits import (
    FIRST,
    LAST,
    MIDDLE,
    Edit,
    explain,
    gap_position,
    omission_relation,
    pair_position,
    position_of,
)
from .kinds import (
    AFFIX,
    INSERTION,
    KINDS,
    LETTER_KINDS,
    OMISSION,
    REPETITION,
    SUBSTITUTION,
    TRANSPOSITION,
    TWO_EDITS,
)
from .model import _insertions, _substitutes

POSITIONS = (FIRST, MIDDLE, LAST)
RELATIONS: dict[str, tuple[str, ...]] = {
    OMISSION: ("doubled", "vowel", "other"),
    REPETITION: (),
    TRANSPOSITION: (),
    SUBSTITUTION: ("neighbour", "vowel", "digit", "other"),
    INSERTION: ("neighbour", "vowel", "digit", "other"),
}


@dataclass(frozen=True)
class Observation:
    """One real squat explained against its target."""

    squat: str
    target: str
    edit: Edit
    source: str
    """``train`` (labelled squats) or ``malicious`` (matched by similarity)."""


def observe(
    pairs: Iterable[tuple[str, str]], source: str, layouts: tuple[str, ...] = ("qwerty",)
) -> tuple[list[Observation], list[tuple[str, str]]]:
    """Explain each (squat, target); returns the observations and the pairs left unexplained."""
    seen: list[Observation] = []
    unexplained: list[tuple[str, str]] = []
    for squat, target in pairs:
        edit = explain(squat, target, layouts)
        if edit is None:
            unexplained.append((squat, target))
        else:
            seen.append(Observation(canonicalize(squat), canonicalize(target), edit, source))
    return seen, unexplained


def _opportunities(
    kind: str, target: str, layouts: tuple[str, ...]
) -> tuple[Counter[str], Counter[str]]:
    """How many edits of ``kind`` the target allows, by position and by relation."""
    key = canonicalize(target).replace("-", "")
    n = len(key)
    by_position: Counter[str] = Counter()
    by_relation: Counter[str] = Counter()
    if kind == OMISSION:
        for k in range(n):
            by_position[position_of(k, n)] += 1
            by_relation[omission_relation(key, k)] += 1
    elif kind == REPETITION:
        for k in range(n):
            by_position[position_of(k, n)] += 1
    elif kind == TRANSPOSITION:
        for k in range(n - 1):
            if key[k] != key[k + 1]:
                by_position[pair_position(k, n)] += 1
    elif kind == SUBSTITUTION:
        for k in range(n):
            for relation, chars in _substitutes(key[k], layouts).items():
                if relation in RELATIONS[SUBSTITUTION]:
                    by_position[position_of(k, n)] += len(chars)
                    by_relation[relation] += len(chars)
    elif kind == INSERTION:
        for g in range(n + 1):
            table = _insertions(key[g - 1] if g else "", key[g] if g < n else "", layouts)
            for relation, chars in table.items():
                by_position[gap_position(g, n)] += len(chars)
                by_relation[relation] += len(chars)
    return by_position, by_relation


def _ratio_factors(
    observed: Counter[str], available: dict[str, float], values: Sequence[str]
) -> dict[str, dict[str, float]]:
    total_seen = sum(observed[v] + 1 for v in values)
    total_available = sum(available.get(v, 0.0) for v in values) or 1.0
    out: dict[str, dict[str, float]] = {}
    for v in values:
        seen_share = (observed[v] + 1) / total_seen
        have = available.get(v, 0.0)
        available_share = have / total_available if have else 1.0 / len(values)
        out[v] = {
            "factor": round(seen_share / available_share, 4),
            "observed": observed[v],
            "opportunity_share": round(available_share, 4),
        }
    return out


def fit_letters(
    observations: Sequence[Observation], layouts: tuple[str, ...] = ("qwerty",)
) -> dict[str, dict[str, object]]:
    """Position and relation factors of every letter kind."""
    result: dict[str, dict[str, object]] = {}
    for kind in LETTER_KINDS:
        seen_position: Counter[str] = Counter()
        seen_relation: Counter[str] = Counter()
        available_position: dict[str, float] = {}
        available_relation: dict[str, float] = {}
        for obs in observations:
            edits = obs.edit.parts if obs.edit.kind == TWO_EDITS else (obs.edit,)
            for edit in edits:
                if edit.kind != kind:
                    continue
                seen_position[edit.position] += 1
                if edit.relation:
                    seen_relation[edit.relation] += 1
                by_position, by_relation = _opportunities(kind, obs.target, layouts)
                # Each observation weighs its own name's opportunities as shares, so a
                # long name counts once, like a short one.
                total_p = sum(by_position.values()) or 1
                total_r = sum(by_relation.values()) or 1
                for k, v in by_position.items():
                    available_position[k] = available_position.get(k, 0.0) + v / total_p
                for k, v in by_relation.items():
                    available_relation[k] = available_relation.get(k, 0.0) + v / total_r
        positions = _ratio_factors(seen_position, available_position, POSITIONS)
        relations = _ratio_factors(seen_relation, available_relation, RELATIONS[kind])
        result[kind] = {
            "n": sum(seen_position.values()),
            "position": {k: v["factor"] for k, v in positions.items()},
            "relation": {k: v["factor"] for k, v in relations.items()},
            "evidence": {"position": positions, "relation": relations},
        }
    return result


def fit_kind_shares(counts: Counter[str]) -> dict[str, dict[str, float]]:
    """P(kind) with add-one smoothing over the whole vocabulary."""
    total = sum(counts[k] + 1 for k in KINDS)
    return {k: {"share": round((counts[k] + 1) / total, 6), "n": counts[k]} for k in KINDS}


def price_unmeasurable(
    shares: dict[str, dict[str, float]], unmeasurable: Sequence[str], reference: Sequence[str]
) -> dict[str, dict[str, float | str]]:
    """Give kinds the data cannot show the mean share of ``reference`` kinds, renormalised.

    PyPI refuses separator-only and ``l``/``1``/``o``/``0`` variants of existing names, and
    popular import names are held already, so registrations never show how often people
    type them; they stay possible on private indexes and in requirement files. Until
    observed installs (the stats feed) measure them, they are priced like an average
    letter slip rather than as never happening.
    """
    mean = sum(shares[k]["share"] for k in reference) / len(reference)
    share = {k: (mean if k in unmeasurable else v["share"]) for k, v in shares.items()}
    total = sum(share.values())
    out: dict[str, dict[str, float | str]] = {}
    for kind, row in shares.items():
        out[kind] = {**row, "share": round(share[kind] / total, 6)}
        if kind in unmeasurable:
            out[kind]["priced_as"] = "mean of " + ", ".join(reference)
    return out


def fit_affixes(
    observations: Sequence[Observation], popular: Sequence[str], popular_top: int
) -> dict[str, object]:
    """The affix lexicon: each word's share of affix squats, popular names pooled as one class."""
    popular_set = set(popular[:popular_top])
    words: Counter[str] = Counter()
    glued = 0
    joined = 0
    total = 0
    for obs in observations:
        edit = obs.edit
        if edit.kind != AFFIX:
            continue
        total += 1
        word = edit.relation
        if "-" not in edit.text and "added" in edit.text and word not in obs.squat.split("-"):
            glued += 1
        if word in popular_set:
            joined += 1
        else:
            words[f"{edit.position}:{word}"] += 1
    total = max(total, 1)
    adjusted = good_turing(words)
    return {
        "n": total,
        "words": {
            w: round(adjusted[w] / total, 6)
            for w, _ in sorted(words.items(), key=lambda i: (-i[1], i[0]))
        },
        "unseen_share": round(1.0 - sum(adjusted.values()) / total - joined / total, 6),
        "counts": dict(sorted(words.items(), key=lambda i: (-i[1], i[0]))),
        "popular_name": round(joined / total, 6),
        "popular_names": list(popular[: min(popular_top, 50)]),
        "glued": round((glued + 1) / (total + 2), 6),
    }


def good_turing(counts: Counter[str]) -> dict[str, float]:
    """Good-Turing adjusted counts: a word seen r times counts (r+1) N(r+1) / N(r).

    Most affix words are seen once, so most of the mass belongs to words not seen yet;
    raw shares would spend budget on one-off words as if each were sure to come back.
    Adjusted only where N(r+1) is known (r below the largest count seen twice or more).

    >>> good_turing(Counter({"a": 1, "b": 1, "c": 2}))
    {'a': 1.0, 'b': 1.0, 'c': 2}
    """
    frequency = Counter(counts.values())
    out: dict[str, float] = {}
    for word, r in counts.items():
        if frequency.get(r + 1):
            out[word] = (r + 1) * frequency[r + 1] / frequency[r]
        else:
            out[word] = r
    return out


def fit_popularity(
    targets: Iterable[str], rank_of: dict[str, int], limits: Sequence[int]
) -> dict[str, object]:
    """Attack rate per project by popularity band: squats per project, relative to the top band."""
    counts: Counter[int] = Counter()
    for target in targets:
        rank = rank_of.get(canonicalize(target))
        band = next((limit for limit in limits if rank is not None and rank < limit), limits[-1])
        counts[band] += 1
    rows = []
    previous = 0
    for limit in limits:
        size = limit - previous
        rows.append({"below_rank": limit, "squats": counts[limit], "projects": size,
                     "per_project": (counts[limit] + 0.5) / size})  # fmt: skip
        previous = limit
    top = rows[0]["per_project"]
    assert isinstance(top, float)
    for row in rows:
        value = row["per_project"]
        assert isinstance(value, float)
        row["rate"] = round(value / top, 6)
        row["log_rate"] = round(math.log(value / top), 4)
        del row["per_project"]
    return {"buckets": rows}
