"""Candidates: the valid, distinct names a target's typos produce, with kind, edit and score."""

from __future__ import annotations

import heapq
from collections.abc import Callable, Iterable, Iterator
from typing import NamedTuple

from .fuzzers import FUZZERS, LAYOUT_FUZZERS, Fuzzer, LayoutFuzzer, Variant
from .import_names import import_names_for
from .normalize import MAX_NAME_LENGTH, canonicalize, is_valid_name

#: How likely each kind of slip is, before its own per-variant weight. Set from what
#: studies of typing errors find most often (omissions, then transpositions and neighbour
#: keys) and from the kinds seen in real PyPI attacks (affixes, separators, word order,
#: import names). Word-level edits rank high because a name has only a few of them, each
#: one plausible as a whole. Bit flips are for completeness and almost never win a budget.
KIND_PRIOR: dict[str, float] = {
    "import_name": 1.0,
    "deleted_letter": 0.9,
    "separator_removed": 0.9,
    "plural_singular": 0.85,
    "affix_stripped": 0.8,
    "swapped_letters": 0.75,
    "separator_added": 0.6,
    "doubled_letter": 0.45,
    "misspelling": 0.6,
    "affix_swapped": 0.65,
    "affix_added": 0.45,
    "keyboard_substitution": 0.6,
    "vowel_swap": 0.45,
    "visual_lookalike": 0.35,
    "version_digit": 0.3,
    "words_swapped": 0.7,
    "words_dropped": 0.6,
    "keyboard_insertion": 0.3,
    "separator_moved": 0.15,
    "bit_flip": 0.03,
}

#: Kinds that act on one letter position. A long name offers more positions, so any one
#: letter slip is less likely than in a short name, while it still has only a few words:
#: their priors are spread over the length beyond a typical name's.
LETTER_KINDS = frozenset(
    {
        "deleted_letter",
        "doubled_letter",
        "swapped_letters",
        "keyboard_substitution",
        "keyboard_insertion",
        "vowel_swap",
        "visual_lookalike",
        "bit_flip",
        "separator_added",
        "separator_moved",
    }
)
TYPICAL_LENGTH = 8

#: Kinds applied as a second step on top of the likeliest first steps: cheap, common slips.
SECOND_STEP_KINDS: tuple[str, ...] = (
    "deleted_letter",
    "swapped_letters",
    "doubled_letter",
    "vowel_swap",
    "separator_removed",
    "affix_added",
    "keyboard_substitution",
)
#: A two-step typo is much rarer than either step alone.
TWO_STEP_FACTOR = 0.25
#: Shorter typos are mostly other real words and projects ("six" -> "si"): not worth holding.
MIN_CANDIDATE_LENGTH = 3
#: Names longer than this (in letters) get no two-step typos.
TWO_STEP_MAX_LETTERS = 16
#: How many of the best one-step candidates get a second step.
SECOND_STEP_FROM = 8


class Candidate(NamedTuple):
    """A name derived from a target, and why.

    A named tuple rather than a frozen dataclass: the engine makes a few hundred thousand of
    them per run, and a frozen dataclass pays for every field on construction.
    """

    name: str
    """The candidate name in PEP 503 canonical form (what the index compares)."""
    target: str
    """The name it imitates, as given."""
    kind: str
    """The fuzzer that made it (``deleted_letter``, ...), ``a+b`` for two steps."""
    edit: str
    """What the edit was, in words (``deleted 'l' at 2``)."""
    score: float
    """How likely a person is to type it for the target, 0 < score <= 1 (before harm)."""
    steps: int = 1
    """Number of edits from the target."""
    category: str = "typo"
    """What the placeholder would say: ``typo`` or ``import``."""


Scored = dict[str, tuple[float, str, str, int]]


def _length_factor(length: int) -> float:
    # One edit on a very short name mostly lands on an unrelated word someone else wants.
    if length <= 3:
        return 0.5
    if length == 4:
        return 0.8
    return 1.0


