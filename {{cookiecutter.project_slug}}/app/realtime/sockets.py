"""What the hub knows of an open socket: whose it is (``Listener``) and what waits
to be sent to it (``Socket``), with the codes a socket is closed with.

The handshake makes the listener, the hub and its checks (``credentials.py``,
``slots.py``) work on sockets; each imports them from here.
"""

import contextlib
import queue
import secrets
from dataclasses import dataclass, field

# WebSocket close codes (RFC 6455; 4000-4999 are the application's own).
GOING_AWAY = 1001  # the server is stopping: reconnect (to another instance)
SERVICE_RESTART = 1012  # the event stream broke: reconnect, then catch up
TRY_AGAIN_LATER = 1013  # the socket fell too far behind: reconnect, then catch up
SESSION_ENDED = 4001  # the session or token is over: reconnecting needs a new login

# Messages a socket may have waiting before it counts as too far behind.
OUTBOX_SIZE = 100


@dataclass(frozen=True)
class Listener:
    """The user a socket belongs to, and the credential it was opened with."""

    user_id: int
    # A socket opened with the session cookie: the id of its ``Login``.
    login_id: str | None = None
{%- if cookiecutter.use_api %}
    # A socket opened with a bearer token: the token's id.
    token_id: int | None = None
{%- endif %}


@dataclass(eq=False)
class Socket:
    """What the hub knows of one open socket: whose it is, and what waits to be sent."""

    listener: Listener
    # The client's key (its address, or IPv6 /64), for the per-address cap (slots.py).
    address: str = ""
    id: str = field(default_factory=lambda: secrets.token_hex(8))
    outbox: "queue.Queue[str | None]" = field(default_factory=lambda: queue.Queue(OUTBOX_SIZE))
    # Set once to (close code, reason): the socket's loop closes it at its next turn.
    closing: tuple[int, str] | None = None

    def deliver(self, message: str) -> None:
        """Queue ``message``; a socket whose queue is full is closed instead."""
        try:
            self.outbox.put_nowait(message)
        except queue.Full:
            self.end(TRY_AGAIN_LATER, "Too far behind")

    def end(self, code: int, reason: str) -> None:
        """Ask the socket's loop to close it with ``code`` (the first request wins)."""
        if self.closing is None:
            self.closing = (code, reason)
        with contextlib.suppress(queue.Full):  # a full queue wakes the loop anyway
            self.outbox.put_nowait(None)
