"""Decide whether a package name is a likely mistake for a popular or protected one.

The corpus (names in popularity order) is indexed once: a symmetric-deletion table of compact
keys, the registry's "too similar" key, word-order keys and import names. A name is looked up
by hashing its own few variants into those tables (a hash join), so a single slip is found
at the same cost whatever the corpus size; nothing compares every pair. Two slips are only
sought among the most popular long names, a length bucket at a time, scored by rapidfuzz.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable, Iterator, Sequence
from dataclasses import dataclass

from rapidfuzz import process
from rapidfuzz.distance import OSA

from ..names.import_names import IMPORT_TO_DISTRIBUTION
from ..names.normalize import canonicalize, ultranormalize
from ..names.stdlib import is_stdlib
from .model import Match
from .similarity import Edit, compact, single_edit, tokens, typo_like_pair

#: Words glued in front of a real name; trading one for another (python3-dateutil for
#: python-dateutil) is a squat, though adding one alone is a common honest habit.
AFFIXES: frozenset[str] = frozenset(
    {"python", "python3", "py", "py3", "pypi", "pip", "lib", "dev", "official", "latest"}
)

#: Tags an impostor glues after a real name to look like an edition of it ("requests-new").
SUFFIX_TAGS: frozenset[str] = frozenset(
    {"new", "latest", "official", "fixed", "lite", "dev", "pro"}
)

#: How sure each kind of difference makes us, before length and popularity are weighed.
KIND_WEIGHT: dict[str, float] = {
    "homoglyph": 0.9,
    "import-name": 0.9,
    "transposition": 0.9,
    "repetition": 0.85,
    "omission": 0.8,
    "keyboard": 0.8,
    "separator": 0.75,
    "misspelling": 0.75,
    "affix": 0.7,
    "version-suffix": 0.7,
    "insertion": 0.65,
    "word-order": 0.62,
    "substitution": 0.6,
}


@dataclass(frozen=True)
class Policy:
    """The thresholds that trade missed squats against false alarms (measured in
    ``benchmarks/bench_check.py``)."""

    min_score: float = 0.6
    """Matches scoring below this are not reported."""
    min_length: int = 4
    """Shorter targets never match on one slip, and targets of exactly this length only on a
    swap, a doubled letter or a look-alike: every short name is one edit from dozens."""
    long_length: int = 9
    """Targets at least this long are also matched at distance two."""
    affix_top: int = 1000
    """Only this many most popular names are matched with an affix added."""
    double_top: int = 1000
    """Only this many most popular names are matched at distance two."""


def _deletions(key: str) -> list[str]:
    return [key[:i] + key[i + 1 :] for i in range(len(key))]


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
        self._alias: dict[str, int] = {}
        # Keys typos are measured against: each name's compact key, plus its stem without a
        # version digit ("beautifulsoup" for beautifulsoup4), each owned by a corpus entry.
        self._keys: list[str] = []
        self._owner: list[int] = []
        self._deletes: defaultdict[str, list[int]] = defaultdict(list)
        # Keys of long, popular names by length, for the distance-two pass.
        self._long: defaultdict[int, list[str]] = defaultdict(list)
        self._long_ids: defaultdict[int, list[int]] = defaultdict(list)
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
            self._add_key(key, index)
            # "beautifulsoup4", "urllib3": people drop the version digit when they type.
            stem = key.rstrip("0123456789")
            if stem != key and len(stem) >= 5:
                self._alias.setdefault(stem, index)
                self._add_key(stem, index)
        self._allowed = {canonicalize(name) for name in allow}
        self._imports = {
            canonicalize(module): dist
            for module, dist in IMPORT_TO_DISTRIBUTION.items()
            if canonicalize(dist) in self._rank
        }

    def _add_key(self, key: str, index: int) -> None:
        key_id = len(self._keys)
        self._keys.append(key)
        self._owner.append(index)
        deletes = self._deletes
        for variant in {key, *_deletions(key)}:
            deletes[variant].append(key_id)
        # Two slips only count against popular, long names (see _double_edits).
        if len(key) >= self.policy.long_length and index < self.policy.double_top:
            self._long[len(key)].append(key)
            self._long_ids[len(key)].append(key_id)

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
            if self._compact[ultra] == key:
                yield self._match(name, ultra, "separator", "same letters, other separators")
            else:
                edit = single_edit(key, self._compact[ultra])
                weight = self._edit_weight(ultra, edit) if edit is not None else 1.0
                yield self._match(name, ultra, "homoglyph", "look-alike letters", weight)
        alias = self._alias.get(key)
        if alias is not None:
            # Only a standard-library name is a likely mistake here (urllib for urllib3);
            # otherwise it is usually the project's own older line (boto, pymc).
            weight = 1.0 if is_stdlib(key) else 0.7
            yield self._match(name, alias, "version-suffix", "without its version digit", weight)
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

    def _edit_weight(self, index: int, edit: Edit, target: str | None = None) -> float:
        """How typo-like an edit is, given where it falls in the intended name's key."""
        target = self._compact[index] if target is None else target
        weight = {4: 0.75, 5: 0.8, 6: 0.85, 7: 0.95}.get(len(target), 1.0)
        if edit.position == 0 and edit.kind not in ("repetition", "homoglyph"):
            # Legitimate projects are often a popular name with a letter in front
            # (ipytest, aresponses, uxarray); people rarely miss the first key.
            weight *= 0.8 if edit.kind == "transposition" else 0.6
        start, end = self._token_bounds_at(index, edit.position)
        ending = edit.position >= end - (edit.kind != "insertion")
        if ending and edit.kind not in ("transposition", "repetition"):
            weight *= 0.8  # emails/email, templates/template: a suffix, not a slip
        if any(c.isdigit() for c in edit.typed + edit.meant) and edit.kind != "homoglyph":
            weight *= 0.5  # cu12/cu13, pypdf2/pypdf4: versions, not typos
        if end - start <= 3 and len(tokens(self.names[index])) > 1:
            weight *= 0.5  # types-boto3-sqs/sts, google-cloud-iam/iap: sibling services
        return weight

    def _token_bounds_at(self, index: int, position: int) -> tuple[int, int]:
        """Start and end, in the compact key, of the word of the target holding ``position``."""
        offset = 0
        for word in tokens(self.names[index]):
            if position <= offset + len(word):
                return offset, offset + len(word)
            offset += len(word)
        return 0, len(self._compact[index])

    def _single_edits(self, name: str, key: str) -> Iterator[Match]:
        policy = self.policy
        seen: set[int] = set()
        for variant in (key, *_deletions(key)):
            for key_id in self._deletes.get(variant, ()):
                if key_id in seen:
                    continue
                seen.add(key_id)
                target, index = self._keys[key_id], self._owner[key_id]
                edit = single_edit(key, target)
                if edit is None or _digits_only_tail(key, target):
                    continue
                if len(target) < policy.min_length:
                    continue
                if len(target) == policy.min_length and edit.kind not in (
                    "transposition",
                    "repetition",
                    "homoglyph",
                ):
                    continue
                weight = self._edit_weight(index, edit, target)
                yield self._match(name, index, edit.kind, edit.describe(), weight)

    def _affixes(self, name: str, words: tuple[str, ...]) -> Iterator[Match]:
        # "python-X" and "pyX" next to a popular X are a common, legitimate naming habit
        # (python-fire, pyodbc), so a bare prefix is not enough: only an affix traded for
        # another (python3-dateutil for python-dateutil) or a tag glued on at the end is.
        candidates: list[str] = []
        if len(words) > 1:
            if words[0] in AFFIXES:
                rest = "-".join(words[1:])
                candidates.extend(f"{affix}-{rest}" for affix in AFFIXES if affix != words[0])
            if words[-1] in SUFFIX_TAGS:
                candidates.append("-".join(words[:-1]))
            if words[0].isdigit():
                candidates.append("-".join(words[1:]))  # 2022-requests
        for candidate in candidates:
            index = self._by_compact.get(compact(candidate))
            if index is None or index >= self.policy.affix_top or len(candidate) < 4:
                continue
            yield self._match(name, index, "affix", f"{self.names[index]} with an affix")

    def _double_edits(self, name: str, key: str) -> Iterator[Match]:
        # A few hundred popular long names at most share a length bucket with the query;
        # rapidfuzz scores a bucket in one call (C), with no Python loop over the corpus.
        words = tokens(name)
        for length in range(len(key) - 2, len(key) + 3):
            bucket = self._long.get(length)
            if not bucket:
                continue
            close = process.extract(key, bucket, scorer=OSA.distance, score_cutoff=2, limit=None)
            for target, distance, position in close:
                if distance != 2 or not typo_like_pair(key, target):
                    continue
                key_id = self._long_ids[length][position]
                index = self._owner[key_id]
                target_words = tokens(self.names[index])
                if len(target_words) > 1:
                    # In "python-okx" vs "python-docx" the shared word proves nothing; both
                    # slips must fall in one long word of the name.
                    if len(words) != len(target_words):
                        continue
                    differing = [(a, b) for a, b in zip(words, target_words, strict=True) if a != b]
                    if len(differing) != 1 or len(differing[0][1]) < self.policy.long_length:
                        continue
                weight = 1.0 if len(target) >= 10 else 0.9
                yield self._match(name, index, "misspelling", "two letters differ", weight)
