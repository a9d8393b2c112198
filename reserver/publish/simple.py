"""Upload the sdists of a plan in order, stopping at the first refusal (no ledger, no pacing)."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

from ..errors import UploadError, ValidationError
from ..placeholder.build import sdist_path
from ..placeholder.validate import validate_sdist
from ..plan.model import Plan
from .twine_upload import Credentials, TwineSession


@dataclass(frozen=True)
class UploadResult:
    """The registry's answer for one name."""

    name: str
    path: Path
    status: int
    reason: str


def sdists_for(plan: Plan, dist_dir: Path) -> list[tuple[str, Path]]:
    """The sdist of each buildable entry, validated; a missing or invalid one stops everything."""
    found: list[tuple[str, Path]] = []
    for entry in plan.buildable():
        path = sdist_path(entry, plan, dist_dir)
        if not path.is_file():
            raise UploadError(f"{path}: sdist for {entry.name!r} is missing; run reserver build")
        try:
            validate_sdist(path)
        except ValidationError as exc:
            raise UploadError(str(exc)) from None
        found.append((entry.name, path))
    return found


def upload_plan(
    plan: Plan,
    dist_dir: Path,
    credentials: Credentials,
    progress: Callable[[UploadResult], None] | None = None,
) -> list[UploadResult]:
    """Upload every sdist of ``plan``; identical re-uploads count as success."""
    files = sdists_for(plan, dist_dir)
    results: list[UploadResult] = []
    with TwineSession(credentials) as session:
        for name, path in files:
            try:
                response = session.upload(path)
            except OSError as exc:
                raise UploadError(f"{name}: network error: {exc}") from None
            if not response.ok and response.status != 409:
                raise UploadError(f"{name}: {response.status} {response.reason}")
            result = UploadResult(name, path, response.status, response.reason)
            results.append(result)
            if progress is not None:
                progress(result)
    return results
