"""Attachments on the dashboard: an upload form on each note, download links, removal."""

import io
import re

from sqlalchemy import func, select

from app.extensions import db
from app.files.models import StoredFile
from app.infrastructure.storage import storage_for


def send_file(auth, client, note_id, content=b"hello", name="hello.txt", csrf=True):
    data = {"file": (io.BytesIO(content), name)} if content is not None else {}
    if csrf:
        data["csrf_token"] = auth.csrf_token("/dashboard")
    return client.post(
        f"/notes/{note_id}/attachments", data=data, content_type="multipart/form-data"
    )


def stored_count(app):
    with app.app_context():
        return db.session.scalar(select(func.count()).select_from(StoredFile))


def download_links(page):
    return re.findall(r'<a href="(/notes/\d+/attachments/\d+)" download>(.*?)</a>', page)


def test_each_note_has_an_upload_form_with_a_file_field(client, note_id):
    page = client.get("/dashboard").get_data(as_text=True)

    assert f'action="/notes/{note_id}/attachments"' in page
    assert 'enctype="multipart/form-data"' in page
    assert 'type="file" name="file"' in page


def test_an_upload_is_flashed_and_listed_with_a_download_link(auth, client, note_id):
    response = send_file(auth, client, note_id, b"hello", "<b>hi.txt")
    page = client.get("/dashboard").get_data(as_text=True)

    assert response.status_code == 302
    assert "Attached &lt;b&gt;hi.txt." in page
    [(link, name)] = download_links(page)
    assert name == "&lt;b&gt;hi.txt"
    with client.get(link, buffered=True) as download:
        assert download.data == b"hello"
        assert download.headers["Content-Disposition"].startswith("attachment;")


def test_the_upload_form_needs_its_csrf_token(app, auth, client, note_id):
    response = send_file(auth, client, note_id, csrf=False)

    assert response.status_code == 400
    assert stored_count(app) == 0


def test_no_file_is_422_with_a_message_and_stores_nothing(app, auth, client, note_id):
    response = send_file(auth, client, note_id, content=None)

    assert response.status_code == 422
    assert 'class="flash flash-error"' in response.get_data(as_text=True)
    assert stored_count(app) == 0


def test_past_the_quota_is_a_413_page(app, auth, client, note_id):
    app.config["UPLOAD_QUOTA_BYTES"] = 3

    response = send_file(auth, client, note_id, b"hello")

    assert response.status_code == 413
    assert "text/html" in response.headers["Content-Type"]
    assert stored_count(app) == 0


def test_removing_an_attachment_removes_its_file(app, auth, client, note_id):
    send_file(auth, client, note_id)
    [(link, _name)] = download_links(client.get("/dashboard").get_data(as_text=True))

    response = client.post(f"{link}/delete", data={"csrf_token": auth.csrf_token("/dashboard")})

    assert response.status_code == 302
    assert stored_count(app) == 0
    with app.app_context():
        assert list(storage_for(app).keys()) == []


def test_removing_an_attachment_asks_first(app, auth, client, note_id, other_user):
    send_file(auth, client, note_id, name="<plan>.txt")
    page = client.get("/dashboard").get_data(as_text=True)
    [(link, _name)] = download_links(page)
    assert f'<a class="danger" href="{link}/delete">Remove</a>' in page

    confirm = client.get(f"{link}/delete").get_data(as_text=True)

    assert "Remove &lsquo;&lt;plan&gt;.txt&rsquo; from the note? This cannot be undone." in confirm
    assert f'action="{link}/delete"' in confirm
    assert stored_count(app) == 1
    auth.logout()
    assert client.get(f"{link}/delete").headers["Location"].startswith("/auth/login")
    auth.login(other_user.email, other_user.password)
    assert client.get(f"{link}/delete").status_code == 404
    assert stored_count(app) == 1


def test_removing_an_attachment_is_flashed(auth, client, note_id):
    send_file(auth, client, note_id)
    [(link, _name)] = download_links(client.get("/dashboard").get_data(as_text=True))

    client.post(f"{link}/delete", data={"csrf_token": auth.csrf_token("/dashboard")})

    assert "Attachment deleted." in client.get("/dashboard").get_data(as_text=True)


def test_deleting_the_note_on_the_dashboard_removes_its_files(app, auth, client, note_id):
    send_file(auth, client, note_id)

    client.post(f"/notes/{note_id}/delete", data={"csrf_token": auth.csrf_token("/dashboard")})

    assert stored_count(app) == 0
    with app.app_context():
        assert list(storage_for(app).keys()) == []


def test_another_users_attachment_is_404(app, auth, client, note_id, other_user):
    send_file(auth, client, note_id)
    [(link, _name)] = download_links(client.get("/dashboard").get_data(as_text=True))
    auth.logout()
    auth.login(other_user.email, other_user.password)

    assert client.get(link).status_code == 404
    assert send_file(auth, client, note_id).status_code == 404


def test_an_anonymous_download_is_sent_to_log_in(app, auth, client, note_id):
    send_file(auth, client, note_id)
    [(link, _name)] = download_links(client.get("/dashboard").get_data(as_text=True))
    auth.logout()

    response = client.get(link)

    assert response.status_code == 302
    assert "/auth/login" in response.headers["Location"]
