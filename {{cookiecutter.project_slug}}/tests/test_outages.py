"""Outages: a failed service is met once per request, and the 503 page needs neither service."""

import pytest
import redis
from sqlalchemy.exc import OperationalError

from app.auth.models import Login

LAYOUT = 'class="site-header"'


@pytest.fixture
def counted_refusals(app, monkeypatch):
    """Make Redis commands fail as when the server is down, counting each attempt."""
    attempts = []

    def refuse(*commands):
        for command in commands:

            def refused(*args, _command=command, **kwargs):
                attempts.append(_command)
                raise redis.exceptions.ConnectionError("Connection refused")

            monkeypatch.setattr(app.extensions["redis"].client, command, refused)

    refuse.attempts = attempts
    return refuse


def test_a_session_that_cannot_be_loaded_is_tried_once(app, client, auth, user, counted_refusals):
    app.config["PROPAGATE_EXCEPTIONS"] = False
    auth.login(remember_me=True)
    counted_refusals("getex", "set", "pipeline", "delete")

    response = client.get("/dashboard")

    assert response.status_code == 503
    assert counted_refusals.attempts == ["getex"]
    assert LAYOUT in response.text  # the real error page, not the bare fallback
    assert user.email not in response.text  # shown as to a visitor


def test_a_session_that_cannot_be_saved_is_tried_once(app, client, counted_refusals):
    app.config["PROPAGATE_EXCEPTIONS"] = False
    counted_refusals("set")  # the session is written with one SET

    response = client.get("/auth/register")

    assert response.status_code == 503
    assert counted_refusals.attempts == ["set"]
    assert LAYOUT in response.text


def test_an_outage_while_loading_the_user_does_not_load_them_again(
    app, client, auth, user, monkeypatch
):
    auth.login()
    calls = []

    def database_down(_login_id):
        calls.append(_login_id)
        raise OperationalError("SELECT", {}, Exception("connection refused"))

    monkeypatch.setattr(Login, "find", database_down)

    response = client.get("/dashboard")

    assert response.status_code == 503
    assert len(calls) == 1
    assert LAYOUT in response.text


def test_the_app_recovers_when_redis_answers_again(app, client, auth, user, monkeypatch):
    app.config["PROPAGATE_EXCEPTIONS"] = False
    auth.login()
    with monkeypatch.context() as outage:
        outage.setattr(
            app.extensions["redis"].client,
            "getex",
            lambda *a, **k: (_ for _ in ()).throw(redis.exceptions.ConnectionError("down")),
        )
        assert client.get("/dashboard").status_code == 503

    assert client.get("/dashboard").status_code == 200


def test_health_names_redis_even_for_a_browser_with_a_session(app, client, auth, counted_refusals):
    app.config["PROPAGATE_EXCEPTIONS"] = False
    auth.csrf_token()  # the browser now holds a session cookie
    counted_refusals("getex", "set", "pipeline", "ping")

    response = client.get("/health")

    assert response.status_code == 503
    assert response.json["checks"]["redis"] == "error"
    assert counted_refusals.attempts == ["getex"]  # a dead Redis is waited for once


def test_health_names_the_database_even_for_a_logged_in_browser(client, auth, user, monkeypatch):
    auth.login()

    def database_down(_login_id):
        raise OperationalError("SELECT", {}, Exception("connection refused"))

    monkeypatch.setattr(Login, "find", database_down)
    monkeypatch.setattr("app.health.check_database", lambda: "error")

    response = client.get("/health")

    assert response.status_code == 503
    assert response.json["checks"] == {"database": "error", "redis": "ok"}
