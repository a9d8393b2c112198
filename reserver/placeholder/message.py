"""The words a user sees when an install of a reserved name fails on purpose (pure)."""

from __future__ import annotations

from ..names.stdlib import dropin_for, is_current_stdlib, last_python_with, platform_of
from ..plan.holder import Holder
from ..plan.model import PlanEntry

#: Installers the placeholder can tell apart at build time, and "other" for the rest. "uv"
#: is uv when only its variable says so (a project command or ``uv pip``: both are given);
#: "uv-pip" is ``uv pip``, told apart by its command line. At most 8 characters: the stats
#: service stores them as they are.
INSTALLERS: tuple[str, ...] = (
    "pip", "uv", "uv-pip", "poetry", "pdm", "pipx", "pipenv", "piptools", "hatch", "other",
)  # fmt: skip

#: Each tool's own words for "install this", where one command does it.
_COMMANDS = {
    "uv": "uv add {}",
    "uv-pip": "uv pip install {}",
    "poetry": "poetry add {}",
    "pdm": "pdm add {}",
    "pipx": "pipx install {}",
    "pipenv": "pipenv install {}",
}

#: Tools that install what a file lists: the user edits the file, there is no command to give.
_FILES = {
    "piptools": "Write it in your requirements.in:",
    "hatch": "Write it in your project's dependencies (pyproject.toml):",
}


def install_command(installer: str, distribution: str) -> str:
    """The exact command that installs ``distribution`` with ``installer``; for tools that
    install what a file the user edits lists (see :func:`install_lead`), the name to write.

    >>> install_command("uv", "requests"), install_command("pdm", "requests")
    ('uv add requests', 'pdm add requests')
    >>> install_command("piptools", "requests")
    'requests'
    """
    if installer in _FILES:
        return distribution
    return _COMMANDS.get(installer, "pip install {}").format(distribution)


def install_lead(installer: str) -> str:
    """The words before :func:`install_command`'s line."""
    return _FILES.get(installer, "Install it with:")


def _what_happened(entry: PlanEntry, installer: str) -> list[str]:
    name = entry.name
    if entry.category == "stdlib":
        # One sentence per line: installers print each line as is, a break mid-sentence
        # reads as two messages.
        return [
            f"'{name}' is part of the Python standard library: it ships with Python.",
            *_platform_lines(name),
            f"It needs no install: use it directly (import {name}) and remove it from your "
            "requirements.",
        ]
    if entry.category == "removed":
        lines = [
            f"'{name}' was part of the Python standard library until it was removed in "
            f"Python {entry.removed_in}.",
        ]
        last = last_python_with(name)
        if last is not None:
            lines.append(
                f"Python {last} and older still ship it: there, 'import {name}' needs no install."
            )
        if entry.replacement and entry.replacement_in_stdlib:
            lines.append(f"Use the standard-library module '{entry.replacement}' instead.")
        dropin = dropin_for(name)
        if dropin is not None:
            # The same code, unchanged: what an old project that imports it needs.
            lines.append(f"Its code, unchanged, is published as '{dropin}':")
            lines.extend(_command_lines(installer, dropin))
        if entry.replacement and not entry.replacement_in_stdlib:
            lead = "Or the maintained alternative" if dropin else "A maintained replacement is"
            lines.append(f"{lead} '{entry.replacement}':")
            lines.extend(_command_lines(installer, entry.replacement))
        return lines
    if entry.category == "internal":
        return [
            f"'{name}' is the name of a private package: it is held on this index so that it",
            "never resolves here by mistake (dependency confusion). Install it from your",
            f"organisation's own index: pip install --index-url <your index> {name}",
        ]
    assert entry.target is not None
    if is_current_stdlib(entry.target):
        return [
            f"Did you mean '{entry.target}'? It is part of the Python standard library: it "
            "ships with Python and needs no install.",
            *_platform_lines(entry.target),
            f"Use it directly: import {entry.target}",
        ]
    if entry.category == "import":
        first = (
            f"'{name}' is the import name of '{entry.target}'; the package to install is "
            f"'{entry.target}':"
        )
    else:
        first = f"Did you mean '{entry.target}'? {install_lead(installer)}"
    return [first, *_command_lines(installer, entry.target)]


def _platform_lines(module: str) -> list[str]:
    # A Windows user who typed "pip install pwd" has just seen "import pwd" fail: say why.
    platform = platform_of(module)
    if platform == "Unix":
        return [f"It exists on Unix only (Linux, macOS): Windows has no '{module}' module."]
    if platform == "Windows":
        return [f"It exists on Windows only: Linux and macOS have no '{module}' module."]
    return []


def _command_lines(installer: str, distribution: str) -> list[str]:
    lines = [f"    {install_command(installer, distribution)}"]
    if installer == "uv":
        # UV is set for `uv add` and `uv pip install` alike: where the command line could
        # not be read, give the second form too.
        lines.append(f"    uv pip install {distribution}   (outside a uv project)")
    return lines


def render_message(entry: PlanEntry, holder: Holder, installer: str) -> str:
    """The full message for ``installer``: what to do first, then who holds the name and why."""
    lines = [
        f"The package '{entry.name}' is a placeholder: installation stopped on purpose "
        "and nothing was installed.",
        *_what_happened(entry, installer),
        f"'{entry.name}' is held by {holder.name} to protect users from typosquatting "
        f"({holder.url}).",
    ]
    return "\n".join(lines)


def render_messages(entry: PlanEntry, holder: Holder) -> dict[str, str]:
    """The message for every installer, keyed by installer name."""
    return {installer: render_message(entry, holder, installer) for installer in INSTALLERS}


def summary(entry: PlanEntry) -> str:
    """The one-line index summary; names the intended package, always under 512 characters."""
    if entry.category == "stdlib":
        text = f"Placeholder against typosquatting: '{entry.name}' is in the standard library"
    elif entry.category == "internal":
        text = f"Placeholder against dependency confusion: '{entry.name}' is a private name"
    elif entry.category == "removed":
        text = f"Placeholder against typosquatting: '{entry.name}' was a standard-library module"
        if entry.replacement:
            text += f"; use '{entry.replacement}'"
    else:
        text = f"Placeholder against typosquatting: you probably want '{entry.target}'"
    return text[:512]
