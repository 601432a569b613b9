"""Error responses: a page in the site's layout, or problem details for JSON clients."""

import io
import logging

import pytest
import redis
from flask import abort
from flask.logging import default_handler
from sqlalchemy.exc import InterfaceError, OperationalError
from sqlalchemy.exc import TimeoutError as PoolTimeoutError

from app.auth.guard import public
from app.auth.models import User
from app.extensions import db
from app.web.negotiation import answer_json_under

JSON = {"Accept": "application/json"}
PROBLEM_KEYS = {"type", "title", "status", "detail"}


def add_public_route(app, path, view):
    """Mount ``view`` at ``path`` for this test only, open to everyone."""
    app.add_url_rule(path, view.__name__, public(view))


def fail_with(error):
    def failing_view():
        raise error

    return failing_view


def test_404_is_a_page_in_the_site_layout(client):
    response = client.get("/no-such-page")
    assert response.status_code == 404
    assert response.mimetype == "text/html"
    assert 'class="site-header"' in response.text
    assert "Not Found" in response.text
    assert "Error 404" in response.text


def test_404_for_json_clients_is_problem_details(client):
    response = client.get("/no-such-page", headers=JSON)
    assert response.status_code == 404
    assert response.mimetype == "application/problem+json"
    assert response.json.keys() >= PROBLEM_KEYS
    assert response.json["status"] == 404
    assert response.json["title"] == "Not Found"


@pytest.mark.parametrize("path", ["/reports", "/reports/", "/reports/nothing/here"])
def test_under_a_prefix_a_part_claims_for_json_errors_are_json_even_for_browsers(app, client, path):
    answer_json_under(app, "/reports/")
    response = client.get(path, headers={"Accept": "text/html"})
    assert response.status_code == 404
    assert response.mimetype == "application/problem+json"


def test_a_path_that_only_starts_like_a_claimed_prefix_is_not_under_it(app, client):
    answer_json_under(app, "/reports")
    assert client.get("/reportsx").mimetype == "text/html"


def test_405_page_names_the_allowed_methods(client):
    response = client.get("/auth/logout")
    assert response.status_code == 405
    assert "POST" in response.headers["Allow"]
    assert "Error 405" in response.text


def test_405_for_json_clients_names_the_allowed_methods(client):
    response = client.get("/auth/logout", headers=JSON)
    assert response.status_code == 405
    assert "POST" in response.headers["Allow"]
    assert response.json["status"] == 405


@pytest.mark.parametrize("path", ["/auth/login", "/auth/register"])
def test_a_post_without_a_csrf_token_is_400(client, path):
    response = client.post(path, data={"email": "ada@example.com", "password": "whatever"})
    assert response.status_code == 400
    assert "The CSRF token is missing." in response.text


def test_a_csrf_token_from_another_session_is_400(app, client, auth):
    token = auth.csrf_token()
    other_browser = app.test_client()
    other_browser.get("/auth/login")
    response = other_browser.post("/auth/login", data={"csrf_token": token, "email": "x"})
    assert response.status_code == 400
    assert "The CSRF tokens do not match." in response.text


def test_a_csrf_failure_for_json_clients_is_problem_details(client):
    response = client.post("/auth/login", headers=JSON)
    assert response.status_code == 400
    assert response.mimetype == "application/problem+json"
    assert response.json["detail"] == "The CSRF token is missing."


def test_a_body_over_the_limit_is_413(app, client):
    body = b"email=" + b"x" * app.config["MAX_CONTENT_LENGTH"]
    response = client.post(
        "/auth/login", data=body, content_type="application/x-www-form-urlencoded"
    )
    assert response.status_code == 413
    assert "Error 413" in response.text


def test_a_body_over_the_limit_is_413_for_json_clients(app, client):
    body = b"x" * (app.config["MAX_CONTENT_LENGTH"] + 1)
    response = client.post(
        "/auth/login", data=body, content_type="application/x-www-form-urlencoded", headers=JSON
    )
    assert response.status_code == 413
    assert response.json["status"] == 413


