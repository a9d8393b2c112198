"""The evaluation set of real typosquats and the recall measure built on it."""

from __future__ import annotations

from pathlib import Path

import pytest

from reserver.errors import ReserverError
from reserver.evaluate import (
    BLOCKED,
    MISSED,
    RESERVED,
    Attack,
    classify,
    default_dataset,
    evaluate,
    evaluate_sets,
    load_dataset,
)
from reserver.names.rules import PRIVATE


def test_the_bundled_set_cites_a_report_for_every_row() -> None:
    path = default_dataset()
    attacks = load_dataset(path)
    header = path.read_text().split("\nsquat,target", 1)[0]
    assert len(attacks) >= 20
    for attack in attacks:
        assert attack.source and f"{attack.source}:" in header, attack


def test_each_outcome_is_reserved_blocked_or_missed() -> None:
    attacks = [
        Attack("urlib3", "urllib3"),  # a deleted letter: reserved
        Attack("jeIlyfish", "jellyfish"),  # too similar to jellyfish: blocked by PyPI
        Attack("requests-darwin-lite", "requests"),  # nothing generates it
    ]
    result = evaluate(attacks, 25)
    assert [o.result for o in result.outcomes] == [RESERVED, BLOCKED, MISSED]
    assert result.share == pytest.approx(2 / 3)
    assert [o.kind for o in result.outcomes] == [
        "deleted_letter",
        "visual_lookalike",
        "not generated",
    ]


def test_on_a_private_index_nothing_is_blocked() -> None:
    result = evaluate([Attack("jeIlyfish", "jellyfish"), Attack("pwd", "pwd")], None, PRIVATE)
    assert [o.result for o in result.outcomes] == [RESERVED, RESERVED]


def test_a_bigger_budget_never_covers_less() -> None:
    attacks = load_dataset(default_dataset())
    shares = [evaluate(attacks, budget).share for budget in (10, 25, 100, None)]
    assert shares == sorted(shares)
    # A floor, not the benchmark: the engine at 25 names per target keeps at least half.
    assert shares[1] >= 0.5


def test_any_method_can_be_scored() -> None:
    attacks = [Attack("urlib3", "urllib3"), Attack("dajngo", "django")]
    result = evaluate_sets(attacks, lambda target: {"urlib3"}, "one name")
    assert [o.result for o in result.outcomes] == [RESERVED, MISSED]
    assert [(r.kind, r.total, r.reserved) for r in result.per_kind()] == [
        ("deleted_letter", 1, 1),
        ("swapped_letters", 1, 0),
    ]


def test_classify_names_the_edit() -> None:
    assert classify(Attack("python3-dateutil", "python-dateutil")) == "affix_swapped"
    assert classify(Attack("crypt", "crypt")) == "stdlib"


@pytest.mark.parametrize(
    ("text", "message"),
    [
        ("squat,target\n", "no rows"),
        ("squat,target\nonly\n", "row 2 needs"),
        ("squat,target\nre quests,requests\n", "row 2"),
        ("requests,requests\n", "imitates itself"),
    ],
)
def test_bad_datasets_are_refused(tmp_path: Path, text: str, message: str) -> None:
    path = tmp_path / "set.csv"
    path.write_text(text)
    with pytest.raises(ReserverError, match=message):
        load_dataset(path)
