"""Decide whether a package name is a likely mistake for a popular or protected one.

What is detection's own: the corpus index (which popular names a query could be an edit of),
the decision threshold, and leaving alone names that are themselves established projects.
How likely each edit is comes from the typo model (:mod:`reserver.typo`), the same one that
ranks the names ``plan`` reserves.

The corpus (names in popularity order) is indexed once: a symmetric-deletion table of compact
keys, the registry's "too similar" key, word keys and import names. A name is looked up by
hashing its own few variants into those tables (a hash join), so a single slip is found at
the same cost whatever the corpus size. Two slips are only sought among the popular long
names, a length bucket at a time, scored by rapidfuzz.

``check`` explains only the pairs that could be reported: each corpus name has a ceiling per
edit family (its likeliest cell and name-likeness band, its own popularity and length bands,
less its segment's threshold), and a name whose ceiling is below the policy's floor is
skipped unexplained. A name ending in a plugin's word ("pytest-click") would otherwise be
paired with every popular "pytest-..." project; the verdicts are the same either way.
"""

from __future__ import annotations

import math
from bisect import bisect_left, bisect_right
from collections import Counter, defaultdict
from collections.abc import Iterable, Iterator, Sequence
from dataclasses import dataclass

from rapidfuzz import process
from rapidfuzz.distance import OSA

from ..names.import_names import IMPORT_TO_DISTRIBUTION
from ..names.normalize import MAX_NAME_LENGTH, canonicalize, ultranormalize
from ..typo import TypoModel, default_model
from ..typo.edits import EARLY, LATE, Edit, word_edit
from ..typo.kinds import (
    AFFIX,
    IMPORT_NAME,
    LETTER_KINDS,
    LOOKALIKE,
    SEPARATOR,
    TWO_EDITS,
    WORD_DROPPED,
    WORD_ORDER,
)
from ..typo.lookalikes import GROUP_LOOKALIKES
from ..typo.namelike import NameLikeness, default_namelike
from ..typo.vocabulary import Vocabulary, default_vocabulary
from .model import Match


@dataclass(frozen=True)
class Policy:
    """How sure a match must be to be reported, and how far the search looks."""

    min_score: float = 0.5
    """Matches scoring below this are not reported. 0.5 is the fitted threshold of each
    segment (see ``weights.json``, ``detection``, and :meth:`Detector.segment`); higher is
    quieter, lower finds more."""
    min_length: int = 4
    """Targets shorter than this (letters) are never matched: every short name is one edit
    from dozens of unrelated projects."""
    long_length: int = 8
    """Targets at least this long (letters) are also searched at distance two."""
    double_top: int = 3000
    """Only this many most popular names are searched at distance two."""
    plugin_top: int = 1000
    """A word added to a name that is itself one of this many most popular projects makes a
    plugin-style name ("django-redis"), weighed apart from other added words."""


#: The score of a name PyPI's "too similar" rule equates with a corpus name.
SAME_NAME_SCORE = 0.9
#: Popularity bands (0-based rank below) and length bands (letters at most) of the target.
_BANDS = (100, 1000, 3000, 10000)
_LENGTHS = (4, 6, 9)
#: Kinds whose legitimate near-misses depend on the target alike: one character changed. A
#: short name is one letter from many real projects, a long one from few, while affixes and
#: word edits behave the other way round, so length and name-likeness terms are per family.
#: (Measured and dropped in cross-validation on the train split: popularity per family, and
#: doubled/swapped letters as a family of their own.)
_ONE_CHARACTER = frozenset((*LETTER_KINDS, LOOKALIKE, SEPARATOR))
#: Bands of how much less name-like (natural-log trigram probability) the typed name is than
#: the target: equal-width bins of 2 over the range where attacks and legitimate
#: near-misses differ (below -6 holds a third of letter-edit attacks, 3% of legitimate ones).
_NAMELIKE = (-6.0, -4.0, -2.0, 0.0)
_NAMELIKE_NAMES = (*(str(int(limit)) for limit in _NAMELIKE), "more")


