"""uvicorn's HTTP protocols with the limits they lack against clients that hold connections.

uvicorn bounds the size of a request's headers only with h11 (httptools, its fast parser, has
no bound at all), closes connections idle between requests, but sets no deadline for a
request's headers or body to arrive, nor for a client to read its answer, and its
``limit_concurrency`` only answers 503 to a *complete* request once that many connections
are open: a client that opens connections and never finishes a request is never refused. A
thousand such connections take every file descriptor of a process limited to 1024 (and then
the database cannot open a file either). So these protocols:

* refuse (400) a request whose request line and headers pass MAX_HEADER_BYTES, before the
  parser has been given more than that;
* close a connection whose request headers have not all arrived HEADER_SECONDS after the
  request's first byte (after the connection opened, for the first request), one whose
  request body stalls for BODY_IDLE_SECONDS, and one that has not read any of its answer for
  SEND_STALL_SECONDS;
* keep the open connections below ``limit_concurrency``: a new connection past it closes
  the one that has waited longest for its client (to send, to read, or idle between
  requests), or, when every connection is busy with a request, is closed itself. A flood of
  idle connections thus cycles through its own oldest ones instead of locking everyone out,
  and uvicorn's own 503 (at the limit) is never reached.

``GuardedHttpToolsProtocol`` is the one served: httptools parses in C, and a request through
it costs 19 us of CPU against 65 us through h11 (uvicorn's request cycle with an app that
answers at once, measured in one process), out of about 330 us for a whole ping. Where
httptools is not installed, ``GuardedH11Protocol`` keeps the same deadlines and cap, and h11's
own limit on the bytes it buffers for an incomplete request. ``serve`` passes the class
itself, never "auto", so uvicorn never picks an unguarded protocol.
"""

from __future__ import annotations

import asyncio
from typing import Any, ClassVar, Literal

import h11
from uvicorn.config import Config
from uvicorn.protocols.http.flow_control import FlowControl
from uvicorn.protocols.http.h11_impl import H11Protocol
from uvicorn.server import ServerState

from .limits import BODY_IDLE_SECONDS, HEADER_SECONDS, MAX_HEADER_BYTES, SEND_STALL_SECONDS

try:  # uvicorn's module imports httptools
    from uvicorn.protocols.http.httptools_impl import HttpToolsProtocol
except ImportError:  # pragma: no cover - the stats extra installs it
    HttpToolsProtocol = None  # type: ignore[assignment,misc]

#: Sent when a request's headers did not arrive in time (nginx answers the same way).
_TIMED_OUT = (
    b"HTTP/1.1 408 Request Timeout\r\ncontent-type: text/plain; charset=utf-8\r\n"
    b"content-length: 26\r\nconnection: close\r\n\r\nRequest headers too slow.\n"
)
#: Sent when a request's line and headers pass MAX_HEADER_BYTES (as h11's limit answers).
_TOO_LARGE = (
    b"HTTP/1.1 400 Bad Request\r\ncontent-type: text/plain; charset=utf-8\r\n"
    b"content-length: 27\r\nconnection: close\r\n\r\nRequest headers too large.\n"
)
#: The blank line that ends a request's headers (httptools accepts no bare LF).
_END_OF_HEADERS = b"\r\n\r\n"

#: What a connection waits for from its client: the first byte of a request, the rest of a
#: request's headers, or its body; None while the request is in and the app has its turn.
Waiting = Literal["idle", "headers", "body"] | None


