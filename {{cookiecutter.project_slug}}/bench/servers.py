"""The two servers under test: the project's app and the bare app, under gunicorn.

Both run ``python -m gunicorn`` from the project directory with the
project's ``gunicorn.conf.py``, in the same environment (production config,
``WEB_CONCURRENCY``, ``GUNICORN_THREADS``...); only the bind address
differs, a free port on 127.0.0.1 each. Each server runs in its own process
group, so stopping it stops its workers too, and the caller stops both on
every way out (an error, Ctrl-C, SIGTERM) through an ``ExitStack``.
"""

import os
import signal
import socket
import subprocess
import sys
import tempfile
import time
import urllib.error
import urllib.request
from contextlib import contextmanager
from pathlib import Path

PROJECT_ROOT = Path(__file__).resolve().parent.parent
APP = "app:create_app()"
BARE_APP = "bench.bare_app:app"
HOST = "127.0.0.1"
START_TIMEOUT = 30
STOP_TIMEOUT = 15
REQUIRED = ("DATABASE_URL", "REDIS_URL")


class ServerError(Exception):
    """A server did not start; the message holds the end of its log."""


def missing_services():
    """The names of the required variables that are not set (``.env`` counts)."""
    from dotenv import load_dotenv

    from config import DOTENV_PATH

    load_dotenv(DOTENV_PATH, override=False)
    return [name for name in REQUIRED if not os.environ.get(name)]


class UsageError(Exception):
    """Something to fix in the environment before measuring: one line, exit status 2."""


def production_app():
    """The project's app in its production config, for in-process requests and counts.

    Raises ``UsageError`` naming what is missing or wrong.
    """
    missing = missing_services()
    if missing:
        raise UsageError(
            f"set {' and '.join(missing)} (in the environment or .env): it runs the "
            "production config against real PostgreSQL and Redis"
        )
    os.environ["FLASK_CONFIG"] = "production"
    from app import create_app
    from config import ConfigError

    try:
        return create_app("production")
    except ConfigError as error:
        raise UsageError(str(error)) from None


def close_database(app):
    """Close the app's pooled database connections."""
    from app.extensions import db

    with app.app_context():
        db.engine.dispose()


def server_environment():
    """The environment both servers run in: this one, with the production config."""
    env = dict(os.environ)
    env["FLASK_CONFIG"] = "production"
    env["PYTHONUNBUFFERED"] = "1"
    env.pop("GUNICORN_BIND", None)
    return env


def free_port():
    """A TCP port on 127.0.0.1 that nothing listens on right now."""
    with socket.socket() as sock:
        sock.bind((HOST, 0))
        return sock.getsockname()[1]


class Server:
    """One gunicorn serving ``target`` on a free port, logging to a temporary file."""

    def __init__(self, name, target):
        self.name = name
        self.target = target
        self.port = free_port()
        self.process = None
        self.log = None

    @property
    def url(self):
        return f"http://{HOST}:{self.port}"

    @property
    def process_group(self):
        """gunicorn's master and workers: started in a session of their own."""
        return self.process.pid

    def start(self, env):
        """Start gunicorn and wait until it answers; raise ``ServerError`` if it does not."""
        self.log = tempfile.NamedTemporaryFile(prefix=f"bench-{self.name}-", suffix=".log")  # noqa: SIM115
        command = [sys.executable, "-m", "gunicorn", "--config", "gunicorn.conf.py", self.target]
        self.process = subprocess.Popen(  # noqa: S603  (this interpreter, our arguments)
            command,
            cwd=PROJECT_ROOT,
            env={**env, "GUNICORN_BIND": f"{HOST}:{self.port}"},
            stdin=subprocess.DEVNULL,
            stdout=self.log,
            stderr=subprocess.STDOUT,
            start_new_session=True,
        )
        self.wait_until_answering()

    def wait_until_answering(self):
        deadline = time.monotonic() + START_TIMEOUT
        while time.monotonic() < deadline:
            if self.process.poll() is not None:
                raise ServerError(f"the {self.name} server exited:\n{self.log_tail()}")
            try:
                with urllib.request.urlopen(self.url + "/", timeout=2):  # noqa: S310  (our http URL)
                    return
            except urllib.error.HTTPError:
                return
            except OSError:
                time.sleep(0.2)
        raise ServerError(f"the {self.name} server did not answer:\n{self.log_tail()}")

    def log_tail(self, lines=20):
        """The last lines gunicorn and the app wrote."""
        self.log.flush()
        text = Path(self.log.name).read_text(encoding="utf-8", errors="replace")
        return "\n".join(text.splitlines()[-lines:])

    def stop(self):
        """SIGTERM the server's process group, then SIGKILL if it lingers; drop the log."""
        if self.process is not None and self.process.poll() is None:
            os.killpg(self.process.pid, signal.SIGTERM)
            try:
                self.process.wait(timeout=STOP_TIMEOUT)
            except subprocess.TimeoutExpired:
                os.killpg(self.process.pid, signal.SIGKILL)
                self.process.wait(timeout=STOP_TIMEOUT)
        if self.log is not None:
            self.log.close()


@contextmanager
def serving(name, target, env):
    """A started Server for the block; stopped however the block ends."""
    server = Server(name, target)
    try:
        server.start(env)
        yield server
    finally:
        server.stop()


def migrate(env):
    """``flask db upgrade`` on the configured database; raise ``ServerError`` on failure."""
    result = subprocess.run(
        [sys.executable, "-m", "flask", "db", "upgrade"],
        cwd=PROJECT_ROOT,
        env=env,
        stdin=subprocess.DEVNULL,
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
    )
    if result.returncode != 0:
        raise ServerError(f"flask db upgrade failed:\n{result.stderr[-2000:]}")
