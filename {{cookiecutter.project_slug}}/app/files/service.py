"""Storing a user's files under the quota, and deleting them, without losing step
between storage and the database.

Storing puts the file first, then writes its row: a row always names a
file. If anything fails after the put (the quota, the database, the
caller's own rows), the file is removed again. Deleting goes the other way:
the row goes first (committed), then a job removes the file, retried while
storage is down. What slips through a crash in between is a key no row
names, which ``flask files orphans`` reports.
"""

import secrets
from collections.abc import Iterable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from typing import IO

from flask import abort, current_app
from sqlalchemy import func, select
from sqlalchemy.exc import SQLAlchemyError
from werkzeug.datastructures import FileStorage

from app.auth.models import User
from app.extensions import db
from app.files.models import StoredFile
from app.files.names import clean_filename
from app.files.sniffing import sniff_stream
from app.infrastructure.jobs import enqueue
from app.infrastructure.storage import StorageUnavailable, storage


@dataclass(frozen=True)
class Upload:
    """A file a client sent: its bytes (spooled by Werkzeug), their size, its cleaned name
    and the type judged from its content."""

    stream: IO[bytes]
    size: int
    filename: str
    content_type: str

    @classmethod
    def from_stream(cls, stream: IO[bytes], filename: str | None) -> "Upload":
        """Measure and judge ``stream``; ``filename`` is cleaned, the client's type ignored."""
        stream.seek(0, 2)
        size = stream.tell()
        return cls(stream, size, clean_filename(filename), sniff_stream(stream, size))


class MissingFile(Exception):
    """No file was sent, or an empty one: a 422, or the form's error."""


def receive(file: object, max_bytes: int) -> Upload:
    """The client's file (``request.files.get(field)``) as an ``Upload``.

    ``MissingFile`` when none was sent or it is empty; 413 over
    ``max_bytes`` (the request's limit bounds the whole body, with room for
    the multipart framing, so the file itself is measured here).
    """
    if not isinstance(file, FileStorage):
        raise MissingFile("Choose a file to upload.")
    upload = Upload.from_stream(file.stream, file.filename)
    if upload.size == 0:
        raise MissingFile("The file is empty.")
    if upload.size > max_bytes:
        abort(413, f"The file is larger than the limit of {max_bytes} bytes.")
    return upload


def new_key(kind: str) -> str:
    """A fresh storage key: random, so it says nothing about the user or the name."""
    return f"{kind}s/{secrets.token_hex(16)}"


def used_bytes(owner_id: int) -> int:
    """How many bytes of files ``owner_id`` keeps, of every kind (attachments, avatar)."""
    total = db.session.scalar(
        select(func.coalesce(func.sum(StoredFile.size), 0)).where(StoredFile.owner_id == owner_id)
    )
    return int(total or 0)


def check_quota(owner_id: int, size: int) -> None:
    """413 when ``size`` more bytes would take the owner past ``UPLOAD_QUOTA_BYTES``."""
    quota = current_app.config["UPLOAD_QUOTA_BYTES"]
    if used_bytes(owner_id) + size > quota:
        abort(413, f"This file would take your files past your quota of {quota} bytes.")


def lock_owner(owner_id: int) -> None:
    """Lock the owner's row until the transaction ends, so concurrent uploads of one user
    count their quota one after another (``SELECT ... FOR UPDATE``; SQLite locks the
    whole database on write anyway)."""
    db.session.execute(select(User.id).where(User.id == owner_id).with_for_update())


@contextmanager
def storing(owner_id: int, upload: Upload, kind: str) -> Iterator[StoredFile]:
    """Store ``upload`` for ``owner_id`` under the quota, and yield its (flushed) row.

    The caller adds rows of its own inside the block; they are committed with
    the file's row when it ends. If the block, the quota or the commit fails,
    everything is rolled back and the file leaves storage again. 413 past
    the quota; ``StorageUnavailable`` (503) while storage is down.
    """
    check_quota(owner_id, upload.size)  # early: no upload to storage that is bound to fail
    key = new_key(kind)
    upload.stream.seek(0)
    storage().put(key, upload.stream, upload.size)
    try:
        lock_owner(owner_id)
        check_quota(owner_id, upload.size)  # again, now that no other upload of theirs runs
        stored = StoredFile(
            owner_id=owner_id,
            kind=kind,
            key=key,
            size=upload.size,
            content_type=upload.content_type,
            filename=upload.filename,
        )
        db.session.add(stored)
        db.session.flush()
        yield stored
        db.session.commit()
    except BaseException:
        rollback_quietly()
        remove_now_or_later([key])
        raise


def rollback_quietly() -> None:
    """Roll back; a database that is down must not hide the error that brought us here."""
    try:
        db.session.rollback()
    except SQLAlchemyError:
        current_app.logger.warning("Rollback failed after a failed upload", exc_info=True)


def remove_now_or_later(keys: list[str]) -> None:
    """Remove ``keys`` from storage at once; while it is down, by a retried job."""
    try:
        for key in keys:
            storage().delete(key)
    except StorageUnavailable:
        remove_later(keys)


def forget(files: Iterable[StoredFile]) -> list[str]:
    """Delete the rows of ``files`` (not committed) and return their keys, for
    ``remove_later`` once the deletion is committed."""
    keys = []
    for stored in files:
        keys.append(stored.key)
        db.session.delete(stored)
    return keys


def delete_files(files: Iterable[StoredFile]) -> None:
    """Delete ``files``: their rows now, their bytes by a job after the commit."""
    keys = forget(files)
    db.session.commit()
    remove_later(keys)


def remove_later(keys: list[str]) -> None:
    """Queue the removal of ``keys`` from storage (call it after the commit)."""
    if keys:
        enqueue(remove_from_storage, keys)


def remove_from_storage(keys: list[str]) -> None:
    """The job: remove each key; raising while storage is down makes the queue retry it."""
    for key in keys:
        storage().delete(key)


def keys_of_owner(owner_id: int) -> list[str]:
    """Every key of ``owner_id``'s files (collected before their account is deleted)."""
    return list(db.session.scalars(select(StoredFile.key).where(StoredFile.owner_id == owner_id)))
