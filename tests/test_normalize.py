"""Name handling: validation, PEP 503 normalisation and PyPI's "too similar" key."""

from __future__ import annotations

import re

import pytest
from hypothesis import example, given
from hypothesis import strategies as st
from packaging.utils import canonicalize_name

from reserver.names.normalize import (
    canonicalize,
    is_valid_name,
    name_problem,
    sdist_filename_stem,
    ultranormalize,
)

PYPI_NAME = re.compile(r"^([A-Z0-9]|[A-Z0-9][A-Z0-9._-]*[A-Z0-9])\Z", re.IGNORECASE)
valid_names = st.from_regex(r"\A[A-Za-z0-9]([A-Za-z0-9._-]{0,40}[A-Za-z0-9])?\Z")


@pytest.mark.parametrize("name", ["re quests", "-x", "x-", "a" * 300, "réquests", "", "a/b"])
def test_malformed_names_are_refused_with_a_reason(name: str) -> None:
    problem = name_problem(name)
    assert problem is not None
    assert "\n" not in problem


@given(valid_names)
def test_canonicalize_agrees_with_packaging(name: str) -> None:
    assert canonicalize(name) == canonicalize_name(name)


@given(valid_names)
def test_canonical_form_is_a_fixed_point(name: str) -> None:
    assert canonicalize(canonicalize(name)) == canonicalize(name)
    assert is_valid_name(canonicalize(name))


@given(st.text(max_size=60))
@example("0\n")  # "$" would accept it: the rule is anchored with \Z
def test_validity_matches_the_registry_rule(name: str) -> None:
    expected = len(name) <= 128 and name.isascii() and PYPI_NAME.match(name) is not None
    assert is_valid_name(name) == expected
    assert (name_problem(name) is None) == expected


@given(valid_names)
def test_ultranormalize_ignores_separators_case_and_lookalikes(name: str) -> None:
    key = ultranormalize(name)
    assert key == ultranormalize(name.upper().replace("-", "_"))
    assert not set(key) & set("._-lio")


@given(valid_names)
def test_sdist_stem_is_lowercase_with_single_underscores(name: str) -> None:
    stem = sdist_filename_stem(name)
    assert stem == stem.lower()
    assert "__" not in stem and "-" not in stem and "." not in stem
    assert stem.replace("_", "-") == canonicalize(name)


def test_a_trailing_newline_never_passes_a_validator() -> None:
    # "$" also matches before a final newline; every validator anchors with \Z, so a name or
    # URL read from a file or an API cannot carry a line break into a template or a CSV.
    from reserver._rates import parse_rate
    from reserver.errors import ReserverError
    from reserver.names.normalize import is_valid_name
    from reserver.plan.holder import check_url

    assert is_valid_name("reqeusts") and not is_valid_name("reqeusts\n")
    check_url("stats URL", "https://stats.example.test")
    for bad in ("https://stats.example.test\n", "https://stats.example.test/\nx"):
        with pytest.raises(ReserverError):
            check_url("stats URL", bad)
    with pytest.raises(ReserverError):
        parse_rate("20/hour\nx")
