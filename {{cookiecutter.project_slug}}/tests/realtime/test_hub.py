"""The hub: one subscription per process, and what happens when Redis goes away."""

import json
import os
import signal

import pytest
import redis

from app.realtime import credentials, shutdown
from app.realtime import hub as hub_module
from app.realtime.hub import hub_for, stop_hub
from app.realtime.publish import publish
from app.realtime.sockets import OUTBOX_SIZE, TRY_AGAIN_LATER, Listener, Socket
from tests.realtime.conftest import CHECK_SECONDS, receive, wait_until_closed


def test_a_full_outbox_asks_the_socket_to_close_with_1013():
    sock = Socket(Listener(user_id=1))
    for number in range(OUTBOX_SIZE):
        sock.deliver(str(number))

    sock.deliver("one too many")

    assert sock.closing == (TRY_AGAIN_LATER, "Too far behind")


def test_the_first_close_request_wins():
    sock = Socket(Listener(user_id=1))

    sock.end(4001, "first")
    sock.end(1001, "second")

    assert sock.closing == (4001, "first")


def test_one_hub_per_app_and_process(app):
    first = hub_for(app)
    try:
        assert hub_for(app) is first
        first.pid = -1  # as a hub inherited through a fork would look
        second = hub_for(app)
        assert second is not first
    finally:
        first.stop()
        stop_hub(app)


def test_a_broken_subscription_closes_every_socket_with_1012_and_recovers(
    app, server, logged_in, monkeypatch
):
    ws = server.browser_socket()
    hub = hub_module.HUBS[id(app)]
    real_get_message = redis.client.PubSub.get_message
    broken = {"once": True}

    def get_message(self, *args, **kwargs):
        if broken.pop("once", False):
            raise redis.exceptions.ConnectionError("Connection closed by server.")
        return real_get_message(self, *args, **kwargs)

    monkeypatch.setattr(redis.client.PubSub, "get_message", get_message)

    assert wait_until_closed(ws)[1] == 1012
    assert hub.up.wait(5)  # subscribed again
    fresh = server.browser_socket()
    with app.test_request_context():
        publish(logged_in.id, "test.after-outage", {"n": 1})
    assert json.loads(receive(fresh)) == {"event": "test.after-outage", "n": 1}
    fresh.close()


def test_a_handshake_waits_for_the_users_channel_and_gives_up_with_503(
    app, server, logged_in, monkeypatch
):
    monkeypatch.setattr(hub_module, "SUBSCRIBE_TIMEOUT_SECONDS", 0.2)
    monkeypatch.setattr(hub_module.Hub, "handle_requests", lambda self, pubsub: None)

    assert server.refusal({"Cookie": server.cookie(), "Origin": server.origin}) == 503


def test_a_stopping_process_closes_its_sockets_with_1001_and_takes_no_more(
    app, server, logged_in, monkeypatch
):
    monkeypatch.setattr(hub_module, "STOPPED", hub_module.threading.Event())
    ws = server.browser_socket()

    hub_module.stop_every_hub()

    assert wait_until_closed(ws)[1] == 1001
    assert server.refusal({"Cookie": server.cookie(), "Origin": server.origin}) == 503


def test_sigterm_closes_the_sockets_then_runs_the_handler_it_replaced(monkeypatch):
    calls = []
    monkeypatch.setattr(shutdown, "stop_every_hub", lambda: calls.append("sockets closed"))
    previous = signal.signal(signal.SIGTERM, lambda signum, frame: calls.append("gunicorn's"))
    try:
        shutdown.close_sockets_on_sigterm()
        signal.getsignal(signal.SIGTERM)(signal.SIGTERM, None)
    finally:
        signal.signal(signal.SIGTERM, previous)

    assert calls == ["sockets closed", "gunicorn's"]


def test_sigterm_without_a_handler_before_still_ends_the_process(monkeypatch):
    killed = []
    monkeypatch.setattr(shutdown, "stop_every_hub", lambda: None)
    monkeypatch.setattr(os, "kill", lambda pid, signum: killed.append(signum))
    previous = signal.signal(signal.SIGTERM, signal.SIG_DFL)
    try:
        shutdown.close_sockets_on_sigterm()
        signal.getsignal(signal.SIGTERM)(signal.SIGTERM, None)
        assert signal.getsignal(signal.SIGTERM) == signal.SIG_DFL
    finally:
        signal.signal(signal.SIGTERM, previous)

    assert killed == [signal.SIGTERM]


def test_a_failing_check_is_logged_and_tried_again(server, logged_in, monkeypatch, caplog):
    def down(*args):
        raise redis.exceptions.ConnectionError("Connection refused")

    monkeypatch.setattr(credentials, "ended", down)
    ws = server.browser_socket()

    with pytest.raises(AssertionError, match="still open"):
        wait_until_closed(ws, timeout=CHECK_SECONDS * 5)  # five failing checks
    assert "could not check the open sockets" in caplog.text
    ws.close()
