"""The typo model: how likely a person (or an attacker) is to type one name for another.

P(typed | meant) = P(kind) x the edit's own weight within its kind, normalised over every
edit of that kind the meant name allows. For letter edits the weight is a product of fitted
factors (where in the name, how the keys relate), so a long name spreads its probability over
more positions, and a slip onto a neighbouring key outweighs one across the keyboard by as
much as real squats show. ``generate`` enumerates the same space ``likelihood`` prices.
"""

from __future__ import annotations

import heapq
from collections.abc import Callable, Iterable
from dataclasses import replace
from functools import cache, lru_cache
from itertools import permutations
from pathlib import Path
from typing import NamedTuple

from ..names.normalize import MAX_NAME_LENGTH, canonicalize
from .edits import (
    ADJACENT,
    ALPHABET,
    GLUED,
    MOVED,
    OTHER,
    PLURAL,
    PREFIX,
    SUFFIX,
    Edit,
    compact,
    explain,
    gap_position,
    insertion_relation,
    is_glued,
    neighbour_swaps,
    omission_relation,
    pair_position,
    position_of,
    substitution_relation,
    two_letter_edits,
)
from .kinds import (
    AFFIX,
    IMPORT_NAME,
    INSERTION,
    LETTER_KINDS,
    LOOKALIKE,
    OMISSION,
    REPETITION,
    SEPARATOR,
    SUBSTITUTION,
    TRANSPOSITION,
    TWO_EDITS,
    WORD_DROPPED,
    WORD_ORDER,
)
from .lookalikes import LOOKALIKES, is_lookalike
from .weights import Weights, load_weights

#: A name made from a target: ``name -> (probability, kind, edit text, steps)``.
Scored = dict[str, tuple[float, str, str, int]]


class Deferred(NamedTuple):
    """What a costly group's ``run`` may return instead of names: its parts, each with a
    tight bound found cheaply once the ranking reaches the group, and the ``run`` that makes
    that part's names. A ranking runs only the parts it needs."""

    parts: list[tuple[float, Callable[[Scored], list[str]]]]


#: ``(bound, label, run)``: ``run`` adds its names to the table and returns those it added or
#: raised (or a :class:`Deferred` to be run later); no name it adds scores above ``bound``.
Group = tuple[float, str, Callable[[Scored], "list[str] | Deferred"]]


def run_group(run: Callable[[Scored], list[str] | Deferred], best: Scored) -> list[str]:
    """Run a group to the end, a deferred part included (for callers that want every name)."""
    out = run(best)
    if isinstance(out, Deferred):
        return [name for _, part in out.parts for name in part(best)]
    return out


#: Shorter names are mostly other real words and projects ("six" -> "si"): never generated.
MIN_CANDIDATE_LENGTH = 3
#: Names longer than this (in letters) get no two-step typos: they have thousands, and none
#: would win a budget.
TWO_STEP_MAX_LETTERS = 16
#: Names of more words get no word-order typos: 5 words have 119 other orders.
MAX_ORDER_WORDS = 4
#: How many of a target's likeliest one-step letter typos get a second step.
SECOND_STEP_FROM = 8
#: Second steps considered: the letter kinds, keyboard-near variants only (and any omission).
_SECOND_RELATIONS = {"neighbour", "doubled", "vowel", PLURAL, ""}

_RELATIONS = ("neighbour", "vowel", "digit", "other")


@cache
def _substitutes(ch: str, layouts: tuple[str, ...]) -> dict[str, tuple[str, ...]]:
    # Every character that may replace ``ch``, by relation; look-alikes are their own kind.
    out: dict[str, list[str]] = {r: [] for r in _RELATIONS}
    out[LOOKALIKE] = []
    for other in ALPHABET:
        if other == ch:
            continue
        if is_lookalike(ch, other):
            out[LOOKALIKE].append(other)
        else:
            out[substitution_relation(ch, other, layouts)].append(other)
    return {k: tuple(v) for k, v in out.items()}


