"""The detector: real squat shapes are flagged with the package meant; legitimate names not."""

from __future__ import annotations

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
