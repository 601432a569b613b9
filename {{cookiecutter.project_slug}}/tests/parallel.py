"""A database and a Redis database of its own for each pytest-xdist worker.

``pytest`` runs the suite in several processes (``-n auto`` in
pyproject.toml). Each test wipes the tables and the Redis database it
uses, so two workers must never share them: worker ``gw1`` of a run with
``TEST_DATABASE_URL=postgresql://.../forge_test`` and
``TEST_REDIS_URL=redis://...:6379/0`` uses the PostgreSQL database
``forge_test_gw1`` (created when missing) and Redis database 1. The
variables are rewritten in the worker's environment before any test runs,
so every app, subprocess and server a test starts uses them too.

In-memory SQLite and fakeredis need nothing: each process has its own.
"""

import os
from urllib.parse import urlsplit, urlunsplit

from sqlalchemy import create_engine, make_url, text
from xdist.scheduler import LoadScopeScheduling

import config

# Redis servers have 16 databases unless configured otherwise.
REDIS_DATABASES = 16
# Tests a worker is handed at a time: one by one, each test would wait for a
# round trip to the main process, which shares the cores with the workers.
TESTS_PER_HANDOUT = 8


def worker_number(worker):
    """0 for ``gw0``, 1 for ``gw1``..."""
    return int(worker.removeprefix("gw"))


def database_url_for(url, worker):
    """``url`` with the worker's name appended to its database's name."""
    parsed = make_url(url)
    if not parsed.database or parsed.database == ":memory:":
        return url
    if parsed.get_backend_name() == "sqlite":
        stem, dot, suffix = parsed.database.rpartition(".")
        name = f"{stem}_{worker}.{suffix}" if dot else f"{parsed.database}_{worker}"
    else:
        name = f"{parsed.database}_{worker}"
    return parsed.set(database=name).render_as_string(hide_password=False)


def create_postgresql_database(url, worker_url):
    """Create the worker's database on the server of ``url`` unless it exists.

    Connects to the server's maintenance database, so the database ``url`` names
    need not exist (the compose stack's tests name one that does not).
    """
    name = make_url(worker_url).database
    maintenance = make_url(config.normalize_database_url(url)).set(database="postgres")
    engine = create_engine(maintenance, isolation_level="AUTOCOMMIT")
    try:
        with engine.connect() as connection:
            found = connection.execute(
                text("SELECT 1 FROM pg_database WHERE datname = :name"), {"name": name}
            ).first()
            if found is None:
                connection.execute(text(f'CREATE DATABASE "{name}"'))
    finally:
        engine.dispose()


def redis_url_for(url, worker):
    """``url`` with its database number moved up by the worker's number."""
    parts = urlsplit(url)
    database = int(parts.path.strip("/") or 0) + worker_number(worker)
    if database >= REDIS_DATABASES:
        raise RuntimeError(
            f"TEST_REDIS_URL: worker {worker} would use Redis database {database}; "
            "give a lower database number or run fewer workers (-n)"
        )
    return urlunsplit(parts._replace(path=f"/{database}"))


def use_worker_databases(worker):
    """Point TEST_DATABASE_URL and TEST_REDIS_URL at the worker's own databases."""
    database_url = os.environ.get("TEST_DATABASE_URL")
    if database_url:
        worker_url = database_url_for(database_url, worker)
        if make_url(worker_url).get_backend_name() == "postgresql":
            create_postgresql_database(database_url, worker_url)
        os.environ["TEST_DATABASE_URL"] = worker_url
    redis_url = os.environ.get("TEST_REDIS_URL")
    if redis_url:
        os.environ["TEST_REDIS_URL"] = redis_url_for(redis_url, worker)


def for_this_worker(app):
    """``app``, with what workers would share across Redis databases made this worker's own."""
{%- if cookiecutter.use_realtime %}
    # Pub/sub has no databases: without a prefix of its own, worker gw0's user 1
    # would receive what worker gw1's user 1 is sent.
    worker = os.environ.get("PYTEST_XDIST_WORKER")
    if worker:
        app.config["REALTIME_KEY_PREFIX"] += f"{worker}:"
{%- endif %}
    return app


class Handouts:
    """The handout each test belongs to: runs of ``TESTS_PER_HANDOUT`` tests in the
    order first asked about, and a single one for every test under ``prefix``."""

    def __init__(self, prefix):
        self.prefix = prefix
        self._names = {}

    def __call__(self, nodeid):
        if nodeid.startswith(self.prefix):
            return self.prefix
        return self._names.setdefault(nodeid, f"handout-{len(self._names) // TESTS_PER_HANDOUT}")


def one_worker_for(config, log, prefix):
    """A pytest-xdist scheduler that hands out tests a few at a time, but those under
    ``prefix`` all together to one worker.

    pytest-xdist's own ``--dist loadgroup`` does the same from ``xdist_group``
    marks, but pytest-xdist 3.8 renames the tests in a way pytest 9 ignores.
    """
    handout_of = Handouts(prefix)

    class OneWorkerFor(LoadScopeScheduling):
        def _split_scope(self, nodeid):
            # Asked first for every test in the order collected, then to look one up.
            return handout_of(nodeid)

    return OneWorkerFor(config, log)
