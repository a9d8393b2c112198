"""Check a built sdist against the rules PyPI enforces at upload time (PEP 625 and metadata)."""

from __future__ import annotations

import re
import tarfile
from dataclasses import dataclass
from email.parser import HeaderParser
from pathlib import Path

from packaging.metadata import ExceptionGroup as _ExceptionGroup
from packaging.metadata import InvalidMetadata, Metadata
from packaging.utils import canonicalize_name
from packaging.version import InvalidVersion, Version

from ..errors import ValidationError
from ..names.normalize import sdist_filename_stem

ACCEPTED_METADATA_VERSIONS = ("2.2", "2.3", "2.4", "2.5")
MAX_SUMMARY = 512
#: A placeholder sdist holds 7 files and a PKG-INFO of a few KiB: an archive past these is
#: not one, and is refused before it is read whole (a tar of a million members, a PKG-INFO
#: that inflates to gigabytes).
MAX_MEMBERS = 64
MAX_PKG_INFO_BYTES = 1024 * 1024
_FILENAME = re.compile(r"^(?P<stem>[a-z0-9_]+?)-(?P<version>[^-/]+)\.tar\.gz\Z")


@dataclass(frozen=True)
class SdistInfo:
    """What validation learnt about a valid sdist."""

    path: Path
    name: str
    version: str
    summary: str


def validate_sdist(path: Path) -> SdistInfo:
    """Return what the sdist declares, or raise ValidationError naming the broken rule."""
    match = _FILENAME.match(path.name)
    if match is None:
        raise ValidationError(
            f"{path.name}: not a PEP 625 sdist file name "
            "(lowercase name with '_' separators, '-', version, '.tar.gz')"
        )
    base = path.name[: -len(".tar.gz")]
    try:
        with tarfile.open(path, mode="r:gz") as tar:
            members = _members(path, tar)
            pkg_info = _read_pkg_info(path, tar, members, base)
    except (tarfile.TarError, OSError, EOFError) as exc:
        raise ValidationError(f"{path.name}: not a readable .tar.gz ({exc})") from None
    return _check_metadata(path, pkg_info, match.group("stem"), match.group("version"))


def _members(path: Path, tar: tarfile.TarFile) -> list[tarfile.TarInfo]:
    members: list[tarfile.TarInfo] = []
    for member in tar:  # one header at a time, not getmembers()' whole list
        if len(members) == MAX_MEMBERS:
            raise ValidationError(f"{path.name}: more than {MAX_MEMBERS} files: not a placeholder")
        members.append(member)
    return members


def _read_pkg_info(
    path: Path, tar: tarfile.TarFile, members: list[tarfile.TarInfo], base: str
) -> str:
    tops = {m.name.split("/", 1)[0] for m in members}
    if tops != {base}:
        raise ValidationError(
            f"{path.name}: must hold one top-level directory {base}/, found {sorted(tops)[:3]}"
        )
    for member in members:
        if member.issym() or member.islnk() or ".." in member.name.split("/"):
            raise ValidationError(f"{path.name}: unsafe archive member {member.name!r}")
    try:
        handle = tar.extractfile(f"{base}/PKG-INFO")
    except KeyError:
        handle = None
    if handle is None:
        raise ValidationError(f"{path.name}: no {base}/PKG-INFO")
    data = handle.read(MAX_PKG_INFO_BYTES + 1)
    if len(data) > MAX_PKG_INFO_BYTES:
        raise ValidationError(f"{path.name}: PKG-INFO is larger than 1 MiB: not a placeholder")
    try:
        return data.decode("utf-8")
    except UnicodeDecodeError:
        raise ValidationError(f"{path.name}: PKG-INFO is not UTF-8") from None


def _check_metadata(path: Path, pkg_info: str, stem: str, file_version: str) -> SdistInfo:
    headers = HeaderParser().parsestr(pkg_info)
    declared = (headers.get("Metadata-Version") or "").strip()
    if declared not in ACCEPTED_METADATA_VERSIONS:
        raise ValidationError(
            f"{path.name}: Metadata-Version {declared or '(missing)'} is not accepted "
            f"(PyPI takes {', '.join(ACCEPTED_METADATA_VERSIONS)})"
        )
    try:
        metadata = Metadata.from_email(pkg_info, validate=True)
    except (InvalidMetadata, _ExceptionGroup) as exc:
        raise ValidationError(f"{path.name}: PKG-INFO does not parse ({exc})") from None
    if sdist_filename_stem(metadata.name) != stem:
        raise ValidationError(
            f"{path.name}: file name does not match project {metadata.name!r} "
            f"(expected {sdist_filename_stem(metadata.name)}-...)"
        )
    try:
        if str(Version(file_version)) != file_version or metadata.version != Version(file_version):
            raise ValidationError(
                f"{path.name}: file version {file_version} differs from PKG-INFO "
                f"version {metadata.version}"
            )
    except InvalidVersion:
        raise ValidationError(f"{path.name}: invalid version {file_version!r}") from None
    summary = metadata.summary or ""
    if len(summary) > MAX_SUMMARY or "\n" in summary:
        raise ValidationError(
            f"{path.name}: summary is {len(summary)} characters (at most {MAX_SUMMARY}, one line)"
        )
    return SdistInfo(path, str(canonicalize_name(metadata.name)), file_version, summary)
