"""Reading a stats service's hits feed and sorting its hits by the typo model's kinds."""

from __future__ import annotations

import json

import pytest

from reserver.errors import ReserverError
from reserver.evaluation.hits import Hit, parse_feed, shares
from reserver.typo import default_model

CSV = (
    "name,target,category,kind,position,hits\n"
    "reqeusts,requests,typo,transposition,late,3\n"
    "requestss,requests,typo,repetition,last,1\n"
    "numpyy,numpy,typo,repetition,last,0\n"
    "pwd,,stdlib,stdlib,,2\n"
)


def test_json_and_csv_feeds_read_the_same() -> None:
    from_csv = parse_feed(CSV, "hits.csv")
    rows = [{"name": h.name, "target": h.target, "category": h.category, "hits": h.hits}
            for h in from_csv]  # fmt: skip
    assert parse_feed(json.dumps({"hits": rows}), "hits.json") == from_csv
    assert from_csv[0] == Hit("reqeusts", "requests", "typo", 3)
    assert from_csv[3] == Hit("pwd", None, "stdlib", 2)


def test_hits_by_kind_beside_the_models_split_of_each_targets_hits() -> None:
    rows = {s.key: s for s in shares(parse_feed(CSV, "hits.csv"), default_model())}
    assert (rows["transposition"].hits, rows["repetition"].hits, rows["stdlib"].hits) == (3, 1, 2)
    assert (rows["repetition"].held, rows["repetition"].hit) == (2, 1)
    assert rows["transposition"].share == pytest.approx(0.5)
    assert rows["stdlib"].expected is None
    # The 4 hits on requests' names are shared by the model's probabilities; numpy had none.
    typo = [s.expected for s in rows.values() if s.expected is not None]
    assert sum(typo) == pytest.approx(4 / 6)
    assert 0 < rows["transposition"].expected < 4 / 6


@pytest.mark.parametrize(
    ("text", "message"),
    [
        ("[1, 2]", "not a hits feed"),
        ('{"hits": [', "invalid JSON at line 1"),
        ("name,count\nx,1\n", "CSV needs name and hits"),
        ("name,hits\nreq eusts,1\n", "row 1: name 'req eusts' is not a package name"),
        ("name,target,hits\nreqeusts,requests,many\n", "hits 'many' is not a whole number"),
        ("name,target,hits\nreqeusts,requests,-1\n", "hits -1 is negative"),
        ("name,category,hits\nreqeusts,weird,1\n", "unknown category 'weird'"),
    ],
)
def test_a_bad_feed_is_one_clear_error(text: str, message: str) -> None:
    with pytest.raises(ReserverError, match=message):
        parse_feed(text, "feed")
