"""Output formats render the same findings for people (table) and tools (JSON, SARIF)."""

from __future__ import annotations

import json

from reserver.guard.formats import FORMATS
from reserver.guard.model import Finding, Location, Match

FINDINGS = [
    Finding(Match("reqeusts", "requests", "transposition", 0.9, "swapped 'u' and 'e'"),
            Location("requirements.txt", 3)),
    Finding(Match("colourama", "colorama", "insertion", 0.65, "extra 'u'")),
]  # fmt: skip


def test_table_lists_each_finding_with_its_place() -> None:
    text = FORMATS["table"](FINDINGS)
    assert "requirements.txt:3" in text and "reqeusts" in text and "colorama" in text
    assert FORMATS["table"]([]).startswith("no likely typosquats")


def test_json_is_a_list_of_objects() -> None:
    data = json.loads(FORMATS["json"](FINDINGS))
    assert data[0] == {
        "name": "reqeusts", "target": "requests", "kind": "transposition", "score": 0.9,
        "level": "error", "detail": "swapped 'u' and 'e'", "file": "requirements.txt", "line": 3,
    }  # fmt: skip
    assert data[1]["file"] is None and data[1]["line"] is None


def test_sarif_levels_follow_the_score_and_locations_are_optional() -> None:
    results = json.loads(FORMATS["sarif"](FINDINGS))["runs"][0]["results"]
    assert [r["level"] for r in results] == ["error", "warning"]
    assert "locations" in results[0] and "locations" not in results[1]
    assert "did you mean requests" in results[0]["message"]["text"]


def test_check_offers_every_format_there_is() -> None:
    from reserver.cli.check_cmd import CHECK_FORMATS

    assert tuple(FORMATS) == CHECK_FORMATS


def test_csv_is_a_header_and_a_row_per_finding() -> None:
    lines = FORMATS["csv"](FINDINGS).splitlines()
    assert lines[0] == "name,target,kind,score,level,detail,file,line"
    assert lines[1:] == [
        "reqeusts,requests,transposition,0.9,error,swapped 'u' and 'e',requirements.txt,3",
        "colourama,colorama,insertion,0.65,warning,extra 'u',,",
    ]
    assert FORMATS["csv"]([]) == lines[0] + "\n"
