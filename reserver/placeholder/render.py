"""Render a plan entry into the files of its placeholder package (in memory, from templates/)."""

from __future__ import annotations

import re
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path
from typing import Any

import jinja2

from ..errors import ReserverError, excerpt
from ..names.normalize import sdist_filename_stem
from ..names.stdlib import is_current_stdlib
from ..plan.holder import Holder, check_url
from ..plan.model import PlanEntry, check_entry, check_version
from . import ci
from .message import render_messages, summary

PLACEHOLDER_DIR = "placeholder"
#: Files copied byte for byte; everything ending in .j2 is rendered and loses the suffix.
STATIC_FILES = ("_reserver_backend.py", "pyproject.toml", "setup.py")
_MARKDOWN_SPECIAL = re.compile(r"([\\`*_{}\[\]()#+!|<>&])")


def templates_root() -> Path:
    """The templates folder: inside the installed package, or at the top of a source checkout."""
    package_dir = Path(__file__).resolve().parent.parent
    for candidate in (package_dir / "templates", package_dir.parent / "templates"):
        if (candidate / PLACEHOLDER_DIR).is_dir():
            return candidate
    raise ReserverError("placeholder templates not found; reinstall reserver")


def _pyliteral(value: object) -> str:
    # ascii() of str/None (and a tuple of str) is a valid Python literal with every special
    # character escaped, so no caller-supplied text can end the string early.
    if value is None or isinstance(value, str):
        return ascii(value)
    if isinstance(value, tuple) and all(isinstance(item, str) for item in value):
        items = ", ".join(ascii(item) for item in value)
        return f"({items},)" if len(value) == 1 else f"({items})"
    raise TypeError(f"cannot write {type(value).__name__} as a literal")


def _markdown(value: str) -> str:
    return _MARKDOWN_SPECIAL.sub(r"\\\1", value)


def _header(value: object) -> str:
    text = str(value)
    if "\n" in text or "\r" in text:
        raise ReserverError(f"metadata value {text!r} spans several lines")
    return text


@lru_cache(maxsize=4)
def _environment(root: str) -> jinja2.Environment:
    env = jinja2.Environment(
        loader=jinja2.FileSystemLoader(root),
        undefined=jinja2.StrictUndefined,
        keep_trailing_newline=True,
        autoescape=False,
    )
    env.filters["pyliteral"] = _pyliteral
    env.filters["md"] = _markdown
    env.filters["header"] = _header
    return env


@lru_cache(maxsize=4)
def _static_files(root: str) -> tuple[tuple[str, bytes], ...]:
    folder = Path(root) / PLACEHOLDER_DIR
    return tuple((name, (folder / name).read_bytes()) for name in STATIC_FILES)


@dataclass(frozen=True)
class RenderedPackage:
    """The files of one placeholder package, ready to be written or archived."""

    name: str
    version: str
    files: dict[str, bytes]
    """Paths relative to the package root, mapped to their bytes."""

    @property
    def base(self) -> str:
        """``{name}-{version}``: the sdist's top-level folder and file name stem (PEP 625)."""
        return f"{sdist_filename_stem(self.name)}-{self.version}"

    @property
    def sdist_filename(self) -> str:
        return f"{self.base}.tar.gz"

    def write(self, folder: Path) -> Path:
        """Write the package under ``folder/{base}`` and return that directory."""
        root = folder / self.base
        root.mkdir(parents=True, exist_ok=True)
        for rel, data in self.files.items():
            (root / rel).write_bytes(data)
        return root


def render(
    entry: PlanEntry,
    holder: Holder,
    version: str,
    stats_url: str | None = None,
    templates: Path | None = None,
) -> RenderedPackage:
    """Render the placeholder for ``entry``; every value is validated before it is used,
    by the same checks a plan file passes when it is loaded."""
    try:
        check_entry(entry)
        holder.check()
        check_version(version)
    except ReserverError as exc:
        raise ReserverError(f"refusing to render {excerpt(entry.name)}: {exc}") from None
    if stats_url is not None:
        check_url("stats URL", stats_url)
        stats_url = stats_url.rstrip("/")
    root = str(templates or templates_root())
    env = _environment(root)
    context: dict[str, Any] = {
        "name": entry.name,
        "target": entry.target,
        "category": entry.category,
        "removed_in": entry.removed_in,
        "replacement": entry.replacement,
        "replacement_in_stdlib": entry.replacement_in_stdlib,
        "target_in_stdlib": entry.target is not None and is_current_stdlib(entry.target),
        "version": version,
        "holder": holder,
        "stats_url": stats_url,
        "messages": render_messages(entry, holder),
        "summary": summary(entry),
        "ci_skip": ci.SKIP,
        "ci_flag": ci.FLAG,
        "ci_skip_text": ci.described(ci.SKIP),
        "ci_flag_text": ci.described(ci.FLAG),
    }
    files = dict(_static_files(root))
    files["_placeholder.py"] = (
        env.get_template(f"{PLACEHOLDER_DIR}/_placeholder.py.j2").render(context).encode()
    )
    readme = env.get_template(f"{PLACEHOLDER_DIR}/README.md.j2").render(context)
    files["README.md"] = readme.encode()
    pkg_info = env.get_template(f"{PLACEHOLDER_DIR}/PKG-INFO.j2").render(context) + readme
    files["PKG-INFO"] = pkg_info.encode()
    return RenderedPackage(entry.name, version, files)
