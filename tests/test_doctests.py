"""The examples in every module's docstrings are true."""

from __future__ import annotations

import doctest
import importlib
import pkgutil

import pytest

import reserver

MODULES = sorted(
    m.name
    for m in pkgutil.walk_packages(reserver.__path__, "reserver.")
    # __main__ runs the CLI when imported; templates are rendered, not imported.
    if not m.name.endswith("__main__") and ".templates" not in m.name
)


@pytest.mark.parametrize("module", MODULES)
def test_docstring_examples(module: str) -> None:
    result = doctest.testmod(importlib.import_module(module))
    assert result.failed == 0


def test_the_examples_are_found() -> None:
    # A typo in the walk would make every case above pass on nothing.
    attempted = sum(doctest.testmod(importlib.import_module(m)).attempted for m in MODULES)
    assert attempted > 80
