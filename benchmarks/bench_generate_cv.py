"""Cross-validate the generation weights on the train split, target by target.

Each fifth of the train split's targets (by sha256 of the target, as bench_check_cv.py) is
held out in turn; the kind shares, letter factors and word-order share (and the affix
lexicon, with the matched malicious names) are fitted on the rest exactly as
fit_typo_model.py fits them, and the held-out squats are looked for among the first K
names the model ranks for their target.
Names PyPI refuses anyway (a separator or look-alike of the target) cost no budget and count
as covered, as in ``reserver evaluate``. Beside the shipped choice, in the same run: the same
fit with the matched malicious names (fit_typo_model.match_malicious) added to the labelled
squats, which is what the weights were fitted on before.

Recall is per squat and, in brackets, the mean over targets of each target's share (a
campaign of 50 squats of one name weighs as one target there).

    .venv/bin/python benchmarks/bench_generate_cv.py          (about 30 seconds)
"""

from __future__ import annotations

import copy
import hashlib
import json
import sys
from collections import defaultdict
from collections.abc import Callable, Sequence

from fit_typo_model import POPULAR_TOP, match_malicious, read_malicious, read_top

from reserver.evaluation.squats import (
    Attack,
    default_dataset,
    evaluate_sets,
    load_dataset,
    split_dataset,
)
from reserver.names.normalize import canonicalize
from reserver.names.rules import BLOCKED, EMPTY, PYPI, KnownNames, name_status
from reserver.typo import fit
from reserver.typo.kinds import IMPORT_NAME, LETTER_KINDS, LOOKALIKE, SEPARATOR
from reserver.typo.model import TypoModel
from reserver.typo.weights import default_weights_path, parse_weights

FOLDS = 5
BUDGETS = (10, 25, 50, 100, 300)


def fold_of(target: str) -> int:
    return hashlib.sha256(canonicalize(target).encode()).digest()[0] % FOLDS


def model_from(
    labelled: Sequence[fit.Observation],
    shipped: dict[str, object],
    malicious: Sequence[fit.Observation],
    top: Sequence[str],
    extra: Sequence[fit.Observation] = (),
) -> TypoModel:
    """The shipped weights with the generation part refitted on ``labelled`` (and ``extra``)
    and the affix lexicon on ``labelled`` and the matched ``malicious`` names, as
    fit_typo_model.py fits both. The lexicon is refitted too: the shipped one counts every
    train squat's words, so a held-out affix squat would find its own word there."""
    raw = copy.deepcopy(shipped)
    generation = fit.fit_generation([*labelled, *extra])
    # Separator and look-alike prices are the shipped ones (fitted on malicious names, not
    # on labelled squats): they cost no budget on PyPI's rules anyway.
    priced = fit.price_unmeasurable(generation["kinds"], (IMPORT_NAME,), LETTER_KINDS)
    shipped_kinds: dict[str, dict[str, float]] = shipped["kinds"]  # type: ignore[assignment]
    for kind in (SEPARATOR, LOOKALIKE):
        priced[kind] = dict(shipped_kinds[kind])
    raw["kinds"] = priced
    raw["letter"] = generation["letter"]
    raw["words"] = generation["words"]
    shipped_affixes: dict[str, object] = shipped["affixes"]  # type: ignore[assignment]
    raw["affixes"] = {
        **fit.fit_affixes([*labelled, *malicious], top, POPULAR_TOP, labelled),
        "registry": shipped_affixes["registry"],
    }
    return TypoModel(parse_weights(raw))


def first_allowed(model: TypoModel, budget: int, view: KnownNames) -> Callable[[str], list[str]]:
    """A target's first ``budget`` names that PyPI's rules allow (on ``view``)."""

    def names_for(target: str) -> list[str]:
        out = []
        for name, *_ in model.generate(target):
            if name_status(name, PYPI, view)[0] != BLOCKED:
                out.append(name)
                if len(out) == budget:
                    break
        return out

    return names_for


def recall(model: TypoModel, attacks: Sequence[Attack], budget: int) -> list[tuple[str, bool]]:
    """(target, covered) per attack, with the first ``budget`` names the registry allows."""
    view = EMPTY.with_names(a.target for a in attacks)
    names_for = first_allowed(model, budget, view)
    found = evaluate_sets(attacks, names_for, "model", PYPI, view)
    return [(canonicalize(o.attack.target), o.result != "missed") for o in found.outcomes]


def cell(rows: list[tuple[str, bool]]) -> str:
    by_target: dict[str, list[bool]] = defaultdict(list)
    for target, hit in rows:
        by_target[target].append(hit)
    per_target = sum(sum(v) / len(v) for v in by_target.values()) / len(by_target)
    return f"{sum(h for _, h in rows) / len(rows):.1%} ({per_target:.1%})"


def main() -> int:
    shipped = json.loads(default_weights_path().read_text(encoding="utf-8"))
    attacks = load_dataset(default_dataset())
    train = split_dataset(attacks, "train")
    validation = split_dataset(attacks, "validation")
    top = read_top()
    malicious, _ = fit.observe(match_malicious(read_malicious(), top), "malicious")
    variants: dict[str, Sequence[fit.Observation]] = {
        "labelled squats (shipped)": (),
        "labelled + matched malicious": malicious,
    }
    cv: dict[str, dict[int, list[tuple[str, bool]]]] = {
        name: defaultdict(list) for name in variants
    }
    held_out: dict[str, dict[int, list[tuple[str, bool]]]] = {
        name: defaultdict(list) for name in variants
    }
    for fold in range(FOLDS):
        rest = [a for a in train if fold_of(a.target) != fold]
        test = [a for a in train if fold_of(a.target) == fold]
        labelled, _ = fit.observe(((a.squat, a.target) for a in rest), "train")
        for name, extra in variants.items():
            model = model_from(labelled, shipped, malicious, top, extra)
            for budget in BUDGETS:
                cv[name][budget] += recall(model, test, budget)
    labelled, _ = fit.observe(((a.squat, a.target) for a in train), "train")
    for name, extra in variants.items():
        model = model_from(labelled, shipped, malicious, top, extra)
        for budget in BUDGETS:
            held_out[name][budget] += recall(model, validation, budget)

    header = " | ".join(f"K={k}" for k in BUDGETS)
    print(f"| weights fitted on | data | {header} |")
    print("| --- | --- | " + " | ".join("---:" for _ in BUDGETS) + " |")
    for name in variants:
        print(
            f"| {name} | train, 5-fold CV | "
            + " | ".join(cell(cv[name][k]) for k in BUDGETS)
            + " |"
        )
        print(
            f"| {name} | validation | "
            + " | ".join(cell(held_out[name][k]) for k in BUDGETS)
            + " |"
        )
    return 0


if __name__ == "__main__":
    sys.exit(main())
