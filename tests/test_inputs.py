"""Every file a user names is read within limits, and every problem is one line that quotes
the file briefly and never a secret: corpora, targets files, listings, popularity files,
hits feeds, datasets, watch states and configuration (plans and dependency files have
tests of their own)."""

from __future__ import annotations

import ast
import re
from collections.abc import Callable
from pathlib import Path

import pytest

from reserver.errors import ReserverError, excerpt, redact

DEEP_ARRAY = "[" * 100_000 + "]" * 100_000
DEEP_OBJECT = '{"a":' * 100_000 + "1" + "}" * 100_000
TOKEN = "ghp_16C7e42F292c6912E7710c838347Ae178B4a"


def _corpus(path: Path) -> object:
    from reserver.guard.corpus import load_corpus

    return load_corpus(path)


def _targets(path: Path) -> object:
    from reserver.targets.files import read_targets_file

    return read_targets_file(path)


def _listing(path: Path) -> object:
    from reserver.index.listing import load_listing_file

    return load_listing_file(path)


def _popularity(path: Path) -> object:
    from reserver.targets.popularity import load_popular

    return load_popular(str(path))


def _hits(path: Path) -> object:
    from reserver.evaluation.hits import parse_feed

    return parse_feed(path.read_text(), str(path))


def _dataset(path: Path) -> object:
    from reserver.evaluation.squats import load_dataset

    return load_dataset(path)


def _watch_state(path: Path) -> object:
    from reserver.guard.watch import load_state

    return load_state(path)


def _config(path: Path) -> object:
    from reserver.config import resolve

    return resolve(config_file=path)


Reader = Callable[[Path], object]


def _refusal(path: Path, text: str, reader: Reader) -> str:
    """The message of the input error ``reader`` gives for a file holding ``text``."""
    path.write_text(text)
    with pytest.raises(ReserverError) as caught:
        reader(path)
    return str(caught.value)


@pytest.mark.parametrize(
    ("reader", "name", "text"),
    [
        (_corpus, "top.json", '{"rows": ' + DEEP_ARRAY + "}"),
        (_corpus, "top.json", DEEP_OBJECT),
        (_corpus, "top.json", '{"rows": [{"project": ' + "[" * 500 + "]" * 500 + "}]}"),
        (_listing, "simple.json", DEEP_ARRAY),
        (_listing, "simple.json", '{"projects": [{"name": ' + "[" * 500 + "]" * 500 + "}]}"),
        (_popularity, "top.json", DEEP_OBJECT),
        (_popularity, "top.json", '{"rows": [{"project": "a", "download_count": ' + "9" * 5000),
        (_hits, "hits.json", '{"hits": ' + DEEP_ARRAY + "}"),
        (_hits, "hits.json", '{"hits": [{"name": "a", "hits": 1e400}]}'),
        (_hits, "hits.csv", "name,hits\n" + "a" * 200_000 + ",1\n"),
        (_dataset, "data.csv", "squat,target\n" + "a" * 200_000 + ",b\n"),
        (_watch_state, "state.json", DEEP_OBJECT + "\n"),
        (
            _watch_state,
            "state.json",
            '{"format": "reserver-watch/1", "index": '
            + "[" * 500
            + "]" * 500
            + ', "updated": 1, "count": 0}\n',
        ),
        (_config, "reserver.toml", "budget = " + "[" * 500 + "]" * 500 + "\n"),
    ],
)
def test_deep_or_huge_values_are_one_line_input_errors(
    tmp_path: Path, reader: Reader, name: str, text: str
) -> None:
    # Each of these was a RecursionError, a csv.Error or an OverflowError: an internal
    # error (exit 3) instead of the input's fault.
    message = _refusal(tmp_path / name, text, reader)
    assert str(tmp_path / name) in message and "\n" not in message and len(message) < 400, message


