"""/api/v1/notes/<id>/attachments: files on notes over the API, hostile ones included.

These tests need the API, the notes and the uploads: they are removed with any of them.
"""

import io
import time

import pytest
from sqlalchemy import func, select

from app.extensions import db
from app.files.models import StoredFile
from app.infrastructure.storage import storage_for
from tests.api.conftest import ApiClient, issue_token
from tests.api.helpers import field_errors, is_problem
from tests.notes.helpers import add_notes

PNG = b"\x89PNG\r\n\x1a\n" + b"\x00" * 32
ATTACHMENT_KEYS = {"id", "filename", "size", "content_type", "url"}


@pytest.fixture
def api(app, user):
    return ApiClient(app, issue_token(app, user.email, user.password))


@pytest.fixture
def other_api(app, other_user):
    return ApiClient(app, issue_token(app, other_user.email, other_user.password))


@pytest.fixture
def note_id(app, user):
    [note_id] = add_notes(app, user.id, 1)
    return note_id


def attachments_path(note_id):
    return f"/api/v1/notes/{note_id}/attachments"


def upload(api, note_id, content=b"hello", name="hello.txt", content_type="text/plain"):
    return api.post(
        attachments_path(note_id),
        data={"file": (io.BytesIO(content), name, content_type)},
        content_type="multipart/form-data",
    )


def download(api, url):
    """GET ``url``, reading the whole body (and closing the stored file) as a server would."""
    return api.get(url, buffered=True)


def stored_count(app):
    with app.app_context():
        return db.session.scalar(select(func.count()).select_from(StoredFile))


def stored_keys(app):
    with app.app_context():
        return list(storage_for(app).keys())


def test_an_upload_is_201_with_the_attachment_and_its_location(api, note_id, backend):
    response = upload(api, note_id, b"hello", "hello.txt")

    assert response.status_code == 201
    assert response.json.keys() == ATTACHMENT_KEYS
    assert response.json["filename"] == "hello.txt"
    assert response.json["size"] == 5
    assert response.json["content_type"] == "text/plain; charset=utf-8"
    assert response.headers["Location"] == response.json["url"]
    assert response.json["url"] == f"{attachments_path(note_id)}/{response.json['id']}"


def test_the_download_is_the_exact_bytes_as_an_attachment(api, note_id, backend):
    content = bytes(range(256)) * 10
    url = upload(api, note_id, content, "data.bin").json["url"]

    response = download(api, url)

    assert response.status_code == 200
    assert response.data == content
    assert response.headers["Content-Type"] == "application/octet-stream"
    assert response.headers["Content-Disposition"] == "attachment; filename=data.bin"
    assert response.headers["X-Content-Type-Options"] == "nosniff"
    assert response.headers["Content-Security-Policy"].startswith("sandbox")


def test_the_list_and_the_note_carry_the_attachments(api, note_id):
    created = upload(api, note_id, PNG, "photo.png").json

    assert api.get(attachments_path(note_id)).json == {"items": [created]}
    assert api.get(f"/api/v1/notes/{note_id}").json["attachments"] == [created]


@pytest.mark.parametrize(
    ("content", "name", "served_as"),
    [
        (PNG, "photo.png", "image/png"),
        (b"<html><script>alert(1)</script></html>", "photo.png", "application/octet-stream"),
        (b"<svg xmlns='http://www.w3.org/2000/svg'/>", "logo.svg", "application/octet-stream"),
        (b"GIF89a/*<script>*/", "poly.gif", "image/gif"),
        (b"PK\x03\x04" + b"\x00" * 26, "archive.zip", "application/octet-stream"),
        (b"%PDF-1.4\n", "doc.pdf", "application/pdf"),
    ],
)
def test_the_type_is_judged_from_the_content_never_the_name(api, note_id, content, name, served_as):
    url = upload(api, note_id, content, name, content_type="text/html").json["url"]

    response = download(api, url)

    assert response.data == content
    assert response.headers["Content-Type"] == served_as
    assert response.headers["Content-Disposition"].startswith("attachment;")


def test_a_non_ascii_name_is_kept_and_sent_with_filename_star(api, note_id):
    created = upload(api, note_id, b"x", "résumé.txt").json

    disposition = download(api, created["url"]).headers["Content-Disposition"]

    assert created["filename"] == "résumé.txt"
    assert "filename*=UTF-8''r%C3%A9sum%C3%A9.txt" in disposition


@pytest.mark.parametrize(
    ("sent", "kept"),
    [("../../etc/passwd", "passwd"), ("a\x00b\x1b.txt", "ab.txt"), (".env", "env")],
)
def test_a_hostile_name_is_cleaned(api, note_id, sent, kept):
    assert upload(api, note_id, b"x", sent).json["filename"] == kept


