"""A small Flask extension owning the app's Redis client.

Sessions, health checks (and later rate limits) share this one client and
its connection pool. The client gets short connect and read timeouts so an
outage fails a request quickly instead of hanging a worker.
"""

from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

import redis
from flask import Flask, current_app


@dataclass
class RedisState:
    """What each app keeps in ``app.extensions["redis"]``: its own client."""

    client: redis.Redis | None


class RedisStore:
    """Creates the Redis client from ``REDIS_URL`` when the app is set up.

    With no ``REDIS_URL`` the client is ``None`` in development (sessions
    fall back to a file store) and an in-process emulator (fakeredis) in
    testing, so a fresh machine needs no Redis server to run the tests.

    Like any Flask extension, the one ``redis_store`` object serves every app
    ``create_app`` makes (the test suite makes many), so the client is kept
    per app and ``client`` is the current app's, never the last one built.
    """

    def init_app(self, app: Flask) -> None:
        """Build the app's client and keep it in ``app.extensions["redis"]``."""
        app.extensions["redis"] = RedisState(self.create_client(app.config))

    @property
    def client(self) -> redis.Redis | None:
        """The current app's client, or ``None`` when there is none."""
        return current_app.extensions["redis"].client

    @staticmethod
    def create_client(config: Mapping[str, Any]) -> redis.Redis | None:
        """Return a Redis client for the config, or ``None`` when there is none."""
        if config.get("REDIS_URL"):
            return redis.Redis.from_url(
                config["REDIS_URL"],
                socket_connect_timeout=config["REDIS_CONNECT_TIMEOUT"],
                socket_timeout=config["REDIS_SOCKET_TIMEOUT"],
                health_check_interval=30,
            )
        if config.get("TESTING"):
            import fakeredis  # a test-only dependency, imported only when needed

            return fakeredis.FakeRedis()
        return None

    def ping(self) -> bool:
        """Send PING to the current app's Redis; raises when it does not answer."""
        client = self.client
        assert client is not None  # callers check ``client`` first
        return client.ping()


# The one object every module uses (``app.extensions`` re-exports it).
redis_store = RedisStore()
