"""Registry rules: profiles chosen by the index, PEP 503 equivalence, stdlib, "too similar"."""

from __future__ import annotations

import pytest
from hypothesis import given
from hypothesis import strategies as st

from reserver.index.registries import profile_for_index
from reserver.names.candidates import generate_candidates
from reserver.names.rules import (
    BLOCKED,
    FREE,
    PRIVATE,
    PYPI,
    TAKEN,
    TESTPYPI,
    UNCHECKED,
    KnownNames,
    RegistryProfile,
    name_status,
)

LISTING = KnownNames.from_names(["requests", "Flask_Login", "jellyfish", "boto3"], complete=True)


@pytest.mark.parametrize(
    ("index", "profile"),
    [
        ("https://pypi.org/simple/", PYPI),
        ("https://upload.pypi.org/legacy/", PYPI),
        ("https://test.pypi.org/simple/", TESTPYPI),
        ("http://127.0.0.1:8080/simple/", PRIVATE),
        ("https://devpi.example.com/root/prod/+simple/", PRIVATE),
        (None, PYPI),
    ],
)
def test_rules_follow_the_index(index: str | None, profile: RegistryProfile) -> None:
    assert profile_for_index(index) == profile


def test_candidates_never_repeat_the_target_under_another_spelling() -> None:
    names = {c.name for c in generate_candidates("Flask_Login")}
    assert "flask-login" not in names and "flask.login" not in names and "flask_login" not in names


@pytest.mark.parametrize(
    "name", ["os", "os.path", "os-path", "OS_Path", "xml.etree", "pwd", "telnetlib"]
)
def test_pypi_refuses_standard_library_names_and_prefixes(name: str) -> None:
    status, reason = name_status(name, PYPI, LISTING)
    assert (status, reason) == (BLOCKED, "standard-library module name")


def test_a_private_index_refuses_no_standard_library_name() -> None:
    assert name_status("telnetlib", PRIVATE, LISTING)[0] == FREE


def test_too_similar_applies_to_any_existing_project_not_only_the_target() -> None:
    # "f1ask-login" collides with Flask_Login, which is not what we are protecting here.
    status, reason = name_status("f1ask-login", PYPI, LISTING)
    assert status == BLOCKED and "flask-login" in reason
    assert name_status("jeIlyfish", PYPI, LISTING)[0] == BLOCKED
    assert name_status("b0to3", PYPI, LISTING)[0] == BLOCKED
    assert name_status("b0to3", PRIVATE, LISTING)[0] == FREE


def test_existing_names_are_taken_in_any_spelling() -> None:
    assert name_status("Flask.Login", PYPI, LISTING) == (TAKEN, "exists on the index")
    assert name_status("REQUESTS", PRIVATE, LISTING)[0] == TAKEN


def test_status_is_unchecked_without_a_complete_listing() -> None:
    partial = KnownNames.from_names(["requests"], complete=False)
    assert name_status("reqeusts", PYPI, partial)[0] == UNCHECKED
    assert name_status("requests", PYPI, partial)[0] == TAKEN


def test_prohibited_names_come_from_the_profile() -> None:
    strict = RegistryProfile("corp", False, False, prohibited=frozenset({"internal-tool"}))
    assert name_status("Internal_Tool", strict, LISTING)[0] == BLOCKED
    assert name_status("internal-tool", PRIVATE, LISTING)[0] == FREE


def test_invalid_names_are_blocked_with_the_reason() -> None:
    status, reason = name_status("-bad", PYPI, LISTING)
    assert status == BLOCKED and reason.startswith("invalid name")


def test_overlay_names_count_as_existing() -> None:
    known = LISTING.with_names(["my-target"])
    assert name_status("my-target", PYPI, known)[0] == TAKEN
    assert name_status("my-targe7", PYPI, known)[0] == FREE
    assert name_status("my-target", PYPI, LISTING)[0] == FREE  # the original is untouched


def test_a_large_listing_is_indexed_like_name_by_name() -> None:
    from reserver.names.normalize import canonicalize, ultranormalize

    names = ["Flask_Login", "a.b--c", "Jelly.Fish", "x", "bad\nname", "OS"]
    known = KnownNames.from_names(names, complete=True)
    good = [n for n in names if "\n" not in n]
    assert known.canonical == frozenset(canonicalize(n) for n in good)
    assert {ultranormalize(n) for n in good} == set(known.ultra)
    assert known.similar("je11y-fish") == "jelly-fish"


_spelled = st.from_regex(r"\A[A-Za-z0-9]([A-Za-z0-9._-]{0,20}[A-Za-z0-9])?\Z")


@given(st.lists(_spelled, max_size=30))
def test_listing_index_agrees_with_per_name_normalisation(names: list[str]) -> None:
    from reserver.names.normalize import canonicalize, ultranormalize, ultranormalize_canonical

    known = KnownNames.from_names(names, complete=True)
    assert known.canonical == frozenset(canonicalize(n) for n in names)
    assert set(known.ultra) == {ultranormalize(n) for n in names}
    for name in names:
        assert ultranormalize_canonical(canonicalize(name)) == ultranormalize(name)
        assert name_status(name, PYPI, known)[0] == TAKEN
        assert known.similar(canonicalize(name)) is not None


def test_a_name_outside_ascii_gets_a_key_too() -> None:
    known = KnownNames.from_names(["r\u00e9quests"], complete=True)
    assert known.similar("r\u00e9quests") == "r\u00e9quests"


def test_one_table_of_registries_gives_the_rules_the_pacing_and_the_simple_index() -> None:
    from reserver._rates import Rate
    from reserver.index.registries import REGISTRIES
    from reserver.publish.index_check import simple_url_for
    from reserver.publish.pacing import default_rate

    for registry in REGISTRIES:
        for host in registry.hosts:
            url = f"https://{host.upper()}/legacy/"
            assert profile_for_index(url) == registry.profile
            assert default_rate(url) == Rate(20, 3600)
            assert simple_url_for(url) == registry.simple_url
