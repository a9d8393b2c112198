"""The stats service as an ASGI app: the ping collector, admin endpoints, health and metrics.

``create_app(store)`` takes the store (and so the database) as a parameter; the dashboard
and the JSON/CSV API are routers mounted beside the collector.
"""

from __future__ import annotations

import asyncio
import contextlib
import secrets
from collections.abc import AsyncIterator, Callable
from datetime import date, datetime, timezone
from typing import Annotated, Any

from fastapi import Depends, FastAPI, HTTPException, Request, Response
from fastapi.concurrency import run_in_threadpool
from fastapi.responses import JSONResponse
from fastapi.security import HTTPAuthorizationCredentials, HTTPBearer
from pydantic import BaseModel, ValidationError

from ..errors import ReserverError
from ..holder import Holder
from .collector import PingFastPath, process_ping, read_limited
from .constants import TOKEN_ENV
from .metrics import CONTENT_TYPE, StatsMetrics
from .ratelimit import DEFAULT_RATE, PingRateLimiter
from .schema import (
    MAX_REGISTER_BYTES,
    PingBody,
    RegisterBody,
    RegisteredName,
    name_key,
)
from .sources import SourceHasher
from .state import ServiceState, state_of
from .store import StatsStore
from .writer import PingWriter

#: Registered names are re-read this often, so every worker learns a registration soon.
NAMES_REFRESH_SECONDS = 5.0


def utc_today() -> date:
    return datetime.now(timezone.utc).date()


def _body_schema(model: type[BaseModel]) -> dict[str, Any]:
    schema = model.model_json_schema(ref_template="#/components/schemas/{model}")
    return {
        "requestBody": {
            "required": True,
            "content": {"application/json": {"schema": schema}},
        }
    }


def _openapi_with_defs(
    app: FastAPI, models: tuple[type[BaseModel], ...]
) -> Callable[[], dict[str, Any]]:
    """Add the nested models our hand-read bodies refer to, so the schema is complete."""
    base = app.openapi

    def openapi() -> dict[str, Any]:
        if app.openapi_schema is not None:
            return app.openapi_schema
        schema = base()
        components = schema.setdefault("components", {}).setdefault("schemas", {})
        for model in models:
            defs = model.model_json_schema(ref_template="#/components/schemas/{model}")
            components.update(defs.pop("$defs", {}))
        for path in schema.get("paths", {}).values():
            for operation in path.values():
                body = operation.get("requestBody", {}).get("content", {}).get("application/json")
                if body is not None:
                    body["schema"].pop("$defs", None)
        app.openapi_schema = schema
        return schema

    return openapi


_bearer = HTTPBearer(auto_error=False, description=f"The admin token (--token or ${TOKEN_ENV}).")


def require_admin(
    request: Request,
    credentials: Annotated[HTTPAuthorizationCredentials | None, Depends(_bearer)],
) -> None:
    state = state_of(request)
    if state.token is None:
        raise HTTPException(403, "admin endpoints are disabled: start the service with --token")
    given = credentials.credentials if credentials is not None else ""
    if not secrets.compare_digest(given.encode(), state.token.encode()):
        raise HTTPException(401, "a valid bearer token is required",
                            headers={"WWW-Authenticate": "Bearer"})  # fmt: skip


def outermost(app: FastAPI) -> PingFastPath:
    """``app`` with the ping collector in front of FastAPI's own middleware, for serving.

    ``create_app`` already routes pings through the collector; placing it outermost as well
    spares each ping the framework's error and body-limit layers (about a fifth of its cost).
    """
    state: ServiceState = app.state.stats
    return PingFastPath(app, state)


