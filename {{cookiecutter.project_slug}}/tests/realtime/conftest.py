"""Fixtures of the live updates tests: the app served for real, and WebSocket clients.

A WebSocket needs a real connection, which Flask's test client cannot make,
so ``server`` serves the test's app with Werkzeug's threaded server on a
free port of 127.0.0.1 (``flask run`` serves it the same way). The test
client logs in through the real forms; its session cookie then opens
sockets as a browser's would.
"""

import http.client
import threading
import time

import pytest
import simple_websocket
from werkzeug.serving import make_server

from app.realtime.hub import stop_hub

# Long enough for a loaded machine, far below what anyone would wait for a page.
WAIT_SECONDS = 5
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
        self._thread = threading.Thread(target=self._server.serve_forever, daemon=True)
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
def server(app, client):
    """The test's app, served on a free port of this machine while the test runs."""
    running = Server(app, client)
    yield running
    running.stop()


@pytest.fixture
def logged_in(auth, user):
    """``user``, logged in on the test's client through the form."""
    auth.login()
    return user


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


def close_all(*sockets):
    """Close every socket still open."""
    for ws in sockets:
        if ws.connected:
            ws.close()
