"""The account's picture: uploaded at /account/avatar, judged by its content, redrawn
without metadata, shown on the dashboard and in the navigation, removable; on a
directory and on S3."""

import io
import re

import pytest
from PIL import Image
from sqlalchemy import func, select

from app.auth.models import User
from app.extensions import db
from app.files.models import StoredFile
from app.infrastructure.storage import storage_for
from tests.conftest import EMAIL

AVATAR_IMAGE = re.compile(r'<img class="avatar" src="([^"]+)"')


FLASH = re.compile(r'<div class="flash flash-(\w+)"[^>]*>\s*(.*?)\s*</div>', re.S)


@pytest.fixture
def logged_in(auth, user):
    auth.login()
    return user


def image_bytes(image_format="PNG", size=(800, 400), **options):
    output = io.BytesIO()
    Image.new("RGB", size, "orange").save(output, image_format, **options)
    return output.getvalue()


def upload(auth, client, content, name="me.png", csrf=True, mimetype="image/png"):
    data = {"avatar": (io.BytesIO(content), name, mimetype)} if content is not None else {}
    if csrf:
        data["csrf_token"] = auth.csrf_token("/account/avatar")
    return client.post("/account/avatar", data=data, content_type="multipart/form-data")


def avatar_url(client):
    """The picture's URL on the dashboard, or None."""
    found = AVATAR_IMAGE.search(client.get("/dashboard").get_data(as_text=True))
    return found.group(1) if found else None


def stored_keys(app):
    with app.app_context():
        return list(storage_for(app).keys())


def avatar_rows(app):
    with app.app_context():
        return db.session.scalar(
            select(func.count()).select_from(StoredFile).where(StoredFile.kind == "avatar")
        )


def test_an_uploaded_picture_is_on_the_dashboard_and_in_the_navigation(
    app, auth, client, logged_in, backend
):
    response = upload(auth, client, image_bytes())
    page = client.get("/dashboard").get_data(as_text=True)

    assert response.status_code == 302
    url = avatar_url(client)
    assert url is not None
    assert 'class="nav-avatar"' in page
    assert page.count(f'src="{url}"') == 2  # the dashboard's, the navigation's
    with client.get(url, buffered=True) as image:
        assert image.status_code == 200
        assert image.mimetype == "image/png"
        assert "immutable" in image.headers["Cache-Control"]
        with Image.open(io.BytesIO(image.data)) as shown:
            assert shown.size == (512, 256)
    assert len(stored_keys(app)) == 1


def test_a_photo_keeps_no_gps_or_camera_details(auth, client, logged_in):
    exif = Image.Exif()
    exif[0x010F] = "Camera maker"
    exif[0x8825] = {2: (48.0, 51.0, 24.0)}
    upload(
        auth, client, image_bytes("JPEG", exif=exif.tobytes()), "photo.jpg", mimetype="image/jpeg"
    )

    with client.get(avatar_url(client), buffered=True) as image:
        assert image.mimetype == "image/jpeg"
        assert b"Camera maker" not in image.data
        with Image.open(io.BytesIO(image.data)) as shown:
            assert dict(shown.getexif()) == {}


@pytest.mark.parametrize(
    ("content", "name", "message"),
    [
        (b"<html><script>alert(1)</script></html>", "me.png", "PNG, JPEG, WebP or GIF"),
        (b"<svg xmlns='http://www.w3.org/2000/svg'/>", "me.svg", "PNG, JPEG, WebP or GIF"),
        (b"PK\x03\x04" + b"\x00" * 50, "me.gif", "PNG, JPEG, WebP or GIF"),
        (b"\x89PNG\r\n\x1a\n" + b"\x00" * 50, "me.png", "not a readable image"),
        (b"", "me.png", "PNG, JPEG, WebP or GIF"),
        (None, None, "Choose an image"),
    ],
    ids=["html-named-png", "svg", "zip", "damaged", "empty", "missing"],
)
def test_anything_but_an_image_gets_the_forms_error_and_stores_nothing(
    app, auth, client, logged_in, content, name, message
):
    response = upload(auth, client, content, name)

    assert response.status_code == 200
    assert message in response.get_data(as_text=True)
    assert avatar_rows(app) == 0
    assert stored_keys(app) == []