@cache
def _insertions(left: str, right: str, layouts: tuple[str, ...]) -> dict[str, tuple[str, ...]]:
    # Every character that may be slipped in between ``left`` and ``right``; a copy of
    # either is a repetition, counted there.
    out: dict[str, list[str]] = {r: [] for r in (*_RELATIONS, PLURAL)}
    for other in ALPHABET:
        if other in (left, right):
            continue
        out[insertion_relation(other, left, right, layouts)].append(other)
    return {k: tuple(v) for k, v in out.items()}


def _acceptable(variant: str, canon: str) -> bool:
    return (
        len(variant) >= MIN_CANDIDATE_LENGTH
        and variant != canon
        and variant[0] != "-"
        and variant[-1] != "-"
        and "--" not in variant
        and len(variant) <= MAX_NAME_LENGTH
    )


class _Shape:
    """A canonical name's letters, gaps and normalisers, computed once per name."""

    def __init__(self, model: TypoModel, canon: str) -> None:
        self.canon = canon
        self.key = canon.replace("-", "")
        self.letters = [p for p, ch in enumerate(canon) if ch != "-"]
        n = len(self.key)
        self.n = n
        w = model.weights
        layouts = model.layouts
        key = self.key
        # Where an insertion before compact character g may go in the canonical name: both
        # sides of a separator where two words meet.
        self.gaps: list[tuple[int, ...]] = []
        for g in range(n + 1):
            if g == 0:
                self.gaps.append((0,))
            elif g == n:
                self.gaps.append((len(canon),))
            else:
                left, right = self.letters[g - 1], self.letters[g]
                self.gaps.append((right,) if right == left + 1 else (left + 1, right))
        pos, rel = w.position, w.relation
        z: dict[str, float] = {}
        z[OMISSION] = sum(
            pos[OMISSION][position_of(k, n)] * rel[OMISSION][omission_relation(key, k)]
            for k in range(n)
        )
        z[REPETITION] = sum(pos[REPETITION][position_of(k, n)] for k in range(n))
        z[TRANSPOSITION] = sum(
            pos[TRANSPOSITION][pair_position(k, n)] for k in range(n - 1) if key[k] != key[k + 1]
        )
        z[SUBSTITUTION] = sum(
            pos[SUBSTITUTION][position_of(k, n)] * model.substitution_weight(key[k])
            for k in range(n)
        )
        z[INSERTION] = sum(
            pos[INSERTION][gap_position(g, n)]
            * len(self.gaps[g])
            * model.insertion_weight(key[g - 1] if g else "", key[g] if g < n else "")
            for g in range(n + 1)
        )
        self.z = {k: v for k, v in z.items() if v > 0}
        self.lookalike_sites = sum(len(_substitutes(ch, layouts)[LOOKALIKE]) for ch in key) + sum(
            canon.count(written)
            for written, read_as in LOOKALIKES
            if len(written) + len(read_as) > 2
        )
        self.words = canon.split("-")

    def letter_probability(self, w: Weights, kind: str, position: str, relation: str) -> float:
        z = self.z.get(kind)
        if not z:
            return 0.0
        factor = w.position[kind][position] * (w.relation[kind][relation] if relation else 1.0)
        return w.kind_share[kind] * factor / z


