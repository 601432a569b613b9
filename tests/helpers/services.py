"""The database and session store a baked project runs against.

With ``TEST_DATABASE_URL`` / ``TEST_REDIS_URL`` set, tests use those servers
(each test that needs a database gets a brand-new one, dropped afterwards);
without them, a fresh SQLite file and the embedded file session store.
"""

import os
import re
import secrets
from contextlib import contextmanager
from pathlib import Path

from helpers.processes import die_with_this_process

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

    A generated suite's pytest-xdist workers make databases of their own
    next to it (``<name>_gw0``...): they are dropped with it.
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
            found = connection.execute("SELECT datname FROM pg_database").fetchall()
            workers = [row[0] for row in found if re.fullmatch(f"{name}_gw[0-9]+", row[0])]
            for dropped in [name, *workers]:
                connection.execute(
                    sql.SQL("DROP DATABASE IF EXISTS {} WITH (FORCE)").format(
                        sql.Identifier(dropped)
                    )
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


# ---------------------------------------------------------------------------
# Servers of our own, for tests that stop and restart them (test_resilience).
# The shared TEST_* servers are never stopped: other tests use them.
# ---------------------------------------------------------------------------


def find_postgres_bin():
    """The directory holding initdb, pg_ctl and postgres, or None."""
    import glob
    import shutil

    initdb = shutil.which("initdb")
    candidates = [str(Path(initdb).resolve().parent)] if initdb else []
    candidates += sorted(glob.glob("/usr/lib/postgresql/*/bin"), reverse=True)
    for directory in candidates:
        if all((Path(directory) / tool).exists() for tool in ("initdb", "pg_ctl", "postgres")):
            return Path(directory)
    return None


def as_postgres_user(command):
    """``command`` run as the postgres user when we are root (initdb refuses root)."""
    if os.geteuid() == 0:
        return ["runuser", "-u", "postgres", "--", *command]
    return command


class OwnPostgres:
    """A throwaway PostgreSQL cluster on a free port, stopped and started at will."""

    def __init__(self, bin_dir, port):
        import subprocess
        import tempfile

        self.bin_dir = bin_dir
        self.port = port
        self.root = Path(tempfile.mkdtemp(prefix="forge-own-pg-", dir="/tmp"))
        self.root.chmod(0o755)
        self.data = self.root / "data"
        self.log = self.root / "server.log"
        if os.geteuid() == 0:
            import shutil

            shutil.chown(self.root, "postgres")
        subprocess.run(
            as_postgres_user(
                [
                    str(bin_dir / "initdb"),
                    "-D",
                    str(self.data),
                    "-E",
                    "UTF8",
                    "--auth=trust",
                    "-U",
                    "postgres",
                ]
            ),
            cwd=self.root,
            check=True,
            capture_output=True,
        )
        with open(self.data / "postgresql.conf", "a", encoding="utf-8") as conf:
            conf.write(
                f"\nlisten_addresses = '127.0.0.1'\nport = {port}\n"
                f"unix_socket_directories = '{self.root}'\nfsync = off\n"
            )

    @property
    def url(self):
        return f"postgresql://postgres@127.0.0.1:{self.port}/postgres"

    def pg_ctl(self, *args):
        import subprocess

        command = [str(self.bin_dir / "pg_ctl"), "-D", str(self.data), "-l", str(self.log)]
        subprocess.run(
            as_postgres_user([*command, *args]), cwd=self.root, check=True, capture_output=True
        )

    def start(self):
        self.pg_ctl("-w", "-t", "30", "start")

    def stop(self):
        """A fast shutdown: open connections are cut, as when a server goes down."""
        self.pg_ctl("-m", "fast", "-w", "-t", "30", "stop")

    def destroy(self):
        import shutil

        if (self.data / "postmaster.pid").exists():
            self.pg_ctl("-m", "immediate", "-w", "-t", "30", "stop")
        shutil.rmtree(self.root, ignore_errors=True)


class OwnRedis:
    """A throwaway redis-server on a free port (our own child process), stopped at will."""

    def __init__(self, port):
        import tempfile

        self.port = port
        self.root = Path(tempfile.mkdtemp(prefix="forge-own-redis-"))
        self.process = None

    @property
    def url(self):
        return f"redis://127.0.0.1:{self.port}/0"

    def start(self):
        import subprocess
        import time

        import redis

        self.process = subprocess.Popen(
            [
                "redis-server",
                "--port",
                str(self.port),
                "--bind",
                "127.0.0.1",
                "--save",
                "",
                "--appendonly",
                "no",
                "--dir",
                str(self.root),
            ],
            stdout=subprocess.DEVNULL,
            stderr=subprocess.DEVNULL,
            preexec_fn=die_with_this_process(),
        )
        client = redis.Redis(port=self.port, socket_timeout=1, socket_connect_timeout=1)
        deadline = time.monotonic() + 15
        while True:
            try:
                client.ping()
                break
            except redis.exceptions.ConnectionError:
                if time.monotonic() > deadline:
                    raise
                time.sleep(0.1)
        client.close()

    def stop(self):
        if self.process is not None and self.process.poll() is None:
            self.process.terminate()
            self.process.wait(timeout=15)

    def destroy(self):
        import shutil

        self.stop()
        shutil.rmtree(self.root, ignore_errors=True)
