"""A registry that misbehaves on purpose: PyPI's legacy upload protocol plus scripted faults.

It stores uploads in memory, serves PEP 503 pages with sha256 fragments (so the uploader's
index check works against it as against any index), and answers like PyPI: an identical
re-upload is 200, other bytes under an existing file name are ``400 File already exists``,
bad credentials are 403. On top of that a script, per name and in order of attempts, makes
uploads fail: ``429`` (``429:SECONDS`` sets Retry-After, ``429-bare`` sends none), ``500``,
``503``, ``slow:SECONDS`` (answer late, then store), ``drop`` (close without answering) and
``drop-after-store`` (store, then close: the upload arrived but its answer was lost).
``refuse`` gives a name a permanent answer (``400 ... too similar``, ``403 ... isn't allowed``),
and ``window=(count, seconds)`` enforces a new-project limit in a sliding window, with 429.
``private=True`` makes reads need the upload login too (401 without it), as on a private
index; every read is logged in ``reads`` with the login it carried.
"""

from __future__ import annotations

import base64
import contextlib
import hashlib
import html
import math
import re
import socket
import threading
import time
from collections import deque
from dataclasses import dataclass, field
from email.message import Message
from email.parser import BytesParser
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from types import TracebackType

_SEPARATORS = re.compile(r"[-_.]+")


def canonical(name: str) -> str:
    return _SEPARATORS.sub("-", name).lower()


@dataclass(frozen=True)
class Logged:
    """One upload request as the server saw it."""

    at: float
    """time.monotonic() when the server decided the answer."""
    name: str
    filename: str
    answer: str
    """The status code sent, or "drop"."""


@dataclass
class FaultServer:
    """The registry; use as a context manager. ``url`` is the upload endpoint."""

    script: dict[str, list[str]] = field(default_factory=dict)
    refuse: dict[str, tuple[int, str]] = field(default_factory=dict)
    window: tuple[int, float] | None = None
    username: str = "reserver"
    password: str = "s3cret-token"
    private: bool = False

    def __post_init__(self) -> None:
        self.files: dict[str, bytes] = {}
        self.projects: dict[str, set[str]] = {}
        self.log: list[Logged] = []
        self.reads: list[tuple[str, str | None]] = []
        """(path, Authorization header) of every GET."""
        self._script = {canonical(k): deque(v) for k, v in self.script.items()}
        self._refuse = {canonical(k): v for k, v in self.refuse.items()}
        self._created: deque[float] = deque()
        self._lock = threading.Lock()
        self._server: ThreadingHTTPServer | None = None
        self._thread: threading.Thread | None = None

    # -- lifecycle ----------------------------------------------------------------------

    @property
    def port(self) -> int:
        assert self._server is not None
        return int(self._server.server_address[1])

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.port}/legacy/"

    @property
    def simple_url(self) -> str:
        return f"http://127.0.0.1:{self.port}/simple/"

    def __enter__(self) -> FaultServer:
        owner = self

        class Handler(_Handler):
            server_state = owner

        self._server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self._server.daemon_threads = True
        self._thread = threading.Thread(target=self._server.serve_forever, daemon=True)
        self._thread.start()
        return self

    def __exit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        tb: TracebackType | None,
    ) -> None:
        assert self._server is not None and self._thread is not None
        self._server.shutdown()
        self._server.server_close()
        self._thread.join(timeout=5)

    # -- what tests read ----------------------------------------------------------------

    def answers(self, answer: str) -> list[Logged]:
        return [entry for entry in self.log if entry.answer == answer]

    def sha256(self, filename: str) -> str:
        return hashlib.sha256(self.files[filename]).hexdigest()

    # -- the registry -------------------------------------------------------------------

    def next_action(self, name: str) -> str:
        with self._lock:
            queue = self._script.get(canonical(name))
            return queue.popleft() if queue else "ok"

    def accept(self, name: str, filename: str, content: bytes) -> tuple[int, str, float | None]:
        """Store an upload as PyPI would; (status, reason, retry-after)."""
        key = canonical(name)
        with self._lock:
            if key in self._refuse:
                status, reason = self._refuse[key]
                return status, reason, None
            existing = self.files.get(filename)
            if existing is not None:
                if existing == content:
                    return 200, "OK", None
                return 400, "File already exists.", None
            new_project = key not in self.projects
            if new_project and self.window is not None:
                count, period = self.window
                now = time.monotonic()
                while self._created and self._created[0] <= now - period:
                    self._created.popleft()
                if len(self._created) >= count:
                    wait = self._created[0] + period - now
                    return 429, "Too many new projects created", float(math.ceil(wait))
                self._created.append(now)
            self.files[filename] = content
            self.projects.setdefault(key, set()).add(filename)
            return 200, "OK", None

    def authorised(self, header: str | None) -> bool:
        expected = base64.b64encode(f"{self.username}:{self.password}".encode()).decode()
        return header == f"Basic {expected}"