def test_the_body_limit_is_a_setting(app, client):
    app.config["MAX_CONTENT_LENGTH"] = 100
    response = client.post("/auth/login", data={"email": "x" * 150})
    assert response.status_code == 413


def test_an_unexpected_error_is_a_500_page_without_internals(app, client):
    add_public_route(app, "/boom", fail_with(RuntimeError("secret internals")))
    response = client.get("/boom")
    assert response.status_code == 500
    assert 'class="site-header"' in response.text
    assert "Traceback" not in response.text
    assert "secret internals" not in response.text
    assert "RuntimeError" not in response.text


def test_an_unexpected_error_for_json_clients_is_problem_details(app, client):
    add_public_route(app, "/boom", fail_with(RuntimeError("secret internals")))
    response = client.get("/boom", headers=JSON)
    assert response.status_code == 500
    assert response.mimetype == "application/problem+json"
    assert "secret internals" not in response.text


def test_an_unexpected_error_is_logged_with_the_request_id(app, client, monkeypatch):
    # pytest's own log handlers keep Flask from attaching its default handler; attach it
    # as it is outside the tests. In a request it writes to the request's wsgi.errors.
    monkeypatch.setattr(app.logger, "handlers", [default_handler])
    add_public_route(app, "/boom", fail_with(RuntimeError("secret internals")))
    errors = io.StringIO()
    response = client.get("/boom", errors_stream=errors)
    log = errors.getvalue()
    assert f"[{response.headers['X-Request-ID']}]" in log
    assert "Unhandled exception" in log
    assert "RuntimeError: secret internals" in log


def test_log_lines_outside_a_request_have_a_placeholder_id(app, monkeypatch, capsys):
    monkeypatch.setattr(app.logger, "handlers", [default_handler])
    app.logger.warning("starting up")
    assert "WARNING [-] app: starting up" in capsys.readouterr().err


def test_an_unexpected_error_rolls_back_the_database_session(app, client, monkeypatch):
    """POST (like PUT, PATCH, DELETE) runs in one transaction.

    See app/infrastructure/database_session.py.
    """

    def half_done():
        db.session.add(User(email="half@example.com", password_hash="x"))
        db.session.flush()
        raise RuntimeError("after a write")

    app.config["WTF_CSRF_ENABLED"] = False
    app.add_url_rule("/half-done", "half_done", public(half_done), methods=["POST"])
    rollbacks = []
    real_rollback = db.session.rollback
    monkeypatch.setattr(db.session, "rollback", lambda: rollbacks.append(1) or real_rollback())

    assert client.post("/half-done").status_code == 500
    assert rollbacks
    with app.app_context():
        assert User.find_by_email("half@example.com") is None


def test_a_failed_rollback_does_not_hide_the_first_error(app, client, monkeypatch, caplog):
    def broken_rollback():
        raise OperationalError("ROLLBACK", {}, Exception("connection lost"))

    add_public_route(app, "/boom", fail_with(RuntimeError("the first error")))
    monkeypatch.setattr(db.session, "rollback", broken_rollback)
    assert client.get("/boom").status_code == 500
    assert "Rollback failed after an error" in caplog.messages


OUTAGES = [
    redis.exceptions.ConnectionError("Connection refused"),
    redis.exceptions.TimeoutError("Timeout reading from socket"),
    OperationalError("SELECT 1", {}, Exception("server closed the connection")),
    InterfaceError("SELECT 1", {}, Exception("connection already closed")),
    PoolTimeoutError("QueuePool limit reached"),
]


@pytest.mark.parametrize("error", OUTAGES, ids=lambda error: type(error).__name__)
def test_a_service_outage_is_503_with_retry_after(app, client, error):
    add_public_route(app, "/outage", fail_with(error))
    response = client.get("/outage")
    assert response.status_code == 503
    assert int(response.headers["Retry-After"]) > 0
    assert "Error 503" in response.text
    assert str(error) not in response.text


