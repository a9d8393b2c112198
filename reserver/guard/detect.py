"""Decide whether a package name is a likely mistake for a popular or protected one.

The corpus (names in popularity order) is indexed once: a symmetric-deletion table of compact
keys, the registry's "too similar" key, word-order keys and import names. A name is looked up
by hashing its own few variants into those tables, so checking costs the same whether the
corpus holds a hundred names or a hundred thousand; nothing compares every pair.
"""

from __future__ import annotations

from collections.abc import Iterable, Iterator, Sequence
from dataclasses import dataclass

from ..names.import_names import IMPORT_TO_DISTRIBUTION
from ..names.normalize import canonicalize, ultranormalize
from .model import Match
from .similarity import Edit, compact, edit_distance, single_edit, tokens

#: Words people and attackers glue onto a real name ("python-requests", "requests-lib").
AFFIXES: frozenset[str] = frozenset(
    {"python", "python3", "py", "py3", "pypi", "pip", "lib", "dev", "official", "latest"}
)

#: How sure each kind of difference makes us, before length and popularity are weighed.
KIND_WEIGHT: dict[str, float] = {
    "homoglyph": 0.9,
    "separator": 0.78,
    "import-name": 0.9,
    "transposition": 0.9,
    "repetition": 0.85,
    "word-order": 0.85,
    "omission": 0.8,
    "keyboard": 0.8,
    "affix": 0.7,
    "substitution": 0.65,
    "insertion": 0.65,
    "misspelling": 0.75,
}


@dataclass(frozen=True)
class Policy:
    """The thresholds that trade missed squats against false alarms (measured in
    ``benchmarks/bench_check.py``)."""

    min_score: float = 0.6
    """Matches scoring below this are not reported."""
    min_length: int = 4
    """Targets with a shorter compact key only match on swaps and doubled letters: every
    three-letter name is one edit from dozens of others."""
    long_length: int = 9
    """Targets at least this long are also matched at distance two."""
    affix_top: int = 1000
    """Only this many most popular names are matched with an affix added."""
    typo_top: int | None = None
    """Only this many most popular names are matched by single-character substitutions and
    insertions, the kinds legitimate neighbours share most; None for the whole corpus."""


def _deletions(key: str) -> Iterator[str]:
    for i in range(len(key)):
        yield key[:i] + key[i + 1 :]


def _deletions2(key: str) -> set[str]:
    return {d2 for d1 in _deletions(key) for d2 in _deletions(d1)}


def _digits_only_tail(a: str, b: str) -> bool:
    """True when one key is the other plus trailing digits ("pymc3" and "pymc")."""
    short, long_ = (a, b) if len(a) < len(b) else (b, a)
    return long_.startswith(short) and long_[len(short) :].isdigit()


