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
from typing import Any

from ..names.normalize import canonicalize
from .edits import (
    ADJACENT,
    EARLY,
    FIRST,
    LAST,
    LATE,
    PLURAL,
    PREFIX,
    SUFFIX,
    Edit,
    explain,
    gap_position,
    is_glued,
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
    WORD_DROPPED,
    WORD_ORDER,
)
from .model import MAX_ORDER_WORDS, _insertions, _substitutes

POSITIONS = (FIRST, EARLY, LATE, LAST)
RELATIONS: dict[str, tuple[str, ...]] = {
    OMISSION: ("doubled", "vowel", PLURAL, "other"),
    REPETITION: (),
    TRANSPOSITION: (),
    SUBSTITUTION: ("neighbour", "vowel", "digit", "other"),
    INSERTION: ("neighbour", "vowel", "digit", PLURAL, "other"),
}
#: Kind-share fitting stops when no share moves by more than this (it takes about 30 rounds).
_SHARE_TOLERANCE = 1e-9
_MAX_ITERATIONS = 1000


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


def eligible_kinds(target: str) -> frozenset[str]:
    """The kinds of edit ``target`` allows: word order needs 2-4 words, a dropped word 2+."""
    words = len(canonicalize(target).split("-"))
    out = set(KINDS)
    if not 2 <= words <= MAX_ORDER_WORDS:
        out.discard(WORD_ORDER)
    if words < 2:
        out.discard(WORD_DROPPED)
    return frozenset(out)


def fit_kind_shares(observations: Sequence[Observation]) -> dict[str, dict[str, float]]:
    """P(kind), by maximum likelihood over each squat's own choice of kinds, add-one smoothed.

    A squat of a one-word name could not have been a word-order squat, so counting it
    against word order (as a plain share of all squats does) would price word order by how
    many targets have several words, not by how often people reorder them. The model is
    P(kind | target) = s_kind / sum of s over the kinds the target allows; the shares s
    that make the observed kinds likeliest are found by the usual fixed-point iteration
    (each s is its count over its expected exposure).
    """
    counts = Counter(obs.edit.kind for obs in observations)
    # One pseudo-squat per kind, open to every kind, is the add-one smoothing.
    everything = frozenset(KINDS)
    exposure: Counter[frozenset[str]] = Counter({everything: len(KINDS)})
    exposure.update(eligible_kinds(obs.target) for obs in observations)
    share = {k: 1.0 / len(KINDS) for k in KINDS}
    for _ in range(_MAX_ITERATIONS):
        scale = {group: w / sum(share[k] for k in group) for group, w in exposure.items()}
        new = {k: (counts[k] + 1.0) / sum(v for g, v in scale.items() if k in g) for k in KINDS}
        total = sum(new.values())
        new = {k: v / total for k, v in new.items()}
        moved = max(abs(new[k] - share[k]) for k in KINDS)
        share = new
        if moved < _SHARE_TOLERANCE:
            break
    return {k: {"share": round(share[k], 6), "n": counts[k]} for k in KINDS}


def calibrate_to_hits(
    shares: dict[str, dict[str, Any]], observed: dict[str, int], expected: dict[str, float]
) -> dict[str, dict[str, Any]]:
    """Kind shares moved towards what real people's blocked installs showed.

    ``observed`` and ``expected`` are the hits per kind on reserved typo names and the hits
    the model expected there (each target's hits split by the model's probability of each
    held name, :func:`reserver.evaluation.hits.shares`): both are counted on the same held
    names, so the ratio corrects the share without the bias of which names were held. Each
    kind's share is multiplied by (observed + 1) / (expected + 1), add-one smoothed so that a
    handful of hits moves little, then all are renormalised.

    >>> s = {"omission": {"share": 0.5, "n": 1}, "insertion": {"share": 0.5, "n": 1}}
    >>> out = calibrate_to_hits(s, {"omission": 9}, {"omission": 4.0})
    >>> out["omission"]["share"] > 0.5 > out["insertion"]["share"]
    True
    """
    factor = {k: (observed.get(k, 0) + 1.0) / (expected[k] + 1.0) for k in expected}
    moved = {k: row["share"] * factor.get(k, 1.0) for k, row in shares.items()}
    total = sum(moved.values())
    return {
        k: {**row, "share": round(moved[k] / total, 6), **({"hits_factor": round(factor[k], 4)}
            if k in factor else {})}
        for k, row in shares.items()
    }  # fmt: skip


def fit_generation(labelled: Sequence[Observation]) -> dict[str, dict[str, Any]]:
    """The generation weights fitted from labelled squats: ``kinds`` (before
    :func:`price_unmeasurable`), ``letter`` and ``words``, as weights.json holds them."""
    letters = fit_letters(labelled)
    return {
        "kinds": fit_kind_shares(labelled),
        "letter": {k: letters[k] for k in LETTER_KINDS},
        "words": fit_word_order(labelled),
    }