class TypoModel:
    """Generate, explain and score typos of package names with one set of fitted weights."""

    def __init__(self, weights: Weights, layouts: tuple[str, ...] = ("qwerty",)) -> None:
        self.weights = weights
        self.layouts = layouts
        self.letter_share = sum(weights.kind_share[k] for k in LETTER_KINDS)
        self.popular_names: tuple[str, ...] = tuple(weights.raw["affixes"].get("popular_names", ()))
        self._shape = lru_cache(maxsize=4096)(self._make_shape)
        # Per character (pair), not per name: most of the cost of a name's normalisers.
        self.substitution_weight = cache(self._substitution_weight)
        self.insertion_weight = cache(self._insertion_weight)
        self._lexicon = self._make_lexicon()

    def _substitution_weight(self, ch: str) -> float:
        # Sum of the relation factors of every substitution of ``ch`` (look-alikes apart).
        factors = self.weights.relation[SUBSTITUTION]
        return sum(
            len(chars) * factors[r]
            for r, chars in _substitutes(ch, self.layouts).items()
            if r != LOOKALIKE
        )

    def _insertion_weight(self, left: str, right: str) -> float:
        # Sum of the relation factors of every character slipped in between left and right.
        factors = self.weights.relation[INSERTION]
        return sum(
            len(chars) * factors[r]
            for r, chars in _insertions(left, right, self.layouts).items()
            if chars
        )

    def _make_lexicon(self) -> dict[tuple[str, str], float]:
        # (prefix or suffix, word) -> P(word | affix squat): attackers' words, the registry's
        # commonest name ends for the unseen rest, and popular names joined on.
        w = self.weights
        lexicon: dict[tuple[str, str], float] = {}
        for source in (w.affixes, w.registry_affixes):
            for label, p in source.items():
                where, word = label.split(":", 1)
                lexicon[(where, word)] = lexicon.get((where, word), 0.0) + p
        if self.popular_names:
            each = w.popular_affix / len(self.popular_names)
            for name in self.popular_names:
                for where in (PREFIX, SUFFIX):
                    lexicon[(where, name)] = lexicon.get((where, name), 0.0) + each / 2
        return lexicon

    def with_layouts(self, layouts: tuple[str, ...]) -> TypoModel:
        """The same weights on other keyboard layouts."""
        return self if layouts == self.layouts else TypoModel(self.weights, layouts)

    def _relations(self, kind: str) -> tuple[str, ...]:
        # Repetitions and transpositions have no key relation: one group, relation "".
        return tuple(self.weights.relation[kind]) or ("",)

    def _make_shape(self, canon: str) -> _Shape:
        return _Shape(self, canon)

    # -- scoring -------------------------------------------------------------------------

    def explain(self, typed: str, meant: str) -> Edit | None:
        """The likeliest edit turning ``meant`` into ``typed`` (see :func:`reserver.typo.explain`).

        ``explain`` names the first kind that fits, words before letters; where two letter
        slips also fit (``requestsss``: the word "ss" added, or two extra letters), the one
        the fitted weights find likelier is kept.

        >>> default_model().explain("requestsss", "requests").kind
        'two_edits'
        >>> default_model().explain("requests-ssl", "requests").kind
        'affix'
        """
        edit = explain(typed, meant, self.layouts)
        if edit is not None and edit.kind in (REPETITION, OMISSION):
            return self._likeliest_in_run(edit, meant)
        if edit is None or edit.kind in (*LETTER_KINDS, SEPARATOR, TWO_EDITS):
            return edit
        pair = two_letter_edits(compact(typed), compact(meant), self.layouts)
        if pair is None:
            return edit
        slips = Edit(TWO_EDITS, f"{pair[0].text}, then {pair[1].text}", parts=pair)
        if self.edit_probability(slips, meant) > self.edit_probability(edit, meant):
            return slips
        return edit

    def _likeliest_in_run(self, edit: Edit, meant: str) -> Edit:
        # A letter doubled or dropped inside a run ("urllib3" -> "urlllib3") is the same
        # name whichever letter of the run slipped; generation keeps the likeliest position,
        # so explain() does too.
        shape = self._shape(canonicalize(meant))
        key, k = shape.key, edit.index
        if not 0 <= k < len(key):
            return edit
        start, end = k, k
        while start > 0 and key[start - 1] == key[k]:
            start -= 1
        while end + 1 < len(key) and key[end + 1] == key[k]:
            end += 1
        if start == end:
            return edit
        w = self.weights

        def probability(i: int) -> float:
            relation = omission_relation(key, i) if edit.kind == OMISSION else ""
            return shape.letter_probability(w, edit.kind, position_of(i, shape.n), relation)

        best = max(range(start, end + 1), key=lambda i: (probability(i), -i))
        if best == k:
            return edit
        verb = "missing" if edit.kind == OMISSION else "doubled"
        return replace(
            edit,
            index=best,
            position=position_of(best, shape.n),
            text=f"{verb} {key[k]!r} at {best}",
        )

    def affix_probability(self, position: str, word: str, glued: bool) -> float:
        """P(this word added at this end | an affix squat)."""
        w = self.weights
        label = f"{position}:{word}"
        p = w.affixes.get(label, 0.0) + w.registry_affixes.get(label, 0.0)
        if word in self.popular_names:
            p += w.popular_affix / len(self.popular_names)
        return p * (w.glued if glued else 1.0 - w.glued)

    def edit_probability(self, edit: Edit, meant: str) -> float:
        """P(typing the name ``edit`` makes | meaning ``meant``) under the fitted weights."""
        w = self.weights
        shape = self._shape(canonicalize(meant))
        kind = edit.kind
        if kind in LETTER_KINDS:
            return shape.letter_probability(w, kind, edit.position, edit.relation)
        if kind == TWO_EDITS:
            p = w.kind_share[TWO_EDITS]
            for part in edit.parts:
                p *= self.edit_probability(part, meant) / self.letter_share
            return p
        if kind == LOOKALIKE:
            return w.kind_share[LOOKALIKE] / max(shape.lookalike_sites, 1)
        if kind == SEPARATOR:
            return w.kind_share[SEPARATOR] / max(len(shape.words) - 1 + shape.n - 1, 1)
        if kind == WORD_ORDER:
            return w.kind_share[WORD_ORDER] * _order_share(w, len(shape.words), edit.relation)
        if kind == WORD_DROPPED:
            return w.kind_share[WORD_DROPPED] / max(len(shape.words), 1)
        if kind == AFFIX:
            glued = is_glued(edit)
            return w.kind_share[AFFIX] * self.affix_probability(edit.position, edit.relation, glued)
        if kind == IMPORT_NAME:
            return w.kind_share[IMPORT_NAME]
        return 0.0

    def likelihood(self, typed: str, meant: str) -> float:
        """P(a person or attacker types ``typed`` for ``meant``); 0 when no known edit fits.

        >>> m = default_model()
        >>> m.likelihood("reqeusts", "requests") > m.likelihood("rexuests", "requests") > 0
        True
        >>> m.likelihood("numpy", "requests")
        0.0
        """
        edit = self.explain(typed, meant)
        return 0.0 if edit is None else self.edit_probability(edit, meant)

    # -- generation ----------------------------------------------------------------------

    def groups(
        self,
        target: str,
        *,
        import_names: Iterable[str] = (),
        two_step: bool = True,
        kinds: Iterable[str] | None = None,
    ) -> list[Group]:
        """The candidate generators of ``target`` as ``(bound, label, run)``, likeliest first.

        A caller that needs only the best few names stops once what it holds beats every
        bound still to run (see :func:`reserver.names.ranking.ranked_order`).
        """
        canon = canonicalize(target)
        shape = self._shape(canon)
        w = self.weights
        allowed = set(kinds) if kinds is not None else None
        groups: list[Group] = []

        def want(kind: str) -> bool:
            return allowed is None or kind in allowed

        def add(
            best: Scored, changed: list[str], variant: str, p: float, kind: str, text: str
        ) -> None:
            if not _acceptable(variant, canon):
                return
            held = best.get(variant)
            if held is None or p > held[0] or (p == held[0] and kind < held[1]):
                best[variant] = (p, kind, text, 1)
                changed.append(variant)

        imports = [canonicalize(m) for m in import_names]
        if imports and want(IMPORT_NAME):
            p_import = w.kind_share[IMPORT_NAME]

            def run_imports(best: Scored) -> list[str]:
                changed: list[str] = []
                for module in imports:
                    # Import names are real names people type, however short ("gi", "wx").
                    if module != canon:
                        held = best.get(module)
                        if held is None or p_import > held[0]:
                            best[module] = (p_import, IMPORT_NAME, f"import name {module}", 1)
                            changed.append(module)
                return changed

            groups.append((p_import, IMPORT_NAME, run_imports))
        for bound, kind, relation in self._letter_bounds(shape):
            if not want(kind):
                continue
            label = f"{kind}:{relation}" if relation else kind

            def run(best: Scored, _k: str = kind, _r: str = relation) -> list[str]:
                changed: list[str] = []
                for variant, p, text in self._letter_variants(shape, _k, _r):
                    add(best, changed, variant, p, _k, text)
                return changed

            groups.append((bound, label, run))
        if want(LOOKALIKE) and shape.lookalike_sites:
            p_lookalike = w.kind_share[LOOKALIKE] / shape.lookalike_sites

            def run_lookalike(best: Scored) -> list[str]:
                changed: list[str] = []
                for variant, text in _lookalike_variants(shape, self.layouts):
                    add(best, changed, variant, p_lookalike, LOOKALIKE, text)
                return changed

            groups.append((p_lookalike, LOOKALIKE, run_lookalike))
        if want(SEPARATOR):
            p_sep = self.edit_probability(Edit(SEPARATOR, ""), canon)

            def run_separator(best: Scored) -> list[str]:
                changed: list[str] = []
                for variant, text in _separator_variants(shape):
                    add(best, changed, variant, p_sep, SEPARATOR, text)
                return changed

            groups.append((p_sep, SEPARATOR, run_separator))
        if want(WORD_ORDER) and 2 <= len(shape.words) <= MAX_ORDER_WORDS:
            p_swap = self.edit_probability(Edit(WORD_ORDER, "", relation=ADJACENT), canon)
            p_moved = self.edit_probability(Edit(WORD_ORDER, "", relation=MOVED), canon)

            def run_order(best: Scored) -> list[str]:
                changed: list[str] = []
                words = shape.words
                swaps = {"-".join(swap) for swap in neighbour_swaps(words)}
                for order in permutations(words):
                    variant = "-".join(order)
                    if variant in swaps:
                        text, p = "neighbouring words swapped", p_swap
                    else:
                        text, p = "words reordered", p_moved
                    add(best, changed, variant, p, WORD_ORDER, text)
                return changed

            groups.append((max(p_swap, p_moved), WORD_ORDER, run_order))
        if want(WORD_DROPPED) and len(shape.words) >= 2:
            p_drop = self.edit_probability(Edit(WORD_DROPPED, ""), canon)

            def run_drop(best: Scored) -> list[str]:
                changed: list[str] = []
                words = shape.words
                for i, word in enumerate(words):
                    variant = "-".join(words[:i] + words[i + 1 :])
                    add(best, changed, variant, p_drop, WORD_DROPPED, f"dropped word {word!r}")
                return changed

            groups.append((p_drop, WORD_DROPPED, run_drop))
        if want(AFFIX) and self._lexicon:
            # The table itself (hundreds of names) is made only if the ranking gets this far.
            top_word = max(self._lexicon.values())
            bound = w.kind_share[AFFIX] * top_word * max(w.glued, 1.0 - w.glued)

            def run_affix(best: Scored) -> list[str]:
                changed: list[str] = []
                for p, variant, text in self._affix_table(shape):
                    add(best, changed, variant, p, AFFIX, text)
                return changed

            groups.append((bound, AFFIX, run_affix))
        groups.sort(key=lambda g: (-g[0], g[1]))
        if two_step and want(TWO_EDITS) and shape.n <= TWO_STEP_MAX_LETTERS and shape.z:
            share = w.kind_share[TWO_EDITS]
            letter = [g for g in groups if g[1].split(":")[0] in LETTER_KINDS]
            # A plural cannot follow a plural (it would only undo it), so the likeliest two
            # steps are a plural and the best other slip, or two other slips: bounding by the
            # best slip squared would run this costly group for nearly every target.
            plural = max((g[0] for g in letter if g[1].endswith(f":{PLURAL}")), default=0.0)
            other = max((g[0] for g in letter if not g[1].endswith(f":{PLURAL}")), default=0.0)
            top_pair = max(plural * other, other * other) / self.letter_share**2
            # A seed is one letter longer or shorter than the target, so its own best edit
            # may be up to about (n+1)/(n-1) likelier than the target's: hence the margin.
            margin = (shape.n + 2) / max(shape.n - 1, 1)
            bound = share * top_pair * margin

            def refine_second(best: Scored) -> Deferred:
                # One part per seed and letter group of the seed, bounded by the seed's own
                # probability times the group's: a ranking runs the few it needs.
                return Deferred(self._second_step_parts(shape, canon))

            groups.append((bound, TWO_EDITS, refine_second))
        return groups

    def _letter_variants(
        self, shape: _Shape, kind: str, relation: str
    ) -> Iterable[tuple[str, float, str]]:
        w = self.weights
        canon, key, n, letters = shape.canon, shape.key, shape.n, shape.letters
        prob = shape.letter_probability
        if kind == OMISSION:
            for k, p in enumerate(letters):
                if omission_relation(key, k) == relation:
                    yield (
                        canon[:p] + canon[p + 1 :],
                        prob(w, kind, position_of(k, n), relation),
                        f"missing {key[k]!r} at {k}",
                    )
        elif kind == REPETITION:
            for k, p in enumerate(letters):
                value = prob(w, kind, position_of(k, n), "")
                text = f"doubled {key[k]!r} at {k}"
                yield canon[: p + 1] + canon[p:], value, text
                # The copy may land across a word's separator: "pythond-dateutil".
                if p + 1 < len(canon) and canon[p + 1] == "-":
                    yield canon[: p + 2] + canon[p] + canon[p + 2 :], value, text
                if p > 0 and canon[p - 1] == "-":
                    yield canon[: p - 1] + canon[p] + canon[p - 1 :], value, text
        elif kind == TRANSPOSITION:
            for k in range(n - 1):
                p, q = letters[k], letters[k + 1]
                if q != p + 1 or key[k] == key[k + 1]:
                    continue
                yield (
                    canon[:p] + canon[q] + canon[p] + canon[q + 1 :],
                    prob(w, kind, pair_position(k, n), ""),
                    f"swapped {key[k]!r} and {key[k + 1]!r} at {k}",
                )
        elif kind == SUBSTITUTION:
            for k, p in enumerate(letters):
                chars = _substitutes(key[k], self.layouts)[relation]
                if not chars:
                    continue
                value = prob(w, kind, position_of(k, n), relation)
                head, tail = canon[:p], canon[p + 1 :]
                for other in chars:
                    yield head + other + tail, value, f"{other!r} for {key[k]!r} at {k}"
        elif kind == INSERTION:
            for g in range(n + 1):
                chars = _insertions(key[g - 1] if g else "", key[g] if g < n else "", self.layouts)[
                    relation
                ]
                if not chars:
                    continue
                value = prob(w, kind, gap_position(g, n), relation)
                for at in shape.gaps[g]:
                    head, tail = canon[:at], canon[at:]
                    for other in chars:
                        yield head + other + tail, value, f"extra {other!r} at {g}"

    def _affix_table(self, shape: _Shape) -> list[tuple[float, str, str]]:
        # Every lexicon word (and popular name) added at either end, with and without a
        # separator, and traded for a word the target already has at that end.
        w = self.weights
        share = w.kind_share[AFFIX]
        canon, words = shape.canon, shape.words
        entries: dict[str, tuple[float, str]] = {}
        for (where, word), p in self._lexicon.items():
            if word == canon:
                continue
            # Glued on only to one-word names: "requestsssl"; in "x-y" it reads as a word.
            for glued in (False, True) if "-" not in word and len(words) == 1 else (False,):
                joint = "" if glued else "-"
                variant = f"{word}{joint}{canon}" if where == PREFIX else f"{canon}{joint}{word}"
                value = share * p * (w.glued if glued else 1.0 - w.glued)
                text = f"{where} {word!r} {GLUED}" if glued else f"{where} {word!r} added"
                if variant not in entries or entries[variant][0] < value:
                    entries[variant] = (value, text)
            if len(words) >= 2 and "-" not in word:
                end = words[0] if where == PREFIX else words[-1]
                if end != word:
                    rest = words[1:] if where == PREFIX else words[:-1]
                    variant = "-".join([word, *rest] if where == PREFIX else [*rest, word])
                    value = share * p * (1.0 - w.glued)
                    if variant not in entries or entries[variant][0] < value:
                        entries[variant] = (value, f"{where} {end!r} -> {word!r}")
        table = [(p, variant, text) for variant, (p, text) in entries.items()]
        table.sort(key=lambda e: (-e[0], e[1]))
        return table

    def _seeds(self, shape: _Shape) -> list[tuple[str, float, str]]:
        """The target's likeliest one-step letter typos ``(name, probability, edit)``: what a
        second slip starts from. Made from the target alone, so the lazy ranking and a full
        generation start from the same seeds."""
        top: dict[str, tuple[float, str]] = {}
        # Letter groups likeliest first; stop once the seeds held beat every group left.
        for bound, kind, relation in self._letter_bounds(shape):
            if len(top) >= SECOND_STEP_FROM:
                held = sorted((p for p, _ in top.values()), reverse=True)
                if held[SECOND_STEP_FROM - 1] > bound:
                    break
            for variant, p, text in self._letter_variants(shape, kind, relation):
                if _acceptable(variant, shape.canon) and p > top.get(variant, (-1.0, ""))[0]:
                    top[variant] = (p, text)
        ranked = heapq.nsmallest(SECOND_STEP_FROM, top.items(), key=lambda i: (-i[1][0], i[0]))
        return [(name, p, text) for name, (p, text) in sorted(ranked)]

    def _letter_bounds(self, shape: _Shape) -> list[tuple[float, str, str]]:
        """``(bound, kind, relation)`` of each letter group of a name, highest first: no
        variant of the group is likelier than its bound."""
        w = self.weights
        # The probability of the group's likeliest position, computed by letter_probability
        # itself: the same product in another order can round one ulp below a variant's
        # probability and let the lazy ranking hand out a tie in the wrong order.
        out = [
            (
                shape.letter_probability(
                    w, kind, max(w.position[kind], key=w.position[kind].__getitem__), relation
                ),
                kind,
                relation,
            )
            for kind in LETTER_KINDS
            if kind in shape.z
            for relation in self._relations(kind)
        ]
        out.sort(key=lambda b: (-b[0], b[1], b[2]))
        return out

    def _second_step_parts(
        self, shape: _Shape, canon: str
    ) -> list[tuple[float, Callable[[Scored], list[str]]]]:
        share = self.weights.kind_share[TWO_EDITS]
        parts: list[tuple[float, Callable[[Scored], list[str]]]] = []
        for seed, p1, text1 in self._seeds(shape):
            # ``within1 * p2`` over the letter share twice: P(two slips) is the two-edit
            # share times each slip's probability among letter slips.
            scale = share * p1 / self.letter_share / self.letter_share
            seed_shape = self._shape(seed)
            for bound, kind, relation in self._letter_bounds(seed_shape):
                if not _second_step_allowed(kind, relation):
                    continue

                def part(
                    best: Scored,
                    _shape: _Shape = seed_shape,
                    _kind: str = kind,
                    _relation: str = relation,
                    _scale: float = scale,
                    _text: str = text1,
                ) -> list[str]:
                    return self._second_step(best, _shape, _kind, _relation, _scale, _text, canon)

                parts.append((scale * bound, part))
        return parts

    def _second_step(
        self,
        best: Scored,
        seed_shape: _Shape,
        kind: str,
        relation: str,
        scale: float,
        text1: str,
        canon: str,
    ) -> list[str]:
        # Every name keeps the likeliest way to make it, whichever group found it first, so
        # the lazy ranking and a full generation agree (a name one slip away keeps that
        # slip unless two slips are likelier, which the fitted weights rarely say).
        changed: list[str] = []
        for variant, p2, text2 in self._letter_variants(seed_shape, kind, relation):
            if not _acceptable(variant, canon):
                continue
            p = scale * p2
            held = best.get(variant)
            if held is not None and p < held[0]:
                continue
            text = f"{text1}, then {text2}"
            # Ties (the same two slips in the other order) go to the smaller kind and text,
            # whichever part ran first.
            if held is None or p > held[0] or (held[1], held[2]) > (TWO_EDITS, text):
                best[variant] = (p, TWO_EDITS, text, 2)
                changed.append(variant)
        return changed

    def generate(
        self, target: str, *, import_names: Iterable[str] = (), two_step: bool = True
    ) -> list[tuple[str, float, str, str]]:
        """Every candidate of ``target`` as ``(name, probability, kind, edit)``, likeliest first.

        >>> names = [name for name, *_ in default_model().generate("requests")]
        >>> "reqeusts" in names[:50], len(names) > 1000
        (True, True)
        """
        best: Scored = {}
        for _, _, run in self.groups(target, import_names=import_names, two_step=two_step):
            run_group(run, best)
        ordered = sorted(best.items(), key=lambda item: (-item[1][0], item[0]))
        return [(name, p, kind, text) for name, (p, kind, text, _) in ordered]


