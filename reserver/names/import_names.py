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
