"""Fixtures of the live updates tests: the app served for real, and WebSocket clients.

A WebSocket needs a real connection, which Flask's test client cannot make,
so ``server`` serves the test's app with Werkzeug's threaded server on a
free port of 127.0.0.1 (``flask run`` serves it the same way). The test
client logs in through the real forms; its session cookie then opens
sockets as a browser's would.
"""

import functools
import http.client
import json
import threading
import time

import pytest
import simple_websocket
from werkzeug.serving import make_server

from app.realtime import connection
from app.realtime.hub import stop_hub

# Long enough for a loaded machine, far below what anyone would wait for a page.
WAIT_SECONDS = 5
# How often the hub checks each socket's session or token in these tests: a
# twentieth of production's interval, so a test waits a fraction of a second for
# a close (test_session_end.py keeps production's for its promise of 5 seconds).
CHECK_SECONDS = 0.1
SHUTDOWN_POLL_SECONDS = 0.01
# How often an idle socket reads what its client sent (app/realtime/connection.py):
# a tenth of production's half second, which a test waits for each pong.
READ_SECONDS = 0.05
# The headers of a browser's WebSocket handshake, but for the cookie and Origin.
HANDSHAKE = {
    "Upgrade": "websocket",
    "Connection": "Upgrade",
    "Sec-WebSocket-Key": "dGhlIHNhbXBsZSBub25jZQ==",
    "Sec-WebSocket-Version": "13",
}


class Server:
    """The app served on 127.0.0.1, with handshakes as a browser or a script makes them."""

    def __init__(self, app, client):
        self.app = app
        self.client = client
        self._server = make_server("127.0.0.1", 0, app, threaded=True)
        self.port = self._server.server_port
        self.origin = f"http://127.0.0.1:{self.port}"
        app.config["PUBLIC_URL"] = self.origin
        # serve_forever looks for a shutdown every poll_interval (half a second by
        # default): each test would wait that long for its server to stop.
        serve = functools.partial(self._server.serve_forever, poll_interval=SHUTDOWN_POLL_SECONDS)
        self._thread = threading.Thread(target=serve, daemon=True)
        self._thread.start()

    def cookie(self, client=None):
        """The ``Cookie`` header of ``client`` (default: the test's own)."""
        client = client or self.client
        session = client.get_cookie("session")
        return f"session={session.value}" if session else ""

    def connect(self, headers=None, **options):
        """Open a socket with exactly ``headers``; raises ``ConnectionError`` when refused."""
        return simple_websocket.Client(f"ws://127.0.0.1:{self.port}/ws", headers=headers, **options)

    def browser_socket(self, client=None):
        """A socket opened as the dashboard's script opens it: session cookie, own Origin."""
        return self.connect({"Cookie": self.cookie(client), "Origin": self.origin})

    def refusal(self, headers):
        """The HTTP status a handshake with ``headers`` is answered with (101 if accepted)."""
        connection = http.client.HTTPConnection("127.0.0.1", self.port, timeout=WAIT_SECONDS)
        try:
            connection.request("GET", "/ws", headers={**HANDSHAKE, **headers})
            return connection.getresponse().status
        finally:
            connection.close()

    def stop(self):
        stop_hub(self.app)
        self._server.shutdown()
        self._server.server_close()
        self._thread.join(timeout=WAIT_SECONDS)


@pytest.fixture
def server(app, client, monkeypatch):
    """The test's app, served on a free port of this machine while the test runs.

    Its sockets are checked every ``CHECK_SECONDS`` (read when the first one
    opens), and read what their client sent every ``READ_SECONDS``.
    """
    app.config["REALTIME_SESSION_CHECK_SECONDS"] = CHECK_SECONDS
    monkeypatch.setattr(connection, "TICK_SECONDS", READ_SECONDS)
    running = Server(app, client)
    yield running
    running.stop()


def receive(ws, timeout=WAIT_SECONDS):
    """The next message the socket gets, or None after ``timeout`` seconds."""
    return ws.receive(timeout=timeout)


def wait_until_closed(ws, timeout=WAIT_SECONDS):
    """Seconds until the server closed ``ws`` (fails after ``timeout``); then its close code."""
    started = time.monotonic()
    while ws.connected:
        if time.monotonic() - started > timeout:
            raise AssertionError(f"the socket was still open after {timeout}s")
        try:
            ws.receive(timeout=0.05)
        except simple_websocket.ConnectionClosed:
            break
    return time.monotonic() - started, ws.close_reason


def stays_open(*sockets, checks=4):
    """True when every socket outlives several checks and still answers a ping.

    A socket the server closed meanwhile raises ``ConnectionClosed`` here.
    """
    time.sleep(CHECK_SECONDS * checks)
    for ws in sockets:
        assert ws.receive(timeout=0) is None  # nothing was sent, not even a close
        ws.send("ping")
    return all(ws.connected and json.loads(receive(ws)) == {"event": "pong"} for ws in sockets)


def close_all(*sockets):
    """Close every socket still open."""
    for ws in sockets:
        if ws.connected:
            ws.close()
