"""The detector: real squat shapes are flagged with the package meant; legitimate names not."""

from __future__ import annotations

import random

import pytest

from reserver.guard.detect import Detector
from reserver.typo.edits import letter_edit
from reserver.typo.keyboard import are_neighbours

from .conftest import POPULAR


@pytest.fixture(scope="module")
def detector() -> Detector:
    return Detector(POPULAR)


@pytest.mark.parametrize(
    ("name", "target", "kind"),
    [
        ("reqeusts", "requests", "transposition"),  # swapped neighbours
        ("urlib3", "urllib3", "omission"),  # SK-CSIRT 2017
        ("colourama", "colorama", "insertion"),  # 2018 clipboard hijacker
        ("jeIlyfish", "jellyfish", "lookalike"),  # 2019, capital I for l
        ("setup-tools", "setuptools", "separator"),  # SK-CSIRT 2017
        ("dateutil-python", "python-dateutil", "word_order"),
        ("urllib", "urllib3", "omission"),  # a stdlib name for urllib3
        ("requestss", "requests", "repetition"),
        ("numpyy", "numpy", "repetition"),  # a doubled last letter is a slip, not a suffix
        ("requesrs", "requests", "substitution"),
    ],
)
def test_real_squat_shapes_are_flagged_with_the_package_meant(
    detector: Detector, name: str, target: str, kind: str
) -> None:
    match = detector.check(name)
    assert match is not None, name
    assert (match.target, match.kind) == (target, kind)
    assert 0.5 <= match.score <= 1.0


@pytest.mark.parametrize(
    ("name", "target", "kind"),
    [
        ("sklearn", "scikit-learn", "import_name"),
        ("requests-py", "requests", "affix"),  # a lexicon suffix on a top-100 name
    ],
)
def test_word_shapes_are_explained_for_the_fitted_thresholds_to_weigh(
    detector: Detector, name: str, target: str, kind: str
) -> None:
    # Whether these are reported is the fit's call: words added to a top-100 name need
    # far more evidence than a slip (legitimate plugins such as pytest-click are common
    # among popular projects), and import names answer to the single threshold.
    explained = {(detector.names[index], edit.kind) for index, edit in detector.pairs(name)}
    assert (target, kind) in explained


@pytest.mark.parametrize("name", ["requests", "Requests", "python_dateutil", "PyYAML"])
def test_a_popular_name_is_never_a_finding(detector: Detector, name: str) -> None:
    assert detector.check(name) is None


@pytest.mark.parametrize(
    "name",
    [
        "aioredis",  # pipenv 2017 flagged it as redis
        "python-fire",  # a popular name with a conventional prefix is its own project
        "types-requests",
        "flask-login",
        "numpyro",
    ],
)
def test_legitimate_neighbours_are_not_findings(detector: Detector, name: str) -> None:
    assert detector.check(name) is None


def test_allow_list_silences_a_name() -> None:
    assert Detector(POPULAR).check("reqeusts") is not None
    assert Detector(POPULAR, allow=["Reqeusts"]).check("reqeusts") is None


def test_the_more_popular_of_two_equally_close_targets_wins() -> None:
    match = Detector(["abcdefgh", "abcdefgx"]).check("abcdegfh")
    assert match is not None and match.target == "abcdefgh"
    match = Detector(["abcdefgx", "abcdefgh"]).check("abcdefg")
    assert match is not None and match.target == "abcdefgx"


def test_check_many_scores_each_distinct_name_once(detector: Detector) -> None:
    found = detector.check_many(["reqeusts", "Reqeusts", "requests", "urlib3"])
    assert [m.name for m in found] == ["reqeusts", "urlib3"]


def test_short_names_weigh_less_than_long_ones() -> None:
    detector = Detector(["attrs", "idna", "six", "requests"])
    assert detector.check("sxi") is None  # three letters: never matched
    # The same slip is weaker evidence on a four-letter name, which has many legitimate
    # near-misses, than on an eight-letter one (the length term is fitted, weights.json).
    assert detector.evidence("idan") < detector.evidence("reqeusts")
    assert detector.check("reqeusts") is not None


def test_edit_classification() -> None:
    assert letter_edit("reqeusts", "requests").kind == "transposition"  # type: ignore[union-attr]
    assert letter_edit("requets", "requests").kind == "omission"  # type: ignore[union-attr]
    assert letter_edit("requests", "requests") is None
    assert letter_edit("rqeusets", "requests") is None
    assert are_neighbours("s", "d") and not are_neighbours("s", "p")


def test_a_name_longer_than_any_registry_name_has_no_pairs() -> None:
    # Matching it would build deletion variants quadratic in its length (a hostile
    # listing in watch, a file in check).
    from reserver.guard.detect import Detector

    detector = Detector(["requests", "numpy"])
    huge = "requests" + "x" * 200_000
    assert list(detector.pairs(huge)) == [] and detector.check(huge) is None
    assert detector.check("reqeusts") is not None


