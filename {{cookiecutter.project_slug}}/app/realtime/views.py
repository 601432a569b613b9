"""``/ws``: the live updates socket.

Every check is answered as a plain HTTP error, before anything is
upgraded: a WebSocket client sees the status of a refused handshake, and
the browser's script can ask for it with an ordinary ``GET /ws`` (which
gets 426 once the checks pass, 401 when the session has ended). Only then
is the socket accepted (simple-websocket writes the 101) and served.

The view is a plain Flask view, so every request hook runs for it as for
any page (request checks, the session, the logged-in user); the login
guard leaves the answer to it (``authenticates_itself``), which is 401, not
a redirect to the login form.

Every refusal of a handshake is logged at WARNING with its reason (the
page's origin and the one expected, missing credentials, Redis, a cap), so
that a developer whose page says "refused" finds why in the log; the
page's plain GET (a probe after a dropped socket) is logged at INFO.
"""

import functools
import logging
import threading

from flask import abort, current_app, request, session
from simple_websocket import Server
from werkzeug.exceptions import HTTPException
from werkzeug.wrappers import Response

from app.extensions import db
from app.infrastructure.client_key import client_key
from app.realtime import bp, slots
from app.realtime.broker import broker_client
from app.realtime.connection import UpgradedResponse, serve
from app.realtime.handshake import check_origin, check_page_origin, identify
from app.realtime.hub import Hub, hub_for
from app.realtime.sockets import Socket
from app.web.errors import ErrorResponse, error_response

# Seconds a handshake waits for a hub that is (re)connecting to Redis.
HUB_READY_SECONDS = 1.0
RETRY_AFTER_SECONDS = 5
UNAVAILABLE = "Live updates are unavailable right now (Redis does not answer); try again."
OFF = "Live updates are off on this server: set REDIS_URL (or install the dev extra)."
WEBSOCKET_VERSION = "13"
# simple-websocket reads each socket in a thread of its own. Once the server
# has closed a socket, that thread sleeps until the next ping is due, and a
# process exits only after its non-daemon threads: a stopping worker would
# wait for it, up to REALTIME_PING_SECONDS, when the client does not answer.
READER_THREAD = functools.partial(threading.Thread, daemon=True)


def socket_view() -> Response | ErrorResponse:
    """Answer the handshake (or the page's plain GET), logging a refusal with its reason."""
    try:
        return answer()
    except HTTPException as refusal:
        log_refusal(refusal.code or 500, refusal.description)
        raise


def answer() -> Response | ErrorResponse:
    """Check the handshake, then serve the socket until it closes."""
    listener = identify()
    if not is_handshake():
        check_page_origin()
        check_live_updates_on()
        return upgrade_required("Open a WebSocket here.")
    check_origin(listener)
    if not request.headers.get("Sec-WebSocket-Key"):
        abort(400, "A WebSocket handshake needs a Sec-WebSocket-Key header.")
    if request.headers.get("Sec-WebSocket-Version") != WEBSOCKET_VERSION:
        log_refusal(426, "Only WebSocket version 13 is spoken here.")
        return upgrade_required("Only WebSocket version 13 is spoken here.")
    hub = ready_hub()
    sock = Socket(listener, address=client_key())
    if not hub.add(sock, current_app.config["REALTIME_MAX_SOCKETS_PER_PROCESS"]):
        abort(
            503,
            "This server holds all the sockets it can (REALTIME_MAX_SOCKETS_PER_PROCESS).",
            retry_after=RETRY_AFTER_SECONDS,
        )
    try:
        admit(hub, sock)
        try:
            return upgrade(sock)
        finally:
            release_quietly(sock)
    finally:
        hub.remove(sock)


def is_handshake() -> bool:
    """True for a WebSocket handshake, False for a plain GET of the same URL."""
    return request.url_rule is not None and bool(request.url_rule.websocket)


def log_refusal(status: int, reason: str | None) -> None:
    """One line per refusal: WARNING for a handshake, INFO for the page's plain GET."""
    level = logging.WARNING if is_handshake() else logging.INFO
    kind = "handshake" if is_handshake() else "check"
    current_app.logger.log(level, "Live updates: %s refused with %d: %s", kind, status, reason)


def upgrade_required(detail: str) -> ErrorResponse:
    """426: a plain GET (how the dashboard's script asks whether the socket would open)."""
    headers = {"Upgrade": "websocket", "Sec-WebSocket-Version": WEBSOCKET_VERSION}
    return error_response(426, detail, headers)


def check_live_updates_on() -> None:
    """503 when this process has nothing to carry events (no Redis, no emulator)."""
    if broker_client(current_app) is None:
        abort(503, OFF, retry_after=RETRY_AFTER_SECONDS)


def ready_hub() -> Hub:
    """This process's hub once it is subscribed to Redis; 503 while Redis is unreachable."""
    check_live_updates_on()
    # The app itself, not the proxy: the hub's threads outlive this request.
    app = current_app._get_current_object()  # type: ignore[attr-defined]
    hub = hub_for(app)
    if hub is None or not hub.up.wait(HUB_READY_SECONDS):
        abort(503, UNAVAILABLE, retry_after=RETRY_AFTER_SECONDS)
    return hub


def admit(hub: Hub, sock: Socket) -> None:
    """Take a slot of the user's cap and of the address's (429 when either is full), then
    wait for the user's channel to be subscribed (503 when Redis does not confirm it)."""
    if not slots.claim(current_app, sock):
        abort(
            429,
            "Too many open sockets for this user or from this address "
            "(REALTIME_MAX_SOCKETS_PER_USER, REALTIME_MAX_SOCKETS_PER_ADDRESS).",
            retry_after=RETRY_AFTER_SECONDS,
        )
    if not hub.subscribe(sock):
        release_quietly(sock)
        abort(503, UNAVAILABLE, retry_after=RETRY_AFTER_SECONDS)


def upgrade(sock: Socket) -> Response:
    """Answer 101 and serve the socket, holding nothing a page request needs meanwhile."""
    config = current_app.config
    db.session.close()  # give back the pooled connection the checks used
    session.modified = False  # never write this session back when the socket ends
    ws = Server(
        request.environ,
        ping_interval=config["REALTIME_PING_SECONDS"],
        max_message_size=config["REALTIME_MAX_MESSAGE_BYTES"],
        thread_class=READER_THREAD,
    )
    serve(ws, sock, config["REALTIME_MAX_MESSAGE_BYTES"])
    return UpgradedResponse(ws.mode)


def release_quietly(sock: Socket) -> None:
    """Give back the socket's slot; it lapses by itself if Redis is down just now."""
    try:
        slots.release(current_app, sock)
    except Exception:  # an outage: nothing to answer any more
        current_app.logger.warning("Live updates: could not release a slot", exc_info=True)


# The view answers for itself: read by the login guard (a marker, as @public is).
socket_view.authenticates_itself = True  # type: ignore[attr-defined]
# The same view for both: the handshake, and the plain GET that asks whether it would work.
bp.add_url_rule("/ws", "socket", socket_view)
bp.add_url_rule("/ws", "socket", socket_view, websocket=True)
