"""The life of one socket, once its handshake has been answered with 101.

The socket's own thread (a gunicorn thread; simple-websocket adds one that
reads the network and answers pings) sends what the hub queued for it, and
reads what the client sends: ``ping`` gets ``{"event": "pong"}`` (the
dashboard's script checks that the server is still there), anything else
is ignored, and a message over ``REALTIME_MAX_MESSAGE_BYTES`` closes the
socket with 1009. simple-websocket counts the characters of a text message
against its own limit, not its bytes, so the bytes are counted again here.

Nothing may escape from here: after the 101, an exception would make the
server write an error page into the middle of the WebSocket stream.
"""

import queue
from collections.abc import Iterable
from typing import Any
from wsgiref.types import StartResponse, WSGIEnvironment

from flask import Response
from simple_websocket import ConnectionClosed, Server

from app.realtime.sockets import Socket

MESSAGE_TOO_BIG = 1009
# How often the loop looks for client messages while nothing is queued for it.
TICK_SECONDS = 0.5
PING = "ping"
PONG = '{"event":"pong"}'


def size_of(message: str | bytes) -> int:
    """A message's length in bytes, as it travelled (text is UTF-8)."""
    return len(message.encode("utf-8")) if isinstance(message, str) else len(message)


def serve(ws: Server, sock: Socket, max_bytes: int) -> None:
    """Relay the hub's messages to the client until one side closes."""
    try:
        while ws.connected:
            if sock.closing is not None:
                ws.close(*sock.closing)
                return
            try:
                message = sock.outbox.get(timeout=TICK_SECONDS)
            except queue.Empty:
                message = None
            if message is not None and sock.closing is None:
                ws.send(message)
            for received in incoming(ws):
                if size_of(received) > max_bytes:
                    ws.close(MESSAGE_TOO_BIG, "Message is too big")
                    return
                if received == PING:
                    ws.send(PONG)
    except (ConnectionClosed, OSError):
        return  # the client went away, or simple-websocket closed the socket itself


def incoming(ws: Server) -> Iterable[str | bytes]:
    """The messages the client has sent so far, without waiting for more."""
    while (received := ws.receive(timeout=0)) is not None:
        yield received


class UpgradedResponse(Response):
    """What ``/ws`` returns once its socket has closed.

    simple-websocket wrote the 101 itself, so nothing more may be written:
    the status here is for the app's log line only. ``StopIteration`` is how
    gunicorn is told to drop the connection, and ``ConnectionError`` how
    Werkzeug's development server is (as flask-sock does both). Werkzeug
    would otherwise write an HTTP status line after the close frame, on a
    connection the browser may still read: Chromium then logs "Invalid
    frame header" at every logout or page close under ``flask run``.
    """

    default_status = 101

    def __init__(self, mode: str) -> None:
        super().__init__()
        self.mode = mode

    def __call__(self, environ: WSGIEnvironment, start_response: StartResponse) -> Any:
        if self.mode == "gunicorn":
            raise StopIteration
        if self.mode == "werkzeug":
            raise ConnectionError("the WebSocket has closed")
        return super().__call__(environ, start_response)
