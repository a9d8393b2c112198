"""What a volunteer sets once: ``reserver.toml`` or ``[tool.reserver]`` in ``pyproject.toml``.

Command-line options override the file; the file overrides the defaults. ``resolve`` keeps
where each value came from, so ``reserver config`` can show it.
"""

from __future__ import annotations

import logging
from collections.abc import Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from ._files import MIB, TomlError, parse_toml, read_text_file
from .errors import ReserverError, excerpt
from .plan.holder import Holder

logger = logging.getLogger(__name__)


@dataclass(frozen=True)
class Setting:
    """One configuration key: its default, its type and what it means."""

    default: Any
    """The value when neither the file nor the command line gives one."""
    kind: type
    """What a given value must be: ``int``, ``str``, or ``list`` (of strings)."""
    help: str


SETTINGS: dict[str, Setting] = {
    "holder": Setting(Holder.name, str, "who holds the reserved names"),
    "contact": Setting(Holder.contact, str, "email or URL where a project can ask for a name"),
    "homepage": Setting(Holder.url, str, "page explaining the reservation effort"),
    "repository": Setting(None, str, "default upload endpoint (repository URL)"),
    "rate": Setting(None, str, "upload pacing for new projects, e.g. '20/hour'"),
    "budget": Setting(25, int, "names to reserve per target"),
    "stats_url": Setting(None, str, "stats service that placeholders ping (opt-in)"),
    "keyboard_layouts": Setting(["qwerty"], list, "keyboard layouts for typo generation"),
    "allow": Setting([], list, "names never reported by check/watch"),
}

FILE_NAMES = ("reserver.toml", "pyproject.toml")


@dataclass(frozen=True)
class Resolved:
    """A configuration value and where it came from."""

    value: Any
    source: str


@dataclass(frozen=True)
class Config:
    """The effective configuration: every known key, resolved."""

    values: Mapping[str, Resolved]

    def __getitem__(self, key: str) -> Any:
        return self.values[key].value

    def holder(self) -> Holder:
        return Holder(self["holder"], self["contact"], self["homepage"])


#: Largest configuration file read (the pyproject.toml it may live in included).
MAX_CONFIG_BYTES = 16 * MIB


def _read_toml(path: Path) -> dict[str, Any]:
    text = read_text_file(path, "configuration file", limit=MAX_CONFIG_BYTES)
    try:
        return parse_toml(text)
    except TomlError as exc:
        raise ReserverError(f"{path}: invalid TOML ({exc})") from None


def _section(path: Path, data: dict[str, Any]) -> dict[str, Any] | None:
    """The reserver settings in a file: all of reserver.toml, or pyproject's [tool.reserver]."""
    if path.name == "pyproject.toml":
        tool = data.get("tool")  # any TOML value: "tool = 5" is valid TOML
        section = tool.get("reserver") if isinstance(tool, dict) else None
        return section if isinstance(section, dict) else None
    return data


def find_config_file(start: Path) -> tuple[Path, dict[str, Any]] | None:
    """The first of reserver.toml / pyproject.toml (with [tool.reserver]) in ``start``."""
    for name in FILE_NAMES:
        path = start / name
        if path.is_file():
            section = _section(path, _read_toml(path))
            if section is not None:
                return path, section
    return None


def _check(path: str, key: str, value: Any) -> Any:
    setting = SETTINGS.get(key)
    if setting is None:
        known = ", ".join(sorted(SETTINGS))
        raise ReserverError(f"{path}: unknown key {excerpt(key)} (known keys: {known})")
    if setting.kind is int and (isinstance(value, bool) or not isinstance(value, int)):
        raise ReserverError(f"{path}: {key} must be a whole number, not {excerpt(value)}")
    if setting.kind is str and not isinstance(value, str):
        raise ReserverError(f"{path}: {key} must be a string, not {excerpt(value)}")
    if setting.kind is list and not (
        isinstance(value, list) and all(isinstance(v, str) for v in value)
    ):
        raise ReserverError(f"{path}: {key} must be a list of strings")
    return value


def resolve(
    overrides: Mapping[str, Any] | None = None,
    start: Path | None = None,
    config_file: Path | None = None,
) -> Config:
    """Defaults, then the configuration file, then ``overrides`` (options that were given)."""
    values = {key: Resolved(s.default, "default") for key, s in SETTINGS.items()}
    found: tuple[Path, dict[str, Any]] | None
    if config_file is not None:
        if not config_file.is_file():
            raise ReserverError(f"{config_file}: no such configuration file")
        found = (config_file, _section(config_file, _read_toml(config_file)) or {})
    else:
        found = find_config_file(start or Path.cwd())
    if found is not None:
        path, section = found
        label = f"{path} [tool.reserver]" if path.name == "pyproject.toml" else str(path)
        logger.debug("configuration: %s", label)
        for key, value in section.items():
            values[key] = Resolved(_check(label, key, value), label)
    for key, value in (overrides or {}).items():
        if value is not None:
            values[key] = Resolved(_check("command line", key, value), "command line")
    config = Config(values)
    config.holder()  # validate the holder fields together, with the Holder's own messages
    return config
