"""PyPI's own typo-check cases, run against reserver's detector.

Source: the unit test of PyPI's upload-time typo checker (``typo_check_name`` in
``warehouse/packaging/typosnyper.py``), repository https://github.com/pypi/warehouse, file
``tests/unit/packaging/test_typosnyper.py`` at commit
6b62157124ab7865029afeeadf282bce27d601d9 (the file last changed in
cb04f9d969c094a7e27a49ecbb4e5eee4a609efc). The corpus and every input with its expected
outcome are copied from there; warehouse's check kinds ("repeated_characters",
"omitted_characters", ...) are not compared, since reserver names its kinds differently,
only whether a name is flagged and which project it is taken for.
"""

from __future__ import annotations

import pytest

from reserver.guard.detect import Detector
from reserver.names.normalize import canonicalize

#: The corpus warehouse's test checks against (a set there; order here is as written).
CORPUS = (
    "numpy",
    "requests",
    "sphinx",
    "beautifulsoup4",
    "jinja2",
    "python-dateutil",
)

#: Inputs warehouse flags, with the corpus project it reports as the intended one.
FLAGGED = [
    ("nuumpy", "numpy"),  # repeated_characters
    ("reequests", "requests"),  # repeated_characters
    ("sphnx", "sphinx"),  # omitted_characters
    ("python-dteutil", "python-dateutil"),  # omitted_characters
    ("pythondateutil", "python-dateutil"),  # omitted_characters
    ("jinj2a", "jinja2"),  # swapped_characters
    ("dateutil-python", "python-dateutil"),  # swapped_words
    ("numpi", "numpy"),  # common_typos
    ("requestz", "requests"),  # common_typos
]

#: Inputs warehouse does not flag. All are right for reserver too, so none is left out:
#: "x" is too short to be a typo of anything here, "beeware-ext" is unrelated to every
#: corpus name, and the rest are corpus names themselves (after canonicalisation).
NOT_FLAGGED = [
    "x",  # too short
    "numpy",  # in the corpus
    "NuMpy",  # same as numpy after canonicalisation
    "beeware-ext",  # unrelated; dropping a repeated letter gives no corpus name
    "python-dateutil",  # in the corpus; swapping its words must not flag the original
]


@pytest.fixture(scope="module")
def detector() -> Detector:
    return Detector(CORPUS)


@pytest.mark.parametrize(("name", "target"), FLAGGED)
def test_warehouse_typo_is_flagged_with_the_same_target(
    detector: Detector, name: str, target: str
) -> None:
    match = detector.check(name)
    assert match is not None, f"{name!r} not flagged; warehouse flags it as {target!r}"
    assert canonicalize(match.target) == target


@pytest.mark.parametrize("name", NOT_FLAGGED, ids=NOT_FLAGGED)
def test_warehouse_pass_is_not_flagged(detector: Detector, name: str) -> None:
    assert detector.check(name) is None
