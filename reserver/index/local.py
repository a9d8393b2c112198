"""A real local package index (pypiserver) on a free loopback port, for demos and tests."""

from __future__ import annotations

import os
import secrets
import socket
import subprocess
import sys
import tempfile
import time
from pathlib import Path

from .._closing import Closing
from ..errors import ReserverError


def free_port() -> int:
    """A TCP port on 127.0.0.1 that nothing listens on right now."""
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as sock:
        sock.bind(("127.0.0.1", 0))
        port: int = sock.getsockname()[1]
        return port


def write_htpasswd(path: Path, username: str, password: str) -> None:
    """An htpasswd file pypiserver accepts (bcrypt-free, so passlib alone verifies it)."""
    from passlib.apache import HtpasswdFile
    from passlib.context import CryptContext

    # pypiserver checks the password on every upload; sha256_crypt's default 535,000 rounds
    # cost ~0.3 s each and capped a batch at ~3 uploads/s. The password is a random token for
    # a loopback index, so the minimum rounds lose nothing that matters here.
    context = CryptContext(schemes=["sha256_crypt"], sha256_crypt__rounds=1000)
    htpasswd = HtpasswdFile(str(path), new=True, context=context)
    htpasswd.set_password(username, password)
    htpasswd.save()


def wait_for_http(
    url: str, timeout: float = 30.0, process: subprocess.Popen[bytes] | None = None
) -> None:
    """Poll ``url`` until it answers anything, or fail with the reason."""
    import httpx

    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if process is not None and process.poll() is not None:
            raise ReserverError(f"server for {url} exited with status {process.returncode}")
        try:
            httpx.get(url, timeout=1.0)
            return
        except httpx.HTTPError:
            time.sleep(0.05)
    raise ReserverError(f"server at {url} did not answer within {timeout:.0f} s")


def stop_process(process: subprocess.Popen[bytes], timeout: float = 10.0) -> None:
    """Ask a server we started to stop, and make sure it has."""
    if process.poll() is None:
        process.terminate()
        try:
            process.wait(timeout=timeout)
        except subprocess.TimeoutExpired:
            process.kill()
            process.wait()


class LocalIndex(Closing):
    """pypiserver serving ``packages`` with authenticated uploads and no fallback to PyPI."""

    def __init__(
        self,
        packages: Path | None = None,
        username: str = "reserver",
        password: str | None = None,
        port: int | None = None,
    ) -> None:
        self._tmp: tempfile.TemporaryDirectory[str] | None = None
        if packages is None:
            self._tmp = tempfile.TemporaryDirectory(prefix="reserver-index-")
            packages = Path(self._tmp.name) / "packages"
        self.packages = packages
        self.username = username
        self.password = password or secrets.token_urlsafe(16)
        self.port = port or free_port()
        self._process: subprocess.Popen[bytes] | None = None
        self._log: Path | None = None

    @property
    def url(self) -> str:
        """The upload endpoint (what twine calls the repository URL)."""
        return f"http://127.0.0.1:{self.port}/"

    @property
    def simple_url(self) -> str:
        """The PEP 503 simple index, for ``pip install --index-url``."""
        return f"http://127.0.0.1:{self.port}/simple/"

    def start(self) -> LocalIndex:
        self.packages.mkdir(parents=True, exist_ok=True)
        state = Path(tempfile.mkdtemp(prefix="reserver-index-state-"))
        htpasswd = state / "htpasswd"
        write_htpasswd(htpasswd, self.username, self.password)
        self._log = state / "pypiserver.log"
        command = [
            sys.executable, "-m", "pypiserver", "run",
            "-i", "127.0.0.1", "-p", str(self.port),
            "-a", "update", "-P", str(htpasswd),
            "--disable-fallback", "--hash-algo", "sha256",
            str(self.packages),
        ]  # fmt: skip
        with self._log.open("wb") as log:
            self._process = subprocess.Popen(
                command, stdout=log, stderr=subprocess.STDOUT, env={**os.environ}
            )
        try:
            wait_for_http(self.simple_url, process=self._process)
        except ReserverError:
            self.stop()
            raise
        return self

    def stop(self) -> None:
        if self._process is not None:
            stop_process(self._process)
        self._process = None
        if self._tmp is not None:
            self._tmp.cleanup()
            self._tmp = None

    close = stop  # leaving ``with`` stops the server

    def __enter__(self) -> LocalIndex:
        return self.start()