@pytest.mark.parametrize("error", OUTAGES, ids=lambda error: type(error).__name__)
def test_a_service_outage_for_json_clients_is_503_problem_details(app, client, error):
    add_public_route(app, "/outage", fail_with(error))
    response = client.get("/outage", headers=JSON)
    assert response.status_code == 503
    assert int(response.headers["Retry-After"]) > 0
    assert response.mimetype == "application/problem+json"
    assert response.json["status"] == 503


def test_redis_failing_while_saving_the_session_is_503(app, client, refuse_redis):
    """The session is saved after the view, outside its error handling."""
    app.config["PROPAGATE_EXCEPTIONS"] = False  # as outside the tests
    refuse_redis("set")  # the session is written with one SET
    response = client.get("/auth/login")
    assert response.status_code == 503
    assert int(response.headers["Retry-After"]) > 0
    assert response.headers["X-Content-Type-Options"] == "nosniff"


def test_redis_failing_while_opening_the_session_is_503(app, client, auth, refuse_redis):
    """The session is opened before any view or hook, also outside their error handling."""
    app.config["PROPAGATE_EXCEPTIONS"] = False  # as outside the tests
    auth.csrf_token()  # the browser now holds a session cookie to look up
    refuse_redis("getex")
    response = client.get("/")
    assert response.status_code == 503
    assert int(response.headers["Retry-After"]) > 0
    assert response.headers["X-Content-Type-Options"] == "nosniff"


def test_an_explicit_500_is_an_error_page(app, client):
    add_public_route(app, "/abort-500", lambda: abort(500))
    response = client.get("/abort-500")
    assert response.status_code == 500
    assert "Error 500" in response.text


def test_the_error_page_falls_back_to_plain_html_when_the_layout_fails(client, monkeypatch):
    def broken_render_template(*args, **kwargs):
        raise RuntimeError("the layout needs what just failed")

    monkeypatch.setattr("app.web.errors.render_template", broken_render_template)
    response = client.get("/no-such-page")
    assert response.status_code == 404
    assert response.mimetype == "text/html"
    assert response.text.startswith("<!doctype html><title>404 Not Found</title>")
    assert "the layout needs what just failed" not in response.text


def test_the_fallback_page_escapes_the_detail(app, client, monkeypatch):
    def broken_render_template(*args, **kwargs):
        raise RuntimeError("broken layout")

    add_public_route(app, "/bad", lambda: abort(400, description="<script>alert(1)</script>"))
    monkeypatch.setattr("app.web.errors.render_template", broken_render_template)
    response = client.get("/bad")
    assert response.status_code == 400
    assert "<script>" not in response.text
    assert "&lt;script&gt;alert(1)&lt;/script&gt;" in response.text


def test_a_failed_error_page_is_logged(client, monkeypatch, caplog):
    def broken_render_template(*args, **kwargs):
        raise RuntimeError("broken layout")

    monkeypatch.setattr("app.web.errors.render_template", broken_render_template)
    with caplog.at_level(logging.ERROR, logger="app"):
        client.get("/no-such-page")
    assert "Could not render the error page" in caplog.messages


def test_debug_mode_lets_unexpected_errors_reach_the_debugger(app, client):
    add_public_route(app, "/boom", fail_with(RuntimeError("for the debugger")))
    app.debug = True
    with pytest.raises(RuntimeError, match="for the debugger"):
        client.get("/boom")


def test_a_query_string_that_is_not_utf8_is_a_400(client):
    response = client.get("/auth/login", environ_overrides={"QUERY_STRING": "next=\xff\xfe"})
    assert response.status_code == 400
    assert "not valid UTF-8" in response.text


def test_a_percent_encoded_invalid_byte_is_harmless(client):
    assert client.get("/auth/login?next=%ff%fe").status_code == 200
