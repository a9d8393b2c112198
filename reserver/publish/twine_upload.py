"""Upload sdists through twine's Python API: one process, one HTTP session for a whole batch."""

from __future__ import annotations

import contextlib
import io
import os
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from types import TracebackType

from ..errors import UploadError


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
    # twine prints a line per upload; the batch uploader reports progress its own way.
    with contextlib.redirect_stdout(io.StringIO()):
        yield


class TwineSession:
    """An open connection to one repository, reused for every file of a batch."""

    def __init__(self, credentials: Credentials) -> None:
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
                    non_interactive=True,
                    disable_progress_bar=True,
                )
                settings.check_repository_url()
                self._repository = settings.create_repository()
        except twine_exceptions.TwineException as exc:
            raise UploadError(f"cannot upload: {str(exc).splitlines()[0]}") from None
        self.url: str = self._repository.url

    def upload(self, path: Path) -> UploadResponse:
        """Send one file; network failures raise OSError-like exceptions to the caller."""
        from twine.package import PackageFile

        with _quiet():
            package = PackageFile.from_filename(str(path), None)
            response = self._repository.upload(package)
        retry_after: float | None = None
        header = response.headers.get("Retry-After")
        if header is not None:
            with contextlib.suppress(ValueError):
                retry_after = float(header)
        if response.is_redirect:
            return UploadResponse(response.status_code, "redirected: not an upload endpoint")
        return UploadResponse(response.status_code, response.reason or "", retry_after)

    def close(self) -> None:
        self._repository.close()

    def __enter__(self) -> TwineSession:
        return self

    def __exit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        tb: TracebackType | None,
    ) -> None:
        self.close()
