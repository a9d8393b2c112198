"""Import names that differ from the distribution that provides them (``import yaml`` -> PyYAML).

People type the import name into ``pip install``; attackers register it. Keep entries to
mappings that are unambiguous and widely used.
"""

from __future__ import annotations

from .normalize import canonicalize

#: import name -> distribution name.
IMPORT_TO_DISTRIBUTION: dict[str, str] = {
    "sklearn": "scikit-learn",
    "skimage": "scikit-image",
    "yaml": "PyYAML",
    "cv2": "opencv-python",
    "PIL": "pillow",
    "bs4": "beautifulsoup4",
    "dateutil": "python-dateutil",
    "jwt": "PyJWT",
    "dotenv": "python-dotenv",
    "magic": "python-magic",
    "Crypto": "pycryptodome",
    "OpenSSL": "pyOpenSSL",
    "serial": "pyserial",
    "usb": "pyusb",
    "git": "GitPython",
    "github": "PyGithub",
    "gi": "PyGObject",
    "google.protobuf": "protobuf",
    "attr": "attrs",
    "docx": "python-docx",
    "pptx": "python-pptx",
    "fitz": "PyMuPDF",
    "MySQLdb": "mysqlclient",
    "psycopg2": "psycopg2-binary",
    "zmq": "pyzmq",
    "win32api": "pywin32",
    "wx": "wxPython",
    "Levenshtein": "python-Levenshtein",
    "telegram": "python-telegram-bot",
    "discord": "discord.py",
    "slugify": "python-slugify",
    "multipart": "python-multipart",
    "jose": "python-jose",
    "socks": "PySocks",
    "nacl": "PyNaCl",
    "kafka": "kafka-python",
    "ldap": "python-ldap",
    "memcache": "python-memcached",
    "tensorflow_hub": "tensorflow-hub",
    "pkg_resources": "setuptools",
    "google.cloud.storage": "google-cloud-storage",
    "markdown": "Markdown",
    "snappy": "python-snappy",
    "Bio": "biopython",
    "igraph": "python-igraph",
    "Xlib": "python-xlib",
    "ruamel": "ruamel.yaml",
}


def distribution_for_import(name: str) -> str | None:
    """The distribution providing import name ``name``, when the two differ.

    >>> distribution_for_import("sklearn")
    'scikit-learn'
    """
    dist = IMPORT_TO_DISTRIBUTION.get(name)
    if dist is None:
        lowered = {k.lower(): v for k, v in IMPORT_TO_DISTRIBUTION.items()}
        dist = lowered.get(name.lower())
    if dist is None or canonicalize(dist) == canonicalize(name):
        return None
    return dist


def _reverse() -> dict[str, tuple[str, ...]]:
    reverse: dict[str, list[str]] = {}
    for module, dist in IMPORT_TO_DISTRIBUTION.items():
        reverse.setdefault(canonicalize(dist), []).append(module)
    return {dist: tuple(sorted(modules)) for dist, modules in reverse.items()}


_DISTRIBUTION_TO_IMPORTS = _reverse()


def import_names_for(distribution: str) -> tuple[str, ...]:
    """Import names of ``distribution`` that differ from its own name (the maintained mapping).

    >>> import_names_for("scikit-learn")
    ('sklearn',)
    """
    key = canonicalize(distribution)
    return tuple(m for m in _DISTRIBUTION_TO_IMPORTS.get(key, ()) if canonicalize(m) != key)


def top_level_from_text(text: str) -> tuple[str, ...]:
    """Top-level import names listed in a wheel's ``top_level.txt`` (one per line).

    >>> top_level_from_text("yaml\\n_yaml\\n")
    ('yaml',)
    """
    names = {line.strip() for line in text.splitlines()}
    return tuple(sorted(n for n in names if n and not n.startswith("_") and n.isidentifier()))


def top_level_from_record(text: str) -> tuple[str, ...]:
    """Top-level import names derived from the file paths of a wheel's ``RECORD``.

    >>> top_level_from_record("cv2/__init__.py,sha256=x,10\\ncv2/data/a.xml,,\\n"
    ...                       "opencv_python-4.dist-info/RECORD,,\\n")
    ('cv2',)
    """
    names: set[str] = set()
    for line in text.splitlines():
        path = line.split(",", 1)[0].strip()
        if not path or path.startswith(("/", "..")):
            continue
        head, sep, _ = path.partition("/")
        if sep:
            if head.endswith((".dist-info", ".data")):
                continue
            names.add(head)
        elif path.endswith(".py"):
            names.add(path[:-3])
        elif ".cpython-" in path or path.endswith((".so", ".pyd")):
            names.add(path.split(".", 1)[0])
    return tuple(sorted(n for n in names if n.isidentifier() and not n.startswith("_")))