_MIDDLE = "middle"
#: Families weighed by how many registry names use the word the edit made: a slip makes a
#: new word, while words added or reordered are chosen words (measured for added words on
#: the train split: a word's registry use does not tell "requests-ssl" from "requests-ntlm").
_USED_FAMILIES = frozenset(("letter", TWO_EDITS))
#: The kinds an edit can be when the two compact keys are more than two slips apart: words
#: added, traded, dropped or reordered. Every other kind (one character, a look-alike pair,
#: two slips) is within OSA distance two, and an import name is looked up on its own.
_WORD_KINDS = (AFFIX, WORD_DROPPED, WORD_ORDER)
#: The kinds of a pair found only by the two-slip search: exactly two slips apart, so no
#: one-character edit; word edits are found by the word lookups before it.
_SLIP_KINDS = (TWO_EDITS, LOOKALIKE)


_BAND_NAMES = (*(str(limit) for limit in _BANDS), "more")
_LENGTH_NAMES = (*(str(limit) for limit in _LENGTHS), "long")


def _band(index: int) -> str:
    """The popularity band of the corpus name at 0-based rank ``index``."""
    return _BAND_NAMES[bisect_right(_BANDS, index)]


def _length_band(letters: int) -> str:
    return _LENGTH_NAMES[bisect_left(_LENGTHS, letters)]


def _deletions(key: str) -> list[str]:
    return [key[:i] + key[i + 1 :] for i in range(len(key))]


def _lookalike_variants(key: str) -> set[str]:
    """What ``key`` reads as with one look-alike group of letters swapped back (``m`` for
    ``rn``): the keys it is a look-alike pair of."""
    variants: set[str] = set()
    for written, read_as in GROUP_LOOKALIKES:
        start = key.find(read_as)
        while start != -1:
            variants.add(key[:start] + written + key[start + len(read_as) :])
            start = key.find(read_as, start + 1)
    return variants


def _family(kind: str) -> str:
    """The family whose length and name-likeness terms an edit of ``kind`` answers to."""
    return "letter" if kind in _ONE_CHARACTER else kind


