"""What a ping and a name registration may carry, checked strictly before anything is stored."""

from __future__ import annotations

import re
from dataclasses import dataclass
from functools import lru_cache
from typing import Annotated, Literal, get_args

from pydantic import BaseModel, ConfigDict, Field, StringConstraints, model_validator

from ..names.normalize import canonicalize, name_problem

#: A ping is about 120 bytes; anything much larger is not a placeholder talking.
MAX_PING_BYTES = 1024
#: A registration of a large plan stays well under this.
MAX_REGISTER_BYTES = 8 * 1024 * 1024
MAX_NAMES_PER_REGISTRATION = 50_000

Installer = Literal[
    "pip", "uv", "uv-pip", "poetry", "pdm", "pipx", "pipenv", "piptools", "hatch", "other"
]
#: The same names the placeholder sends (reserver.placeholder.message.INSTALLERS).
INSTALLERS: tuple[str, ...] = get_args(Installer)
CATEGORIES: tuple[str, ...] = ("typo", "import", "stdlib", "removed", "internal")

# The same syntax an index accepts; checked again with name_problem for the length rules.
_NAME_PATTERN = r"^[A-Za-z0-9](?:[A-Za-z0-9._-]{0,98}[A-Za-z0-9])?$"
PackageName = Annotated[
    str, StringConstraints(strict=True, min_length=1, max_length=100, pattern=_NAME_PATTERN)
]
# Placeholder versions are plain final releases; the pattern keeps junk out of the counts.
Version = Annotated[
    str,
    StringConstraints(strict=True, min_length=1, max_length=32, pattern=r"^[0-9]+(\.[0-9]+){0,4}$"),
]
PythonVersion = Annotated[
    str, StringConstraints(strict=True, min_length=3, max_length=5, pattern=r"^[2-9]\.[0-9]{1,2}$")
]


class PingBody(BaseModel):
    """The body a placeholder POSTs to ``/ping``: these five fields and nothing else."""

    model_config = ConfigDict(extra="forbid", strict=True, frozen=True)

    name: PackageName = Field(description="The reserved name whose install was blocked.")
    version: Version = Field(description="The placeholder's version.")
    installer: Installer = Field(
        description="Which installer ran the build: pip, uv (uv-pip for `uv pip`), poetry, "
        "pdm, pipx, pipenv, piptools, hatch or other."
    )
    python: PythonVersion = Field(description="Python major.minor, e.g. 3.12.")
    ci: bool = Field(description="True when the install ran in automation.")


class RegisteredNameBody(BaseModel):
    """One reserved name as ``reserver stats register`` sends it."""

    model_config = ConfigDict(extra="forbid", strict=True, frozen=True)

    name: PackageName
    target: PackageName | None = None
    category: Literal["typo", "import", "stdlib", "removed", "internal"]
    removed_in: Annotated[str, StringConstraints(pattern=r"^[0-9]+\.[0-9]+$")] | None = None
    replacement: PackageName | None = None
    replacement_in_stdlib: bool = False

    @model_validator(mode="after")
    def _consistent(self) -> RegisteredNameBody:
        # /why would say "You probably meant (standard library)" for a typo with no target,
        # or point a name at itself.
        if self.category in ("typo", "import") and self.target is None:
            raise ValueError(f"{self.name!r} is a {self.category} name and needs its target")
        if self.target is not None and canonicalize(self.target) == canonicalize(self.name):
            raise ValueError(f"{self.name!r} cannot be its own target")
        return self


class HolderBody(BaseModel):
    """Who holds the names, shown on the ``/why`` page (checked again by ``Holder``)."""

    model_config = ConfigDict(extra="forbid", strict=True, frozen=True)

    name: Annotated[str, StringConstraints(min_length=1, max_length=100)]
    contact: Annotated[str, StringConstraints(min_length=3, max_length=200)]
    url: Annotated[str, StringConstraints(min_length=8, max_length=200)]


class RegisterBody(BaseModel):
    """The admin request that makes the service accept pings for these names."""

    model_config = ConfigDict(extra="forbid", strict=True, frozen=True)

    holder: HolderBody
    names: list[RegisteredNameBody] = Field(max_length=MAX_NAMES_PER_REGISTRATION)


@dataclass(frozen=True)
class Ping:
    """An accepted ping, reduced to what is counted (the version is checked, not kept)."""

    name: str
    """The canonical (PEP 503) reserved name."""
    installer: str
    """pip, uv, poetry or other."""
    python: str
    """Python major.minor."""
    ci: bool
    """Whether the install ran in automation."""


@dataclass(frozen=True)
class RegisteredName:
    """A reserved name the service accepts pings for, and what ``/why`` says about it."""

    key: str
    """The canonical name, the key every count is stored under."""
    name: str
    """The name as it was reserved."""
    target: str | None
    category: str
    removed_in: str | None = None
    replacement: str | None = None
    replacement_in_stdlib: bool = False
    holder_name: str = ""
    holder_contact: str = ""
    holder_url: str = ""


@lru_cache(maxsize=65536)
def name_key(name: str) -> str | None:
    """The canonical key of ``name``, or None when no index would accept it as a name.

    >>> name_key("Req_Uests")
    'req-uests'
    >>> name_key("<b>") is None
    True
    """
    if len(name) > 100 or not re.match(_NAME_PATTERN, name) or name_problem(name) is not None:
        return None
    return canonicalize(name)