def _second_step_allowed(kind: str, relation: str) -> bool:
    return relation in _SECOND_RELATIONS or (kind == OMISSION and relation == OTHER)


def _orders(words: int) -> int:
    total = 1
    for i in range(2, words + 1):
        total *= i
    return total


def _order_share(w: Weights, words: int, relation: str) -> float:
    # P(this order | a word-order squat of a name of ``words`` words): the fitted share of
    # neighbouring swaps spread over the words - 1 swaps, the rest over the other orders.
    swaps = max(words - 1, 1)
    others = _orders(words) - 1 - swaps
    if others <= 0:
        return 1.0 / swaps
    if relation == ADJACENT:
        return w.adjacent_swap / swaps
    return (1.0 - w.adjacent_swap) / others


def _lookalike_variants(shape: _Shape, layouts: tuple[str, ...]) -> Iterable[tuple[str, str]]:
    canon = shape.canon
    for k, p in enumerate(shape.letters):
        for other in _substitutes(shape.key[k], layouts)[LOOKALIKE]:
            yield canon[:p] + other + canon[p + 1 :], f"{other!r} for look-alike {canon[p]!r}"
    for written, read_as in LOOKALIKES:
        if len(written) + len(read_as) <= 2:
            continue
        start = canon.find(written)
        while start != -1:
            yield (
                canon[:start] + read_as + canon[start + len(written) :],
                f"{read_as!r} for look-alike {written!r}",
            )
            start = canon.find(written, start + 1)


def _separator_variants(shape: _Shape) -> Iterable[tuple[str, str]]:
    canon = shape.canon
    for i, ch in enumerate(canon):
        if ch == "-":
            yield canon[:i] + canon[i + 1 :], f"separator removed at {i}"
    for i in range(1, len(canon)):
        if canon[i - 1] != "-" and canon[i] != "-":
            yield f"{canon[:i]}-{canon[i:]}", f"separator added at {i}"


@cache
def default_model(layouts: tuple[str, ...] = ("qwerty",), path: Path | None = None) -> TypoModel:
    """The model with the shipped, fitted weights."""
    return TypoModel(load_weights(path), layouts)
