"""Fit ``check``'s evidence terms and decision threshold from attacks and legitimate names.

Used by fit_typo_model.py and bench_check_cv.py. For each feature the detector weighs (the
edit's cell: kind, position and key relation; the target's popularity band; within the
edit's family, the target's length band and how much less name-like the typed name is) the
term is log P(feature | attack) / P(feature | legitimate near-miss), add-one smoothed:
- attacks: real squats of the train split and malicious names the fit explained, whose
  target is in the top 10,000 (popularity bands: one count per attacked labelled target);
- legitimate near-misses: a fixed sample of the registry's names (benchmarks/data/
  pypi-names.txt.gz) that are neither malicious nor in the top 10,000, paired with every
  top-10,000 project the detector finds them to be an edit of; and each top-10,000 project
  paired with the more popular projects it is an edit of (pymc3 and pymc, pypdf3 and pypdf:
  the near-misses real dependencies make).
The threshold is then the lowest evidence at which at most TARGET_FALSE_ALARMS of the
calibration half of ranks 10,001-15,000 (popular, legitimate projects) are flagged.
"""

from __future__ import annotations

import gzip
import hashlib
import math
from collections import Counter
from collections.abc import Callable, Sequence
from dataclasses import dataclass, replace
from pathlib import Path
from typing import Any

from reserver.guard.detect import Detector
from reserver.names.normalize import canonicalize
from reserver.typo.fit import Observation
from reserver.typo.model import TypoModel
from reserver.typo.namelike import NameLikeness
from reserver.typo.weights import Weights

CORPUS = 10_000
#: The threshold is calibrated on the projects ranked just below the corpus (10,001-15,000).
FALSE_ALARM_SET = 5000
#: Below the 1% the issue allows, with room for the report half to differ.
TARGET_FALSE_ALARMS = 0.007
#: One registry name in this many is sampled as background (by hash: reproducible).
BACKGROUND_EVERY = 6


def registry_names(path: Path, exclude: set[str]) -> list[str]:
    """The registry's project names (benchmarks/data/pypi-names.txt.gz), canonical, less
    ``exclude`` (the malicious ones): read once, for the trigram counts and the background."""
    with gzip.open(path, "rt", encoding="utf-8") as f:
        names = (canonicalize(line.strip()) for line in f if line.strip())
        return [n for n in names if n not in exclude]


def _background(names: Sequence[str], exclude: set[str]) -> list[str]:
    return [
        n
        for n in names
        if n not in exclude and hashlib.sha256(n.encode()).digest()[1] % BACKGROUND_EVERY == 0
    ]


def _group(feature: str) -> str:
    """The distribution a feature value belongs to: length and name-likeness bands are one
    per edit family."""
    head, _, rest = feature.partition(":")
    return f"{head}:{rest.split(':', 1)[0]}" if head in ("length", "namelike") else head


@dataclass
class Counts:
    """How often each feature value is seen among attacks and among legitimate near-misses."""

    attack: Counter[str]
    legitimate: Counter[str]
    n_attacks: int = 0
    n_targets: int = 0
    n_legitimate: int = 0
    n_popular: int = 0
    n_background: int = 0


def attack_counts(detector: Detector, attacks: Sequence[Observation]) -> Counts:
    """Feature counts of explained attacks whose target is in the detector's corpus."""
    counts = Counts(Counter(), Counter())
    # Popularity bands count attacked targets, not squats: a few targets draw dozens of
    # squats each (one campaign), which says how busy that campaign was, not how often
    # projects of that band are attacked.
    band_of_target: dict[str, str] = {}
    for obs in attacks:
        index = detector.rank(obs.target)
        if index is None or detector.is_known(obs.squat):
            continue
        counts.n_attacks += 1
        log_prob = detector.namelike.log_prob(obs.squat)
        for feature in detector.features(obs.edit, index, log_prob):
            if feature.startswith("band:"):
                # Malicious names were matched to the top 3,000 only, so they say nothing
                # about how often less popular targets are attacked.
                if obs.source == "train":
                    band_of_target[obs.target] = feature
                continue
            counts.attack[feature] += 1
    counts.attack.update(band_of_target.values())
    counts.n_targets = len(band_of_target)
    return counts


def near_miss_counts(detector: Detector, top: Sequence[str], registry: Sequence[str]) -> Counts:
    """Feature counts of legitimate near-misses of two sorts: the registry at large (mostly
    obscure names) against the corpus, and each corpus project against the more popular
    ones (rank r against ranks above r, as a dependency is checked against the corpus).
    ``registry``: the registry's names less the malicious ones (:func:`registry_names`)."""
    counts = Counts(Counter(), Counter())
    size = len(detector)
    background = _background(registry, set(top))
    counts.n_background = len(background)
    queries = [(name, size) for name in background]
    queries += [(name, rank) for rank, name in enumerate(detector.names)]
    for name, above in queries:
        log_prob = detector.namelike.log_prob(name)
        for index, edit in detector.pairs(name):
            if index >= above:
                continue
            counts.n_legitimate += 1
            counts.n_popular += above < size
            for feature in detector.features(edit, index, log_prob):
                counts.legitimate[feature] += 1
    return counts


