"""PEP 517 build backend of a reserver placeholder package.

It builds its own sdist, so the placeholder can be uploaded, and refuses every wheel and
editable build with the placeholder's message. It needs nothing but the standard library
(build requirements are empty), so the message appears offline and behind any index.
Keep it free of syntax newer than Python 3.6.
"""

import gzip
import io
import os
import sys
import tarfile

# Fixed so that the same placeholder gives the same sdist bytes on any machine:
# 2020-01-01T00:00:00Z, within the range every archive format accepts.
SOURCE_MTIME = 1577836800
SKIPPED_PARTS = ("__pycache__",)


def _fail():
    here = os.path.dirname(os.path.abspath(__file__))
    if here not in sys.path:
        sys.path.insert(0, here)
    from _placeholder import fail

    fail()


def get_requires_for_build_wheel(config_settings=None):
    _fail()


def prepare_metadata_for_build_wheel(metadata_directory, config_settings=None):
    _fail()


def build_wheel(wheel_directory, config_settings=None, metadata_directory=None):
    _fail()


def get_requires_for_build_editable(config_settings=None):
    _fail()


def prepare_metadata_for_build_editable(metadata_directory, config_settings=None):
    _fail()


def build_editable(wheel_directory, config_settings=None, metadata_directory=None):
    _fail()


def get_requires_for_build_sdist(config_settings=None):
    return []


def make_sdist(base, files):
    """Return the bytes of a reproducible ``base.tar.gz`` holding ``files``.

    ``files`` maps paths relative to the package root to their bytes. Entries are sorted,
    owned by nobody, dated SOURCE_MTIME, and the gzip header carries no name or time.
    The same bytes come out of Python 3.9 to 3.13 (measured); Python 3.8 and older write
    some tar header fields differently, and a zlib other than the reference one (zlib-ng)
    compresses differently.
    """
    raw = io.BytesIO()
    with tarfile.open(fileobj=raw, mode="w", format=tarfile.PAX_FORMAT) as tar:
        for path in sorted(files):
            data = files[path]
            info = tarfile.TarInfo(base + "/" + path)
            info.size = len(data)
            info.mtime = SOURCE_MTIME
            info.mode = 0o644
            info.uid = info.gid = 0
            info.uname = info.gname = ""
            tar.addfile(info, io.BytesIO(data))
    out = io.BytesIO()
    with gzip.GzipFile(filename="", mode="wb", fileobj=out, mtime=0, compresslevel=9) as gz:
        gz.write(raw.getvalue())
    return out.getvalue()


def read_tree(root):
    """The files of the package at ``root`` (bytecode caches left out), as make_sdist wants."""
    files = {}
    for folder, dirs, names in os.walk(root):
        dirs[:] = sorted(d for d in dirs if d not in SKIPPED_PARTS)
        for name in names:
            if name.endswith(".pyc"):
                continue
            full = os.path.join(folder, name)
            rel = os.path.relpath(full, root).replace(os.sep, "/")
            with open(full, "rb") as handle:
                files[rel] = handle.read()
    return files


def sdist_base(pkg_info):
    """``{name}-{version}`` as PEP 625 wants it, read from the PKG-INFO text."""
    fields = {}
    for line in pkg_info.splitlines():
        if not line.strip():
            break
        key, _, value = line.partition(":")
        fields.setdefault(key.strip().lower(), value.strip())
    name = fields["name"]
    stem = "".join("_" if c in "-_." else c for c in name).lower()
    while "__" in stem:
        stem = stem.replace("__", "_")
    return stem + "-" + fields["version"]


def build_sdist(sdist_directory, config_settings=None):
    root = os.path.dirname(os.path.abspath(__file__))
    files = read_tree(root)
    base = sdist_base(files["PKG-INFO"].decode("utf-8"))
    filename = base + ".tar.gz"
    target = os.path.join(sdist_directory, filename)
    partial = target + ".part"
    with open(partial, "wb") as handle:
        handle.write(make_sdist(base, files))
    os.replace(partial, target)
    return filename