class Detector:
    """Look-alike detection against a popularity-ordered corpus of package names."""

    def __init__(
        self,
        corpus: Sequence[str],
        allow: Iterable[str] = (),
        policy: Policy | None = None,
        model: TypoModel | None = None,
        namelike: NameLikeness | None = None,
        vocabulary: Vocabulary | None = None,
    ) -> None:
        self.policy = policy or Policy()
        self.model = model or default_model()
        self.namelike = namelike or default_namelike()
        self.vocabulary = vocabulary or default_vocabulary()
        weights = self.model.weights
        self._slope = weights.detection.get("slope", 1.0)
        self._log_ratio = weights.log_ratio
        # What a feature the fit never saw weighs: the least of those it saw.
        self._unseen = self._log_ratio.get("unseen", -5.0)
        # How often attackers were seen to add each word (either end). A word used more
        # than once is "lexicon"; a word seen once ("checksum", "sessions") is as often a
        # legitimate project's as an attacker's, and is weighed as "rare".
        self._affix_seen: Counter[str] = Counter()
        for label, count in weights.raw.get("affixes", {}).get("counts", {}).items():
            self._affix_seen[label.split(":", 1)[1]] += int(count)
        self.names: list[str] = []
        self._canon: list[str] = []
        self._rank: dict[str, int] = {}
        self._compact: list[str] = []
        self._band_of: list[str] = []
        self._length_of: list[str] = []
        self._ultra: dict[str, int] = {}
        self._words: dict[tuple[str, ...], int] = {}
        self._by_compact: dict[str, int] = {}
        self._dropped: dict[str, list[int]] = defaultdict(list)
        # Symmetric-deletion table: a key, or the key with one letter left out, to the corpus
        # names that have it. Most variants belong to one name, held as that index; a list
        # only where several share it (a list per variant was a sixth of a 5,000-name check).
        self._deletes: dict[str, int | list[int]] = {}
        self._long: defaultdict[int, list[int]] = defaultdict(list)
        self._long_keys: defaultdict[str, list[int]] = defaultdict(list)
        self._windows: dict[tuple[int, float | None], tuple[list[str], list[int]]] = {}
        for name in corpus:
            canonical = canonicalize(name)
            if canonical in self._rank:
                continue
            index = len(self.names)
            self.names.append(name)
            self._canon.append(canonical)
            self._rank[canonical] = index
            key = canonical.replace("-", "")
            self._compact.append(key)
            # Computed once per corpus name, not once per pair scored against it.
            self._band_of.append(_band(index))
            self._length_of.append(_length_band(len(key)))
            self._by_compact.setdefault(key, index)
            self._ultra.setdefault(ultranormalize(name), index)
            words = canonical.split("-")
            if len(words) > 1:
                self._words.setdefault(tuple(sorted(words)), index)
                for i in range(len(words)):
                    self._dropped["-".join(words[:i] + words[i + 1 :])].append(index)
            deletes = self._deletes
            for variant in {key, *_deletions(key)}:
                held = deletes.setdefault(variant, index)
                if held != index:
                    if isinstance(held, int):
                        deletes[variant] = [held, index]
                    else:
                        held.append(index)
            if len(key) >= self.policy.long_length and index < self.policy.double_top:
                self._long[len(key)].append(index)
                self._long_keys[key].append(index)
        # How name-like each corpus name is, computed when a pair first needs it: most
        # corpus names are never paired with anything a run checks.
        self._log_prob: list[float | None] = [None] * len(self.names)
        self._threshold = weights.detection.get("threshold", 0.0)
        # Fitted per segment (see segment()); a segment without one (no labelled squat
        # fell there) answers to the single threshold.
        self._thresholds = {
            key.split(":", 1)[1]: value
            for key, value in weights.detection.items()
            if key.startswith("threshold:")
        }
        # The widest margin each corpus name can reach as the target of a word edit, and of
        # a pair two slips apart: what lets check skip pairs that cannot be reported.
        self._word_ceiling = self._ceilings(self._tops(_WORD_KINDS))
        # The same per word kind, and for an added word without its cell, for a bound that
        # knows the pair's edit (see _word_bound).
        self._dropped_ceiling = self._ceilings(self._tops((WORD_DROPPED,)))
        self._order_ceiling = self._ceilings(self._tops((WORD_ORDER,)))
        self._affix_ceiling_but_cell = self._ceilings({AFFIX: self._top(f"namelike:{AFFIX}:")})
        self._slip_ceiling = self._ceilings(self._tops(_SLIP_KINDS))
        self._two_ceiling = self._ceilings(self._tops((TWO_EDITS,)))
        # Fixed by the policy and the fitted slope: computed once, not once per lookup.
        self._policy_floor = self._floor()
        self._reported_dropped = self._split_word_lookups(self._policy_floor)
        self._allowed = {canonicalize(name) for name in allow}
        self._imports = {
            canonicalize(module): self._rank[canonicalize(dist)]
            for module, dist in IMPORT_TO_DISTRIBUTION.items()
            if canonicalize(dist) in self._rank
        }

    def __len__(self) -> int:
        return len(self.names)

    def is_known(self, name: str) -> bool:
        """True for a name that is itself in the corpus or the allow-list: never a finding."""
        canonical = canonicalize(name)
        return canonical in self._rank or canonical in self._allowed

    def rank(self, name: str) -> int | None:
        """0-based popularity rank of ``name`` in the corpus, or None."""
        return self._rank.get(canonicalize(name))

    def same_name(self, name: str) -> bool:
        """True when PyPI's "too similar" rule equates ``name`` with a corpus name: such a
        name is reported whatever its evidence."""
        return ultranormalize(name) in self._ultra and not self.is_known(name)

    def evidence(self, name: str) -> float:
        """The log-odds score of the likeliest intended name (``-inf`` when none fits)."""
        return max((evidence for evidence, _, _ in self.scored_pairs(name)), default=-math.inf)

    def segment(self, edit: Edit, index: int) -> str:
        """Which threshold a pair answers to: the edit's family (one character, words
        added, two slips, other word edits) and the target's popularity band. A one-letter
        edit of a top-100 name is rare among legitimate popular projects (7 of ranks
        10,001-15,000) and common among attacks, which one threshold on summed evidence
        under-weighs (cross-validated: see benchmarks/bench_check_cv.py)."""
        kind = edit.kind
        if kind in _ONE_CHARACTER:
            family = "letter"
        elif kind in (AFFIX, TWO_EDITS, IMPORT_NAME):
            family = kind
        else:
            family = "word"
        return f"{family}:{self._band_of[index]}"

    def threshold(self, edit: Edit, index: int) -> float:
        """The evidence a pair needs to be reported."""
        return self._thresholds.get(self.segment(edit, index), self._threshold)

    def check(self, name: str) -> Match | None:
        """The most likely intended package for ``name``, or None when it looks fine."""
        if not name or self.is_known(name):
            return None
        best = self._best(name, self._policy_floor)
        ultra = self._ultra.get(ultranormalize(name))
        if best is None and ultra is not None:
            # Every pair fell below the floor but the registry's own rule may still report
            # the name: the pairs are weighed as if there were no floor.
            best = self._best(name)
        if best is None:
            return None
        margin, index, edit = best
        score, detail = self._score(margin), edit.text
        if ultra is not None:
            # PyPI refuses a new project "too similar" to this one: the registry itself
            # calls them the same name, so a dependency that differs only so is reported
            # whatever the evidence (it is an old squat, a private name, or a typo).
            index, score = ultra, max(score, SAME_NAME_SCORE)
            edit = self.model.explain(canonicalize(name), self._canon[ultra]) or edit
            detail = f"{edit.text}; PyPI refuses it as too similar to {self.names[ultra]}"
        if score < self.policy.min_score:
            return None
        return Match(name, self.names[index], edit.kind, round(score, 3), detail)

    def _score(self, margin: float) -> float:
        return 1.0 / (1.0 + math.exp(-self._slope * margin))

    def _floor(self) -> float | None:
        """The margin below which a pair scores under ``min_score`` (None: no such margin)."""
        low = self.policy.min_score
        if not 0.0 < low < 1.0 or self._slope <= 0:
            return None
        return math.log(low / (1.0 - low)) / self._slope

    def check_many(self, names: Iterable[str]) -> list[Match]:
        """Check each distinct name once; matches in input order."""
        seen: set[str] = set()
        found: list[Match] = []
        for name in names:
            key = canonicalize(name)
            if key in seen:
                continue
            seen.add(key)
            match = self.check(name)
            if match is not None:
                found.append(match)
        return found

    # -- scoring ---------------------------------------------------------------------------

    def pairs(self, name: str, floor: float | None = None) -> Iterator[tuple[int, Edit]]:
        """Every corpus name ``name`` could be an edit of, with the edit the model sees.

        With a ``floor``, names whose every possible pair has a margin (evidence over its
        segment's threshold) below it are skipped without being explained: a popular
        plugin prefix ("pytest-click") otherwise pairs with every other "pytest-..."."""
        canonical = canonicalize(name)
        # Longer than any registry name: no pairs, and no index lookups whose cost grows with
        # the square of the length (a hostile listing or file could hold megabytes).
        if not canonical or len(canonical) > MAX_NAME_LENGTH:
            return
        model = self.model
        key = canonical.replace("-", "")
        exempt = {self._ultra.get(ultranormalize(canonical)), self._imports.get(canonical)}
        for index in self._candidates(canonical, floor):
            if len(self._compact[index]) < self.policy.min_length:
                continue
            if floor is not None and index not in exempt:
                if self._word_ceiling[index] < floor:
                    if not self._within_two(key, index):
                        continue
                else:
                    # Most pairs of a plugin-style name ("django-foo") are a word no
                    # attacker used added to a popular name, far below the floor: bounded
                    # by the word actually added before they are explained (16,700 of the
                    # 17,600 pairs of a check of ranks 10,001-15,000).
                    words = word_edit(canonical, self._canon[index])
                    if (
                        words is not None
                        and self._word_bound(words, index) < floor
                        and not self._within_two(key, index)
                    ):
                        continue
            if self._imports.get(canonical) == index:
                edit: Edit | None = Edit(IMPORT_NAME, f"import name of {self.names[index]}")
            else:
                edit = model.explain(canonical, self._canon[index])
            if edit is not None:
                yield index, edit

    def scored_pairs(
        self, name: str, floor: float | None = None, held_out: bool = False
    ) -> Iterator[tuple[float, int, Edit]]:
        """Each pair of :meth:`pairs` with its evidence (:meth:`pair_evidence`)."""
        canonical = canonicalize(name)
        # Scored once the first pair is found: most names ``check`` meets have none.
        log_prob: float | None = None
        for index, edit in self.pairs(name, floor):
            if log_prob is None:
                log_prob = self.namelike.log_prob(canonical)
            yield self.pair_evidence(canonical, edit, index, log_prob, held_out), index, edit

    def _best(self, name: str, floor: float | None = None) -> tuple[float, int, Edit] | None:
        """The pair with the widest margin of evidence over its segment's threshold (among
        those that could reach ``floor``)."""
        best: tuple[float, int, Edit] | None = None
        for evidence, index, edit in self.scored_pairs(name, floor):
            margin = evidence - self.threshold(edit, index)
            if best is None or (margin, -index) > (best[0], -best[1]):
                best = (margin, index, edit)
        return best

    def affix_class(self, word: str, held_out: bool = False) -> str:
        """What detection knows of a word added to a popular name: "popular" (another
        popular project's name, which legitimate plugins glue on far more often than
        attackers do), "lexicon" (attackers used it more than once), "rare" (once) or
        "other" (never). ``held_out``: the word's use in the squat being weighed is not
        counted, as the fit must weigh each attack it learned the lexicon from (left in, no
        attack would ever use an unseen word, though most new ones do)."""
        rank = self._rank.get(word)
        if rank is not None and rank < self.policy.plugin_top:
            return "popular"
        seen = self._affix_seen[word] - held_out
        return "lexicon" if seen > 1 else "rare" if seen == 1 else "other"

    def _word_bound(self, edit: Edit, index: int) -> float:
        """The widest margin word edit ``edit`` of corpus name ``index`` can have (what
        :meth:`explain` returns for a pair more than two slips apart): an added word's own
        cell, the best name-likeness band, the target's bands, less the segment's threshold."""
        if edit.kind == WORD_DROPPED:
            return self._dropped_ceiling[index]
        if edit.kind == WORD_ORDER:
            return self._order_ceiling[index]
        cell = f"cell:{AFFIX}:{edit.position}:{self.affix_class(edit.relation)}"
        return self._log_ratio.get(cell, self._unseen) + self._affix_ceiling_but_cell[index]

    def features(
        self, typed: str, edit: Edit, index: int, log_prob: float, held_out: bool = False
    ) -> tuple[str, ...]:
        """The facts detection weighs about ``typed`` (canonical) as ``edit`` of corpus name
        ``index``: the edit's cell, the target's popularity band, and within the edit's
        family the target's length band and how much less name-like the typed name
        (``log_prob``, see :meth:`NameLikeness.log_prob`) is than the target; for slips of
        letters, how many registry names use the word the slip made (see
        :meth:`Vocabulary.band`, and ``detection`` in weights.json). ``held_out``: see
        :meth:`affix_class`."""
        kind = edit.kind
        if kind == AFFIX:
            cell = f"{kind}:{edit.position}:{self.affix_class(edit.relation, held_out)}"
        elif kind in LETTER_KINDS:
            # Detection weighs the middle as one band. Split as generation splits it
            # (early/late), cross-validation found 199 rather than 201 train squats at 0.99%
            # rather than 0.95% false alarms, and validation 43 rather than 39 squats but at
            # 1.1% rather than 0.9%: over the 1% a team can live with.
            position = _MIDDLE if edit.position in (EARLY, LATE) else edit.position
            cell = f"{kind}:{position}:{edit.relation}"
        else:
            cell = kind
        band = self._band_of[index]
        length = self._length_of[index]
        family = _family(kind)
        target = self._log_prob[index]
        if target is None:
            target = self._log_prob[index] = self.namelike.log_prob(self._compact[index])
        drop = log_prob - target
        # The first band whose upper end is at least ``drop`` (a bisection: once per pair).
        namelike = _NAMELIKE_NAMES[bisect_left(_NAMELIKE, drop)]
        facts = (
            f"cell:{cell}",
            f"band:{band}",
            f"length:{family}:{length}",
            f"namelike:{family}:{namelike}",
        )
        if family not in _USED_FAMILIES:
            return facts
        return (*facts, f"used:{family}:{self.vocabulary.band(typed, self._canon[index])}")

    def pair_evidence(
        self, typed: str, edit: Edit, index: int, log_prob: float, held_out: bool = False
    ) -> float:
        """Log-odds, up to a constant, that ``edit`` of corpus name ``index`` is an attack
        rather than a legitimate project: the sum of the fitted log ratios of its features
        (``held_out``: see :meth:`affix_class`)."""
        ratios, floor = self._log_ratio, self._unseen
        features = self.features(typed, edit, index, log_prob, held_out)
        return sum(ratios.get(f, floor) for f in features)

    def _ceilings(self, tops: dict[str, float]) -> list[float]:
        """Per corpus name, the widest margin an edit of the kinds in ``tops`` (see
        :meth:`_tops`) can have against it: its own popularity and length bands added, the
        segment's threshold taken off. Twenty band pairs, each computed once."""
        ratios, floor = self._log_ratio, self._unseen
        by_bands: dict[tuple[str, str], float] = {}
        ceilings: list[float] = []
        for index, bands in enumerate(zip(self._band_of, self._length_of, strict=True)):
            ceiling = by_bands.get(bands)
            if ceiling is None:
                band, length = bands
                ceiling = by_bands[bands] = max(
                    top
                    + ratios.get(f"band:{band}", floor)
                    + ratios.get(f"length:{_family(kind)}:{length}", floor)
                    - self.threshold(Edit(kind, ""), index)
                    for kind, top in tops.items()
                )
            ceilings.append(ceiling)
        return ceilings

    def _tops(self, kinds: Sequence[str]) -> dict[str, float]:
        """Per kind, its likeliest cell and name-likeness band summed: the part of a pair's
        evidence that does not depend on the target."""
        top = self._top
        return {
            kind: max(self._log_ratio.get(f"cell:{kind}", self._unseen), top(f"cell:{kind}:"))
            + top(f"namelike:{_family(kind)}:")
            + (top(f"used:{_family(kind)}:") if _family(kind) in _USED_FAMILIES else 0.0)
            for kind in kinds
        }

    def _top(self, prefix: str) -> float:
        """The largest log ratio of a feature whose name starts with ``prefix`` (the
        unseen weight when none does)."""
        return max(
            (v for f, v in self._log_ratio.items() if f.startswith(prefix)), default=self._unseen
        )

    def _within_two(self, key: str, index: int) -> bool:
        """True when compact key ``key`` is within two slips of corpus name ``index``'s: only
        then can the pair be a one-character, look-alike or two-slip edit."""
        other = self._compact[index]
        return abs(len(key) - len(other)) <= 2 and OSA.distance(key, other, score_cutoff=2) <= 2

    # -- the corpus index --------------------------------------------------------------------

    def _candidates(self, canonical: str, floor: float | None = None) -> Iterator[int]:
        key = canonical.replace("-", "")
        if not key:
            return
        seen: set[int] = set()

        def fresh(index: int | None) -> bool:
            if index is None or index in seen:
                return False
            seen.add(index)
            return True

        ultra = self._ultra.get(ultranormalize(canonical))
        if fresh(ultra):
            yield ultra  # type: ignore[misc]
        module = self._imports.get(canonical)
        if fresh(module):
            yield module  # type: ignore[misc]
        words = canonical.split("-")
        if len(words) > 1:
            order = self._words.get(tuple(sorted(words)))
            if fresh(order):
                yield order  # type: ignore[misc]
            # Words added at either end: "requests-ssl", "python-dateutil-utils".
            for cut in range(1, len(words)):
                for part in ("-".join(words[cut:]), "-".join(words[:cut])):
                    found = self._rank.get(part)
                    if fresh(found):
                        yield found  # type: ignore[misc]
            # One end word traded for another: "python3-dateutil".
            for index in self._word_lookup("-".join(words[1:]), key, floor):
                if fresh(index):
                    yield index
            for index in self._word_lookup("-".join(words[:-1]), key, floor):
                if fresh(index):
                    yield index
        # A word left out of a longer name.
        for index in self._word_lookup(canonical, key, floor):
            if fresh(index):
                yield index
        # A word glued on without a separator: "requestsssl", "pyrequests".
        for cut in range(4, len(key) - 1):
            for part in (key[:cut], key[len(key) - cut :]):
                glued = self._by_compact.get(part)
                if fresh(glued):
                    yield glued  # type: ignore[misc]
        deletes = self._deletes
        for variant in (key, *_deletions(key)):
            held = deletes.get(variant)
            if held is None:
                continue
            for index in (held,) if isinstance(held, int) else held:
                if fresh(index):
                    yield index
        if len(key) >= self.policy.long_length - 1:
            keys, ids = self._window(len(key), floor)
            close = process.extract(key, keys, scorer=OSA.distance, score_cutoff=2, limit=None)
            for _, distance, position in close:
                if distance == 2 and fresh(ids[position]):
                    yield ids[position]
            if floor is not None:
                # The long names left out of the window for a floor can still be reported
                # as a look-alike pair ("rn" read as "m"), also two slips apart: looked up.
                for variant in _lookalike_variants(key):
                    for index in self._long_keys.get(variant, ()):
                        if fresh(index):
                            yield index

    def _split_word_lookups(
        self, floor: float | None
    ) -> dict[str, tuple[list[int], list[str], list[int]]]:
        """Per word lookup, the names a pair could be reported against as a word edit, and
        the keys and names it could be reported against only as two slips.

        A plugin prefix ("pytest-") is shared by hundreds of popular names, and a name that
        traded its last word pairs with every one of them: under the policy's floor, most
        of those pairs need not be explained, and the two-slip ones are found by distance."""
        split = {}
        for key, indices in self._dropped.items():
            words = [i for i in indices if self._reaches(self._word_ceiling, i, floor)]
            slips = [
                i
                for i in indices
                if not self._reaches(self._word_ceiling, i, floor)
                and self._reaches(self._slip_ceiling, i, floor)
            ]
            split[key] = (words, [self._compact[i] for i in slips], slips)
        return split

    def _word_lookup(self, words: str, key: str, floor: float | None) -> Iterable[int]:
        """The names that are ``words`` with one word more (see ``_reported_dropped``)."""
        if floor is None or floor != self._policy_floor:
            return self._dropped.get(words, ())
        found = self._reported_dropped.get(words)
        if found is None:
            return ()
        reported, slip_keys, slip_ids = found
        if not slip_keys:
            return reported
        close = process.extract(key, slip_keys, scorer=OSA.distance, score_cutoff=2, limit=None)
        return [*reported, *(slip_ids[position] for _, _, position in close)]

    @staticmethod
    def _reaches(ceilings: list[float], index: int, floor: float | None) -> bool:
        return floor is None or ceilings[index] >= floor

    def _window(self, length: int, floor: float | None) -> tuple[list[str], list[int]]:
        # The long names two letters shorter to two longer, in one list: one rapidfuzz call
        # per query instead of five. With a floor, only those a two-slip pair could reach it
        # against: two thirds of the top 3,000 cannot (look-alike pairs are looked up).
        window = self._windows.get((length, floor))
        if window is None:
            ids = [
                index
                for near in range(length - 2, length + 3)
                for index in self._long.get(near, ())
                if floor is None or self._two_ceiling[index] >= floor
            ]
            window = ([self._compact[index] for index in ids], ids)
            self._windows[(length, floor)] = window
        return window
