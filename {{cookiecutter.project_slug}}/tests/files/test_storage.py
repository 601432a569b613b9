"""The storage backends, a directory and S3 (a real moto server), through one interface."""

import io
import time
import urllib.request

import pytest

from app.infrastructure.storage import (
    StorageUnavailable,
    attachment_disposition,
    storage_for,
    storage_url,
)


@pytest.fixture
def storage(app, backend):
    return storage_for(app)


def test_a_stored_file_reads_back_byte_for_byte(storage):
    storage.put("attachments/abc", io.BytesIO(b"\x00hello\xff"), 7)

    download = storage.open("attachments/abc", "a.bin", "application/octet-stream")
    with download.stream as stream:
        assert stream.read() == b"\x00hello\xff"
    assert storage.exists("attachments/abc")


def test_keys_lists_what_is_stored(storage):
    storage.put("attachments/one", io.BytesIO(b"1"), 1)
    storage.put("avatars/two", io.BytesIO(b"2"), 1)

    assert sorted(storage.keys()) == ["attachments/one", "avatars/two"]


def test_a_deleted_key_is_gone_and_deleting_it_again_is_fine(storage):
    storage.put("attachments/abc", io.BytesIO(b"x"), 1)

    storage.delete("attachments/abc")
    storage.delete("attachments/abc")

    assert not storage.exists("attachments/abc")
    assert list(storage.keys()) == []


def test_opening_a_missing_key_is_a_key_error(storage):
    storage.put("attachments/other", io.BytesIO(b"x"), 1)

    with pytest.raises(KeyError):
        storage.open("attachments/none", "a", "text/plain")


def test_a_missing_storage_directory_is_an_outage_not_a_missing_file(app, tmp_path):
    app.config["STORAGE_URL"] = (tmp_path / "unmounted").as_uri()

    with pytest.raises(StorageUnavailable):
        storage_for(app).open("attachments/abc", "a", "text/plain")


def test_an_unreachable_storage_fails_fast_with_storage_unavailable(app, storage_down):
    storage_down()
    started = time.monotonic()

    with pytest.raises(StorageUnavailable):
        storage_for(app).put("attachments/abc", io.BytesIO(b"x"), 1)

    assert time.monotonic() - started < 2


def test_a_presigned_url_gives_the_bytes_as_an_attachment(app, s3_bucket, moto_endpoint):
    app.config.update(
        STORAGE_URL=f"s3://{s3_bucket}/prefix",
        S3_ENDPOINT_URL=moto_endpoint,
        STORAGE_REDIRECT_DOWNLOADS=True,
    )
    storage = storage_for(app)
    storage.put("attachments/abc", io.BytesIO(b"<svg/>"), 6)

    download = storage.open("attachments/abc", "résumé.svg", "application/octet-stream")
    with urllib.request.urlopen(download.redirect_url) as answer:  # noqa: S310  (moto's URL)
        body, headers = answer.read(), answer.headers

    assert download.stream is None
    assert "X-Amz-Expires=300" in download.redirect_url
    assert body == b"<svg/>"
    assert headers["Content-Type"] == "application/octet-stream"
    assert headers["Content-Disposition"] == attachment_disposition("résumé.svg")


def test_a_non_ascii_name_is_sent_as_filename_star_with_an_ascii_fallback():
    assert attachment_disposition("report.pdf") == "attachment; filename=report.pdf"
    assert attachment_disposition("résumé 報告.pdf") == (
        'attachment; filename="resume .pdf"; '
        "filename*=UTF-8''r%C3%A9sum%C3%A9%20%E5%A0%B1%E5%91%8A.pdf"
    )


def test_without_storage_url_a_testing_app_uses_a_temporary_directory(app):
    app.config["STORAGE_URL"] = None

    assert storage_url(app).startswith("file:///")


def test_without_storage_url_development_uses_the_instance_folder(development_app):
    assert storage_url(development_app) == "file://" + development_app.instance_path + "/files"