class Detector:
    """Look-alike detection against a popularity-ordered corpus of package names."""

    def __init__(
        self,
        corpus: Sequence[str],
        allow: Iterable[str] = (),
        policy: Policy | None = None,
    ) -> None:
        self.policy = policy or Policy()
        self.names: list[str] = []
        self._rank: dict[str, int] = {}
        self._compact: list[str] = []
        self._ultra: dict[str, int] = {}
        self._words: dict[tuple[str, ...], int] = {}
        self._by_compact: dict[str, int] = {}
        self._deletes: dict[str, list[int]] = {}
        self._deletes2: dict[str, list[int]] = {}
        for name in corpus:
            canonical = canonicalize(name)
            if canonical in self._rank:
                continue
            index = len(self.names)
            self.names.append(name)
            self._rank[canonical] = index
            key = compact(name)
            self._compact.append(key)
            self._by_compact.setdefault(key, index)
            self._ultra.setdefault(ultranormalize(name), index)
            words = tokens(name)
            if len(words) > 1:
                self._words.setdefault(tuple(sorted(words)), index)
            self._deletes.setdefault(key, []).append(index)
            for variant in set(_deletions(key)):
                self._deletes.setdefault(variant, []).append(index)
            if len(key) >= self.policy.long_length:
                for variant in _deletions2(key):
                    self._deletes2.setdefault(variant, []).append(index)
        self._allowed = {canonicalize(name) for name in allow}
        self._imports = {
            canonicalize(module): dist
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

    def check(self, name: str) -> Match | None:
        """The most likely intended package for ``name``, or None when it looks fine."""
        if not name or self.is_known(name):
            return None
        best: Match | None = None
        for match in self._candidates(name):
            if best is None or (match.score, -self._rank[canonicalize(match.target)]) > (
                best.score,
                -self._rank[canonicalize(best.target)],
            ):
                best = match
        if best is None or best.score < self.policy.min_score:
            return None
        return best

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

    # -- the individual signals ------------------------------------------------------------

    def _popularity(self, index: int) -> float:
        # A squat pays off in proportion to the traffic it can steal, so real squats aim at
        # the most used names; a near-miss of an obscure name is usually a sibling project.
        for limit, factor in ((100, 1.0), (1000, 0.95), (3000, 0.85), (10000, 0.75)):
            if index < limit:
                return factor
        return 0.7

    def _match(self, name: str, index: int, kind: str, detail: str, weight: float = 1.0) -> Match:
        score = KIND_WEIGHT[kind] * weight * self._popularity(index)
        return Match(name, self.names[index], kind, round(min(score, 1.0), 3), detail)

    def _candidates(self, name: str) -> Iterator[Match]:
        key = compact(name)
        if not key:
            return
        ultra = self._ultra.get(ultranormalize(name))
        if ultra is not None:
            same_letters = self._compact[ultra] == key
            kind = "separator" if same_letters else "homoglyph"
            detail = "same letters, other separators" if same_letters else "look-alike letters"
            yield self._match(name, ultra, kind, detail)
        dist = self._imports.get(canonicalize(name))
        if dist is not None:
            yield self._match(
                name, self._rank[canonicalize(dist)], "import-name", f"import name of {dist}"
            )
        words = tokens(name)
        if len(words) > 1:
            index = self._words.get(tuple(sorted(words)))
            if index is not None and self._compact[index] != key:
                yield self._match(name, index, "word-order", "same words, other order")
        yield from self._single_edits(name, key)
        yield from self._affixes(name, words)
        if len(key) >= self.policy.long_length - 1:
            yield from self._double_edits(name, key)

    def _edit_weight(self, index: int, edit: Edit) -> float:
        """How typo-like an edit is, given where it falls in the intended name."""
        target = self._compact[index]
        weight = 1.0 if len(target) >= 7 else 0.9 if len(target) >= 5 else 0.8
        if edit.position == 0 and edit.kind not in ("repetition", "homoglyph"):
            # Legitimate projects are often a popular name with a letter in front
            # (ipytest, aresponses, uxarray); people rarely miss the first key.
            weight *= 0.8 if edit.kind == "transposition" else 0.6
        last = len(target) - (1 if edit.kind != "insertion" else 0)
        if edit.position >= last and edit.kind in ("omission", "insertion", "substitution",
                                                    "keyboard"):
            weight *= 0.8  # emails/email, whisperx/whisper: a suffix, not a slip
        if any(c.isdigit() for c in edit.typed + edit.meant) and edit.kind != "homoglyph":
            weight *= 0.5  # cu12/cu13, pypdf2/pypdf4: versions, not typos
        token_len = self._token_length_at(index, edit.position)
        if token_len <= 3 and len(tokens(self.names[index])) > 1:
            weight *= 0.5  # types-boto3-sqs/sts, google-cloud-iam/iap: sibling services
        return weight

    def _token_length_at(self, index: int, position: int) -> int:
        offset = 0
        for word in tokens(self.names[index]):
            if position < offset + len(word) or (position == offset + len(word)):
                return len(word)
            offset += len(word)
        return len(self._compact[index])

    def _single_edits(self, name: str, key: str) -> Iterator[Match]:
        policy = self.policy
        seen: set[int] = set()
        for variant in (key, *_deletions(key)):
            for index in self._deletes.get(variant, ()):
                if index in seen:
                    continue
                seen.add(index)
                target = self._compact[index]
                edit = single_edit(key, target)
                if edit is None or _digits_only_tail(key, target):
                    continue
                if edit.kind in ("substitution", "insertion") and (
                    policy.typo_top is not None and index >= policy.typo_top
                ):
                    continue
                if len(target) < policy.min_length:
                    continue
                if len(target) == policy.min_length and edit.kind not in (
                    "transposition",
                    "repetition",
                    "homoglyph",
                ):
                    continue
                weight = self._edit_weight(index, edit)
                yield self._match(name, index, edit.kind, edit.describe(), weight)

    def _affixes(self, name: str, words: tuple[str, ...]) -> Iterator[Match]:
        candidates: list[str] = []
        if len(words) > 1:
            if words[0] in AFFIXES:
                rest = "-".join(words[1:])
                candidates.append(rest)
                # python3-dateutil for python-dateutil: one affix traded for another.
                candidates.extend(f"{affix}-{rest}" for affix in AFFIXES if affix != words[0])
            if words[-1] in AFFIXES:
                candidates.append("-".join(words[:-1]))
        joined = "".join(words)
        for affix in ("python", "py"):
            if joined.startswith(affix) and len(joined) > len(affix) + 3:
                candidates.append(joined[len(affix) :])
        for candidate in candidates:
            index = self._by_compact.get(compact(candidate))
            if index is None or index >= self.policy.affix_top or len(candidate) < 4:
                continue
            yield self._match(name, index, "affix", f"{self.names[index]} with an affix")

    def _double_edits(self, name: str, key: str) -> Iterator[Match]:
        seen: set[int] = set()
        variants = {key, *_deletions(key)} | _deletions2(key)
        for variant in variants:
            for index in self._deletes2.get(variant, ()):
                if index in seen:
                    continue
                seen.add(index)
                target = self._compact[index]
                if edit_distance(key, target) != 2 or _digits_only_tail(key, target):
                    continue
                if any(c.isdigit() for c in key) != any(c.isdigit() for c in target):
                    continue
                weight = 1.0 if len(target) >= 10 else 0.9
                yield self._match(name, index, "misspelling", "two letters differ", weight)