class _EveryPair(Detector):
    """The detector weighing every pair: no floor, so nothing is skipped unexplained."""

    def _floor(self) -> float | None:
        return None


def _plugin_corpus() -> list[str]:
    # Ten thousand names in all four popularity bands, most of them plugin-style
    # ("pytest-click"): the shape whose word lookups pair a name with hundreds of others.
    from reserver.targets.popularity import bundled_popular

    popular = [p.project for p in bundled_popular()]
    short = [name for name in popular if len(name) <= 6]
    plugins = [f"{host}-{word}" for host in short[:80] for word in short]
    return list(dict.fromkeys(popular + plugins))[:10_000]


def _variants(name: str) -> list[str]:
    # Shapes each candidate source finds: a look-alike group ("rn" for "m"), two slips, a
    # word traded at either end, a word added, a letter dropped.
    from reserver.typo.lookalikes import LOOKALIKES

    found = [name[:i] + b + name[i + len(a) :] for a, b in LOOKALIKES if (i := name.find(a)) >= 0]
    found.append(name[::-1][:2] + name[2:-1] + "q")
    words = name.split("-")
    found += ["-".join([*words[:-1], "xyz"]), "-".join(["foo", *words[1:]]), name + "-utils"]
    found.append(name[:3] + name[4:])
    return found


def test_skipping_pairs_below_the_floor_changes_no_verdict(rng: random.Random) -> None:
    # check() skips corpus names no pair could be reported against (their best possible
    # margin is below the policy's floor); every verdict must be what weighing all says.
    from reserver.evaluation.squats import default_dataset, load_dataset

    corpus = _plugin_corpus()
    names = [attack.squat for attack in load_dataset(default_dataset())]
    names += [v for name in rng.sample(corpus, 40) for v in _variants(name)]
    pruned, every = Detector(corpus), _EveryPair(corpus)
    assert [pruned.check(n) for n in names] == [every.check(n) for n in names]
    assert sum(m is not None for m in map(pruned.check, names)) > 100
    # Every pair it skips is below the floor, and no pair beats the ceiling of its kind
    # (the bound skipping relies on), while it does skip many.
    from reserver.typo.kinds import AFFIX, LOOKALIKE, TWO_EDITS, WORD_DROPPED, WORD_ORDER

    ceilings = {AFFIX: every._word_ceiling, WORD_DROPPED: every._word_ceiling}
    ceilings |= {WORD_ORDER: every._word_ceiling, TWO_EDITS: every._two_ceiling}
    ceilings[LOOKALIKE] = every._slip_ceiling
    floor = pruned._floor()
    assert floor is not None
    skipped = 0
    for name in names:
        kept = {index for index, _ in pruned.pairs(name, floor)}
        for evidence, index, edit in every.scored_pairs(name):
            margin = evidence - every.threshold(edit, index)
            if edit.kind in ceilings:
                assert margin <= ceilings[edit.kind][index] + 1e-9, (name, edit)
            if edit.kind in (AFFIX, WORD_DROPPED, WORD_ORDER):
                # The tighter bound that knows which word was added (or dropped, or moved).
                assert margin <= every._word_bound(edit, index) + 1e-9, (name, edit)
            if index not in kept:
                skipped += 1
                assert margin < floor, (name, every.names[index], edit)
    assert skipped > 1000


def test_an_attack_is_weighed_as_if_its_own_added_word_were_new() -> None:
    """The affix lexicon is counted from the same attacks the detection terms are fitted on.
    Weighed with its own word in the lexicon, no attack ever used an unseen word, and the
    fit priced every new word as never used by attackers (6.5 nats against it), though most
    words in new attacks are new. Each attack is weighed with its own use left out."""
    detector = Detector(["requests", "numpy"])
    counts: dict[str, int] = {}
    for label, count in detector.model.weights.raw["affixes"]["counts"].items():
        word = label.split(":", 1)[1]
        counts[word] = counts.get(word, 0) + count
    once = next(w for w, c in counts.items() if c == 1 and detector.rank(w) is None)
    twice = next(w for w, c in counts.items() if c == 2 and detector.rank(w) is None)
    assert detector.affix_class(once) == "rare"
    assert detector.affix_class(once, held_out=True) == "other"
    assert detector.affix_class(twice) == "lexicon"
    assert detector.affix_class(twice, held_out=True) == "rare"
    assert detector.affix_class("never-used-by-anyone") == "other"
    assert Detector(["requests", "numpy"]).affix_class("numpy") == "popular"
    # The shipped weights were fitted so: attacks with a word no other attack used exist.
    evidence = detector.model.weights.raw["detection"]["evidence"]
    assert evidence["cell:affix:suffix:other"]["attacks"] > 0
    assert evidence["cell:affix:prefix:other"]["attacks"] > 0
