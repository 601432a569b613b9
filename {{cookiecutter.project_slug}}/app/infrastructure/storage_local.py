"""The directory backend of ``storage.py``: ``file:///absolute/dir``.

One file per key, written to a temporary name and renamed into place, so
a reader never sees half a file. The directory is created when missing.
Several instances of the app share files only if they share the directory
(a volume that ``web`` and ``worker`` both mount); across machines, use S3.
"""

import os
import shutil
import tempfile
from collections.abc import Iterator, Mapping
from pathlib import Path
from typing import IO, Any
from urllib.parse import unquote, urlsplit

from app.infrastructure.storage import Download, StorageUnavailable

CHUNK_BYTES = 1024 * 1024
# Files being written start with this; never a key (keys are made of [a-z0-9/-]).
PARTIAL_PREFIX = ".partial-"


class DirectoryStorage:
    """Files under one directory, named by their keys."""

    def __init__(self, root: Path) -> None:
        self.root = root

    def path(self, key: str) -> Path:
        """The file of ``key``; keys are app-made, this only guards against a bug."""
        path = (self.root / key).resolve()
        if not path.is_relative_to(self.root.resolve()):
            raise ValueError("a storage key must stay inside the storage directory")
        return path

    def put(self, key: str, stream: IO[bytes], size: int) -> None:
        target = self.path(key)
        try:
            target.parent.mkdir(parents=True, exist_ok=True)
            with tempfile.NamedTemporaryFile(
                dir=target.parent, prefix=PARTIAL_PREFIX, delete=False
            ) as partial:
                shutil.copyfileobj(stream, partial, CHUNK_BYTES)
            os.replace(partial.name, target)
        except OSError as error:
            raise StorageUnavailable(f"cannot write to the storage directory: {error}") from error

    def open(self, key: str, filename: str, content_type: str) -> Download:
        return Download(stream=self.read(key))

    def read(self, key: str) -> IO[bytes]:
        try:
            return self.path(key).open("rb")
        except FileNotFoundError:
            if not self.root.is_dir():  # an unmounted volume, not a missing file
                raise StorageUnavailable("the storage directory is missing") from None
            raise KeyError(key) from None
        except OSError as error:
            raise StorageUnavailable(f"cannot read the storage directory: {error}") from error

    def delete(self, key: str) -> None:
        try:
            self.path(key).unlink(missing_ok=True)
        except OSError as error:
            raise StorageUnavailable(f"cannot delete in the storage directory: {error}") from error

    def exists(self, key: str) -> bool:
        return self.path(key).is_file()

    def keys(self) -> Iterator[str]:
        if not self.root.is_dir():
            return
        for path in sorted(self.root.rglob("*")):
            if path.is_file() and not path.name.startswith(PARTIAL_PREFIX):
                yield path.relative_to(self.root).as_posix()


def from_url(url: str, _config: Mapping[str, Any]) -> DirectoryStorage:
    """The storage of ``file:///absolute/dir``."""
    return DirectoryStorage(Path(unquote(urlsplit(url).path)))