@pytest.mark.parametrize(
    ("reader", "limit"),
    [
        (_corpus, "64 MiB"),
        (_targets, "16 MiB"),
        (_listing, "256 MiB"),
        (_popularity, "64 MiB"),
        (_dataset, "64 MiB"),
    ],
)
def test_an_endless_file_is_refused_at_its_limit(reader: Reader, limit: str) -> None:
    with pytest.raises(ReserverError, match=f"/dev/zero: .* larger than {limit}"):
        reader(Path("/dev/zero"))


@pytest.mark.parametrize(
    ("reader", "name", "text"),
    [
        (_corpus, "corpus.txt", f"requests\ntoken={TOKEN}\n"),
        (_corpus, "corpus.txt", f"requests\n{TOKEN} x\n"),
        (_targets, "targets.txt", f"requests\npassword: {TOKEN} internal\n"),
        (_targets, "targets.txt", f"https://bob:{TOKEN}@host/x\n"),
        (_listing, "names.txt", f"requests\nhttps://bob:{TOKEN}@host\n"),
        (_hits, "hits.csv", f"name,hits\n{TOKEN}!,1\n"),
        (_dataset, "data.csv", f"squat,target\ntoken={TOKEN},requests\n"),
    ],
)
def test_an_error_quoting_a_line_never_echoes_its_secret(
    tmp_path: Path, reader: Reader, name: str, text: str
) -> None:
    message = _refusal(tmp_path / name, text, reader)
    assert TOKEN not in message and "***" in message, message


def test_a_name_too_long_for_the_file_system_is_a_one_line_error(tmp_path: Path) -> None:
    for reader in (_corpus, _targets, _listing, _popularity, _dataset):
        with pytest.raises(ReserverError, match="File name too long"):
            reader(tmp_path / ("x" * 5000))


def test_redaction_and_excerpts_are_linear_and_short() -> None:
    # redact once re-scanned the rest of a word at every dash: 21 s for 40,000 characters
    # of "a-a-a-"; an error quoting such a line never ended. In a child process with a
    # deadline, so that a regression fails instead of hanging the suite.
    import subprocess
    import sys

    code = "from reserver.errors import redact; redact('a-' * 2_000_000)"
    subprocess.run([sys.executable, "-c", code], check=True, timeout=60)
    assert redact(f"x {TOKEN} y") == "x *** y"
    assert excerpt("x" * 5_000_000) == repr("x" * 60) + "..."
    assert excerpt(f"{'a' * 50} {TOKEN}") == repr("a" * 50 + " ***")  # redacted before the cut
    assert excerpt([[[1]]]) == "'<list>'"


def test_no_pattern_is_anchored_with_a_dollar() -> None:
    # "$" also matches before a final newline ("reqeusts\n" passed a "^...$" name check):
    # every pattern in reserver anchors its end with \Z.
    package = Path(__file__).resolve().parent.parent / "reserver"
    anchored = []
    for path in sorted(package.rglob("*.py")):
        for node in ast.walk(ast.parse(path.read_text())):
            if not (isinstance(node, ast.Call) and isinstance(node.func, ast.Attribute)):
                continue
            if node.func.attr not in ("compile", "match", "fullmatch", "search", "sub"):
                continue
            first = node.args[0] if node.args else None
            pattern = first.value if isinstance(first, ast.Constant) else None
            if isinstance(pattern, str) and re.search(r"(?<!\\)\$(\)|\||$)", pattern):
                anchored.append(f"{path.relative_to(package)}:{node.lineno}")
    assert anchored == []


def test_wheel_metadata_is_refused_before_it_is_inflated(tmp_path: Path) -> None:
    import zipfile

    from reserver.targets.wheels import import_names_from_wheel

    wheel = tmp_path / "acme-1.0-py3-none-any.whl"
    with zipfile.ZipFile(wheel, "w", compression=zipfile.ZIP_DEFLATED) as archive:
        # 17 MiB of zeros, 17 KiB in the archive: read whole it would be memory for nothing.
        archive.writestr("acme-1.0.dist-info/top_level.txt", b"\0" * (17 * 1024 * 1024))
    with pytest.raises(ReserverError, match=r"top_level\.txt is larger than 16 MiB"):
        import_names_from_wheel(wheel)
