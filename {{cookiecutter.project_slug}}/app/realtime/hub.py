"""The hub: one per process, one Redis subscription feeding every socket of the process.

A socket registers with its process's hub; the hub subscribes to the
user's channel for the first socket of that user (the handshake is only
answered once Redis has confirmed the subscription) and unsubscribes after
the last. Its thread reads every message and queues it for each socket of
that user; it never writes to a socket itself, so a slow client cannot
hold up the others. A second thread checks the sockets' credentials
(``credentials.py``) and keeps their slots alive (``slots.py``).

When the subscription breaks (Redis restarted, say), every socket of the
process is closed with 1012, since each may have missed events, and new
handshakes are refused with 503 until the hub has subscribed again. The
clients reconnect by themselves and catch up.

A hub is made in the process that uses it, on its first handshake: one
made before gunicorn forks its workers would not survive the fork.
"""

import logging
import os
import queue
import threading

import redis
from flask import Flask

from app.realtime import credentials, slots
from app.realtime.broker import subscribing_client, user_channel
from app.realtime.sockets import GOING_AWAY, SERVICE_RESTART, SESSION_ENDED, Socket

# How long the hub thread waits for a message before looking at its requests.
POLL_SECONDS = 0.05
# How long a handshake waits for Redis to confirm a subscription.
SUBSCRIBE_TIMEOUT_SECONDS = 2.0
# Pauses between attempts to subscribe again after an outage.
RECONNECT_SECONDS = (0.2, 5.0)

log = logging.getLogger(__name__)


class Hub:
    """One process's subscription and sockets, for one app."""

    def __init__(self, app: Flask) -> None:
        self.app = app
        self.pid = os.getpid()
        self.client = subscribing_client(app)
        self.lock = threading.Lock()
        self.sockets: dict[int, set[Socket]] = {}
        self.subscribed: set[int] = set()  # users whose channel Redis has confirmed
        self.waiting: dict[int, list[threading.Event]] = {}  # ... and those being subscribed
        self.requests: queue.SimpleQueue[int] = queue.SimpleQueue()
        self.up = threading.Event()
        self.stopping = threading.Event()
        self.threads = [
            threading.Thread(target=self.listen, name="realtime-hub", daemon=True),
            threading.Thread(target=self.check, name="realtime-checks", daemon=True),
        ]
        for thread in self.threads:
            thread.start()

    # -- used by the sockets' threads ------------------------------------------------

    def everyone(self) -> list[Socket]:
        """Every open socket of this process."""
        with self.lock:
            return [sock for group in self.sockets.values() for sock in group]

    def add(self, sock: Socket, limit: int) -> bool:
        """Count ``sock`` in, unless the process already holds ``limit`` sockets."""
        with self.lock:
            if sum(len(group) for group in self.sockets.values()) >= limit:
                return False
            self.sockets.setdefault(sock.listener.user_id, set()).add(sock)
            return True

    def subscribe(self, sock: Socket) -> bool:
        """Wait until the user's channel is subscribed; False when Redis did not confirm it."""
        user_id = sock.listener.user_id
        with self.lock:
            if user_id in self.subscribed:
                return True
            confirmed = threading.Event()
            self.waiting.setdefault(user_id, []).append(confirmed)
        self.requests.put(user_id)
        return confirmed.wait(SUBSCRIBE_TIMEOUT_SECONDS)

    def remove(self, sock: Socket) -> None:
        """Forget ``sock``; the user's channel is left after their last socket."""
        user_id = sock.listener.user_id
        with self.lock:
            group = self.sockets.get(user_id, set())
            group.discard(sock)
            if group:
                return
            self.sockets.pop(user_id, None)
        self.requests.put(user_id)

    def close_all(self, code: int, reason: str) -> None:
        """Ask every socket of the process to close with ``code``."""
        for sock in self.everyone():
            sock.end(code, reason)

    def stop(self, code: int = GOING_AWAY, reason: str = "The server is stopping") -> None:
        """Close every socket and end both threads."""
        self.stopping.set()
        self.close_all(code, reason)
        for thread in self.threads:
            if thread is not threading.current_thread():
                thread.join(timeout=5)

    # -- the hub's thread: the subscription ------------------------------------------

    def listen(self) -> None:
        """Keep the subscription up; after each break close every socket, then retry."""
        pause, longest = RECONNECT_SECONDS
        while not self.stopping.is_set():
            try:
                self.serve_subscription()
            except (redis.RedisError, OSError) as error:
                log.warning("Live updates: the Redis subscription broke: %s", error)
            if self.up.is_set():
                pause = RECONNECT_SECONDS[0]
            self.up.clear()
            with self.lock:
                self.subscribed.clear()
                self.waiting.clear()  # their handshakes time out with 503
            self.close_all(SERVICE_RESTART, "The event stream restarts")
            self.stopping.wait(pause)
            pause = min(pause * 2, longest)

    def serve_subscription(self) -> None:
        """Subscribe, then hand each message to its user's sockets until told to stop."""
        assert self.client is not None  # views.py makes no hub without a broker
        pubsub = self.client.pubsub()
        try:
            # A channel of this hub's own: its confirmation proves the subscription works.
            pubsub.subscribe(self.own_channel)
            while not self.stopping.is_set():
                self.handle_requests(pubsub)
                message = pubsub.get_message(timeout=POLL_SECONDS)
                if message is not None:
                    self.dispatch(message)
        finally:
            pubsub.close()

    @property
    def own_channel(self) -> str:
        return f"{self.app.config['REALTIME_KEY_PREFIX']}hub:{self.pid}:{id(self)}"

    def handle_requests(self, pubsub: "redis.client.PubSub") -> None:
        """Subscribe or unsubscribe the users whose sockets came or went."""
        while True:
            try:
                user_id = self.requests.get_nowait()
            except queue.Empty:
                return
            with self.lock:
                wanted = user_id in self.sockets or user_id in self.waiting
                known = user_id in self.subscribed
                if not wanted:
                    self.subscribed.discard(user_id)
            channel = user_channel(self.app, user_id)
            if wanted and not known:
                pubsub.subscribe(channel)
            elif known and not wanted:
                pubsub.unsubscribe(channel)

    def dispatch(self, message: dict[str, object]) -> None:
        """A confirmation marks a channel subscribed; a message goes to its user's sockets."""
        channel = as_text(message["channel"])
        if message["type"] == "subscribe":
            if channel == self.own_channel:
                self.up.set()
                return
            user_id = user_of(channel)
            with self.lock:
                self.subscribed.add(user_id)
                confirmed = self.waiting.pop(user_id, [])
                if user_id not in self.sockets:  # its handshake gave up meanwhile
                    self.requests.put(user_id)
            for event in confirmed:
                event.set()
        elif message["type"] == "message":
            user_id = user_of(channel)
            with self.lock:
                targets = list(self.sockets.get(user_id, ()))
            text = as_text(message["data"])
            for sock in targets:
                sock.deliver(text)

    # -- the second thread: credentials and slots ------------------------------------

    def check(self) -> None:
        """Every few seconds, close sockets whose credentials ended and renew the slots."""
        interval = self.app.config["REALTIME_SESSION_CHECK_SECONDS"]
        while not self.stopping.wait(interval):
            sockets = self.everyone()
            if not sockets:
                continue
            try:
                slots.renew(self.app, sockets)
                for sock in credentials.ended(self.app, sockets):
                    sock.end(SESSION_ENDED, "The session has ended")
            except Exception:  # a database or Redis outage: try again next time
                log.warning("Live updates: could not check the open sockets", exc_info=True)


