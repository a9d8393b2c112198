"""Helpers for the upload tests: plans with built sdists, credentials kept to the test's own."""

from __future__ import annotations

from collections.abc import Callable, Iterator
from dataclasses import dataclass
from pathlib import Path

import pytest

from reserver.index.local import LocalIndex
from reserver.placeholder.build import build_plan
from reserver.plan.jsonfile import save_plan
from reserver.plan.model import Plan, PlanEntry, make_plan
from reserver.publish.batch import RetryPolicy
from reserver.publish.ledger import Ledger, LedgerState
from reserver.publish.twine_upload import Credentials

from ..conftest import twine_settings
from .faultserver import FaultServer

#: Backoffs short enough for tests; the policy is the same, only the clock is faster.
FAST_RETRY = RetryPolicy(base=0.02, cap=0.1, max_attempts=5, rate_limit_pause=0.2)


@dataclass(frozen=True)
class Batch:
    """A plan on disk with its sdists built."""

    plan: Plan
    plan_file: Path
    dist: Path

    @property
    def names(self) -> list[str]:
        return [entry.name for entry in self.plan.entries]


def make_batch(directory: Path, count: int, prefix: str = "zq") -> Batch:
    """``count`` typo names of ``requests``, planned and built under ``directory``."""
    entries = [PlanEntry(f"{prefix}-name{i:03d}", "requests", "typo") for i in range(count)]
    plan = make_plan(entries)
    plan_file = directory / "plan.json"
    save_plan(plan, plan_file)
    build_plan(plan, directory / "dist")
    return Batch(plan, plan_file, directory / "dist")


@pytest.fixture
def batch_factory(tmp_path: Path) -> Callable[[int], Batch]:
    def factory(count: int, prefix: str = "zq") -> Batch:
        directory = tmp_path / f"batch-{prefix}-{count}"
        directory.mkdir()
        return make_batch(directory, count, prefix)

    return factory


def credentials_of(server: FaultServer | LocalIndex, password: str | None = None) -> Credentials:
    return Credentials(
        repository_url=server.url,
        username=server.username,
        password=password or server.password,
        config_file="/nonexistent/.pypirc",
    )


def ledger_states(path: Path, repository: str) -> dict[str, tuple[LedgerState, str]]:
    """name -> (state, reason): what two runs must agree on."""
    with Ledger(path, create=False) as ledger:
        return {row.name: (row.state, row.reason) for row in ledger.rows(repository)}


@pytest.fixture(autouse=True)
def no_machine_twine_settings() -> Iterator[None]:
    """Upload tests see only the credentials they give: no TWINE_* variable of the machine's,
    and no .pypirc (a test that wants twine's default one removes TWINE_CONFIG_FILE)."""
    with twine_settings(TWINE_CONFIG_FILE="/nonexistent/.pypirc"):
        yield


def twine_env(index: LocalIndex | FaultServer, password: str | None = None) -> dict[str, str]:
    return {"TWINE_USERNAME": index.username, "TWINE_PASSWORD": password or index.password}