class _Guard(asyncio.Protocol):
    """The deadlines and the connection cap, over either of uvicorn's HTTP protocols."""

    header_seconds: ClassVar[float] = HEADER_SECONDS
    body_idle_seconds: ClassVar[float] = BODY_IDLE_SECONDS
    send_stall_seconds: ClassVar[float] = SEND_STALL_SECONDS

    # Set by uvicorn's protocol (both implementations, with these types).
    transport: asyncio.Transport
    flow: FlowControl
    loop: asyncio.AbstractEventLoop
    limit_concurrency: int | None
    connections: set[Any]

    def __init__(
        self,
        config: Config,
        server_state: ServerState,
        app_state: dict[str, Any],
        _loop: asyncio.AbstractEventLoop | None = None,
    ) -> None:
        # Next in the method order is uvicorn's protocol, whose __init__ takes these; mypy
        # sees only asyncio.Protocol above this class.
        super().__init__(config, server_state, app_state, _loop)  # type: ignore[call-arg]
        self._guard_init()

    def _guard_init(self) -> None:
        """The guard's own state, set once uvicorn's protocol is set up."""
        self._deadline: asyncio.TimerHandle | None = None
        self._awaiting: str | None = None  # "headers" or "body" while that deadline runs
        self._send_deadline: asyncio.TimerHandle | None = None
        #: Since when (loop time) the connection waits for its client, None while it waits
        #: for the app: the oldest waiting one makes room for a newcomer.
        self.waiting_since: float | None = None

    def _client_wait(self) -> Waiting:
        """What the connection now waits for from its client (see ``Waiting``)."""
        raise NotImplementedError

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
            if isinstance(c, _Guard) and c is not self and c.waiting_since is not None
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

    def _after_response(self) -> None:
        """Called once an answer is complete (uvicorn's on_response_complete)."""
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
        waiting = self._client_wait()
        if waiting == "body":
            self._arm("body", self.body_idle_seconds)  # again after every piece
            self._waiting()
        elif waiting is not None:
            # Bytes of a request's headers are buffered (a kept-alive connection's next
            # request began): its deadline starts with its first byte and is not extended.
            if waiting == "headers" and self._awaiting != "headers":
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
        if awaiting == "headers" and self._client_wait() in ("idle", "headers"):
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
        if self._deadline is None and self._client_wait() is None:
            self.waiting_since = None

    def _disarm_send(self) -> None:
        if self._send_deadline is not None:
            self._send_deadline.cancel()
        self._send_deadline = None


class GuardedH11Protocol(_Guard, H11Protocol):
    """H11Protocol with request deadlines and a connection cap (see the module); h11 bounds
    the headers itself (``h11_max_incomplete_event_size``)."""

    def _client_wait(self) -> Waiting:
        state = self.conn.their_state
        if state is h11.SEND_BODY:
            return "body"
        if state is h11.IDLE:
            return "headers" if self.conn.trailing_data[0] else "idle"
        return None

    def data_received(self, data: bytes) -> None:
        super().data_received(data)
        self._follow()

    def on_response_complete(self) -> None:
        H11Protocol.on_response_complete(self)
        self._after_response()


