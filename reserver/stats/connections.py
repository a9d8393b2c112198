"""uvicorn's h11 protocol with the limits it lacks against clients that hold connections.

uvicorn bounds the size of a request's headers (with h11) and closes connections idle
between requests, but it sets no deadline for a request's headers or body to arrive, nor for
a client to read its answer, and its ``limit_concurrency`` only answers 503 to a *complete*
request once that many connections are open: a client that opens connections and never
finishes a request is never refused. A thousand such connections take every file descriptor
of a process limited to 1024 (and then the database cannot open a file either). So this
protocol:

* closes a connection whose request headers have not all arrived HEADER_SECONDS after the
  request's first byte (after the connection opened, for the first request), one whose
  request body stalls for BODY_IDLE_SECONDS, and one that has not read any of its answer for
  SEND_STALL_SECONDS;
* keeps the open connections below ``limit_concurrency``: a new connection past it closes
  the one that has waited longest for its client (to send, to read, or idle between
  requests), or, when every connection is busy with a request, is closed itself. A flood of
  idle connections thus cycles through its own oldest ones instead of locking everyone out,
  and uvicorn's own 503 (at the limit) is never reached.

Only h11 is used (uvicorn would pick httptools when installed, which has no header limit):
``serve`` passes this class as the protocol, so the limits hold whatever is installed.
"""

from __future__ import annotations

import asyncio
from typing import Any, ClassVar

import h11
from uvicorn.config import Config
from uvicorn.protocols.http.h11_impl import H11Protocol
from uvicorn.server import ServerState

from .limits import BODY_IDLE_SECONDS, HEADER_SECONDS, SEND_STALL_SECONDS

#: Sent when a request's headers did not arrive in time (nginx answers the same way).
_TIMED_OUT = (
    b"HTTP/1.1 408 Request Timeout\r\ncontent-type: text/plain; charset=utf-8\r\n"
    b"content-length: 26\r\nconnection: close\r\n\r\nRequest headers too slow.\n"
)


class GuardedH11Protocol(H11Protocol):
    """H11Protocol with request deadlines and a connection cap (see the module)."""

    header_seconds: ClassVar[float] = HEADER_SECONDS
    body_idle_seconds: ClassVar[float] = BODY_IDLE_SECONDS
    send_stall_seconds: ClassVar[float] = SEND_STALL_SECONDS

    def __init__(
        self,
        config: Config,
        server_state: ServerState,
        app_state: dict[str, Any],
        _loop: asyncio.AbstractEventLoop | None = None,
    ) -> None:
        super().__init__(config, server_state, app_state, _loop)
        self._deadline: asyncio.TimerHandle | None = None
        self._awaiting: str | None = None  # "headers" or "body" while that deadline runs
        self._send_deadline: asyncio.TimerHandle | None = None
        #: Since when (loop time) the connection waits for its client, None while it waits
        #: for the app: the oldest waiting one makes room for a newcomer.
        self.waiting_since: float | None = None

    # -- the connection cap ----------------------------------------------------------------

    # Typed as uvicorn's own (a Transport; uvloop's are not asyncio.Transport subclasses).
    def connection_made(self, transport: asyncio.Transport) -> None:  # type: ignore[override]
        super().connection_made(transport)
        limit = self.limit_concurrency
        if limit is not None and len(self.connections) >= limit and not self._make_room():
            # Every connection is busy with a request: this one is closed at once, which
            # hands its descriptor back, rather than left waiting to be answered 503.
            self.connections.discard(self)
            transport.close()
            return
        self.waiting_since = self.loop.time()
        self._arm("headers", self.header_seconds)

    def _make_room(self) -> bool:
        """Close the connection that has waited longest for its client; False if none has."""
        waiting = [
            c for c in self.connections
            if isinstance(c, GuardedH11Protocol) and c is not self and c.waiting_since is not None
        ]  # fmt: skip
        if not waiting:
            return False
        min(waiting, key=lambda c: c.waiting_since or 0.0).drop()
        return True

    def drop(self) -> None:
        """Close the connection now, and stop counting it (the transport reports the loss
        only on the next turn of the loop)."""
        self._disarm()
        self._disarm_send()
        self.waiting_since = None
        self.connections.discard(self)
        if self.flow.write_paused:
            # close() would first wait for the unread answer to be sent, i.e. forever.
            self.transport.abort()
        else:
            self.transport.close()

    def connection_lost(self, exc: Exception | None) -> None:
        self._disarm()
        self._disarm_send()
        self.waiting_since = None
        super().connection_lost(exc)

    # -- reading: the request's deadlines --------------------------------------------------

    def data_received(self, data: bytes) -> None:
        super().data_received(data)
        self._follow()

    def on_response_complete(self) -> None:
        super().on_response_complete()
        if not self.transport.is_closing():
            # Idle until the next request (uvicorn's keep-alive timeout closes it), unless
            # a pipelined request is already in.
            self._disarm()
            self.waiting_since = self.loop.time()
            self._follow()

    def _follow(self) -> None:
        """Set the deadline for what the connection now waits for from its client."""
        if self.transport.is_closing():
            return
        state = self.conn.their_state
        if state is h11.SEND_BODY:
            self._arm("body", self.body_idle_seconds)  # again after every piece
            self._waiting()
        elif state is h11.IDLE:
            # Bytes of a request's headers are buffered (a kept-alive connection's next
            # request began): its deadline starts with its first byte and is not extended.
            if self.conn.trailing_data[0] and self._awaiting != "headers":
                self._arm("headers", self.header_seconds)
            self._waiting()
        else:  # the request is in: the app's own deadlines apply from here
            self._disarm()
            if self._send_deadline is None:
                self.waiting_since = None

    def _waiting(self) -> None:
        if self.waiting_since is None:
            self.waiting_since = self.loop.time()

    def _arm(self, awaiting: str, seconds: float) -> None:
        self._disarm()
        self._awaiting = awaiting
        self._deadline = self.loop.call_later(seconds, self._expired)

    def _disarm(self) -> None:
        if self._deadline is not None:
            self._deadline.cancel()
        self._deadline = None
        self._awaiting = None

    def _expired(self) -> None:
        awaiting, self._deadline, self._awaiting = self._awaiting, None, None
        if self.transport.is_closing() or awaiting is None:
            return
        if self.flow.read_paused:
            # Reading is paused because the app has not taken what arrived (or a pipelined
            # request waits): the delay is ours, not the client's.
            self._arm(awaiting, self.body_idle_seconds)
            return
        if awaiting == "headers" and self.conn.their_state is h11.IDLE:
            self.transport.write(_TIMED_OUT)
        self.drop()

    # -- writing: a client that does not read its answer -----------------------------------

    def pause_writing(self) -> None:
        super().pause_writing()
        if self._send_deadline is None:
            self._send_deadline = self.loop.call_later(self.send_stall_seconds, self.drop)
        self._waiting()

    def resume_writing(self) -> None:
        super().resume_writing()
        self._disarm_send()
        if self._deadline is None and self.conn.their_state not in (h11.IDLE, h11.SEND_BODY):
            self.waiting_since = None

    def _disarm_send(self) -> None:
        if self._send_deadline is not None:
            self._send_deadline.cancel()
        self._send_deadline = None
