"""A keyring backend for tests: answers the password in RESERVER_TEST_KEYRING for any service.

Loaded by keyring itself (PYTHON_KEYRING_BACKEND=tests.upload.keyring_backend.EnvKeyring), so
the upload goes through twine's real keyring lookup.
"""

from __future__ import annotations

import os

from keyring.backend import KeyringBackend


class EnvKeyring(KeyringBackend):
    priority = 1  # type: ignore[assignment]

    def get_password(self, service: str, username: str) -> str | None:
        return os.environ.get("RESERVER_TEST_KEYRING")

    def set_password(self, service: str, username: str, password: str) -> None:
        raise NotImplementedError

    def delete_password(self, service: str, username: str) -> None:
        raise NotImplementedError