def test_a_decompression_bomb_gets_the_forms_error(app, auth, client, logged_in):
    app.config["AVATAR_MAX_PIXELS"] = 10_000

    response = upload(auth, client, image_bytes(size=(101, 100)))

    assert "too large" in response.get_data(as_text=True)
    assert stored_keys(app) == []


def test_a_picture_over_its_byte_limit_is_refused(app, auth, client, logged_in):
    app.config["AVATAR_MAX_BYTES"] = 1000
    just_over = image_bytes() + b"\x00" * 1000  # within the body's multipart allowance

    response = upload(auth, client, just_over)
    far_over = upload(auth, client, b"\x00" * 200_000)

    assert "larger than the limit" in response.get_data(as_text=True)
    assert far_over.status_code == 413
    assert stored_keys(app) == []


def test_the_upload_needs_its_csrf_token(app, auth, client, logged_in):
    assert upload(auth, client, image_bytes(), csrf=False).status_code == 400
    assert stored_keys(app) == []


def test_a_new_picture_replaces_the_old_in_storage(app, auth, client, logged_in, backend):
    upload(auth, client, image_bytes())
    first = avatar_url(client)
    upload(auth, client, image_bytes("GIF"))

    assert avatar_url(client) != first
    assert client.get(first).status_code == 404
    assert len(stored_keys(app)) == 1
    assert avatar_rows(app) == 1


def test_removing_the_picture_takes_it_off_the_page_and_out_of_storage(
    app, auth, client, logged_in, backend
):
    upload(auth, client, image_bytes())
    url = avatar_url(client)

    response = client.post(
        "/account/avatar/delete", data={"csrf_token": auth.csrf_token("/account/avatar")}
    )

    assert response.status_code == 302
    assert avatar_url(client) is None
    assert 'class="nav-avatar"' not in client.get("/dashboard").get_data(as_text=True)
    assert client.get(url).status_code == 404
    assert stored_keys(app) == []


def test_each_change_of_the_picture_says_so(auth, client, logged_in):
    def flashes_after(response):
        assert response.status_code == 302
        return FLASH.findall(client.get(response.headers["Location"]).get_data(as_text=True))

    remove = "/account/avatar/delete"
    assert flashes_after(upload(auth, client, image_bytes())) == [
        ("success", "Your picture has been changed.")
    ]
    data = {"csrf_token": auth.csrf_token("/account/avatar")}
    assert flashes_after(client.post(remove, data=data)) == [
        ("info", "Your picture has been removed.")
    ]
    assert flashes_after(client.post(remove, data=data)) == [
        ("info", "You have no picture to remove.")
    ]


def test_removing_needs_the_csrf_token(app, auth, client, logged_in):
    upload(auth, client, image_bytes())

    assert client.post("/account/avatar/delete").status_code == 400
    assert avatar_url(client) is not None


def test_the_picture_counts_against_the_quota(app, auth, client, logged_in):
    app.config["UPLOAD_QUOTA_BYTES"] = 100

    response = upload(auth, client, image_bytes())

    assert response.status_code == 413
    assert stored_keys(app) == []


def test_another_users_picture_is_404(app, auth, client, logged_in, other_user):
    upload(auth, client, image_bytes())
    url = avatar_url(client)
    auth.logout()
    auth.login(other_user.email, other_user.password)

    assert client.get(url).status_code == 404


def test_the_picture_needs_a_login(app, auth, client, logged_in):
    upload(auth, client, image_bytes())
    url = avatar_url(client)
    auth.logout()

    assert client.get(url).status_code == 302


def test_deleting_the_account_removes_the_picture(app, auth, client, logged_in):
    upload(auth, client, image_bytes())

    client.post(
        "/account/delete",
        data={
            "csrf_token": auth.csrf_token("/account/delete"),
            "current_password": logged_in.password,
        },
    )

    with app.app_context():
        assert db.session.scalar(select(User).where(User.email == EMAIL)) is None
    assert stored_keys(app) == []


def test_while_storage_is_down_an_upload_is_503_and_keeps_the_old_picture(
    app, auth, client, logged_in, backend, storage_down
):
    upload(auth, client, image_bytes())
    url = avatar_url(client)
    storage_down()

    response = upload(auth, client, image_bytes("GIF"))

    assert response.status_code == 503
    assert avatar_url(client) == url
    assert avatar_rows(app) == 1
