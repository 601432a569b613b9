"""``GET /health``: 200 when the database and Redis answer, 503 naming the one that does not."""

import pytest
from sqlalchemy.exc import OperationalError

from app.extensions import db, redis_store


@pytest.fixture
def database_down(app, monkeypatch):
    def refuse(*args, **kwargs):
        raise OperationalError("SELECT 1", {}, Exception("could not connect to server"))

    with app.app_context():
        engine = db.engine
    with monkeypatch.context() as outage:  # undone before the app fixture drops its tables
        outage.setattr(engine, "connect", refuse)
        yield


@pytest.fixture
def redis_down(refuse_redis):
    refuse_redis("ping")


def test_health_is_ok_when_everything_answers(client):
    response = client.get("/health")
    assert response.status_code == 200
    assert response.json == {"status": "ok", "checks": {"database": "ok", "redis": "ok"}}


def test_health_is_public_json_even_for_logged_in_browsers(client, auth, user):
    auth.login()
    response = client.get("/health", headers={"Accept": "text/html"})
    assert response.status_code == 200
    assert response.mimetype == "application/json"


def test_health_fails_when_the_database_is_down(client, database_down):
    response = client.get("/health")
    assert response.status_code == 503
    assert response.json == {"status": "error", "checks": {"database": "error", "redis": "ok"}}


def test_health_fails_when_redis_is_down(client, redis_down):
    response = client.get("/health")
    assert response.status_code == 503
    assert response.json == {"status": "error", "checks": {"database": "ok", "redis": "error"}}


def test_health_names_both_failures(client, database_down, redis_down):
    response = client.get("/health")
    assert response.status_code == 503
    assert response.json["checks"] == {"database": "error", "redis": "error"}


def test_health_logs_what_failed(client, database_down, redis_down, caplog):
    client.get("/health")
    assert any("database unreachable" in message for message in caplog.messages)
    assert any("Redis unreachable" in message for message in caplog.messages)


def test_health_recovers_when_the_database_is_back(app, client, monkeypatch):
    down = True
    with app.app_context():
        engine = db.engine
    real_connect = engine.connect

    def connect(*args, **kwargs):
        if down:
            raise OperationalError("SELECT 1", {}, Exception("could not connect to server"))
        return real_connect(*args, **kwargs)

    with monkeypatch.context() as outage:
        outage.setattr(engine, "connect", connect)
        assert client.get("/health").status_code == 503
        down = False
        assert client.get("/health").status_code == 200


def test_redis_not_configured_in_development_does_not_fail_health(development_app):
    response = development_app.test_client().get("/health")
    assert response.status_code == 200
    assert response.json == {
        "status": "ok",
        "checks": {"database": "ok", "redis": "not configured"},
    }


def test_ping_is_true_when_redis_answers(app):
    with app.app_context():
        assert redis_store.ping() is True
