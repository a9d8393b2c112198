"""The one fake of a registry's HTTP API for the tests: answers set per path, given through an
httpx transport to code that takes one, or served on loopback to a command run end to end.

pypiserver (the ``local_index`` and ``fresh_index`` fixtures) is the index wherever a real
one can answer; it cannot answer what the tests here need: PyPI's JSON (the PEP 691 listing
with ``_last-serial``, the top-packages JSON that ``--corpus`` and ``--top`` read), an index
that serves a page per name but no listing, a login page or a broken body where the listing
should be, validators and Cache-Control chosen by the test, or the webhook ``watch`` posts to.
Upload faults are tests/upload/faultserver.py's.
"""

from __future__ import annotations

import threading
import time
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

import httpx

#: A host for the transport's URLs: ``.invalid`` never resolves, so a request that missed the
#: transport fails at once instead of reaching a network.
HOST = "https://index.invalid"


@dataclass
class Route:
    """What the fake answers on one path."""

    body: bytes = b""
    status: int = 200
    headers: dict[str, str] = field(default_factory=dict)
    etag: str | None = None
    """When set, sent as ETag; a request with a matching If-None-Match gets 304."""
    delay: float = 0.0
    """Seconds the answer takes: the loopback server waits them; the transport, which cannot
    keep a client waiting, raises the client's read timeout when that is shorter."""


@dataclass(frozen=True)
class Request:
    """A request as the fake received it."""

    method: str
    path: str
    headers: dict[str, str]
    """Lower-case names."""
    body: bytes


class FakeIndex:
    """Routes by path (anything else is 404) and every request received, in order.

    ``transport()`` answers in process; as a context manager it also serves on ``url``.
    """

    def __init__(self) -> None:
        self.routes: dict[str, Route] = {}
        self.requests: list[Request] = []
        self._lock = threading.Lock()
        self._server: ThreadingHTTPServer | None = None

    def answer(self, request: Request) -> tuple[Route, int, dict[str, str]]:
        """Record ``request``; its route, the status and the headers to send."""
        with self._lock:
            self.requests.append(request)
            route = self.routes.get(request.path)
        if route is None:
            return Route(b"not found"), 404, {}
        headers = dict(route.headers)
        if route.etag is not None:
            headers["ETag"] = route.etag
            if request.headers.get("if-none-match") == route.etag:
                return route, 304, headers
        return route, route.status, headers

    # -- in process ---------------------------------------------------------------------

    def transport(self) -> httpx.MockTransport:
        """An httpx transport answering from the routes (URLs on any host, e.g. ``HOST``)."""

        def handle(request: httpx.Request) -> httpx.Response:
            route, status, headers = self.answer(
                Request(request.method, request.url.path,
                        {k.lower(): v for k, v in request.headers.items()}, request.read())
            )  # fmt: skip
            read_timeout = request.extensions.get("timeout", {}).get("read")
            if route.delay and read_timeout is not None and route.delay > read_timeout:
                raise httpx.ReadTimeout("the fake index answers too late", request=request)
            body = b"" if status == 304 else route.body
            return httpx.Response(status, headers=headers, content=body)

        return httpx.MockTransport(handle)

    # -- on loopback --------------------------------------------------------------------

    @property
    def url(self) -> str:
        assert self._server is not None, "use the FakeIndex as a context manager to serve it"
        return f"http://127.0.0.1:{self._server.server_address[1]}"

    def __enter__(self) -> FakeIndex:
        fake = self

        class Handler(BaseHTTPRequestHandler):
            def do_GET(self) -> None:
                self._reply(b"")

            def do_POST(self) -> None:
                self._reply(self.rfile.read(int(self.headers.get("Content-Length") or 0)))

            def _reply(self, body: bytes) -> None:
                headers = {k.lower(): v for k, v in self.headers.items()}
                route, status, send = fake.answer(
                    Request(self.command, self.path.split("?")[0], headers, body)
                )
                time.sleep(route.delay)
                self.send_response(status)
                for key, value in send.items():
                    self.send_header(key, value)
                content = b"" if status == 304 else route.body
                self.send_header("Content-Length", str(len(content)))
                self.end_headers()
                self.wfile.write(content)

            def log_message(self, format: str, *args: object) -> None:
                pass  # the command under test writes to the same stderr

        self._server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self._server.daemon_threads = True
        threading.Thread(target=self._server.serve_forever, daemon=True).start()
        return self

    def __exit__(self, *exc: object) -> None:
        assert self._server is not None
        self._server.shutdown()
        self._server.server_close()
        self._server = None
