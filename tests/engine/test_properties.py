"""Properties of the engine over arbitrary valid names (Hypothesis)."""

from __future__ import annotations

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from reserver.names.candidates import generate_candidates
from reserver.names.normalize import canonicalize, is_valid_name
from reserver.names.ranking import rank_target
from reserver.names.rules import FREE, PRIVATE, PYPI, UNCHECKED, KnownNames, name_status
from reserver.names.targets import GIVEN, Target
from reserver.selection.model import SelectionOptions
from reserver.selection.select import select
from reserver.typo.kinds import IMPORT_NAME, KINDS

_ALNUM = "abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789"
words = st.text(alphabet=_ALNUM, min_size=1, max_size=9)
names = st.builds(
    lambda parts, seps: "".join(p + s for p, s in zip(parts, seps, strict=False)) + parts[-1],
    st.lists(words, min_size=2, max_size=4).map(lambda ps: ps),
    st.lists(st.sampled_from(["-", "_", ".", "--", "_."]), min_size=3, max_size=3),
).filter(is_valid_name) | words.filter(lambda w: len(w) >= 2)

FAST = settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.too_slow])


@FAST
@given(names)
def test_every_candidate_is_a_valid_distinct_canonical_name(target: str) -> None:
    found = generate_candidates(target)
    keys = [c.name for c in found]
    assert len(keys) == len(set(keys)), "no two candidates are the same project"
    for candidate in found:
        assert is_valid_name(candidate.name)
        assert candidate.name == canonicalize(candidate.name)
        assert candidate.name != canonicalize(target), "the target is never its own candidate"
        assert candidate.kind in KINDS and candidate.edit and 0 < candidate.score <= 1
        assert (candidate.category == "import") == (candidate.kind == IMPORT_NAME)
        assert candidate.target == target


@FAST
@given(names)
def test_generation_is_deterministic(target: str) -> None:
    assert generate_candidates(target) == generate_candidates(target)


@FAST
@given(names)
def test_spelling_of_the_target_does_not_change_the_candidates(target: str) -> None:
    first = [(c.name, c.kind, c.score) for c in generate_candidates(target)]
    other = [(c.name, c.kind, c.score) for c in generate_candidates(canonicalize(target).upper())]
    assert first == other


@FAST
@given(names, st.integers(min_value=1, max_value=40), st.data())
def test_ranking_under_a_budget_equals_the_full_sort(
    target: str, budget: int, data: st.DataObject
) -> None:
    everything = generate_candidates(target)
    held = data.draw(st.lists(st.sampled_from([c.name for c in everything]), max_size=20))
    known = KnownNames.from_names([target, *held], complete=True)

    def status(name: str) -> tuple[str, str]:
        return name_status(name, PYPI, known)

    ranking = rank_target(Target(target, GIVEN), budget, status)
    expected = [c.name for c in everything if status(c.name)[0] in (FREE, UNCHECKED)][:budget]
    assert [r.candidate.name for r in ranking.selected] == expected
    assert len(ranking.selected) <= budget


@FAST
@given(names, st.data())
def test_no_name_in_the_listing_is_ever_reported_free(target: str, data: st.DataObject) -> None:
    candidates = [c.name for c in generate_candidates(target)]
    listed = data.draw(st.lists(st.sampled_from(candidates), min_size=1, max_size=30))
    # Spell some listed names differently: the index compares normal forms.
    spelled = [n.upper().replace("-", "_") if i % 2 else n for i, n in enumerate(listed)]
    known = KnownNames.from_names([target, *spelled], complete=True)
    for profile in (PYPI, PRIVATE):
        selection = select([Target(target, GIVEN)], known, profile, SelectionOptions(budget=50))
        listed_keys = {canonicalize(n) for n in listed}
        for row in selection.names:
            if canonicalize(row.name) in listed_keys:
                assert row.status != FREE, row
        assert all(row.status in ("free", "taken", "blocked") for row in selection.names)
