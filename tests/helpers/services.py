"""The database and session store a baked project runs against.

With ``TEST_DATABASE_URL`` / ``TEST_REDIS_URL`` set, tests use those servers
(each test that needs a database gets a brand-new one, dropped afterwards);
without them, a fresh SQLite file and the embedded file session store.
"""

import os
import secrets
from contextlib import contextmanager
from pathlib import Path

SESSION_KEY_PREFIX = "session:"


def given_database_url():
    """The PostgreSQL server given for the tests, or None."""
    return os.environ.get("TEST_DATABASE_URL") or None


def given_redis_url():
    """The Redis server given for the tests, or None."""
    return os.environ.get("TEST_REDIS_URL") or None


def postgres_url(server_url, database):
    """``server_url`` (postgres://, postgresql://, postgresql+driver://) naming ``database``."""
    from sqlalchemy.engine import make_url

    url = make_url(server_url.replace("postgres://", "postgresql://", 1))
    return url.set(drivername="postgresql", database=database).render_as_string(hide_password=False)


@contextmanager
def fresh_postgres_database(server_url, prefix):
    """Create an empty database on the server of ``server_url``; yield its URL; drop it.

    ``CREATE/DROP DATABASE`` cannot run inside a transaction, hence autocommit.
    ``WITH (FORCE)`` ends connections a stopped server may have left behind.
    """
    import psycopg
    from psycopg import sql

    name = f"{prefix}_{secrets.token_hex(6)}"
    admin_url = postgres_url(server_url, database_name(server_url))
    with psycopg.connect(admin_url, autocommit=True, connect_timeout=10) as connection:
        connection.execute(sql.SQL("CREATE DATABASE {}").format(sql.Identifier(name)))
    try:
        yield postgres_url(server_url, name)
    finally:
        with psycopg.connect(admin_url, autocommit=True, connect_timeout=10) as connection:
            connection.execute(
                sql.SQL("DROP DATABASE IF EXISTS {} WITH (FORCE)").format(sql.Identifier(name))
            )


def database_name(server_url):
    """The database named in ``server_url`` (the one to connect to for admin work)."""
    from sqlalchemy.engine import make_url

    return make_url(server_url.replace("postgres://", "postgresql://", 1)).database or "postgres"


def postgres_tables(url):
    """Names of the tables in the public schema of the database at ``url``."""
    import psycopg

    with psycopg.connect(url, connect_timeout=10) as connection:
        rows = connection.execute(
            "SELECT table_name FROM information_schema.tables WHERE table_schema = 'public'"
        ).fetchall()
    return {row[0] for row in rows}


def sqlite_url(path):
    """An SQLAlchemy URL for the SQLite file at absolute ``path``."""
    return f"sqlite:///{Path(path).resolve()}"


class RedisSessionStore:
    """Server-side sessions kept in Redis under ``session:<id>``."""

    kind = "redis"

    def __init__(self, url):
        import redis

        self.client = redis.Redis.from_url(url, socket_timeout=5)

    def has(self, session_id):
        """True when a session with this id is stored."""
        return bool(self.client.exists(SESSION_KEY_PREFIX + session_id))

    def close(self):
        """Release the client's connections."""
        self.client.close()


class FileSessionStore:
    """Development's embedded store: cachelib files under ``instance/sessions``.

    Read through cachelib itself, so its file naming and expiry rules apply.
    """

    kind = "file"

    def __init__(self, directory):
        self.directory = Path(directory)

    def has(self, session_id):
        """True when a live session with this id is stored."""
        from cachelib.file import FileSystemCache

        # threshold=0: never prune; this reader must not change the store.
        cache = FileSystemCache(str(self.directory), threshold=0)
        return cache.has(SESSION_KEY_PREFIX + session_id)

    def close(self):
        """Nothing to release."""