def as_text(value: object) -> str:
    """A channel name or message from redis-py (bytes), as text."""
    return value.decode() if isinstance(value, bytes) else str(value)


def user_of(channel: str) -> int:
    """The user id at the end of a user channel's name."""
    return int(channel.rsplit(":", 1)[1])


# The hubs this process runs, by app, so a stopping worker can close every socket.
HUBS: dict[int, Hub] = {}
HUBS_LOCK = threading.Lock()
STOPPED = threading.Event()


def hub_for(app: Flask) -> Hub | None:
    """This process's hub for ``app``, made on first use; None once the process is stopping."""
    with HUBS_LOCK:
        if STOPPED.is_set():
            return None
        hub = HUBS.get(id(app))
        if hub is None or hub.pid != os.getpid() or hub.app is not app:
            hub = HUBS[id(app)] = Hub(app)
        return hub


def stop_hub(app: Flask) -> None:
    """Close ``app``'s sockets in this process and stop its hub (tests use this)."""
    with HUBS_LOCK:
        hub = HUBS.pop(id(app), None)
    if hub is not None and hub.pid == os.getpid():
        hub.stop()


def stop_every_hub() -> None:
    """The process is stopping: close every socket (1001) and refuse new ones."""
    with HUBS_LOCK:
        STOPPED.set()
        hubs = [hub for hub in HUBS.values() if hub.pid == os.getpid()]
        HUBS.clear()
    for hub in hubs:
        hub.stopping.set()
        hub.close_all(GOING_AWAY, "The server is stopping")
