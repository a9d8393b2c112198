"""The import names a wheel provides, read from its metadata without installing it."""

from __future__ import annotations

import zipfile
from pathlib import Path

from ..errors import ReserverError
from ..names.import_names import top_level_from_record, top_level_from_text


def import_names_from_wheel(path: Path) -> tuple[str, tuple[str, ...]]:
    """``(distribution, import names)`` read from a wheel's top_level.txt or RECORD."""
    try:
        with zipfile.ZipFile(path) as wheel:
            infos = [n for n in wheel.namelist() if n.count("/") == 1 and ".dist-info/" in n]
            dist_info = next((n.split("/")[0] for n in infos), None)
            if dist_info is None:
                raise ReserverError(f"{path}: not a wheel (no .dist-info directory)")
            members = set(wheel.namelist())
            top_level = f"{dist_info}/top_level.txt"
            if top_level in members:
                names = top_level_from_text(_wheel_text(path, wheel, top_level))
            else:
                names = top_level_from_record(_wheel_text(path, wheel, f"{dist_info}/RECORD"))
            metadata = f"{dist_info}/METADATA"
            declared = None
            if metadata in members:
                text = _wheel_text(path, wheel, metadata)
                declared = next(
                    (line[5:].strip() for line in text.splitlines() if line.startswith("Name:")),
                    None,
                )
    except (OSError, zipfile.BadZipFile, KeyError) as exc:
        raise ReserverError(f"{path}: cannot read wheel ({exc})") from None
    distribution = declared or dist_info.removesuffix(".dist-info").rsplit("-", 1)[0]
    return distribution, names


#: Largest wheel metadata file read (RECORD of a large wheel is a few MiB).
WHEEL_MEMBER_BYTES = 16 * 1024 * 1024


def _wheel_text(path: Path, wheel: zipfile.ZipFile, member: str) -> str:
    """A metadata file of a wheel, refused before it is inflated when it says it is larger
    than any real one (zipfile stops at the size the archive declares)."""
    if wheel.getinfo(member).file_size > WHEEL_MEMBER_BYTES:
        raise ReserverError(f"{path}: {member} is larger than {WHEEL_MEMBER_BYTES // 2**20} MiB")
    return wheel.read(member).decode("utf-8", "replace")