def create_app(
    store: StatsStore,
    *,
    token: str | None = None,
    rate_limit: str | None = DEFAULT_RATE,
    today: Callable[[], date] = utc_today,
    max_batch: int = 2000,
) -> FastAPI:
    """The whole service over ``store``. ``token`` enables the admin endpoints."""
    if token is not None and len(token) < 16:
        raise ReserverError("the admin token must be at least 16 characters")
    limiter = PingRateLimiter(rate_limit)

    @contextlib.asynccontextmanager
    async def lifespan(app: FastAPI) -> AsyncIterator[None]:
        state: ServiceState = app.state.stats
        await run_in_threadpool(state.reload_names)
        await run_in_threadpool(state.hasher.load, state.today())
        state.writer.start()

        async def refresh() -> None:
            while True:
                await asyncio.sleep(NAMES_REFRESH_SECONDS)
                with contextlib.suppress(Exception):  # a failed refresh keeps the old list
                    await run_in_threadpool(state.reload_names)

        refresher = asyncio.get_running_loop().create_task(refresh())
        try:
            yield
        finally:
            refresher.cancel()
            with contextlib.suppress(asyncio.CancelledError):
                await refresher
            await state.writer.stop()

    app = FastAPI(
        title="reserver stats",
        summary="Anonymous counts of blocked installs of reserved package names.",
        version="1",
        lifespan=lifespan,
    )
    writer = PingWriter(store, max_batch=max_batch)
    metrics = StatsMetrics(lambda: float(writer.pending))
    writer.on_commit = metrics.committed
    state = ServiceState(
        store=store, token=token, limiter=limiter, today=today, writer=writer,
        hasher=SourceHasher(store.salt_for), metrics=metrics,
    )  # fmt: skip
    app.state.stats = state

    @app.post(
        "/ping",
        status_code=204,
        summary="Count one blocked install (called by placeholders).",
        openapi_extra=_body_schema(PingBody),
        responses={
            204: {"description": "Counted."},
            404: {"description": "Not a name this service holds."},
            413: {"description": "Body too large."},
            415: {"description": "Not JSON."},
            422: {"description": "Malformed ping."},
            429: {"description": "Too many pings from this source."},
            503: {"description": "The store is unavailable; nothing was counted."},
        },
        tags=["collector"],
    )
    async def ping(request: Request) -> Response:
        # Normally answered by PingFastPath before routing; this route documents it.
        status, body = await process_ping(
            state, request.client.host if request.client else "",
            request.headers.get("content-type", ""), request.headers.get("content-length"),
            request.stream(),
        )  # fmt: skip
        return Response(body, status_code=status, media_type="application/json" if body else None)

    @app.post(
        "/admin/names",
        summary="Register reserved names (their targets and categories).",
        dependencies=[Depends(require_admin)],
        openapi_extra=_body_schema(RegisterBody),
        responses={413: {"description": "Body too large."}, 422: {"description": "Invalid."}},
        tags=["admin"],
    )
    async def register(request: Request) -> dict[str, int]:
        body = await read_limited(
            request.stream(), request.headers.get("content-length"), MAX_REGISTER_BYTES
        )
        if body is None:
            raise HTTPException(413, f"at most {MAX_REGISTER_BYTES} bytes")
        try:
            parsed = RegisterBody.model_validate_json(body)
            holder = Holder(parsed.holder.name, parsed.holder.contact, parsed.holder.url)
        except ValidationError as exc:
            raise HTTPException(422, f"invalid registration: {exc.error_count()} errors") from None
        except ReserverError as exc:
            raise HTTPException(422, f"invalid holder: {exc}") from None
        entries = []
        for item in parsed.names:
            key = name_key(item.name)
            if key is None or (item.target is not None and name_key(item.target) is None):
                raise HTTPException(422, "invalid registration: a name is not a valid name")
            entries.append(RegisteredName(
                key=key, name=item.name, target=item.target, category=item.category,
                removed_in=item.removed_in, replacement=item.replacement,
                replacement_in_stdlib=item.replacement_in_stdlib, holder_name=holder.name,
                holder_contact=holder.contact, holder_url=holder.url,
            ))  # fmt: skip
        count = await run_in_threadpool(store.register, entries)
        await run_in_threadpool(state.reload_names)
        return {"registered": count, "known": len(state.names)}

    @app.delete(
        "/admin/names/{name}",
        status_code=204,
        summary="Stop accepting pings for a name (its counts stay).",
        dependencies=[Depends(require_admin)],
        responses={404: {"description": "Not registered."}},
        tags=["admin"],
    )
    async def unregister(name: str) -> Response:
        key = name_key(name)
        if key is None or not await run_in_threadpool(store.unregister, key):
            raise HTTPException(404, "not a registered name")
        await run_in_threadpool(state.reload_names)
        return Response(status_code=204)

    @app.get("/healthz", summary="Liveness and database reachability.", tags=["operations"])
    def healthz() -> Response:
        try:
            store.ping_db()
        except Exception:
            return JSONResponse({"status": "database unavailable"}, status_code=503)
        return JSONResponse({"status": "ok", "registered_names": len(state.names)})

    @app.get(
        "/metrics",
        summary="Prometheus metrics.",
        response_class=Response,
        responses={200: {"content": {CONTENT_TYPE: {}}}},
        tags=["operations"],
    )
    def prometheus() -> Response:
        return Response(state.metrics.render(), media_type=CONTENT_TYPE)

    from .api import router as api_router
    from .dashboard import mount_dashboard

    app.add_middleware(PingFastPath, state=state)
    app.include_router(api_router)
    mount_dashboard(app)
    app.openapi = _openapi_with_defs(app, (PingBody, RegisterBody))  # type: ignore[method-assign]
    return app
