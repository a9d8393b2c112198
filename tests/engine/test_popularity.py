"""Popular targets: the top-packages JSON from a file or URL, cached, or the bundled list."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from reserver.names.normalize import is_valid_name
from reserver.targets.popularity import (
    PopularityError,
    bundled_popular,
    fetch_popular,
    load_popular,
    popular_targets,
)

from ..fake_index import HOST, FakeIndex, Route

TOP = {
    "rows": [
        {"project": "urllib3", "download_count": 500},
        {"project": "boto3", "download_count": 1000},
        {"project": "Boto3", "download_count": 10},
        {"project": "six", "download_count": 50},
    ]
}


def test_a_file_is_read_most_downloaded_first(tmp_path: Path) -> None:
    path = tmp_path / "top.json"
    path.write_text(json.dumps(TOP))
    popular = load_popular(str(path))
    assert [(p.project, p.rank) for p in popular] == [("boto3", 1), ("urllib3", 2), ("six", 3)]
    targets = popular_targets(popular, 2)
    assert [t.name for t in targets] == ["boto3", "urllib3"]
    # Harm is in proportion to downloads: half the downloads, half the installs to catch.
    assert (targets[0].harm, targets[1].harm) == (1.0, 0.5)


def test_a_list_without_counts_takes_the_bundled_snapshots_curve(tmp_path: Path) -> None:
    path = tmp_path / "top.json"
    path.write_text(json.dumps({"rows": [{"project": n} for n in ("a1", "b2", "c3")]}))
    harms = [t.harm for t in popular_targets(load_popular(str(path)), 3)]
    bundled = [t.harm for t in popular_targets(bundled_popular(), 3)]
    assert harms == bundled and harms[0] == 1.0 > harms[1] > harms[2]


def test_a_url_is_fetched_once_then_revalidated(tmp_path: Path) -> None:
    fake = FakeIndex()
    fake.routes["/top.json"] = Route(json.dumps(TOP).encode(), etag='"a"')
    first = fetch_popular(HOST + "/top.json", tmp_path, transport=fake.transport())
    second = fetch_popular(HOST + "/top.json", tmp_path, transport=fake.transport())
    assert first == second and [p.project for p in first] == ["boto3", "urllib3", "six"]
    assert fake.requests[1].headers.get("if-none-match") == '"a"'


def test_the_bundled_list_works_offline() -> None:
    popular = bundled_popular()
    assert len(popular) >= 300
    assert popular[0].rank == 1 and all(is_valid_name(p.project) for p in popular)
    assert len({p.project for p in popular}) == len(popular)
    assert load_popular(None) == popular
    # Each project keeps its download count, most downloaded first: the harms of --top.
    counts = [p.downloads for p in popular]
    assert all(isinstance(c, int) and c > 0 for c in counts)
    assert counts == sorted(counts, reverse=True)  # type: ignore[type-var]


@pytest.mark.parametrize(
    ("data", "message"),
    [
        ({"projects": []}, 'no "rows" list'),
        ({"rows": [{"download_count": 3}]}, "row 1 has no project"),
        ({"rows": [{"project": "ok", "download_count": -1}]}, "bad download_count"),
        ({"rows": [{"project": "bad name", "download_count": 1}]}, "row 1"),
    ],
)
def test_bad_popularity_data_is_refused(tmp_path: Path, data: object, message: str) -> None:
    path = tmp_path / "top.json"
    path.write_text(json.dumps(data))
    with pytest.raises(PopularityError, match=message):
        load_popular(str(path))


def test_not_json_and_missing_file(tmp_path: Path) -> None:
    path = tmp_path / "top.json"
    path.write_text("<html>")
    with pytest.raises(PopularityError, match="not JSON"):
        load_popular(str(path))
    with pytest.raises(PopularityError, match="no such popularity file"):
        load_popular(str(tmp_path / "absent.json"))