class _Handler(BaseHTTPRequestHandler):
    protocol_version = "HTTP/1.1"
    server_state: FaultServer

    def log_message(self, format: str, *args: object) -> None:
        pass  # keep test output clean

    # -- plumbing -----------------------------------------------------------------------

    def _send(
        self, status: int, reason: str, body: bytes = b"", headers: dict[str, str] | None = None
    ) -> None:
        self.send_response(status, reason)
        for key, value in (headers or {}).items():
            self.send_header(key, value)
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        self.wfile.write(body)

    def _drop(self) -> None:
        self.close_connection = True
        self.wfile.flush()
        self.connection.shutdown(socket.SHUT_RDWR)

    def _log(self, name: str, filename: str, answer: str) -> None:
        state = self.server_state
        with state._lock:
            state.log.append(Logged(time.monotonic(), name, filename, answer))

    # -- reads --------------------------------------------------------------------------

    def do_GET(self) -> None:
        state = self.server_state
        login = self.headers.get("Authorization")
        with state._lock:
            state.reads.append((self.path, login))
        if state.private and not state.authorised(login):
            self._send(401, "Unauthorized", b"", {"WWW-Authenticate": 'Basic realm="index"'})
            return
        parts = [p for p in self.path.split("?")[0].split("/") if p]
        with state._lock:
            projects = {k: sorted(v) for k, v in state.projects.items()}
        if parts == ["simple"]:
            links = "".join(f'<a href="{p}/">{p}</a>\n' for p in sorted(projects))
            self._page("Simple index", links)
        elif len(parts) == 2 and parts[0] == "simple" and parts[1] in projects:
            links = "".join(
                f'<a href="/packages/{html.escape(f)}#sha256={state.sha256(f)}">'
                f"{html.escape(f)}</a>\n"
                for f in projects[parts[1]]
            )
            self._page(f"Links for {parts[1]}", links)
        elif len(parts) == 2 and parts[0] == "packages" and parts[1] in state.files:
            self._send(200, "OK", state.files[parts[1]], {"Content-Type": "application/gzip"})
        else:
            self._send(404, "Not Found", b"not found", {"Content-Type": "text/plain"})

    def _page(self, title: str, links: str) -> None:
        body = (
            f"<!DOCTYPE html><html><head><title>{title}</title></head><body>\n{links}</body></html>"
        )
        self._send(200, "OK", body.encode(), {"Content-Type": "text/html"})

    # -- uploads ------------------------------------------------------------------------

    def do_POST(self) -> None:
        state = self.server_state
        length = int(self.headers.get("Content-Length", "0"))
        body = self.rfile.read(length)
        if self.path.split("?")[0] != "/legacy/":
            self._send(405, "Method Not Allowed", b"", {"Allow": "GET"})
            return
        if not state.authorised(self.headers.get("Authorization")):
            self._log("", "", "403")
            self._send(403, "Invalid or non-existent authentication information.")
            return
        form = _parse_form(self.headers.get("Content-Type", ""), body)
        name = str(form.get("name", ""))
        upload = form.get("content")
        if not name or not isinstance(upload, tuple):
            self._send(400, "Upload payload does not have a file.")
            return
        filename, content = upload
        action = state.next_action(name)
        if action.startswith("slow:"):
            time.sleep(float(action.split(":", 1)[1]))
            action = "ok"
        if action == "drop":
            self._log(name, filename, "drop")
            self._drop()
            return
        if action.startswith("429"):
            self._log(name, filename, "429")
            headers = (
                {} if action == "429-bare" else {"Retry-After": action.partition(":")[2] or "1"}
            )
            self._send(429, "Too many new projects created", b"", headers)
            return
        if action in ("500", "502", "503"):
            self._log(name, filename, action)
            self._send(int(action), {"500": "Internal Server Error", "502": "Bad Gateway",
                                     "503": "Service Unavailable"}[action])  # fmt: skip
            return
        status, reason, retry_after = state.accept(name, filename, content)
        self._log(name, filename, str(status))
        if action == "drop-after-store":
            self._drop()
            return
        headers = {"Retry-After": f"{retry_after:g}"} if retry_after is not None else {}
        # A "slow" answer may find the client gone; that is the point of it.
        with contextlib.suppress(BrokenPipeError, ConnectionResetError):
            self._send(status, reason, b"", headers)


def _parse_form(content_type: str, body: bytes) -> dict[str, str | tuple[str, bytes]]:
    """multipart/form-data fields; a file field becomes (filename, bytes)."""
    message = BytesParser().parsebytes(
        f"Content-Type: {content_type}\r\nMIME-Version: 1.0\r\n\r\n".encode() + body
    )
    fields: dict[str, str | tuple[str, bytes]] = {}
    if not message.is_multipart():
        return fields
    for part in message.get_payload():
        assert isinstance(part, Message)
        key = part.get_param("name", header="content-disposition")
        if not isinstance(key, str):
            continue
        payload = part.get_payload(decode=True)
        data = payload if isinstance(payload, bytes) else b""
        filename = part.get_filename()
        if filename is not None:
            fields[key] = (filename, data)
        elif key not in fields:
            fields[key] = data.decode("utf-8", "replace")
    return fields
