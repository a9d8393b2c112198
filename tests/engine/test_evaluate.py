"""The evaluation set of real typosquats and the recall measure built on it."""

from __future__ import annotations

import re
from pathlib import Path

import pytest

from reserver.errors import ReserverError
from reserver.evaluation.squats import (
    BLOCKED,
    MISSED,
    NOT_GENERATED,
    RESERVED,
    VALIDATION_SHARE,
    Attack,
    classify,
    default_dataset,
    evaluate,
    evaluate_sets,
    load_dataset,
    split_dataset,
)
from reserver.names.normalize import canonicalize
from reserver.names.rules import PRIVATE


def test_the_bundled_set_names_a_described_source_for_every_row() -> None:
    path = default_dataset()
    attacks = load_dataset(path)
    header = path.read_text().split("\nsquat,target", 1)[0]
    assert f"({len(attacks)} rows)" in header
    for attack in attacks:
        tag = re.split("[:;]", attack.source, maxsplit=1)[0]
        # Each kind of tag is explained on a line of its own in the comment header.
        assert tag and re.search(rf"^#\s+{re.escape(tag)}[:\s]", header, re.M), attack


def test_each_outcome_is_reserved_blocked_or_missed() -> None:
    attacks = [
        Attack("urlib3", "urllib3"),  # a deleted letter: reserved
        Attack("jeIlyfish", "jellyfish"),  # too similar to jellyfish: blocked by PyPI
        Attack("requests-darwin-lite", "requests"),  # an affix no budget of 25 reaches
        Attack("zqxwv-kit", "requests"),  # no edit explains it
    ]
    result = evaluate(attacks, 25)
    assert [o.result for o in result.outcomes] == [RESERVED, BLOCKED, MISSED, MISSED]
    assert result.share == pytest.approx(2 / 4)
    assert [o.kind for o in result.outcomes] == ["omission", "lookalike", "affix", NOT_GENERATED]


def test_on_a_private_index_nothing_is_blocked() -> None:
    result = evaluate([Attack("jeIlyfish", "jellyfish"), Attack("pwd", "pwd")], None, PRIVATE)
    assert [o.result for o in result.outcomes] == [RESERVED, RESERVED]


def test_a_bigger_budget_never_covers_less() -> None:
    attacks = split_dataset(load_dataset(default_dataset()), "validation")
    shares = [evaluate(attacks, budget).share for budget in (10, 25, 100, None)]
    assert shares == sorted(shares)
    # A floor, not the benchmark: held-out targets, 25 names each, a fifth of the squats.
    assert shares[1] >= 0.2


def test_any_method_can_be_scored() -> None:
    attacks = [Attack("urlib3", "urllib3"), Attack("dajngo", "django")]
    result = evaluate_sets(attacks, lambda target: {"urlib3"}, "one name")
    assert [o.result for o in result.outcomes] == [RESERVED, MISSED]
    assert [(r.kind, r.total, r.reserved) for r in result.per_kind()] == [
        ("omission", 1, 1),
        ("transposition", 1, 0),
    ]


def test_classify_names_the_edit() -> None:
    assert classify(Attack("py-dateutil", "python-dateutil")) == "affix"
    assert classify(Attack("dateutil-python", "python-dateutil")) == "word_order"
    assert classify(Attack("reqeusts", "requests")) == "transposition"
    assert classify(Attack("crypt", "crypt")) == "stdlib"
    assert classify(Attack("zqxwv-kit", "requests")) == NOT_GENERATED


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


def _parts() -> dict[str, list[Attack]]:
    attacks = load_dataset(default_dataset())
    return {part: split_dataset(attacks, part) for part in ("train", "validation", "all")}


def test_the_split_keeps_each_target_on_one_side() -> None:
    parts = _parts()
    train = {canonicalize(a.target) for a in parts["train"]}
    validation = {canonicalize(a.target) for a in parts["validation"]}
    assert train and validation and not train & validation


def test_the_split_covers_every_row_once_in_file_order() -> None:
    parts = _parts()
    assert parts["all"] == load_dataset(default_dataset())
    assert sorted(parts["train"] + parts["validation"], key=parts["all"].index) == parts["all"]
    assert len(parts["train"]) + len(parts["validation"]) == len(parts["all"])


def test_validation_holds_at_least_its_share_and_not_much_more() -> None:
    parts = _parts()
    share = len(parts["validation"]) / len(parts["all"])
    assert VALIDATION_SHARE <= share <= 0.45


def test_the_split_is_the_same_on_every_call() -> None:
    attacks = load_dataset(default_dataset())
    first = split_dataset(attacks, "validation")
    assert split_dataset(list(attacks), "validation") == first
    assert split_dataset(reversed(attacks), "validation") == first[::-1]
    assert _parts()["validation"] == first


def test_a_small_set_is_split_by_whole_targets() -> None:
    attacks = [Attack(f"{t}x{i}", t) for t in ("alpha", "beta", "gamma") for i in range(2)]
    validation = split_dataset(attacks, "validation")
    train = split_dataset(attacks, "train")
    assert len(validation) == 2 and len(train) == 4  # 2 of 6 rows reach 30%
    assert len({a.target for a in validation}) == 1


def test_an_unknown_split_is_refused() -> None:
    with pytest.raises(ReserverError, match="split must be one of"):
        split_dataset([Attack("urlib3", "urllib3")], "test")
