"""Storing under the quota and deleting, with storage and rows kept in step, on both backends."""

import io
import os
import threading

import pytest
from sqlalchemy import select
from werkzeug.datastructures import FileStorage
from werkzeug.exceptions import RequestEntityTooLarge

from app.auth.models import User
from app.auth.revocation import delete_account
from app.extensions import db
from app.files.models import StoredFile
from app.files.service import (
    MissingFile,
    Upload,
    delete_files,
    receive,
    remove_from_storage,
    storing,
    used_bytes,
)
from app.infrastructure.storage import StorageUnavailable, storage_for


def upload(content=b"hello", name="hello.txt"):
    return Upload.from_stream(io.BytesIO(content), name)


def store(app, owner_id, content=b"hello", name="hello.txt", kind="attachment"):
    """Store a file for ``owner_id``; return its row's id and key."""
    with app.app_context(), storing(owner_id, upload(content, name), kind) as stored:
        made = stored.id, stored.key
    return made


def rows(app):
    with app.app_context():
        return db.session.scalars(select(StoredFile)).all()


def keys(app):
    with app.app_context():
        return sorted(storage_for(app).keys())


def test_a_stored_file_has_its_row_and_its_bytes(app, backend, user):
    file_id, key = store(app, user.id, b"hello", "../hello.txt")

    [row] = rows(app)
    assert (row.id, row.key, row.size, row.filename) == (file_id, key, 5, "hello.txt")
    assert row.content_type == "text/plain; charset=utf-8"
    assert keys(app) == [key]
    assert key.startswith("attachments/") and "hello" not in key


def test_past_the_quota_nothing_is_stored(app, backend, user):
    app.config["UPLOAD_QUOTA_BYTES"] = 8
    store(app, user.id, b"12345")

    with pytest.raises(RequestEntityTooLarge):
        store(app, user.id, b"6789")

    assert len(rows(app)) == 1
    assert len(keys(app)) == 1


def test_the_quota_counts_every_kind_of_file(app, user):
    store(app, user.id, b"12345", kind="avatar")
    store(app, user.id, b"123", kind="attachment")

    with app.app_context():
        assert used_bytes(user.id) == 8


def test_a_failure_after_the_put_removes_the_file_again(app, backend, user):
    with pytest.raises(RuntimeError), app.app_context(), storing(user.id, upload(), "attachment"):
        raise RuntimeError("the caller's own rows failed")

    assert rows(app) == []
    assert keys(app) == []


def test_while_storage_is_down_nothing_is_recorded(app, storage_down, user):
    storage_down()

    with pytest.raises(StorageUnavailable):
        store(app, user.id)

    assert rows(app) == []


def test_deleting_files_removes_rows_then_bytes(app, backend, user):
    store(app, user.id)

    with app.app_context():
        delete_files(db.session.scalars(select(StoredFile)).all())

    assert rows(app) == []
    assert keys(app) == []


def test_the_removal_job_fails_while_storage_is_down_so_the_queue_retries_it(
    app, storage_down, user
):
    _file_id, key = store(app, user.id)
    storage_down()

    with app.app_context(), pytest.raises(StorageUnavailable):
        remove_from_storage([key])


def test_deleting_an_account_removes_its_files_from_storage(app, backend, user, other_user):
    store(app, user.id)
    _id, kept = store(app, other_user.id)

    with app.test_request_context():
        delete_account(db.session.get(User, user.id))

    assert keys(app) == [kept]
    assert [row.key for row in rows(app)] == [kept]


def test_receiving_refuses_no_file_an_empty_one_and_one_too_large(app):
    with app.test_request_context():
        with pytest.raises(MissingFile):
            receive(None, 10)
        with pytest.raises(MissingFile):
            receive(FileStorage(io.BytesIO(b""), "empty.txt"), 10)
        with pytest.raises(RequestEntityTooLarge):
            receive(FileStorage(io.BytesIO(b"x" * 11), "big.txt"), 10)
        assert receive(FileStorage(io.BytesIO(b"x" * 10), "ok.txt"), 10).size == 10


@pytest.mark.skipif(
    not os.environ.get("TEST_DATABASE_URL", "").startswith("postgres"),
    reason="needs PostgreSQL (TEST_DATABASE_URL): SQLite serialises every write anyway",
)
def test_a_burst_of_concurrent_uploads_never_passes_the_quota(app, backend, user):
    app.config["UPLOAD_QUOTA_BYTES"] = 50
    outcomes = []
    start = threading.Barrier(10)

    def upload_one():
        start.wait()
        try:
            store(app, user.id, b"x" * 10)
            outcomes.append("stored")
        except RequestEntityTooLarge:
            outcomes.append("refused")

    threads = [threading.Thread(target=upload_one) for _ in range(10)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()

    assert sorted(outcomes) == ["refused"] * 5 + ["stored"] * 5
    assert sum(row.size for row in rows(app)) == 50
    assert len(keys(app)) == 5
