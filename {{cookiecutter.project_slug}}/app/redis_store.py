"""A small Flask extension owning the app's Redis client.

Sessions, health checks (and later rate limits) share this one client and
its connection pool. The client gets short connect and read timeouts so an
outage fails a request quickly instead of hanging a worker.
"""

import redis


class RedisStore:
    """Creates the Redis client from ``REDIS_URL`` when the app is set up.

    With no ``REDIS_URL`` the client is ``None`` in development (sessions
    fall back to a file store) and an in-process emulator (fakeredis) in
    testing, so a fresh machine needs no Redis server to run the tests.
    """

    def __init__(self):
        self.client = None

    def init_app(self, app):
        """Build the client and register it under ``app.extensions["redis"]``."""
        self.client = self.create_client(app.config)
        app.extensions["redis"] = self

    @staticmethod
    def create_client(config):
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

    def ping(self):
        """Return True when Redis answers PING, False when it is not configured."""
        if self.client is None:
            return False
        return bool(self.client.ping())
