"""Hostile input never produces a 5xx: oversized, malformed, NUL bytes, huge fields, SQL."""

import io

import pytest
from flask import request

from tests.conftest import PASSWORD

JSON = {"Accept": "application/json"}
CHUNKED = {"Transfer-Encoding": "chunked"}
# What a chunk-decoding server such as gunicorn tells the app: no length.
STREAMED = {"wsgi.input_terminated": True, "CONTENT_LENGTH": ""}
HOSTILE_STRINGS = [
    "a\x00b@example.com",
    "x" * 10_000,
    "' OR '1'='1' --@example.com",
    "admin@example.com'; DROP TABLE users; --",
    "<script>alert(1)</script>@example.com",
]


def chunked_post(client, path, size, headers=None):
    body = b"a=" + b"x" * (size - 2)
    return client.post(
        path,
        input_stream=io.BytesIO(body),
        content_type="application/x-www-form-urlencoded",
        headers={**CHUNKED, **(headers or {})},
        environ_overrides=STREAMED,
    )


def test_a_chunked_body_over_the_limit_is_413(app, client):
    app.config["MAX_CONTENT_LENGTH"] = 1000

    response = chunked_post(client, "/auth/login", 1001)

    assert response.status_code == 413
    assert "Error 413" in response.text


def test_a_chunked_body_over_the_limit_is_413_problem_details(app, client):
    app.config["MAX_CONTENT_LENGTH"] = 1000

    response = chunked_post(client, "/auth/login", 5000, JSON)

    assert response.status_code == 413
    assert response.mimetype == "application/problem+json"


@pytest.mark.parametrize("path", ["/", "/health", "/no-such-page"])
def test_a_body_over_the_limit_is_413_even_where_no_view_reads_it(app, client, path):
    app.config["MAX_CONTENT_LENGTH"] = 1000

    response = client.get(path, data=b"x" * 1001, headers=JSON)

    assert response.status_code == 413
    assert response.mimetype == "application/problem+json"


def test_a_chunked_body_within_the_limit_is_read_whole(app, client, add_view):
    app.config["MAX_CONTENT_LENGTH"] = 1000
    seen = {}

    def echo():
        seen["length"] = len(request.form["a"])
        return "ok"

    add_view("/echo", echo, public=True, methods=["POST"])
    app.config["WTF_CSRF_ENABLED"] = False

    response = chunked_post(client, "/echo", 1000)

    assert response.status_code == 200
    assert seen["length"] == 998


def test_a_chunked_body_is_left_alone_without_a_limit(app, client):
    app.config["MAX_CONTENT_LENGTH"] = None

    response = chunked_post(client, "/auth/login", 5000)

    assert response.status_code == 400  # no CSRF token: the body reached the form


@pytest.mark.parametrize("value", HOSTILE_STRINGS, ids=range(len(HOSTILE_STRINGS)))
def test_hostile_login_fields_are_a_form_error(auth, user, value):
    for email, password in ((value, PASSWORD), (user.email, value)):
        response = auth.login(email=email, password=password)
        assert response.status_code == 200
        assert "Invalid email or password." in response.text


@pytest.mark.parametrize("value", HOSTILE_STRINGS, ids=range(len(HOSTILE_STRINGS)))
def test_hostile_registration_fields_are_a_form_error(auth, value):
    for email, password in ((value, PASSWORD), ("new@example.com", value)):
        response = auth.register(email=email, password=password)
        assert response.status_code in (200, 302)  # an SQL-like password is a fine password


@pytest.mark.parametrize(
    "body", [b"{", b"\x00\xff", b'{"email": "\\u0000", "password": "\\ud800"}', b"[]" * 1000]
)
def test_malformed_json_never_is_a_5xx(client, body):
    for path in ("/auth/login", "/auth/register", "/auth/logout", "/health", "/"):
        response = client.post(path, data=body, content_type="application/json", headers=JSON)
        assert response.status_code < 500