def _acceptable(variant: str, canon_target: str) -> bool:
    # Fuzzers work on canonical names and emit only [a-z0-9-]; what remains to check is
    # the shape PEP 503 would not preserve and the target itself.
    return (
        len(variant) >= MIN_CANDIDATE_LENGTH
        and variant != canon_target
        and variant[0] != "-"
        and variant[-1] != "-"
        and "--" not in variant
        and len(variant) <= MAX_NAME_LENGTH
    )


def _with_layout(fuzzer: LayoutFuzzer, layout: str) -> Fuzzer:
    def bound(name: str) -> Iterator[Variant]:
        return fuzzer(name, layout)

    return bound


def _fuzzers(kinds: Iterable[str], layouts: tuple[str, ...]) -> list[tuple[str, Fuzzer]]:
    chosen: list[tuple[str, Fuzzer]] = []
    for kind in kinds:
        if kind not in FUZZERS:
            raise ValueError(f"unknown kind of typo {kind!r}")
        if kind in LAYOUT_FUZZERS:
            chosen.extend((kind, _with_layout(LAYOUT_FUZZERS[kind], layout)) for layout in layouts)
        else:
            chosen.append((kind, FUZZERS[kind]))
    return chosen


def _add(best: Scored, name: str, score: float, kind: str, edit: str, steps: int) -> bool:
    current = best.get(name)
    # Ties go to the lexically smaller kind so the result never depends on group order.
    if current is None or score > current[0] or (score == current[0] and kind < current[1]):
        best[name] = (score, kind, edit, steps)
        return True
    return False


#: A group adds its candidates to the shared table and returns the names it added or
#: raised; its bound is the highest score it can give.
Group = tuple[float, str, Callable[[Scored], list[str]]]


def candidate_groups(
    target: str,
    *,
    kinds: Iterable[str] | None = None,
    layouts: tuple[str, ...] = ("qwerty",),
    import_names: Iterable[str] | None = None,
    two_step: bool = True,
) -> list[Group]:
    """The candidate generators of ``target`` as ``(bound, label, run)``, likeliest first.

    Every score a group gives is at most its bound, so a caller that needs only the best
    few names can stop once what it holds beats every bound still to run (the ranking does).
    Two-step typos come last because their seeds are the best one-step candidates.
    """
    canon = canonicalize(target)
    chosen = _fuzzers(kinds if kinds is not None else FUZZERS, layouts)
    factor = _length_factor(len(canon.replace("-", "")))
    groups: list[Group] = []
    imports = import_names_for(target) if import_names is None else tuple(import_names)
    if imports:

        def run_imports(best: Scored) -> list[str]:
            changed = []
            for module in imports:
                variant = canonicalize(module)
                # Import names are real names people type, however short ("gi", "wx").
                if (
                    variant != canon
                    and is_valid_name(variant)
                    and _add(best, variant, 1.0, "import_name", f"import name {module}", 1)
                ):
                    changed.append(variant)
            return changed

        groups.append((KIND_PRIOR["import_name"], "import_name", run_imports))
    letters = len(canon.replace("-", ""))
    spread = min(1.0, TYPICAL_LENGTH / letters) if letters else 1.0
    for kind, fuzzer in chosen:
        prior = KIND_PRIOR[kind] * factor * (spread if kind in LETTER_KINDS else 1.0)

        def run(
            best: Scored, _kind: str = kind, _fuzzer: Fuzzer = fuzzer, _p: float = prior
        ) -> list[str]:
            # The hottest loop of the engine: _acceptable and _add, inlined.
            changed = []
            get = best.get
            for variant, edit, weight in _fuzzer(canon):
                if (
                    len(variant) < MIN_CANDIDATE_LENGTH
                    or variant == canon
                    or variant[0] == "-"
                    or variant[-1] == "-"
                    or "--" in variant
                    or len(variant) > MAX_NAME_LENGTH
                ):
                    continue
                score = _p * weight
                held = get(variant)
                if held is None or score > held[0] or (score == held[0] and _kind < held[1]):
                    best[variant] = (score, _kind, edit, 1)
                    changed.append(variant)
            return changed

        groups.append((prior, kind, run))
    groups.sort(key=lambda g: (-g[0], g[1]))
    # Two slips in one long name are rare, and such a name has thousands of them: none
    # would win a budget, and generating them is most of the cost of a long target.
    if two_step and letters <= TWO_STEP_MAX_LETTERS:
        allowed = {kind for kind, _ in chosen}
        second = [
            (k, f, KIND_PRIOR[k] * (spread if k in LETTER_KINDS else 1.0))
            for k, f in _fuzzers(SECOND_STEP_KINDS, layouts[:1])
            if k in allowed
        ]
        if second and groups:
            # No seed can score above the best one-step bound.
            bound = TWO_STEP_FACTOR * max(p for _, _, p in second) * max(g[0] for g in groups)

            def run_second(best: Scored) -> list[str]:
                return _second_step(best, canon, second)

            groups.append((bound, "two_step", run_second))
    return groups


