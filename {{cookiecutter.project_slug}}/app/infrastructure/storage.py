"""Where uploaded files live: one small interface, a directory or S3 behind it.

``STORAGE_URL`` picks the backend: ``file:///absolute/dir`` (a directory,
``storage_local.py``) or ``s3://bucket[/prefix]`` (any S3-compatible
service, ``storage_s3.py``). Keys are made by the app, never taken from a
client. Every backend raises ``StorageUnavailable`` when the service cannot
be reached, which the error handlers answer with a 503 like a database
outage; a missing key is ``KeyError``.

The S3 backend's module is imported only when ``STORAGE_URL`` says s3:
boto3 takes about half a second to import, which an app on a directory
(and every test of one) should not pay.
"""

import importlib
import tempfile
import unicodedata
from collections.abc import Iterator
from dataclasses import dataclass
from typing import IO, Protocol
from urllib.parse import quote, urlsplit

from flask import Flask, current_app
from werkzeug.http import dump_options_header

# The module of each backend, by STORAGE_URL's scheme; each has ``from_url(url, config)``.
BACKENDS = {
    "file": "app.infrastructure.storage_local",
    "s3": "app.infrastructure.storage_s3",
}
EXTENSION_KEY = "storage"


class StorageUnavailable(Exception):
    """The storage service could not be reached, or failed: answered 503, retried by jobs."""


@dataclass(frozen=True)
class Download:
    """How to hand a stored file to a client: its bytes, or a URL that serves them."""

    stream: IO[bytes] | None = None
    redirect_url: str | None = None


class Storage(Protocol):
    """What every backend does. ``key`` is a relative path made of [a-z0-9/-]."""

    def put(self, key: str, stream: IO[bytes], size: int) -> None:
        """Store ``size`` bytes read from ``stream`` under ``key``."""

    def open(self, key: str, filename: str, content_type: str) -> Download:
        """The file's bytes, or a short-lived URL that answers with ``filename`` as an
        attachment and ``content_type``; ``KeyError`` when there is no such key."""

    def read(self, key: str) -> IO[bytes]:
        """The file's bytes, always through the app (never a redirect); ``KeyError`` when
        there is no such key. For what the app's own pages show (an avatar)."""

    def delete(self, key: str) -> None:
        """Remove ``key``; a key that is already gone is not an error."""

    def exists(self, key: str) -> bool:
        """True when ``key`` is stored."""

    def keys(self) -> Iterator[str]:
        """Every stored key (for the orphan report)."""


def storage_for(app: Flask) -> Storage:
    """The app's storage, made once per app from ``STORAGE_URL``."""
    url = storage_url(app)
    cached = app.extensions.get(EXTENSION_KEY)
    if cached is None or cached[0] != url:
        backend = importlib.import_module(BACKENDS[urlsplit(url).scheme])
        cached = (url, backend.from_url(url, app.config))
        app.extensions[EXTENSION_KEY] = cached
    storage: Storage = cached[1]
    return storage


def storage() -> Storage:
    """The current app's storage."""
    return storage_for(current_app._get_current_object())  # type: ignore[attr-defined]


def storage_url(app: Flask) -> str:
    """``STORAGE_URL``, or the default where it may be left unset (production requires it):
    ``instance/files`` in development, a new temporary directory for a testing app."""
    url: str | None = app.config["STORAGE_URL"]
    if url is None:
        directory = (
            tempfile.mkdtemp(prefix="files-") if app.testing else app.instance_path + "/files"
        )
        url = app.config["STORAGE_URL"] = "file://" + directory
    return url


def attachment_disposition(filename: str) -> str:
    """``Content-Disposition: attachment`` with ``filename``, as RFC 6266 says: an ASCII
    ``filename`` for old clients, and ``filename*`` (RFC 8187, UTF-8) when it is not ASCII."""
    if filename.isascii():
        return dump_options_header("attachment", {"filename": filename})
    fallback = unicodedata.normalize("NFKD", filename).encode("ascii", "ignore").decode("ascii")
    return dump_options_header(
        "attachment",
        {"filename": fallback or "file", "filename*": "UTF-8''" + quote(filename, safe="")},
    )
