"""A base for the resources reserver opens and closes: used with ``with``, closed on leaving."""

from __future__ import annotations

from typing import TypeVar

_Self = TypeVar("_Self", bound="Closing")


class Closing:
    """Entering ``with`` gives the resource itself; leaving it, however, calls ``close``.

    The same as wrapping each use in :func:`contextlib.closing`, written once for the
    ledger, the upload session, the index client and the local index.
    """

    def close(self) -> None:
        raise NotImplementedError

    def __enter__(self: _Self) -> _Self:
        return self

    def __exit__(self, *exc_info: object) -> None:
        self.close()
