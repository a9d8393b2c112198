"""The HTML pages: the dashboard, one page per name, and ``/why/{name}`` for mistaken installs.

Charts are SVG drawn here (``charts``), inside the page: it runs no script and loads nothing
but its stylesheet, so it works offline and from behind any firewall; the API page
(``/docs``) is rendered here from the OpenAPI schema for the same reason.
"""

from __future__ import annotations

import gzip
from collections.abc import Callable
from datetime import date
from pathlib import Path
from typing import Any

import jinja2
from fastapi import FastAPI, Query, Request
from fastapi.concurrency import run_in_threadpool
from fastapi.responses import HTMLResponse
from fastapi.staticfiles import StaticFiles

from ..names.stdlib import is_current_stdlib
from ..placeholder import ci
from ..placeholder.message import install_command
from .api import name_numbers
from .charts import DaySpan
from .collector import RETRY_AFTER
from .dbthreads import StoreUnavailable
from .page_charts import dashboard_charts, name_charts
from .report import summary, target_of
from .schema import RegisteredName, name_key
from .state import state_of
from .store import DailyRow, StatsStore
from .window import data_span, picked, range_links

HERE = Path(__file__).resolve().parent
TOP_N = 20
#: Every HTML page gets these. No page runs a script (the charts are SVG in the page) or
#: styles anything inline (the SVG's look is the stylesheet's), so neither is allowed at all;
#: the stylesheet comes from this service. The one ``data:`` is the empty favicon (without
#: it browsers fetch /favicon.ico and log a 404).
SECURITY_HEADERS = {
    "Content-Security-Policy": (
        "default-src 'self'; script-src 'none'; style-src 'self'; "
        "img-src 'self' data:; object-src 'none'; base-uri 'none'; frame-ancestors 'none'; "
        "form-action 'self'"
    ),
    "X-Content-Type-Options": "nosniff",
    "Referrer-Policy": "no-referrer",
}

_templates = jinja2.Environment(
    loader=jinja2.FileSystemLoader(HERE / "templates"),
    autoescape=True,
    undefined=jinja2.StrictUndefined,
)
#: The per-day charts' range, as the page's query: ``?from=2026-03-01&to=2026-03-14``
#: (a day, YYYY-MM-DD, is 10 characters; anything else is ignored, see ``window``).
_FROM = Query(None, alias="from", max_length=10, description="First day shown (YYYY-MM-DD).")
_TO = Query(None, alias="to", max_length=10, description="Last day shown (YYYY-MM-DD).")


def _page(template: str, status: int = 200, **context: Any) -> HTMLResponse:
    html = _templates.get_template(template).render(**context)
    return HTMLResponse(html, status_code=status, headers=SECURITY_HEADERS)


#: Pages shorter than this go as they are: a packet or two, where gzip saves no round trip.
GZIP_FROM = 1400


def accepts_gzip(accept_encoding: str) -> bool:
    """Whether a request's Accept-Encoding takes gzip (and does not refuse it with q=0).

    >>> accepts_gzip("gzip, deflate, br"), accepts_gzip("br;q=1, gzip;q=0"), accepts_gzip("")
    (True, False, False)
    """
    for part in accept_encoding.lower().split(","):
        coding, *params = (field.strip() for field in part.split(";"))
        if coding in ("gzip", "*"):
            quality = next((p[2:] for p in params if p.startswith("q=")), "1")
            try:
                return float(quality) > 0
            except ValueError:
                return False
    return False


def _compressed(page: HTMLResponse, gzip_ok: bool) -> HTMLResponse:
    """The chart pages, gzipped for clients that take it: a year's dashboard of three names is
    336 kB of SVG, a phone's slow download, and 19.6 kB gzipped. (No secret is on these
    pages, so compression leaks nothing to an attacker who can add text to them.)"""
    page.headers["Vary"] = "Accept-Encoding"
    if not gzip_ok or len(page.body) < GZIP_FROM:
        return page
    body = gzip.compress(page.body, compresslevel=6, mtime=0)
    headers = {k: v for k, v in page.headers.items() if k.lower() != "content-length"}
    compressed = HTMLResponse(body, status_code=page.status_code, headers=headers)
    compressed.headers["Content-Encoding"] = "gzip"
    return compressed


async def _chart_page(
    request: Request,
    template: str,
    every_day: DaySpan | None,
    span: DaySpan | None,
    draw: Callable[[], Any],
    **context: Any,
) -> HTMLResponse:
    """A page of per-day charts over ``span`` (of ``every_day``), with its range links and
    the CI wording, gzipped for a client that takes it. Drawing (``draw``), rendering and
    compressing are CPU work on data already read: Starlette's threads, not the event loop."""
    gzip_ok = accepts_gzip(request.headers.get("accept-encoding", ""))

    def render() -> HTMLResponse:
        page = _page(
            template,
            charts=draw(),
            span=span,
            every_day=every_day,
            ranges=range_links(every_day, span),
            ci_skip=ci.described(ci.SKIP),
            ci_flag=ci.described(ci.FLAG),
            **context,
        )
        return _compressed(page, gzip_ok)

    return await run_in_threadpool(render)


