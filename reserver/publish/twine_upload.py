"""Upload sdists with twine's pieces: one process, one HTTP session for a whole batch.

twine resolves the repository and credentials (URL, ``.pypirc``, keyring, environment) and
describes each file (``PackageFile``: metadata and digests). The POST itself is ours: twine's
``Repository.upload`` silently repeats a 5xx up to five times and mounts retrying adapters,
while a batch must decide every retry itself (backoff, index check first, ledger record).
"""

from __future__ import annotations

import contextlib
import email.utils
import io
import math
import os
import ssl
import sys
import time
from collections.abc import Iterator
from dataclasses import dataclass
from http.cookiejar import DefaultCookiePolicy
from pathlib import Path

import requests
from requests.adapters import HTTPAdapter

from .._closing import Closing
from ..errors import UploadError

#: (connect, read) seconds. A placeholder is a few kilobytes; a registry that takes minutes
#: to answer is better treated as a lost answer (the index check then tells what happened).
DEFAULT_TIMEOUT = (10.0, 120.0)


@dataclass(frozen=True)
class UploadResponse:
    """What the registry answered to one upload."""

    status: int
    reason: str
    """The registry's reason phrase; PyPI puts the refusal text here."""
    retry_after: float | None = None
    """Seconds from a Retry-After header, when the registry sent one."""

    @property
    def ok(self) -> bool:
        return 200 <= self.status < 300


@dataclass(frozen=True)
class Credentials:
    """Where to upload and as whom; None fields fall back to twine's own sources."""

    repository_url: str | None = None
    repository_name: str = "pypi"
    username: str | None = None
    password: str | None = None
    config_file: str = "~/.pypirc"

    @classmethod
    def from_environment(
        cls, repository_url: str | None = None, repository_name: str | None = None
    ) -> Credentials:
        """Take TWINE_USERNAME/TWINE_PASSWORD/TWINE_REPOSITORY_URL as twine's CLI does."""
        return cls(
            repository_url=repository_url or os.environ.get("TWINE_REPOSITORY_URL"),
            repository_name=repository_name or os.environ.get("TWINE_REPOSITORY", "pypi"),
            username=os.environ.get("TWINE_USERNAME"),
            password=os.environ.get("TWINE_PASSWORD"),
            config_file=os.environ.get("TWINE_CONFIG_FILE", "~/.pypirc"),
        )


@contextlib.contextmanager
def _quiet() -> Iterator[None]:
    # twine prints as it works; the batch uploader reports progress its own way.
    with contextlib.redirect_stdout(io.StringIO()):
        yield


def _first_line(exc: Exception) -> str:
    return (str(exc).splitlines() or [type(exc).__name__])[0]


def resolve_repository_url(credentials: Credentials) -> str:
    """The upload URL that ``credentials`` point at, without needing a password."""
    from twine import exceptions as twine_exceptions
    from twine import utils

    try:
        config = utils.get_repository_from_config(
            # Unexpanded: twine gives pypi and testpypi built in when its default
            # ~/.pypirc is missing, but only when handed the default as written.
            credentials.config_file,
            credentials.repository_name,
            credentials.repository_url,
        )
    except twine_exceptions.TwineException as exc:
        raise UploadError(f"cannot upload: {_first_line(exc)}") from None
    return str(config["repository"])


#: The longest pause a Retry-After header can ask for: PyPI's new-project limit is counted per
#: hour, so no wait longer than that window is needed, and a hostile or broken answer
#: ("1e9", "inf") must not park a batch for years.
MAX_RETRY_AFTER = 3600.0


def parse_retry_after(value: str | None) -> float | None:
    """Seconds from a Retry-After header (a number of seconds or an HTTP date), between 0 and
    :data:`MAX_RETRY_AFTER`; None when absent or not a finite time.

    >>> parse_retry_after("30"), parse_retry_after("1e9"), parse_retry_after("-5")
    (30.0, 3600.0, 0.0)
    >>> parse_retry_after("inf"), parse_retry_after("nan"), parse_retry_after("soon")
    (None, None, None)
    """
    if value is None:
        return None
    try:
        seconds = float(value)
    except ValueError:
        try:
            when = email.utils.parsedate_to_datetime(value)
        except (TypeError, ValueError, IndexError):
            return None
        seconds = when.timestamp() - time.time()
    if not math.isfinite(seconds):
        return None
    return min(MAX_RETRY_AFTER, max(0.0, seconds))


