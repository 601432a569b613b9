"""Serve a bake with gunicorn for end-to-end tests over real HTTP.

With both ``TEST_DATABASE_URL`` and ``TEST_REDIS_URL`` set, the bake runs as
in production: a fresh PostgreSQL database (migrated with ``flask db
upgrade``) and Redis sessions. Otherwise it runs in development on a fresh
SQLite file with the embedded file session store.
"""

import secrets
from contextlib import ExitStack, contextmanager
from dataclasses import dataclass

from helpers.browser import Browser
from helpers.processes import (
    describe,
    free_port,
    project_env,
    run,
    start_server,
    stop_server,
    wait_for_http,
)
from helpers.services import (
    FileSessionStore,
    RedisSessionStore,
    fresh_postgres_database,
    given_database_url,
    given_redis_url,
    sqlite_url,
)


@dataclass
class Server:
    """A running gunicorn serving one bake, and where it keeps sessions."""

    host: str
    port: int
    production: bool
    store: RedisSessionStore | FileSessionStore
    # The environment the bake runs with (to run its other commands the same way).
    env: dict

    @property
    def url(self):
        return f"http://{self.host}:{self.port}"

    def browser(self):
        return Browser(self.host, self.port)

    def new_account(self, password):
        """Register a new account through the HTML form; return its email."""
        email = new_email()
        response = self.browser().register(email, password)
        assert response.status == 302, response.text
        return email


def new_email():
    """An email address no account has yet."""
    return f"user-{secrets.token_hex(6)}@example.com"


@contextmanager
def serve_bake(project, workdir, database_prefix="forge_serve", extra_env=None):
    """Migrate a fresh database for ``project`` and serve it; stop everything afterwards.

    ``extra_env`` adds variables (or removes them, with None) for every command.
    """
    with ExitStack() as cleanup:
        production = bool(given_database_url() and given_redis_url())
        if production:
            database_url = cleanup.enter_context(
                fresh_postgres_database(given_database_url(), database_prefix)
            )
            env = project_env(
                FLASK_CONFIG="production",
                SECRET_KEY=secrets.token_urlsafe(48),
                DATABASE_URL=database_url,
                REDIS_URL=given_redis_url(),
            )
            store = RedisSessionStore(given_redis_url())
            cleanup.callback(store.close)
        else:
            env = project_env(
                FLASK_CONFIG="development",
                DATABASE_URL=sqlite_url(workdir / "serve.db"),
                REDIS_URL=None,
            )
            store = FileSessionStore(project / "instance" / "sessions")
        env.update(extra_env or {})
        env = {name: value for name, value in env.items() if value is not None}

        upgrade = run(project, "-m", "flask", "db", "upgrade", env=env)
        assert upgrade.returncode == 0, describe(upgrade)

        port = free_port()
        # gunicorn reads the project's gunicorn.conf.py from the working directory.
        command = ["-m", "gunicorn", "app:create_app()", "--bind", f"127.0.0.1:{port}"]
        process = start_server(project, [*command, "--workers", "2"], env, workdir / "log")
        cleanup.callback(stop_server, process)
        wait_for_http(f"http://127.0.0.1:{port}/health", process)
        yield Server("127.0.0.1", port, production, store, env)
