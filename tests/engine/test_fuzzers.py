"""Each fuzzer makes the typo its docstring promises, and the pure modules' examples hold."""

from __future__ import annotations

import doctest

import pytest

from reserver.names import (
    candidates,
    fuzzers,
    import_names,
    keyboards,
    ranking,
    rules,
    stdlib,
    targets,
)
from reserver.names.fuzzers import FUZZERS, LAYOUT_FUZZERS


@pytest.mark.parametrize(
    ("kind", "target", "expected"),
    [
        ("deleted_letter", "urllib3", "urlib3"),
        ("doubled_letter", "requests", "reqquests"),
        ("swapped_letters", "requests", "reqeusts"),
        ("keyboard_substitution", "requests", "rewuests"),
        ("keyboard_insertion", "requests", "reqwuests"),
        ("visual_lookalike", "jellyfish", "je1lyfish"),
        ("visual_lookalike", "modern", "modem"),
        ("vowel_swap", "django", "djanga"),
        ("bit_flip", "django", "djalgo"),
        ("separator_removed", "python-dateutil", "pythondateutil"),
        ("separator_added", "setuptools", "setup-tools"),
        ("separator_moved", "django-server", "djangos-erver"),
        ("words_swapped", "django-server", "server-django"),
        ("words_dropped", "django-server-guardian-api", "django-server"),
        ("plural_singular", "requests", "request"),
        ("plural_singular", "attr", "attrs"),
        ("version_digit", "requests", "requests2"),
        ("version_digit", "urllib3", "urllib2"),
        ("affix_added", "dateutil", "python-dateutil"),
        ("affix_added", "requests", "requests-py"),
        ("affix_stripped", "python-dateutil", "dateutil"),
        ("affix_stripped", "pyyaml", "yaml"),
        ("affix_swapped", "python-dateutil", "python3-dateutil"),
        ("misspelling", "colorama", "colourama"),
    ],
)
def test_each_fuzzer_makes_its_typo(kind: str, target: str, expected: str) -> None:
    made = {variant for variant, _, _ in FUZZERS[kind](target)}
    assert expected in made


@pytest.mark.parametrize("kind", sorted(FUZZERS))
def test_fuzzer_weights_are_probabilities_and_edits_are_described(kind: str) -> None:
    for target in ("requests", "python-dateutil", "scikit-learn", "urllib3", "six"):
        for variant, edit, weight in FUZZERS[kind](target):
            assert 0 < weight <= 1, (kind, variant, weight)
            assert edit
            assert set(variant) <= set("abcdefghijklmnopqrstuvwxyz0123456789-")


@pytest.mark.parametrize("kind", sorted(FUZZERS))
def test_every_fuzzer_has_a_docstring_example(kind: str) -> None:
    assert '" -> "' in (FUZZERS[kind].__doc__ or "")


def test_layouts_give_different_neighbours() -> None:
    qwerty = {v for v, _, _ in LAYOUT_FUZZERS["keyboard_substitution"]("yaml", "qwerty")}
    qwertz = {v for v, _, _ in LAYOUT_FUZZERS["keyboard_substitution"]("yaml", "qwertz")}
    azerty = {v for v, _, _ in LAYOUT_FUZZERS["keyboard_substitution"]("yaml", "azerty")}
    assert "taml" in qwerty and "taml" not in qwertz  # y sits beside t only on QWERTY
    assert "yall" in azerty and "yall" not in qwerty  # m sits beside l only on AZERTY


def test_python_prefix_is_stripped_whole() -> None:
    assert "thon-dateutil" not in {v for v, _, _ in fuzzers.affix_stripped("python-dateutil")}


@pytest.mark.parametrize(
    "module", [candidates, fuzzers, import_names, keyboards, ranking, rules, stdlib, targets]
)
def test_docstring_examples_hold(module: object) -> None:
    result = doctest.testmod(module, optionflags=doctest.ELLIPSIS)  # type: ignore[arg-type]
    assert result.failed == 0
