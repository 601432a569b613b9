"""Log lines: one per request, JSON in production, and never a secret."""

import io
import json
import logging

import pytest
from flask import g
from flask.logging import default_handler

from app.auth.guard import public
from app.auth.models import User
from app.extensions import db
from app.web.logs import REDACTED, JsonFormatter, current_user_id, redact
from tests.conftest import CSRF_TOKEN, EMAIL, PASSWORD, STRONG_SECRET

BEARER_TOKEN = "tok_3b8f1e0c9a7d4e2f8b6a5c4d3e2f1a0b"


@pytest.fixture
def log(app, monkeypatch):
    """Route the app's log lines (as outside the tests) into a string: ``log.text()``."""
    stream = io.StringIO()
    monkeypatch.setattr(app.logger, "handlers", [default_handler])
    stream.text = stream.getvalue
    return stream


@pytest.fixture
def json_log(production_app, monkeypatch):
    stream = io.StringIO()
    monkeypatch.setattr(production_app.logger, "handlers", [default_handler])

    def entries():
        return [json.loads(line) for line in stream.getvalue().splitlines()]

    stream.entries = entries
    return stream


def test_each_request_gets_one_readable_line(app, client, log):
    response = client.get("/auth/login?next=/dashboard", errors_stream=log)

    (line,) = [line for line in log.text().splitlines() if "app.requests" in line]
    assert f"[{response.headers['X-Request-ID']}]" in line
    assert "GET /auth/login 200" in line
    assert "next=" not in line  # query strings may carry tokens
    assert "user=-" in line


def test_the_request_line_names_the_logged_in_user(app, client, auth, user, log):
    auth.login()

    client.get("/dashboard", errors_stream=log)

    assert "GET /dashboard 200" in log.text()
    assert f"user={user.id}" in log.text()


def test_a_user_loaded_as_a_row_is_named_without_a_query(app, user):
    """A view may put the user's row in ``g.user``; even a rollback leaves its id readable."""
    with app.test_request_context():
        g.user = db.session.get(User, user.id)
        db.session.rollback()  # expires the row's attributes, as an error would
        assert current_user_id() == user.id
        g.user = User(email="new@example.com")  # not saved yet: no id to name
        assert current_user_id() is None


def test_production_writes_one_json_object_per_line(production_app, json_log):
    client = production_app.test_client()

    response = client.get("/auth/login", errors_stream=json_log)

    (entry,) = json_log.entries()
    assert entry["logger"] == "app.requests"
    assert entry["method"] == "GET"
    assert entry["path"] == "/auth/login"
    assert entry["status"] == 200
    assert entry["duration_ms"] >= 0
    assert entry["request_id"] == response.headers["X-Request-ID"]
    assert entry["user_id"] is None


def test_production_errors_are_json_with_their_traceback(production_app, json_log):
    def boom():
        raise RuntimeError("it broke")

    production_app.add_url_rule("/boom", "boom", public(boom))
    client = production_app.test_client()

    client.get("/boom", errors_stream=json_log)

    error = next(entry for entry in json_log.entries() if entry["level"] == "ERROR")
    assert "RuntimeError: it broke" in error["traceback"]
    assert error["request_id"] != "-"


def test_no_password_token_cookie_or_secret_reaches_the_log(
    production_app, production_tables, json_log
):
    """Log in, send a bearer token and cookies, and fail loudly: the log holds none of them."""

    def leaky():
        raise ValueError(f"password={PASSWORD} token={BEARER_TOKEN} key {STRONG_SECRET}")

    production_app.add_url_rule("/leaky", "leaky", public(leaky))
    client = production_app.test_client()
    page = client.get("/auth/login", errors_stream=json_log).get_data(as_text=True)
    csrf_token = CSRF_TOKEN.search(page).group(1)
    client.post(
        "/auth/login",
        data={"csrf_token": csrf_token, "email": EMAIL, "password": PASSWORD},
        errors_stream=json_log,
    )
    client.post(
        "/auth/login",
        data={"csrf_token": csrf_token, "email": EMAIL, "password": PASSWORD + "x"},
        errors_stream=json_log,
    )
    session_cookie = client.get_cookie("session").value
    client.get(
        "/leaky",
        headers={"Authorization": f"Bearer {BEARER_TOKEN}", "X-Api-Token": BEARER_TOKEN},
        errors_stream=json_log,
    )

    text = json_log.getvalue()
    assert "ERROR" in text and "/leaky" in text
    for secret in (PASSWORD, BEARER_TOKEN, STRONG_SECRET, session_cookie, csrf_token):
        assert secret not in text


@pytest.mark.parametrize(
    ("line", "expected"),
    [
        ("password=hunter22 next", f"password={REDACTED} next"),
        (json.dumps({"token": "abc.def"}), json.dumps({"token": REDACTED})),
        ("Authorization: Bearer abc.def-ghi", f"Authorization: {REDACTED}"),
        ("sent Bearer abc.def-ghi", f"sent Bearer {REDACTED}"),
        (
            "Cookie: session=abc; remember_token=def",
            f"Cookie: {REDACTED}; remember_token={REDACTED}",
        ),
        ("the key is s3cr3t-value-xyz", f"the key is {REDACTED}"),
        ("nothing to hide", "nothing to hide"),
        ("password='hunter2 two' x", f"password='{REDACTED}' x"),
        ('password: "p w d"', f'password: "{REDACTED}"'),
    ],
)
def test_redact_masks_secret_values(line, expected):
    assert redact(line, secrets=("s3cr3t-value-xyz", "", "short")) == expected


def test_a_json_line_stays_valid_json_with_a_quoted_secret_in_its_message():
    record = logging.LogRecord("app", logging.INFO, __file__, 1, 'password: "p w d"', None, None)

    entry = json.loads(JsonFormatter(()).format(record))

    assert entry["message"] == f'password: "{REDACTED}"'