def fit_word_order(observations: Sequence[Observation]) -> dict[str, dict[str, float | int]]:
    """The share of word-order squats (of 3+ words) that swap two neighbouring words."""
    seen = [
        obs
        for obs in observations
        if obs.edit.kind == WORD_ORDER and len(obs.target.split("-")) >= 3
    ]
    adjacent = sum(obs.edit.relation == ADJACENT for obs in seen)
    return {
        "adjacent_swap": {
            "share": round((adjacent + 1) / (len(seen) + 2), 4),
            "observed": adjacent,
            "n": len(seen),
        }
    }


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
    return _repriced(shares, dict.fromkeys(unmeasurable, mean), "mean of " + ", ".join(reference))


def _repriced(
    shares: dict[str, dict[str, Any]], prices: dict[str, float], note: str
) -> dict[str, dict[str, float | str]]:
    # The kinds in ``prices`` take those shares, every share is renormalised, and the
    # repriced kinds say how (``priced_as``).
    share = {k: prices.get(k, float(v["share"])) for k, v in shares.items()}
    total = sum(share.values())
    out: dict[str, dict[str, float | str]] = {}
    for kind, row in shares.items():
        out[kind] = {**row, "share": round(share[kind] / total, 6)}
        if kind in prices:
            out[kind]["priced_as"] = note
    return out


def price_from_open_names(
    shares: dict[str, dict[str, float | str]],
    kinds: Sequence[str],
    reference: Sequence[str],
    seen: int,
    reference_seen: int,
) -> dict[str, dict[str, float | str]]:
    """Price ``kinds`` from names where the registry would have allowed them.

    PyPI's "too similar" rule refuses separator and look-alike variants of projects, but a
    standard-library module is no project: there attackers were free to register either.
    Among malicious names, ``seen`` are such variants of module names and
    ``reference_seen`` are letter slips of them, so together the ``kinds`` get the
    ``reference`` kinds' share times (seen + 1) / (reference_seen + 2), split evenly.
    """
    reference_share = sum(float(shares[k]["share"]) for k in reference)
    each = reference_share * (seen + 1) / (reference_seen + 2) / len(kinds)
    note = (
        f"({seen} + 1) / ({reference_seen} + 2) of the letter kinds' share, split over "
        + ", ".join(kinds)
        + ": variants of standard-library names among malicious names, where PyPI "
        "allows them, against letter slips of the same names"
    )
    return _repriced(shares, dict.fromkeys(kinds, each), note)


def fit_affixes(
    observations: Sequence[Observation],
    popular: Sequence[str],
    popular_top: int,
    labelled: Sequence[Observation],
) -> dict[str, object]:
    """The affix lexicon: each word's share of affix squats, popular names pooled as one class.

    The share glued on without a separator comes from ``labelled`` squats only: names
    matched to a target by their words (as unlabelled ones are) are never glued.
    """
    popular_set = set(popular[:popular_top])
    words: Counter[str] = Counter()
    joined = 0
    total = 0
    for obs in observations:
        edit = obs.edit
        if edit.kind != AFFIX:
            continue
        total += 1
        word = edit.relation
        if word in popular_set:
            joined += 1
        else:
            words[f"{edit.position}:{word}"] += 1
    total = max(total, 1)
    labelled_affixes = [obs.edit for obs in labelled if obs.edit.kind == AFFIX]
    glued = sum(map(is_glued, labelled_affixes))
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
        "glued": round((glued + 1) / (len(labelled_affixes) + 2), 6),
        "glued_observed": [glued, len(labelled_affixes)],
    }


def fit_registry_affixes(names: Iterable[str], keep: int) -> dict[str, object]:
    """How often registry names start or end with each word: the prior of affix words no
    attacker has been seen to use yet.

    Attackers pick words that make a plausible project name ("-utils", "-cli", "py-"), and
    the registry shows which words make names plausible. Of the ends of every name of two or
    more words (its first word as a prefix, its last as a suffix), the ``keep`` commonest,
    each with its share of all those ends.
    """
    ends: Counter[str] = Counter()
    for name in names:
        words = name.split("-")
        if len(words) < 2:
            continue
        for where, word in ((PREFIX, words[0]), (SUFFIX, words[-1])):
            if len(word) >= 2:
                ends[f"{where}:{word}"] += 1
    total = sum(ends.values()) or 1
    kept = sorted(ends.items(), key=lambda i: (-i[1], i[0]))[:keep]
    return {
        "ends": total,
        "words": {label: round(count / total, 6) for label, count in kept},
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
