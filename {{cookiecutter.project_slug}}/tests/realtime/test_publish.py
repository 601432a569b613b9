"""publish(): any view or job pushes an event to one user's sockets, best effort."""

import json

import pytest
import redis

from app.auth.accounts import create_account
from app.extensions import db
from app.realtime.broker import broker_client, publishing_client
from app.realtime.publish import publish
from tests.conftest import AuthActions
from tests.realtime.conftest import HANDSHAKE, receive


def test_publish_sends_the_event_and_its_data_as_one_json_object(app, server, logged_in):
    ws = server.browser_socket()

    with app.test_request_context():
        publish(logged_in.id, "invoice.paid", {"invoice": {"id": 7}})

    assert json.loads(receive(ws)) == {"event": "invoice.paid", "invoice": {"id": 7}}
    ws.close()


def test_publish_without_data_sends_the_event_alone(app, server, logged_in):
    ws = server.browser_socket()

    with app.app_context():
        publish(logged_in.id, "ping.me")

    assert json.loads(receive(ws)) == {"event": "ping.me"}
    ws.close()


def test_a_redis_outage_drops_the_event_with_a_warning_and_fails_nothing(app, monkeypatch, caplog):
    def refused(*args, **kwargs):
        raise redis.exceptions.ConnectionError("Connection refused")

    monkeypatch.setattr(app.extensions["realtime"].client, "publish", refused)

    with app.app_context():
        publish(1, "note.created", {"note": {"id": 1}})

    assert "Live update note.created for user 1 not sent" in caplog.text


def test_channels_carry_the_key_prefix(app, redis_client):
    app.config["REALTIME_KEY_PREFIX"] = "staging:"
    pubsub = redis_client.pubsub()
    pubsub.subscribe("staging:user:5")
    pubsub.get_message(timeout=1)

    with app.app_context():
        publish(5, "x.y")

    message = pubsub.get_message(timeout=1)
    assert json.loads(message["data"]) == {"event": "x.y"}
    pubsub.close()


def test_development_without_redis_keeps_events_in_the_process(development_app):
    client = broker_client(development_app)

    assert client is not None
    assert client is not development_app.extensions["redis"].client  # which is None


def test_without_redis_or_its_emulator_live_updates_are_off(development_app, monkeypatch, caplog):
    monkeypatch.setitem(__import__("sys").modules, "fakeredis", None)

    assert publishing_client(development_app) is None
    assert "Live updates are off" in caplog.text

    development_app.extensions["realtime"].client = None
    with development_app.app_context():
        publish(1, "nobody.listens")  # a no-op, not an error


@pytest.fixture
def offline_app(development_app):
    development_app.extensions["realtime"].client = None
    return development_app


def test_with_live_updates_off_a_handshake_is_refused_with_503(offline_app):
    client = offline_app.test_client()
    with offline_app.app_context():
        db.create_all()
        create_account("dev@example.com", "correct horse battery")
    AuthActions(client).login("dev@example.com", "correct horse battery")

    response = client.get("/ws", headers={**HANDSHAKE, "Origin": "http://127.0.0.1:5000"})

    assert response.status_code == 503
