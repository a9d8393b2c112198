"""``reserver stats``: run the stats service and register a plan's names with it."""

from __future__ import annotations

import os
from pathlib import Path

import typer

from ..errors import ReserverError
from ..plan.jsonfile import load_plan
from ..stats.constants import DEFAULT_DB, SECRET_FILE_ENV, TOKEN_ENV
from ..stats.ratelimit import DEFAULT_RATE
from ._app import app, console_err
from ._output import Verbosity, info, verbosity

stats_app = typer.Typer(help="The install-count service and its dashboard.", no_args_is_help=True)
app.add_typer(stats_app, name="stats")


def _token(given: str | None) -> str | None:
    return given or os.environ.get(TOKEN_ENV) or None


@stats_app.command("serve")
def serve_command(
    db: str = typer.Option(DEFAULT_DB, "--db", help="sqlite:///FILE or postgresql+psycopg://..."),
    host: str = typer.Option("127.0.0.1", "--host", help="Address to listen on."),
    port: int = typer.Option(8000, "--port", min=1, max=65535, help="Port to listen on."),
    token: str | None = typer.Option(
        None, "--token", help=f"Admin bearer token (default: ${TOKEN_ENV}); admin is off without."
    ),
    rate_limit: str = typer.Option(
        DEFAULT_RATE, "--rate-limit", help="Pings per source, e.g. 30/minute; 'off' disables."
    ),
    db_schema: str | None = typer.Option(
        None, "--db-schema", help="PostgreSQL schema for the tables (created if missing)."
    ),
    forwarded_allow_ips: str = typer.Option(
        "",
        "--forwarded-allow-ips",
        help="Proxies whose X-Forwarded-For is trusted: addresses or networks, "
        "comma-separated (e.g. 127.0.0.1 when behind nginx on this host). Default: none.",
    ),
    secret_file: Path | None = typer.Option(
        None,
        "--secret-file",
        envvar=SECRET_FILE_ENV,
        help="The key of the unique-source digests, created (mode 0600) if missing; every "
        "worker on one database needs the same. Default: next to a SQLite file, else in "
        "the user's data folder.",
    ),
) -> None:
    """Serve the ping collector, the dashboard and the API."""
    from ..stats.server import serve  # the web stack loads only for this command

    admin = _token(token)
    limit = None if rate_limit == "off" else rate_limit
    if admin is None:
        console_err.print(f"note: no --token or ${TOKEN_ENV}: admin endpoints are disabled")
    # uvicorn's own lines (started, stopping) with -v; never its debug and trace levels:
    # they name clients' addresses, which this service keeps out of every log.
    server_log = "info" if verbosity() >= Verbosity.VERBOSE else "warning"
    serve(db, host, port, admin, limit, db_schema, forwarded_allow_ips, secret_file,
          note=lambda message: console_err.print(f"note: {message}", markup=False),
          log_level=server_log,
          announce=lambda: info(f"serving stats on http://{host}:{port}/ (database {_safe(db)})",
                                stderr=True))  # fmt: skip


@stats_app.command("register")
def register_command(
    plan_file: Path = typer.Argument(..., help="The plan whose names the service should accept."),
    url: str = typer.Option(..., "--url", help="The stats service's base URL."),
    token: str | None = typer.Option(None, "--token", help=f"Admin token (default: ${TOKEN_ENV})."),
    insecure: bool = typer.Option(
        False, "--insecure", help="Send the token over plain http to another host (unencrypted)."
    ),
) -> None:
    """Register a plan's names, targets and categories with a stats service."""
    from ..stats.client import check_service_url, register_plan

    admin = _token(token)
    if admin is None:
        raise ReserverError(f"give the admin token with --token or ${TOKEN_ENV}")
    check_service_url(url, insecure)
    plan = load_plan(plan_file)
    known = register_plan(plan, url, admin, insecure=insecure)
    info(f"registered {len(plan.buildable())} names; the service now holds {known}")


def _safe(url: str) -> str:
    """The database URL without its password, for the start-up line."""
    from sqlalchemy.engine import make_url

    try:
        return make_url(url).render_as_string(hide_password=True)
    except Exception:
        return "(invalid URL)"
