"""nox sessions: tests, lint, type checks and the benchmark table."""

from __future__ import annotations

import nox

nox.options.sessions = ["tests", "lint", "typecheck"]
nox.options.reuse_existing_virtualenvs = True


@nox.session
def tests(session: nox.Session) -> None:
    """The whole suite (pass -- -m "not slow" for the quick part)."""
    session.install("-e", ".[all]", "--group", "test")
    session.run("pytest", *session.posargs)


@nox.session
def lint(session: nox.Session) -> None:
    session.install("ruff")
    session.run("ruff", "check", "reserver", "tests", "benchmarks", "noxfile.py")
    session.run("ruff", "format", "--check", "reserver", "tests", "benchmarks", "noxfile.py")


@nox.session
def typecheck(session: nox.Session) -> None:
    session.install("-e", ".[all]", "--group", "test")
    session.run("mypy", "reserver")


@nox.session
def bench(session: nox.Session) -> None:
    """Run every benchmark and write benchmarks/RESULTS.md."""
    session.install("-e", ".[all]", "--group", "test")
    session.run("python", "benchmarks/run_all.py", *session.posargs)