def score_variants(
    target: str,
    *,
    kinds: Iterable[str] | None = None,
    layouts: tuple[str, ...] = ("qwerty",),
    import_names: Iterable[str] | None = None,
    two_step: bool = True,
) -> Scored:
    """Every candidate name of ``target`` mapped to ``(score, kind, edit, steps)``."""
    best: Scored = {}
    for _, _, run in candidate_groups(
        target, kinds=kinds, layouts=layouts, import_names=import_names, two_step=two_step
    ):
        run(best)
    return best


def _second_step(best: Scored, canon: str, second: list[tuple[str, Fuzzer, float]]) -> list[str]:
    seeds = heapq.nsmallest(
        SECOND_STEP_FROM,
        ((-s, name) for name, (s, kind, _, _) in best.items() if kind != "visual_lookalike"),
    )
    imports = [name for name, value in best.items() if value[1] == "import_name"]
    first = set(best)
    changed: list[str] = []
    for name in sorted({n for _, n in seeds} | set(imports)):
        score1, kind1, edit1, _ = best[name]
        for kind2, fuzzer, prior2 in second:
            if kind2 == kind1 and kind1 in ("affix_added", "separator_removed"):
                continue
            prior = prior2 * TWO_STEP_FACTOR * score1
            combo = f"{kind1}+{kind2}"
            for variant, edit2, weight in fuzzer(name):
                if variant in first or not _acceptable(variant, canon):
                    continue
                score = prior * weight
                held = best.get(variant)
                if held is not None and held[0] >= score:
                    continue
                if _add(best, variant, score, combo, f"{edit1}, then {edit2}", 2):
                    changed.append(variant)
    return changed


def generate_candidates(
    target: str,
    *,
    kinds: Iterable[str] | None = None,
    layouts: tuple[str, ...] = ("qwerty",),
    import_names: Iterable[str] | None = None,
    two_step: bool = True,
) -> list[Candidate]:
    """Every candidate for ``target``, likeliest first (ties broken by name).

    Each is a valid project name in canonical form that differs from the target after
    PEP 503 normalisation, and carries the kind and the edit that made it.

    >>> [c.name for c in generate_candidates("requests")][:3]
    ['request', 'reqests', 'requess']
    """
    scored = score_variants(
        target, kinds=kinds, layouts=layouts, import_names=import_names, two_step=two_step
    )
    return [
        Candidate(
            name,
            target,
            kind,
            edit,
            round(score, 6),
            steps,
            "import" if kind == "import_name" else "typo",
        )
        for name, (score, kind, edit, steps) in sorted(scored.items(), key=_order)
    ]


def _order(item: tuple[str, tuple[float, str, str, int]]) -> tuple[float, str]:
    return (-item[1][0], item[0])
