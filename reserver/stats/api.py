"""The public read-only API: the dashboard's numbers as JSON and CSV."""

from __future__ import annotations

import csv
import io
from collections.abc import Iterable, Iterator
from datetime import date
from typing import Any

from fastapi import APIRouter, HTTPException, Query, Request
from fastapi.concurrency import run_in_threadpool
from fastapi.responses import StreamingResponse

from .report import daily_json, name_detail, summary
from .schema import RegisteredName, name_key
from .state import state_of
from .store import DailyRow, StatsStore

router = APIRouter(
    prefix="/api",
    tags=["api"],
    responses={503: {"description": "The database does not answer (Retry-After)."}},
)


def _csv_response(
    header: list[str], rows: Iterable[Iterable[Any]], filename: str
) -> StreamingResponse:
    def lines() -> Iterator[str]:
        buffer = io.StringIO()
        writer = csv.writer(buffer, lineterminator="\n")
        writer.writerow(header)
        for row in rows:
            writer.writerow(row)
            if buffer.tell() > 64 * 1024:
                yield buffer.getvalue()
                buffer.seek(0)
                buffer.truncate()
        yield buffer.getvalue()

    return StreamingResponse(
        lines(),
        media_type="text/csv; charset=utf-8",
        headers={"Content-Disposition": f'attachment; filename="{filename}"'},
    )


# Every route is async and reads through ``state.db``: a sync route would run its database
# calls on the threads static files share, and a silent database would freeze both.


async def _summary(request: Request) -> dict[str, Any]:
    state = state_of(request)
    names = state.names
    return await state.db.read(lambda: summary(state.store, names))


@router.get("/summary", summary="All-time totals: total, by name, target, installer, Python, CI.")
async def api_summary(request: Request) -> dict[str, Any]:
    return await _summary(request)


@router.get("/summary.csv", summary="The summary as CSV rows of dimension, key, count.")
async def api_summary_csv(request: Request) -> StreamingResponse:
    data = await _summary(request)
    rows: list[tuple[str, str, int]] = [("total", "", data["total"])]
    for dim in ("by_name", "by_target", "by_category", "by_installer", "by_python", "by_ci",
                "rejected"):  # fmt: skip
        rows.extend((dim.removeprefix("by_"), key, n) for key, n in data[dim].items())
    return _csv_response(["dimension", "key", "count"], rows, "summary.csv")


async def _daily(
    request: Request, since: date | None, until: date | None, name: str | None
) -> list[DailyRow]:
    state = state_of(request)
    key = None
    if name is not None:
        key = name_key(name)
        if key is None or key not in state.names:
            raise HTTPException(404, "not a registered name")
    return await state.db.read(lambda: state.store.daily(since, until, key))


@router.get("/daily", summary="Per-day totals, CI vs. interactive and unique sources.")
async def api_daily(
    request: Request,
    since: date | None = Query(None, description="First day (YYYY-MM-DD)."),
    until: date | None = Query(None, description="Last day (YYYY-MM-DD)."),
    name: str | None = Query(
        None,
        max_length=100,
        description="Only this reserved name (its unique_sources are null: sources are "
        "counted per day, not per name).",
    ),
) -> dict[str, Any]:
    return {"days": daily_json(await _daily(request, since, until, name))}


@router.get("/daily.csv", summary="Per-day numbers as CSV.")
async def api_daily_csv(
    request: Request,
    since: date | None = Query(None),
    until: date | None = Query(None),
    name: str | None = Query(None, max_length=100),
) -> StreamingResponse:
    rows = await _daily(request, since, until, name)
    return _csv_response(
        ["day", "total", "ci", "interactive", "unique_sources"],
        ((r.day.isoformat(), r.total, r.ci, r.interactive, r.unique_sources) for r in rows),
        "daily.csv",
    )


async def _names(request: Request) -> list[dict[str, Any]]:
    state = state_of(request)
    names = state.names
    by_key = (await state.db.read(state.store.totals)).get("name", {})
    entries = sorted(names.items(), key=lambda kv: (-by_key.get(kv[0], 0), kv[1].name))
    return [
        {"name": e.name, "target": e.target, "category": e.category, "count": by_key.get(k, 0)}
        for k, e in entries
    ]


@router.get("/names", summary="Every reserved name with its target, category and count.")
async def api_names(request: Request) -> dict[str, Any]:
    return {"names": await _names(request)}


@router.get("/names.csv", summary="Reserved names with their counts as CSV.")
async def api_names_csv(request: Request) -> StreamingResponse:
    rows = await _names(request)
    return _csv_response(
        ["name", "target", "category", "count"],
        ((r["name"], r["target"] or "", r["category"], r["count"]) for r in rows),
        "names.csv",
    )


async def _hits(request: Request) -> list[dict[str, object]]:
    from ..evaluation.hits import Hit, feed_rows
    from ..typo import default_model

    hits = [Hit(r["name"], r["target"], r["category"], r["count"]) for r in await _names(request)]
    # The typo model's work is CPU, not database: Starlette's own threads do it.
    return await run_in_threadpool(lambda: feed_rows(hits, default_model()))


@router.get(
    "/hits",
    summary="Hits per reserved name with its target and the typo model's kind and position.",
)
async def api_hits(request: Request) -> dict[str, Any]:
    """What ``reserver evaluate --hits`` reads: which kinds of typo caught real people."""
    return {"hits": await _hits(request)}


@router.get("/hits.csv", summary="The hits feed as CSV.")
async def api_hits_csv(request: Request) -> StreamingResponse:
    from ..evaluation.hits import FIELDS

    rows = ([row[field] if row[field] is not None else "" for field in FIELDS]
            for row in await _hits(request))  # fmt: skip
    return _csv_response(list(FIELDS), rows, "hits.csv")


def name_numbers(store: StatsStore, entry: RegisteredName) -> dict[str, Any]:
    """One name's detail with its all-time total (blocking: call it through ``db``)."""
    return name_detail(store, entry, store.totals().get("name", {}).get(entry.key, 0))


@router.get("/names/{name}", summary="One reserved name: total, per day, breakdowns.")
async def api_name(request: Request, name: str) -> dict[str, Any]:
    state = state_of(request)
    key = name_key(name)
    entry = state.names.get(key) if key is not None else None
    if entry is None:
        raise HTTPException(404, "not a registered name")
    return await state.db.read(lambda: name_numbers(state.store, entry))


@router.get("/export.csv", summary="Every count: day, name, installer, Python, CI, count.")
async def api_export_csv(request: Request) -> StreamingResponse:
    state = state_of(request)
    # Materialised, then streamed (see ``export``): a client that never reads holds a file,
    # never a database connection the pings need.
    snapshot = await state.exports.snapshot(state.names)
    return StreamingResponse(
        snapshot.chunks(),
        media_type="text/csv; charset=utf-8",
        headers={"Content-Disposition": 'attachment; filename="counts.csv"'},
    )