def log_ratios(attack: Counter[str], legitimate: Counter[str]) -> dict[str, float]:
    """log P(value | attack) / P(value | legitimate), add-one smoothed within each group."""
    values = sorted(set(attack) | set(legitimate))
    sizes: Counter[str] = Counter(_group(v) for v in values)
    attacks: Counter[str] = Counter()
    legit: Counter[str] = Counter()
    for value in values:
        attacks[_group(value)] += attack[value]
        legit[_group(value)] += legitimate[value]
    ratios: dict[str, float] = {}
    for value in values:
        group = _group(value)
        p_attack = (attack[value] + 1) / (attacks[group] + sizes[group])
        p_legit = (legitimate[value] + 1) / (legit[group] + sizes[group])
        ratios[value] = round(math.log(p_attack / p_legit), 4)
    ratios["unseen"] = round(min(ratios.values()), 4)
    return ratios


def calibrate(
    weights: Weights,
    log_ratio: dict[str, float],
    corpus: Sequence[str],
    legit: Sequence[str],
    namelike: NameLikeness,
) -> tuple[Detector, float, int]:
    """The detector with ``log_ratio`` in place, and the lowest threshold at which ``check``
    flags at most TARGET_FALSE_ALARMS of ``legit`` (with how many it flags)."""
    unthresholded = replace(weights, log_ratio=log_ratio, detection={"threshold": 0.0})
    detector = Detector(corpus, model=TypoModel(unthresholded), namelike=namelike)
    # A name PyPI calls the same as a corpus name is reported whatever its evidence: it
    # spends the false-alarm budget first.
    scores = sorted(
        (math.inf if detector.same_name(n) else detector.evidence(n) for n in legit),
        reverse=True,
    )
    allowed = int(TARGET_FALSE_ALARMS * len(legit))
    above, below = scores[allowed - 1], scores[allowed]
    threshold = (above + below) / 2 if math.isfinite(below) else above - 1.0
    flagged = sum(e >= threshold for e in scores)
    thresholded = replace(unthresholded, detection={"threshold": threshold, "slope": 1.0})
    return Detector(corpus, model=TypoModel(thresholded), namelike=namelike), threshold, flagged


def fit_detection(
    weights: Weights,
    top: Sequence[str],
    attacks: Sequence[Observation],
    registry: Sequence[str],
    in_half: Callable[[str, int], bool],
    namelike: NameLikeness,
) -> dict[str, Any]:
    detector = Detector(top[:CORPUS], model=TypoModel(weights), namelike=namelike)
    positive = attack_counts(detector, attacks)
    negative = near_miss_counts(detector, top, registry)
    log_ratio = log_ratios(positive.attack, negative.legitimate)
    legit = [n for n in top[CORPUS : CORPUS + FALSE_ALARM_SET] if in_half(n, 0)]
    _, threshold, flagged = calibrate(weights, log_ratio, top[:CORPUS], legit, namelike)
    # One threshold serves every corpus size: calibrated the same way for the top 100, 300,
    # 1,000 and 3,000 (each against the 5,000 projects ranked just below it) it came out
    # 5.5-6.7 with no trend (measured 2026-11-30), within the noise of 17 names.
    evidence = {
        value: {"attacks": positive.attack[value], "legitimate": negative.legitimate[value]}
        for value in log_ratio
        if value != "unseen"
    }
    return {
        "terms": {"threshold": round(threshold, 4), "slope": 1.0},
        "log_ratio": log_ratio,
        "evidence": evidence,
        "fitted_on": (
            f"attacks: {positive.n_attacks} explained squats with a top-{CORPUS} target "
            "(train split and matched malicious names; popularity bands from the "
            f"{positive.n_targets} distinct targets of labelled ones only, since malicious "
            "names were matched to the top 3,000); "
            f"legitimate: {negative.n_legitimate} near-miss pairs, "
            f"{negative.n_legitimate - negative.n_popular} of {negative.n_background} sampled "
            f"registry names and {negative.n_popular} of the top {CORPUS:,} against more "
            "popular projects; length and name-likeness bands per edit family; threshold: "
            f"at most {TARGET_FALSE_ALARMS:.1%} of {len(legit)} projects of ranks "
            "10,001-15,000 (calibration half by sha256) flagged against the top 10,000; "
            "cross-validated on the train split by benchmarks/bench_check_cv.py"
        ),
        "calibration_false_alarms": f"{flagged}/{len(legit)}",
        "slope": "1.0: the score is the logistic of the evidence's margin over the threshold",
    }
