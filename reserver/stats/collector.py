"""``POST /ping``: validate, rate-limit and count one blocked install.

The collector runs as plain ASGI in front of the FastAPI app: a ping is the one request that
arrives thousands of times a second, and the framework's routing and middleware would cost
more than the ping itself. The FastAPI route of the same path documents it in OpenAPI and
calls the same ``process_ping``.
"""

from __future__ import annotations

import json
from collections.abc import AsyncIterator, Awaitable, Callable, MutableMapping
from typing import Any

from pydantic import ValidationError

from .limits import RETRY_AFTER_SECONDS
from .schema import MAX_PING_BYTES, Ping, PingBody, name_key
from .state import ServiceState

Scope = MutableMapping[str, Any]
Message = MutableMapping[str, Any]
Receive = Callable[[], Awaitable[Message]]
Send = Callable[[Message], Awaitable[None]]
ASGIApp = Callable[[Scope, Receive, Send], Awaitable[None]]


async def read_limited(
    chunks: AsyncIterator[bytes], declared: str | None, limit: int
) -> bytes | None:
    """The body, or None as soon as it passes ``limit`` bytes (whatever Content-Length says)."""
    if declared is not None and (not declared.isdigit() or int(declared) > limit):
        return None
    parts: list[bytes] = []
    size = 0
    async for chunk in chunks:
        size += len(chunk)
        if size > limit:
            return None
        parts.append(chunk)
    return b"".join(parts)


#: What every 503 carries: the documented contract is "not counted, try again after this".
RETRY_AFTER = str(RETRY_AFTER_SECONDS)
UNAVAILABLE = b'{"detail":"the store is unavailable"}'


def _unavailable(state: ServiceState) -> tuple[int, bytes]:
    state.metrics.rejected.labels("store_unavailable").inc()
    return 503, UNAVAILABLE


def _reject(state: ServiceState, status: int, reason: str, detail: str) -> tuple[int, bytes]:
    state.metrics.rejected.labels(reason).inc()
    state.writer.reject(state.today(), reason)
    return status, json.dumps({"detail": detail}).encode()


async def process_ping(
    state: ServiceState,
    client: str,
    content_type: str,
    content_length: str | None,
    chunks: AsyncIterator[bytes],
) -> tuple[int, bytes]:
    """Handle one ping; returns the status and JSON body to answer with (204 when counted).

    Every failure of the database is a 503 (with Retry-After, added by the caller), never a
    500: the placeholder only needs to know the ping was not counted.
    """
    day = state.today()
    # Only the keyed digest is used from here on; the address itself is never kept.
    source = state.hasher.digest(client, day)
    if not state.limiter.allow(source):
        return _reject(state, 429, "rate_limited", "too many pings from this source")
    body = await read_limited(chunks, content_length, MAX_PING_BYTES)
    if body is None:
        return _reject(state, 413, "too_large", f"a ping is at most {MAX_PING_BYTES} bytes")
    if content_type.split(";", 1)[0].strip().lower() != "application/json":
        return _reject(state, 415, "not_json", "send application/json")
    try:
        parsed = PingBody.model_validate_json(body)
    except ValidationError:
        return _reject(state, 422, "malformed", "not a valid ping")
    key = name_key(parsed.name)
    if key is None:
        return _reject(state, 422, "malformed", "not a valid ping")
    if key not in state.names:
        return _reject(state, 404, "unknown_name", "not a name held by this service")
    if not state.db.available:
        # The health probe finds the database down: the commit would only fail or time out
        # seconds later, holding the client all that time.
        return _unavailable(state)
    try:
        await state.writer.add(day, Ping(key, parsed.installer, parsed.python, parsed.ci), source)
    except Exception:  # the store failed: not acknowledged, so the client knows it is not counted
        return _unavailable(state)
    state.metrics.accepted_by[parsed.installer].inc()
    return 204, b""


class PingFastPath:
    """ASGI middleware answering ``POST /ping`` itself and passing everything else on."""

    def __init__(self, app: ASGIApp, state: ServiceState) -> None:
        self.app = app
        self.state = state

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http" or scope["path"] != "/ping" or scope["method"] != "POST":
            await self.app(scope, receive, send)
            return
        content_type = ""
        content_length: str | None = None
        for name, value in scope["headers"]:
            if name == b"content-type":
                content_type = value.decode("latin-1")
            elif name == b"content-length":
                content_length = value.decode("latin-1")

        async def chunks() -> AsyncIterator[bytes]:
            while True:
                message = await receive()
                if message["type"] == "http.disconnect":
                    return
                yield message.get("body", b"")
                if not message.get("more_body", False):
                    return

        client = scope.get("client")
        status, body = await process_ping(
            self.state, client[0] if client else "", content_type, content_length, chunks()
        )
        headers: list[tuple[bytes, bytes]] = []
        if body:  # a 204 carries no body and no length
            headers = [(b"content-type", b"application/json"),
                       (b"content-length", str(len(body)).encode())]  # fmt: skip
        if status == 503:
            headers.append((b"retry-after", RETRY_AFTER.encode()))
        await send({"type": "http.response.start", "status": status, "headers": headers})
        await send({"type": "http.response.body", "body": body})
