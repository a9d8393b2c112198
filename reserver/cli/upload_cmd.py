"""``reserver upload``: send the built sdists of a plan to a repository."""

from __future__ import annotations

from pathlib import Path

import typer

from ..plan import load_plan
from ..publish.simple import upload_plan
from ..publish.twine_upload import Credentials
from ._app import app, console


@app.command("upload")
def upload_command(
    plan_file: Path = typer.Argument(..., help="The plan written by 'reserver plan'."),
    dist: Path = typer.Option(Path("generated/dist"), "--dist", help="Where the sdists are."),
    repository_url: str | None = typer.Option(
        None, "--repository-url", help="Upload endpoint (e.g. https://test.pypi.org/legacy/)."
    ),
    repository: str | None = typer.Option(
        None, "--repository", help="A repository name from .pypirc."
    ),
) -> None:
    """Upload the placeholders of a plan (credentials as twine finds them)."""
    plan = load_plan(plan_file)
    results = upload_plan(plan, dist, Credentials.from_environment(repository_url, repository))
    for result in results:
        console.print(f"{result.name}: {result.status} {result.reason}")
    console.print(f"uploaded {len(results)} sdists")
