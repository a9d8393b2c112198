"""A "top PyPI packages" JSON corpus is read by the engine's own reader of that format."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from reserver.guard.corpus import CorpusError, load_corpus
from reserver.targets.popularity import load_popular


def _write(tmp_path: Path, rows: list[dict[str, object]]) -> Path:
    path = tmp_path / "top.json"
    path.write_text(json.dumps({"rows": rows}))
    return path


def test_check_refuses_a_name_the_engine_refuses(tmp_path: Path) -> None:
    path = _write(tmp_path, [{"project": "requests", "download_count": 9}, {"project": "a b"}])
    with pytest.raises(CorpusError, match="row 2"):
        load_corpus(path)


def test_check_and_the_engine_read_the_same_names_in_the_same_order(tmp_path: Path) -> None:
    counted = [
        {"project": "six", "download_count": 50},
        {"project": "boto3", "download_count": 1000},
        {"project": "Boto3", "download_count": 10},
    ]
    uncounted = [{"project": n} for n in ("zope", "attrs", "requests")]
    for rows in (counted, uncounted):
        path = _write(tmp_path, rows)
        assert load_corpus(path) == [p.project for p in load_popular(str(path))]
    # A hand-made list without counts keeps its own order, and claims no downloads.
    assert load_corpus(path) == ["zope", "attrs", "requests"]
    assert {p.downloads for p in load_popular(str(path))} == {None}