if HttpToolsProtocol is not None:

    class GuardedHttpToolsProtocol(_Guard, HttpToolsProtocol):
        """HttpToolsProtocol with a bound on the headers, request deadlines and a connection
        cap (see the module).

        httptools keeps a request's header fields in memory for as long as they arrive, so
        the headers are measured here before the parser sees them: this protocol finds
        where each request's headers end (the first blank line) and feeds the parser only
        what is within MAX_HEADER_BYTES of the request's first byte.
        """

        def _guard_init(self) -> None:
            super()._guard_init()
            self.max_header_bytes = MAX_HEADER_BYTES
            #: True while the connection waits for (the rest of) a request's headers.
            self._in_head = True
            #: Bytes of the current request's line and headers received so far.
            self._head_bytes = 0
            #: The last bytes of them (a blank line may be split between two reads).
            self._head_tail = b""
            #: Bytes of the current request's body still to come (None: chunked).
            self._body_left: int | None = 0
            #: True from a request's first byte until its headers are complete.
            self._headers_open = False
            #: Set once a request's headers passed the limit: it is answered 400 and closed.
            self._refusing = False

        def _client_wait(self) -> Waiting:
            if not self._in_head:
                return "body"
            if self.cycle is not None and not self.cycle.response_complete:
                return None  # the app's turn (a pipelined request waits for it)
            return "headers" if self._head_bytes else "idle"

        # -- the parser's callbacks, which tell where a request is -------------------------

        def on_message_begin(self) -> None:
            super().on_message_begin()
            self._headers_open = True

        def on_headers_complete(self) -> None:
            self._in_head = self._headers_open = False
            self._head_bytes = 0
            self._head_tail = b""
            self._body_left = self._content_length()
            super().on_headers_complete()

        def on_message_complete(self) -> None:
            self._in_head = True
            super().on_message_complete()

        def _content_length(self) -> int | None:
            # The parser has checked the headers: one Content-Length of digits at most, and
            # not beside Transfer-Encoding.
            for name, value in self.headers:
                if name == b"content-length":
                    return int(value)
                if name == b"transfer-encoding":
                    return None
            return 0

        # -- reading -----------------------------------------------------------------------

        def data_received(self, data: bytes) -> None:
            if self._refusing:
                return  # headers past the limit: refused once the answers before are sent
            size = len(data)
            at = 0
            while at < size and not self.transport.is_closing():
                if self._in_head:
                    end = self._head_end(data, at)
                    if end < 0:
                        if not self._take_head(size - at):
                            return
                        self._head_tail = (self._head_tail + data[max(at, size - 3) :])[-3:]
                        self._feed(data[at:] if at else data)
                        break
                    if not self._take_head(end - at):
                        return
                    self._head_tail = b""
                    piece = data[at:end] if at or end < size else data
                else:
                    # The body: to its end when its length is known, so that a request
                    # pipelined behind it is measured from its first byte. A chunked body's
                    # end is found by the parser only, so it gets pieces of at most the
                    # header limit: a request that begins in one and whose headers go on
                    # past it is charged the whole piece (a little more than its own bytes),
                    # and one whose headers end in it is within the limit.
                    left = self._body_left
                    if left:
                        end = min(size, at + left)
                        self._body_left = left - (end - at)
                    else:
                        end = min(size, at + self.max_header_bytes)
                    piece = data[at:end] if at or end < size else data
                    if not self._feed(piece):
                        break
                    if not left and self._headers_open:
                        if not self._take_head(len(piece)):
                            return
                        self._head_tail = piece[-3:]
                    at = end
                    continue
                if not self._feed(piece):
                    break
                at = end
            self._follow()

        def _head_end(self, data: bytes, at: int) -> int:
            """Where in ``data`` the blank line ending the current headers ends (-1: not in
            it), looking from ``at`` and across the end of the previous read."""
            tail = self._head_tail
            if tail:
                joined = tail + data[at : at + 3]
                found = joined.find(_END_OF_HEADERS)
                if found >= 0:
                    return at + found + 4 - len(tail)
            found = data.find(_END_OF_HEADERS, at)
            return found + 4 if found >= 0 else -1

        def _take_head(self, count: int) -> bool:
            """Count ``count`` more bytes of the current headers; False (and the connection
            refused) when that passes the limit."""
            self._head_bytes += count
            if self._head_bytes <= self.max_header_bytes:
                return True
            self._refusing = True
            if self.cycle is not None and not self.cycle.response_complete:
                # Answers to earlier (pipelined) requests are due first: the refusal follows
                # them, and nothing more is read meanwhile.
                self.flow.pause_reading()
            else:
                self._refuse()
            return False

        def _refuse(self) -> None:
            self.transport.write(_TOO_LARGE)
            self.drop()

        def _feed(self, piece: bytes) -> bool:
            """Parse ``piece`` as uvicorn does; False when the rest of the read is not to be
            parsed (an error answered, the connection closing, or an upgrade)."""
            HttpToolsProtocol.data_received(self, piece)
            return not self.transport.is_closing() and not (
                self.parser is not None and self.parser.should_upgrade()
            )

        def on_response_complete(self) -> None:
            HttpToolsProtocol.on_response_complete(self)
            if self._refusing and not self.transport.is_closing():
                if self.cycle.response_complete:  # the last request before the refused one
                    self._refuse()
                else:
                    self.flow.pause_reading()  # uvicorn resumed it for the next request
                return
            self._after_response()

    #: The protocol ``serve`` runs (see the module).
    GuardedProtocol: type[_Guard] = GuardedHttpToolsProtocol
else:  # pragma: no cover
    GuardedProtocol = GuardedH11Protocol
