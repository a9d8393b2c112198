"""The trigram model of how name-like a string is, and its file format."""

from __future__ import annotations

from pathlib import Path

from reserver.typo.namelike import (
    NameLikeness,
    count_trigrams,
    default_namelike,
    read_counts,
    write_counts,
)


def test_counts_round_trip_through_the_file_byte_for_byte(tmp_path: Path) -> None:
    counts = count_trigrams(["requests", "python-dateutil", "numpy"])
    first, second = tmp_path / "a.tsv.gz", tmp_path / "b.tsv.gz"
    write_counts(first, counts, "test counts\nsecond line")
    write_counts(second, counts, "test counts\nsecond line")
    assert read_counts(first) == dict(counts)
    assert first.read_bytes() == second.read_bytes()  # mtime 0: reproducible


def test_counts_with_spaces_in_keys_and_no_counts_read_back(tmp_path: Path) -> None:
    # Trigrams are padded with marks, and a key may hold a space: only tabs and newlines
    # separate the fields.
    counts = {" ^a": 3, "ab ": 1, "#x": 2}
    write_counts(tmp_path / "c.tsv.gz", counts, "header")
    assert read_counts(tmp_path / "c.tsv.gz") == counts
    write_counts(tmp_path / "e.tsv.gz", {}, "nothing counted")
    assert read_counts(tmp_path / "e.tsv.gz") == {}


def test_separators_do_not_change_the_score() -> None:
    model = NameLikeness(dict(count_trigrams(["python-dateutil", "requests"])))
    assert model.log_prob("python-dateutil") == model.log_prob("pythondateutil")


def test_a_broken_word_is_less_name_like_than_the_word() -> None:
    model = default_namelike()
    for word, slip in [("matplotlib", "matplotlig"), ("identify", "idenrify"), ("cord", "cofrd")]:
        assert model.log_prob(slip) < model.log_prob(word), (word, slip)
