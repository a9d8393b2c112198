"""The fitting functions recover what they are given: shares, factors and word-order swaps."""

from __future__ import annotations

import pytest

from reserver.typo import fit
from reserver.typo.kinds import KINDS, OMISSION, WORD_DROPPED, WORD_ORDER


def _observed(pairs: list[tuple[str, str]]) -> list[fit.Observation]:
    seen, left = fit.observe(pairs, "test")
    assert not left
    return seen


def test_kind_shares_count_a_kind_only_against_targets_that_allow_it() -> None:
    # Ten one-word targets with an omission each, and two two-word targets: one squat
    # reorders the words, the other drops a letter.
    one_word = [(f"targt{c}", f"target{c}") for c in "abcdefghij"]
    pairs = [*one_word, ("words-two", "two-words"), ("tw-words", "two-words")]
    seen = _observed(pairs)
    assert [o.edit.kind for o in seen].count(OMISSION) == 11
    shares = {k: v["share"] for k, v in fit.fit_kind_shares(seen).items()}
    assert sum(shares.values()) == pytest.approx(1.0, abs=1e-5)
    assert set(shares) == set(KINDS)
    # A plain share would give word order 2/(12+12); counted only where it was possible (two
    # squats of two-word names, one of them a reordering) it is much likelier than that.
    plain = (1 + 1) / (len(pairs) + len(KINDS))
    assert shares[WORD_ORDER] > 1.5 * plain
    # Never seen, but open to two squats only: less evidence that it is rare than a kind
    # every squat could have shown and none did.
    assert shares[WORD_DROPPED] > shares["import_name"]
    assert max(shares, key=lambda k: shares[k]) == OMISSION


def test_eligible_kinds_follow_the_number_of_words() -> None:
    assert WORD_ORDER not in fit.eligible_kinds("requests")
    assert WORD_DROPPED not in fit.eligible_kinds("requests")
    assert {WORD_ORDER, WORD_DROPPED} <= fit.eligible_kinds("python-dateutil")
    assert WORD_ORDER not in fit.eligible_kinds("a-b-c-d-e")
    assert WORD_DROPPED in fit.eligible_kinds("a-b-c-d-e")


def test_word_order_share_counts_neighbouring_swaps_of_three_or_more_words() -> None:
    seen = _observed(
        [
            ("python-aliyun-sdk-core", "aliyun-python-sdk-core"),  # neighbours swapped
            ("core-sdk-aliyun-python", "aliyun-python-sdk-core"),  # moved further
            ("dateutil-python", "python-dateutil"),  # two words: not counted
        ]
    )
    row = fit.fit_word_order(seen)["adjacent_swap"]
    assert (row["observed"], row["n"]) == (1, 2)
    assert row["share"] == pytest.approx((1 + 1) / (2 + 2))


def test_generation_fit_holds_the_plural_relation_and_the_three_parts() -> None:
    seen = _observed([("requests", "request"), ("numpys", "numpy"), ("reqests", "requests")])
    fitted = fit.fit_generation(seen)
    assert set(fitted) == {"kinds", "letter", "words"}
    insertion = fitted["letter"]["insertion"]["evidence"]["relation"]
    assert insertion["plural"]["observed"] == 2
    # One plural among some 36 x (n + 1) insertions a name allows: a large factor.
    assert fitted["letter"]["insertion"]["relation"]["plural"] > 10