def _unavailable() -> HTMLResponse:
    """The page's frame without numbers, at once, while the database does not answer."""
    page = _page("unavailable.html", status=503)
    page.headers["Retry-After"] = RETRY_AFTER
    return page


def _dashboard_numbers(
    store: StatsStore, names: dict[str, RegisteredName]
) -> tuple[dict[str, Any], list[DailyRow]]:
    return summary(store, names), store.daily()


def _entry(request: Request, name: str) -> RegisteredName | None:
    key = name_key(name)
    return state_of(request).names.get(key) if key is not None else None


def why_commands(entry: RegisteredName) -> list[tuple[str, str]]:
    """(installer, command) pairs that install what the user meant, if there is one."""
    if entry.category == "internal" or (entry.target and is_current_stdlib(entry.target)):
        return []  # a private index's package, or a module that ships with Python
    wanted = entry.target or (entry.replacement if not entry.replacement_in_stdlib else None)
    if wanted is None:
        return []
    return [(tool, install_command(tool, wanted)) for tool in ("pip", "uv", "poetry")]


def mount_dashboard(app: FastAPI) -> None:
    """Add the pages and static files to ``app``."""

    # The pages that show numbers are async and read through ``state.db`` (bounded, on the
    # database's own threads); the others never touch the database.

    @app.get("/", response_class=HTMLResponse, summary="The dashboard.", tags=["pages"])
    async def dashboard(
        request: Request, start: str | None = _FROM, end: str | None = _TO
    ) -> HTMLResponse:
        state = state_of(request)
        names = state.names
        try:
            data, daily = await state.db.read(lambda: _dashboard_numbers(state.store, names))
        except StoreUnavailable:
            return _unavailable()
        every_day = data_span([row.day for row in daily])
        span = picked(every_day, start, end)
        top_names = [
            (shown, count, name_key(shown) or shown)
            for shown, count in list(data["by_name"].items())[:TOP_N]
        ]
        return await _chart_page(
            request,
            "dashboard.html",
            every_day,
            span,
            lambda: dashboard_charts(daily, data, span),
            data=data,
            top_names=top_names,
            top_targets=list(data["by_target"].items())[:TOP_N],
            ci_share=(data["by_ci"]["ci"] / data["total"] if data["total"] else 0.0),
            rejected_total=sum(data["rejected"].values()),
        )

    @app.get("/names/{name}", response_class=HTMLResponse, summary="One name.", tags=["pages"])
    async def name_page(
        request: Request, name: str, start: str | None = _FROM, end: str | None = _TO
    ) -> HTMLResponse:
        entry = _entry(request, name)
        if entry is None:
            return _page("not_found.html", status=404)
        state = state_of(request)
        try:
            detail = await state.db.read(lambda: name_numbers(state.store, entry))
        except StoreUnavailable:
            return _unavailable()
        every_day = data_span([date.fromisoformat(d["day"]) for d in detail["daily"]])
        span = picked(every_day, start, end)
        return await _chart_page(
            request,
            "name.html",
            every_day,
            span,
            lambda: name_charts(detail, span),
            entry=entry,
            detail=detail,
        )

    @app.get(
        "/why/{name}",
        response_class=HTMLResponse,
        summary="Why installing a reserved name failed, and what to install instead.",
        tags=["pages"],
    )
    def why_page(request: Request, name: str) -> HTMLResponse:
        entry = _entry(request, name)
        if entry is None:
            return _page("not_found.html", status=404)
        return _page(
            "why.html",
            entry=entry,
            target=target_of(entry),
            target_in_stdlib=bool(entry.target and is_current_stdlib(entry.target)),
            commands=why_commands(entry),
            ci_skip_text=ci.described(ci.SKIP),
            ci_flag_text=ci.described(ci.FLAG),
        )

    @app.get("/docs", response_class=HTMLResponse, include_in_schema=False)
    def api_page(request: Request) -> HTMLResponse:
        return _page("api.html", groups=api_operations(request.app.openapi()))

    app.mount("/static", StaticFiles(directory=HERE / "static"), name="static")


def api_operations(schema: dict[str, Any]) -> list[tuple[str, list[dict[str, Any]]]]:
    """The schema's operations grouped by tag, in the order the schema gives them."""
    groups: dict[str, list[dict[str, Any]]] = {}
    for path, methods in schema.get("paths", {}).items():
        for method, operation in methods.items():
            parameters = [
                (p.get("name", ""), p.get("in", ""), p.get("description", ""))
                for p in operation.get("parameters", [])
            ]
            if "requestBody" in operation:
                parameters.append(("body", "JSON", "see /openapi.json"))
            groups.setdefault((operation.get("tags") or ["other"])[0], []).append({
                "method": method.upper(), "path": path, "summary": operation.get("summary", ""),
                "parameters": parameters,
                # A plain link only where a browser's GET would work as it is.
                "link": method == "get" and "{" not in path,
            })  # fmt: skip
    return list(groups.items())