def httpx_verify(
    verify: bool | str, cert: str | tuple[str, str] | None = None
) -> ssl.SSLContext | bool:
    """requests' TLS settings as httpx's, so that what reads the index trusts what the
    upload trusts: a CA bundle file or folder (``ca_cert`` in .pypirc, REQUESTS_CA_BUNDLE),
    or certifi's as requests has it, and a client certificate (``client_cert``)."""
    if verify is False:
        return False
    if verify is True and cert is None:
        return True
    cafile = verify if isinstance(verify, str) else requests.utils.DEFAULT_CA_BUNDLE_PATH
    try:
        if os.path.isdir(cafile):
            context = ssl.create_default_context(capath=cafile)
        else:
            context = ssl.create_default_context(cafile=cafile)
        if cert is not None:
            context.load_cert_chain(*((cert,) if isinstance(cert, str) else cert))
    except (OSError, ssl.SSLError) as exc:
        raise UploadError(f"cannot read the CA bundle or client certificate ({exc})") from None
    return context


def environment_verify() -> ssl.SSLContext | bool:
    """The trust requests would take from the environment for a session of its own."""
    bundle = os.environ.get("REQUESTS_CA_BUNDLE") or os.environ.get("CURL_CA_BUNDLE")
    return httpx_verify(bundle or True)


class TwineSession(Closing):
    """An open, authenticated connection to one repository, reused for every file."""

    def __init__(
        self,
        credentials: Credentials,
        timeout: tuple[float, float] | float = DEFAULT_TIMEOUT,
    ) -> None:
        from twine import exceptions as twine_exceptions
        from twine.settings import Settings

        try:
            with _quiet():
                settings = Settings(
                    repository_url=credentials.repository_url,
                    repository_name=credentials.repository_name,
                    username=credentials.username,
                    password=credentials.password,
                    config_file=credentials.config_file,
                    # As twine does: in a terminal, ask for a missing token (after the
                    # environment and keyring); unattended, fail with twine's message.
                    non_interactive=not sys.stdin.isatty(),
                    disable_progress_bar=True,
                )
                settings.check_repository_url()
                self._repository = settings.create_repository()
        except twine_exceptions.TwineException as exc:
            raise UploadError(f"cannot upload: {_first_line(exc)}") from None
        self.url: str = self._repository.url
        self.timeout = timeout
        self.session: requests.Session = self._repository.session
        # twine's adapters retry by themselves; every retry here is the batch's decision.
        for scheme in ("http://", "https://"):
            self.session.mount(scheme, HTTPAdapter(max_retries=0))
        # requests re-reads proxy and CA settings from the environment on every request,
        # a measurable share of a fast batch; read them once for this repository instead.
        found = self.session.merge_environment_settings(self.url, {}, None, None, None)
        self.session.proxies.update(found["proxies"])
        if self.session.verify is True:
            self.session.verify = found["verify"]
        self.session.trust_env = False
        # Uploads need no cookies, and a cookie jar that never changes is safe to read from
        # the thread that prepares the next request while this one is being answered.
        self.session.cookies.set_policy(DefaultCookiePolicy(allowed_domains=[]))

    def prepare(self, path: Path) -> requests.PreparedRequest:
        """The complete upload request for one file (metadata, digests, multipart body).

        Pure CPU work, safe in another thread: a batch prepares the next file while the
        registry is still answering the current one.
        """
        from twine.package import PackageFile
        from twine.repository import Repository

        # No _quiet() here: redirecting stdout is process-wide, and this runs beside the
        # thread that reports progress (PackageFile prints only when signing, which we don't).
        package = PackageFile.from_filename(str(path), None)
        fields = Repository._convert_metadata_to_list_of_tuples(package.metadata_dictionary())
        fields += [(":action", "file_upload"), ("protocol_version", "1")]
        content = (package.basefilename, path.read_bytes(), "application/octet-stream")
        request = requests.Request("POST", self.url, data=fields, files={"content": content})
        return self.session.prepare_request(request)

    def upload(self, upload: Path | requests.PreparedRequest) -> UploadResponse:
        """Send one file with the legacy upload protocol.

        Network failures raise ``requests.RequestException``: the caller cannot know whether
        the file arrived, and must look at the index before sending it again.
        """
        prepared = self.prepare(upload) if isinstance(upload, Path) else upload
        response = self.session.send(prepared, allow_redirects=False, timeout=self.timeout)
        response.close()
        retry_after = parse_retry_after(response.headers.get("Retry-After"))
        if response.is_redirect:
            target = response.headers.get("Location", "elsewhere")
            return UploadResponse(response.status_code, f"redirected to {target}")
        return UploadResponse(response.status_code, response.reason or "", retry_after)

    @property
    def auth(self) -> tuple[str, str] | None:
        """The login twine sends with each upload (None: no login)."""
        auth = self.session.auth
        return (str(auth[0]), str(auth[1])) if isinstance(auth, tuple) else None

    def verify(self) -> ssl.SSLContext | bool:
        """The upload's TLS trust and client certificate, for httpx."""
        return httpx_verify(self.session.verify, self.session.cert)

    def close(self) -> None:
        self._repository.close()
