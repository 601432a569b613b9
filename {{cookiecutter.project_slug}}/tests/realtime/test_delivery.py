"""What an open socket receives, and what it may send."""

import json
import time

import simple_websocket

from app.realtime.hub import HUBS
from app.realtime.sockets import OUTBOX_SIZE
from tests.conftest import CSRF_TOKEN, AuthActions
from tests.realtime.conftest import receive, wait_until_closed


def add_note(client, title, body=""):
    """Add a note through the dashboard's form, as its owner would."""
    page = client.get("/dashboard").get_data(as_text=True)
    token = CSRF_TOKEN.search(page).group(1)
    return client.post("/notes", data={"csrf_token": token, "title": title, "body": body})


def test_a_note_added_with_the_form_reaches_the_owners_socket_within_a_second(server, logged_in):
    ws = server.browser_socket()
    started = time.monotonic()

    add_note(server.client, "Groceries", "eggs")

    message = json.loads(receive(ws))
    assert time.monotonic() - started < 1
    assert message["event"] == "note.created"
    assert message["note"]["title"] == "Groceries"
    assert message["note"]["body"] == "eggs"
    assert message["note"]["created_at"].endswith("+00:00")
    ws.close()


def test_every_socket_of_the_owner_receives_it_and_no_one_elses(app, server, logged_in, other_user):
    mine = [server.browser_socket(), server.browser_socket()]
    other_client = app.test_client()
    AuthActions(other_client).login(other_user.email, other_user.password)
    theirs = server.browser_socket(other_client)

    add_note(server.client, "Mine")

    for ws in mine:
        assert json.loads(receive(ws))["note"]["title"] == "Mine"
    assert receive(theirs, timeout=0.5) is None
    for ws in [*mine, theirs]:
        ws.close()


def test_a_deleted_note_is_announced_with_its_id(app, server, logged_in):
    ws = server.browser_socket()
    add_note(server.client, "Short-lived")
    created = json.loads(receive(ws))["note"]
    page = server.client.get("/dashboard").get_data(as_text=True)
    token = CSRF_TOKEN.search(page).group(1)

    server.client.post(f"/notes/{created['id']}/delete", data={"csrf_token": token})

    assert json.loads(receive(ws)) == {"event": "note.deleted", "note": {"id": created["id"]}}
    ws.close()


def test_a_ping_is_answered_with_a_pong(server, logged_in):
    ws = server.browser_socket()

    ws.send("ping")

    assert json.loads(receive(ws)) == {"event": "pong"}
    ws.close()


def test_other_client_messages_are_ignored(server, logged_in):
    ws = server.browser_socket()

    ws.send("hello")
    ws.send(b"\x00\x01")

    assert receive(ws, timeout=0.5) is None
    assert ws.connected
    ws.close()


def test_a_frame_over_4_kib_closes_that_socket_and_the_app_serves_on(server, logged_in):
    ws = server.browser_socket()

    ws.send("x" * 4097)

    assert wait_until_closed(ws)[1] == 1009
    fresh = server.browser_socket()
    assert fresh.connected
    fresh.close()


def test_a_text_frame_counts_its_bytes_not_its_characters(server, logged_in):
    ws = server.browser_socket()

    ws.send("é" * 2049)  # 2049 characters, 4098 bytes

    assert wait_until_closed(ws)[1] == 1009


def test_a_frame_of_exactly_4_kib_is_accepted(server, logged_in):
    ws = server.browser_socket()

    ws.send("x" * 4096)
    ws.send("ping")

    assert json.loads(receive(ws)) == {"event": "pong"}
    ws.close()


def test_a_socket_that_falls_too_far_behind_is_closed_with_1013(app, server, logged_in):
    ws = server.browser_socket()
    (sock,) = HUBS[id(app)].everyone()
    for number in range(OUTBOX_SIZE + 1):
        sock.deliver(json.dumps({"event": "flood", "n": number}))

    code = None
    try:
        while True:
            ws.receive(timeout=5)
    except simple_websocket.ConnectionClosed:
        code = ws.close_reason
    assert code == 1013
