"""Fuzzing the files users hand to reserver: any bytes in a dependency file or a plan file give
either names or one clear input error, never another exception (which the CLI would turn into
an internal error, exit 3) and never a name that is not a name."""

from __future__ import annotations

import json
import tempfile
from pathlib import Path

from hypothesis import HealthCheck, example, given, settings
from hypothesis import strategies as st

from reserver.errors import ReserverError
from reserver.guard.errors import InputFileError
from reserver.guard.sources import READERS, read_dependencies
from reserver.names.normalize import name_problem
from reserver.plan.jsonfile import load_plan

#: Pieces real files are made of, so the fuzz reaches past the first parser error.
REQUIREMENT_PIECES = st.sampled_from([
    "requests", "reqeusts>=2", "-r other.txt", "-c c.txt", "-e .", "--index-url http://x/simple",
    "foo @ https://h/foo-1.0.tar.gz", "bar[extra]==1; python_version<'3.11'", "# comment",
    "--hash=sha256:" + "0" * 64, "\\", "git+https://h/r.git#egg=baz", "", " ", "\t", "[", "]",
    "name = \"x\"", "[[package]]", "version = \"1\"", "dependencies = [\"a\"]", "=", "\"", "'",
])  # fmt: skip
FILE_NAMES = st.sampled_from(["requirements.txt", *READERS, "pylock.dev.toml"])


def _write(name: str, data: bytes) -> Path:
    folder = Path(tempfile.mkdtemp())
    path = folder / name
    path.write_bytes(data)
    return path


@settings(max_examples=300, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(
    name=FILE_NAMES,
    lines=st.lists(st.one_of(REQUIREMENT_PIECES, st.text(max_size=30)), max_size=12),
    raw=st.binary(max_size=40),
)
def test_any_dependency_file_gives_names_or_one_input_error(
    name: str, lines: list[str], raw: bytes
) -> None:
    path = _write(name, "\n".join(lines).encode("utf-8", "surrogatepass") + raw)
    try:
        found = read_dependencies(path)
    except InputFileError as exc:
        assert str(exc).startswith(str(path)) and "\n" not in str(exc)
        return
    for dependency in found:
        assert name_problem(dependency.name) is None, dependency


@settings(max_examples=200, deadline=None)
@given(
    document=st.recursive(
        st.none() | st.booleans() | st.integers() | st.text(max_size=20),
        lambda inner: (
            st.lists(inner, max_size=4)
            | st.dictionaries(
                st.sampled_from(
                    [
                        "format",
                        "entries",
                        "holder",
                        "version",
                        "name",
                        "target",
                        "category",
                        "options",
                        "x",
                    ]
                ),
                inner,
                max_size=5,
            )
        ),
        max_leaves=20,
    ),
    keep_format=st.booleans(),
)
# Found by this test: "options" that is a list of non-pairs once escaped as a ValueError.
@example(document={"options": [""], "entries": []}, keep_format=True)
def test_any_plan_file_loads_or_is_one_plan_error(document: object, keep_format: bool) -> None:
    if keep_format and isinstance(document, dict):
        document = {**document, "format": "reserver-plan/1"}
    path = _write("plan.json", json.dumps(document).encode())
    try:
        load_plan(path)
    except ReserverError as exc:
        assert "\n" not in str(exc)