def test_a_300_byte_name_is_cut_to_255_bytes(api, note_id):
    filename = upload(api, note_id, b"x", "é" * 150 + ".txt").json["filename"]

    assert len(filename.encode()) <= 255
    assert filename.endswith(".txt")


def test_a_body_that_is_not_multipart_is_415(app, api, note_id):
    response = api.post(attachments_path(note_id), json={"file": "aGVsbG8="})

    assert is_problem(response, 415)
    assert stored_count(app) == 0


def test_no_file_or_an_empty_one_is_422_and_stores_nothing(app, api, note_id):
    missing = api.post(attachments_path(note_id), data={}, content_type="multipart/form-data")
    empty = upload(api, note_id, b"", "empty.txt")

    assert is_problem(missing, 422)
    assert "file" in field_errors(missing)
    assert is_problem(empty, 422)
    assert stored_count(app) == 0


def test_a_file_over_the_limit_is_413_and_stores_nothing(app, api, note_id):
    app.config["UPLOAD_MAX_BYTES"] = 1000

    just_over = upload(api, note_id, b"x" * 1001)
    far_over = upload(api, note_id, b"x" * 200_000)

    assert is_problem(just_over, 413)
    assert is_problem(far_over, 413)
    assert upload(api, note_id, b"x" * 1000).status_code == 201
    assert stored_count(app) == 1


def test_uploads_may_be_larger_than_max_content_length(app, api, note_id):
    app.config["MAX_CONTENT_LENGTH"] = 1000

    assert upload(api, note_id, b"x" * 5000).status_code == 201
    assert is_problem(api.post("/api/v1/notes", json={"title": "x" * 2000}), 413)


def test_past_the_quota_is_413_problem_details_and_stores_nothing(app, api, note_id, backend):
    app.config["UPLOAD_QUOTA_BYTES"] = 10
    upload(api, note_id, b"x" * 6)

    response = upload(api, note_id, b"x" * 6)

    assert is_problem(response, 413)
    assert "quota" in response.json["detail"]
    assert stored_count(app) == 1
    assert len(stored_keys(app)) == 1


def test_deleting_an_attachment_removes_its_file(app, api, note_id, backend):
    url = upload(api, note_id).json["url"]

    assert api.delete(url).status_code == 204
    assert download(api, url).status_code == 404
    assert stored_keys(app) == []


def test_deleting_the_note_removes_its_files(app, api, note_id, backend):
    upload(api, note_id)
    upload(api, note_id)

    assert api.delete(f"/api/v1/notes/{note_id}").status_code == 204
    assert stored_count(app) == 0
    assert stored_keys(app) == []


def test_another_users_note_or_attachment_is_404(api, other_api, note_id):
    url = upload(api, note_id).json["url"]

    assert is_problem(upload(other_api, note_id), 404)
    assert is_problem(other_api.get(attachments_path(note_id)), 404)
    assert is_problem(download(other_api, url), 404)
    assert is_problem(other_api.delete(url), 404)
    assert is_problem(api.get(f"{attachments_path(note_id)}/999999"), 404)


def test_while_storage_is_down_uploads_are_503_within_2_seconds(app, api, note_id, storage_down):
    storage_down()
    started = time.monotonic()

    response = upload(api, note_id)

    assert is_problem(response, 503)
    assert time.monotonic() - started < 2
    assert stored_count(app) == 0


def test_while_s3_is_down_downloads_are_503_and_work_again_after(
    app, api, note_id, s3_bucket, moto_endpoint
):
    app.config.update(STORAGE_URL=f"s3://{s3_bucket}", S3_ENDPOINT_URL=moto_endpoint)
    url = upload(api, note_id).json["url"]
    endpoint = app.config["S3_ENDPOINT_URL"]
    app.config["S3_ENDPOINT_URL"] = "http://127.0.0.1:9"
    app.extensions.pop("storage")

    assert is_problem(download(api, url), 503)

    app.config["S3_ENDPOINT_URL"] = endpoint
    app.extensions.pop("storage")
    assert download(api, url).data == b"hello"


def test_s3_downloads_can_redirect_to_a_presigned_url(app, api, note_id, s3_bucket, moto_endpoint):
    app.config.update(
        STORAGE_URL=f"s3://{s3_bucket}",
        S3_ENDPOINT_URL=moto_endpoint,
        STORAGE_REDIRECT_DOWNLOADS=True,
    )
    url = upload(api, note_id, b"<html></html>", "page.html").json["url"]

    response = download(api, url)

    assert response.status_code == 302
    assert "response-content-type=application%2Foctet-stream" in response.headers["Location"]
    assert "X-Amz-Expires=300" in response.headers["Location"]
