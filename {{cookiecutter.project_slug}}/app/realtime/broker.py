"""Where live events travel: Redis pub/sub, one channel per user.

Publishing uses the app's own Redis client (``REDIS_URL``; fakeredis in
testing). Each process's hub subscribes with a client of its own that never
retries: redis-py would otherwise reconnect a broken subscription silently,
and the events published meanwhile would be lost without anyone noticing.

Development without ``REDIS_URL`` keeps events inside the one process
``flask run`` serves from, through fakeredis (installed with the ``dev``
extra); without it there are no live updates until Redis is set up.
"""

from dataclasses import dataclass

import redis
from flask import Flask
from flask.sansio.app import App
from redis.backoff import NoBackoff
from redis.retry import Retry

# Seconds of silence after which the hub's subscription PINGs Redis to prove it is alive.
SUBSCRIPTION_HEALTH_CHECK_SECONDS = 5


@dataclass
class Broker:
    """What each app keeps in ``app.extensions["realtime"]``: its publishing client."""

    client: redis.Redis | None


def init_app(app: App) -> None:
    """Pick the client events are published with."""
    app.extensions["realtime"] = Broker(publishing_client(app))


def publishing_client(app: App) -> redis.Redis | None:
    """The app's Redis client, or an in-process emulator in development without Redis."""
    client: redis.Redis | None = app.extensions["redis"].client
    if client is not None:
        return client
    try:
        import fakeredis  # the dev extra's Redis emulator: events stay in this process
    except ImportError:
        app.logger.warning("Live updates are off: set REDIS_URL (or install the dev extra)")
        return None
    return fakeredis.FakeRedis()


def broker_client(app: Flask) -> redis.Redis | None:
    """The client events are published with (None: live updates are off)."""
    return app.extensions["realtime"].client


def subscribing_client(app: Flask) -> redis.Redis | None:
    """A client for one hub's subscription: the first failure surfaces, never retried."""
    url = app.config.get("REDIS_URL")
    if not url:
        return broker_client(app)  # the emulator: nothing to reconnect to
    return redis.Redis.from_url(
        url,
        socket_connect_timeout=app.config["REDIS_CONNECT_TIMEOUT"],
        socket_timeout=app.config["REDIS_SOCKET_TIMEOUT"],
        health_check_interval=SUBSCRIPTION_HEALTH_CHECK_SECONDS,
        retry=Retry(NoBackoff(), 0),
    )


def user_channel(app: Flask, user_id: int) -> str:
    """The channel of one user's events, e.g. ``realtime:user:7``."""
    return f"{app.config['REALTIME_KEY_PREFIX']}user:{user_id}"
