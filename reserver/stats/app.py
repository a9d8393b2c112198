"""The stats service as an ASGI app: the ping collector, admin endpoints, health and metrics.

``create_app(store)`` takes the store (and so the database) as a parameter; the dashboard
and the JSON/CSV API are routers mounted beside the collector.
"""

from __future__ import annotations

import asyncio
import contextlib
import os
import secrets
from collections.abc import AsyncIterator, Callable
from datetime import date, datetime, timezone
from typing import Annotated, Any

from fastapi import Depends, FastAPI, HTTPException, Request, Response
from fastapi.responses import JSONResponse
from fastapi.security import HTTPAuthorizationCredentials, HTTPBearer
from pydantic import BaseModel, ValidationError

from ..errors import ReserverError
from ..plan.holder import Holder
from .collector import (
    RETRY_AFTER,
    UNAVAILABLE,
    ASGIApp,
    Message,
    PingFastPath,
    Receive,
    Scope,
    Send,
    process_ping,
    read_limited,
)
from .constants import TOKEN_ENV
from .dbthreads import Database, StoreUnavailable
from .export import SharedExport
from .limits import REGISTER_SECONDS, ROTATION_CHECK_SECONDS
from .metrics import CONTENT_TYPE, StatsMetrics
from .ratelimit import DEFAULT_RATE, PingRateLimiter, parse_rate
from .schema import (
    MAX_REGISTER_BYTES,
    PingBody,
    RegisterBody,
    RegisteredName,
    name_key,
)
from .secret import SECRET_BYTES
from .sources import SourceHasher
from .state import ServiceState, state_of
from .store import StatsStore
from .writer import PingWriter

#: Registered names are re-read this often, so every worker learns a registration soon
#: (with several workers on one database, a name registered through one must soon be
#: accepted by all).
NAMES_REFRESH_SECONDS = 2.0
#: An admin token shorter than this is refused: 16 characters of token_urlsafe are 96 bits.
MIN_TOKEN_CHARS = 16


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


def check_options(token: str | None, rate_limit: str | None) -> None:
    """Refuse a short token or a bad rate limit (before anything is created on disk)."""
    if token is not None and len(token) < MIN_TOKEN_CHARS:
        raise ReserverError(f"the admin token must be at least {MIN_TOKEN_CHARS} characters")
    if rate_limit is not None:
        parse_rate(rate_limit)


class HeadAsGet:
    """Answer HEAD wherever GET is answered, with the GET's headers and no body.

    FastAPI's GET routes refuse HEAD (405), unlike Starlette's own routes; monitors and link
    checkers use it. The request goes on as a GET in a copy of the scope (the server still
    sees a HEAD, and sends no body either) and the body is dropped here.
    """

    def __init__(self, app: ASGIApp) -> None:
        self.app = app

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http" or scope["method"] != "HEAD":
            await self.app(scope, receive, send)
            return

        async def headers_only(message: Message) -> None:
            if message["type"] == "http.response.body":
                if message.get("more_body", False):
                    return
                message = {"type": "http.response.body", "body": b""}
            await send(message)

        await self.app({**scope, "method": "GET"}, receive, headers_only)


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
    secret: bytes | None = None,
) -> FastAPI:
    """The whole service over ``store``. ``token`` enables the admin endpoints.

    ``secret`` keys the digests of unique sources (see ``secret``); every worker on one
    database must be given the same. Without one, a random key of this app's own is used,
    which suits a single process (tests, benchmarks) and nothing else.
    """
    check_options(token, rate_limit)
    limiter = PingRateLimiter(rate_limit)

    @contextlib.asynccontextmanager
    async def lifespan(app: FastAPI) -> AsyncIterator[None]:
        state: ServiceState = app.state.stats
        # Each bounded: a database that fails now is retried by the refresher, the health
        # probe and the first ping, instead of keeping the service from starting.
        await state.db.probe()
        with contextlib.suppress(Exception):
            await state.db.read(state.reload_names)
        with contextlib.suppress(Exception):  # digests of days before the start go now
            await state.rotate_sources()
        state.writer.start()

        async def refresh() -> None:
            while True:
                await asyncio.sleep(NAMES_REFRESH_SECONDS)
                with contextlib.suppress(Exception):  # a failed refresh keeps the old list
                    await state.db.read(state.reload_names)

        async def rotate() -> None:
            # Midnight is noticed here, not by the next ping: with no ping for hours,
            # yesterday's digests would otherwise stay in the database all that time.
            while True:
                await asyncio.sleep(ROTATION_CHECK_SECONDS)
                with contextlib.suppress(Exception):  # retried at the next check
                    await state.rotate_sources()

        loop = asyncio.get_running_loop()
        tasks = [
            loop.create_task(refresh()),
            loop.create_task(rotate()),
            loop.create_task(state.db.monitor()),
        ]
        try:
            yield
        finally:
            for task in tasks:
                task.cancel()
            await asyncio.gather(*tasks, return_exceptions=True)
            await state.writer.stop()
            state.db.close()

    app = FastAPI(
        title="reserver stats",
        summary="Anonymous counts of blocked installs of reserved package names.",
        version="1",
        lifespan=lifespan,
        # FastAPI's Swagger UI and ReDoc pages load their scripts from a CDN: blank offline,
        # and outside the pages' Content-Security-Policy. /docs is a page of our own
        # (dashboard.py); the schema stays at /openapi.json.
        docs_url=None,
        redoc_url=None,
    )
    writer = PingWriter(store, max_batch=max_batch)
    db = Database(store)
    metrics = StatsMetrics(lambda: float(writer.pending), lambda: float(db.available))
    writer.on_commit = metrics.committed
    state = ServiceState(
        store=store, token=token, limiter=limiter, today=today, writer=writer,
        hasher=SourceHasher(secret if secret is not None else os.urandom(SECRET_BYTES)),
        metrics=metrics, db=db, exports=SharedExport(db),
    )  # fmt: skip
    app.state.stats = state

    @app.exception_handler(StoreUnavailable)
    async def store_unavailable(request: Request, exc: StoreUnavailable) -> Response:
        # The documented contract for every database failure: 503, try again later.
        return Response(UNAVAILABLE, status_code=503, media_type="application/json",
                        headers={"Retry-After": RETRY_AFTER})  # fmt: skip

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
            503: {"description": "The store is unavailable; nothing was counted (Retry-After)."},
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
        headers = {"Retry-After": RETRY_AFTER} if status == 503 else None
        return Response(body, status_code=status, headers=headers,
                        media_type="application/json" if body else None)  # fmt: skip

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
        count = await db.read(lambda: store.register(entries), REGISTER_SECONDS)
        await db.read(state.reload_names)
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
        if key is None or not await db.read(lambda: store.unregister(key)):
            raise HTTPException(404, "not a registered name")
        await db.read(state.reload_names)
        return Response(status_code=204)

    @app.get(
        "/healthz",
        summary="Liveness and database reachability.",
        responses={503: {"description": "The database does not answer (Retry-After)."}},
        tags=["operations"],
    )
    async def healthz() -> Response:
        # The health probe's last answer, refreshed in the background: asking the database
        # here would hang this request (and one more thread) whenever the database does.
        if not db.available:
            return JSONResponse({"status": "database unavailable"}, status_code=503,
                                headers={"Retry-After": RETRY_AFTER})  # fmt: skip
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
    app.add_middleware(HeadAsGet)
    app.include_router(api_router)
    mount_dashboard(app)
    app.openapi = _openapi_with_defs(app, (PingBody, RegisterBody))  # type: ignore[method-assign]
    return app
