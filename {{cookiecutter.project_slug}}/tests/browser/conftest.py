"""Fixtures of the browser tests: Chromium, driven by Playwright, against gunicorn.

The app runs as in production: two gunicorn instances (``gunicorn
"app:create_app()"`` with the project's gunicorn.conf.py), each on its own
port of 127.0.0.1, sharing the PostgreSQL of ``TEST_DATABASE_URL`` and the
Redis of ``TEST_REDIS_URL``. A test can so make a change on one instance
and watch a page served by the other.

Playwright drives the Chromium already installed (``CHROMIUM_PATH``,
default ``/usr/bin/chromium``, e.g. Debian's ``chromium`` package); it never
downloads a browser. Without Chromium, or without both servers, these tests
skip saying why; under ``CI=true`` they fail instead, like every test that
needs a service. Screenshots of each step are written under
``BROWSER_SCREENSHOTS`` (default ``build/screenshots``, kept out of git).
"""

import os
import re
import secrets
import subprocess
import sys
import time
import urllib.error
import urllib.request
from pathlib import Path

import pytest

import config

CHROMIUM = os.environ.get("CHROMIUM_PATH", "/usr/bin/chromium")
CHROMIUM_ARGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--no-first-run",
]
SCREENSHOTS = Path(
    os.environ.get("BROWSER_SCREENSHOTS") or config.PROJECT_ROOT / "build" / "screenshots"
)
PASSWORD = "correct horse battery staple"
# Playwright's waits, in milliseconds: generous for a loaded machine.
PATIENCE_MS = 10_000


def missing(reason):
    """Skip (fail under CI=true) for a missing browser or service."""
    if os.environ.get("CI", "").lower() == "true":
        pytest.fail(f"{reason} (required under CI=true)")
    pytest.skip(reason)


def free_port():
    import socket

    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


class Instance:
    """One gunicorn serving the app on 127.0.0.1 in production mode."""

    def __init__(self, name, log_dir, secret):
        self.port = free_port()
        self.url = f"http://127.0.0.1:{self.port}"
        env = {
            **{k: v for k, v in os.environ.items() if not k.startswith(("FLASK_", "GUNICORN_"))},
            "FLASK_CONFIG": "production",
            "SECRET_KEY": secret,  # one secret for the site, as behind a load balancer
            "DATABASE_URL": os.environ["TEST_DATABASE_URL"],
            "REDIS_URL": os.environ["TEST_REDIS_URL"],
            "PUBLIC_URL": self.url,
            "PORT": str(self.port),
            "GUNICORN_HOST": "127.0.0.1",
        }
        self.log_path = log_dir / f"{name}.log"
        self.log = self.log_path.open("wb")
        self.process = subprocess.Popen(
            [sys.executable, "-m", "gunicorn", "app:create_app()"],
            cwd=config.PROJECT_ROOT,
            env=env,
            stdin=subprocess.DEVNULL,
            stdout=self.log,
            stderr=subprocess.STDOUT,
        )

    def wait_until_ready(self, timeout=30):
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            if self.process.poll() is not None:
                raise AssertionError(f"gunicorn exited:\n{self.log_path.read_text()}")
            try:
                with urllib.request.urlopen(self.url + "/health", timeout=2):  # noqa: S310
                    return
            except (OSError, urllib.error.URLError):
                time.sleep(0.2)
        raise AssertionError(f"gunicorn did not answer:\n{self.log_path.read_text()}")

    def stop(self):
        self.process.terminate()
        try:
            self.process.wait(timeout=30)
        except subprocess.TimeoutExpired:
            self.process.kill()
            self.process.wait()
        self.log.close()


@pytest.fixture(scope="session")
def instances(tmp_path_factory):
    """Two instances of the app sharing the test PostgreSQL and Redis: ``(first, second)``.

    Started once for every browser test (each test registers accounts of its own).
    """
    if not (os.environ.get("TEST_DATABASE_URL") and os.environ.get("TEST_REDIS_URL")):
        missing("browser tests need TEST_DATABASE_URL and TEST_REDIS_URL (PostgreSQL and Redis)")
    from app import create_app
    from app.extensions import db

    schema = create_app("testing")  # the same database and Redis, to make and drop the tables
    with schema.app_context():
        db.drop_all()
        db.create_all()
    log_dir = tmp_path_factory.mktemp("gunicorn")
    secret = secrets.token_urlsafe(48)
    running = []
    try:
        for name in ("first", "second"):
            running.append(Instance(name, log_dir, secret))
            running[-1].wait_until_ready()
        yield tuple(running)
    finally:
        for instance in running:
            instance.stop()
        with schema.app_context():
            db.session.remove()
            db.drop_all()
            db.engine.dispose()
        schema.extensions["redis"].client.flushdb()
        schema.extensions["redis"].client.close()


@pytest.fixture(scope="module")
def chromium():
    """Headless Chromium, started once for the module (Playwright's sync API)."""
    if not Path(CHROMIUM).exists():
        missing(f"no Chromium at {CHROMIUM} (install Debian's chromium, or set CHROMIUM_PATH)")
    from playwright.sync_api import sync_playwright

    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(
            executable_path=CHROMIUM, headless=True, args=CHROMIUM_ARGS
        )
        yield browser
        browser.close()


@pytest.fixture
def context(chromium):
    """A fresh browser profile (its own cookies) for one test."""
    browser_context = chromium.new_context()
    browser_context.set_default_timeout(PATIENCE_MS)
    yield browser_context
    browser_context.close()


@pytest.fixture
def screenshot(request):
    """``screenshot(page, "step")`` saves a PNG named after the test and the step."""

    def take(page, step):
        SCREENSHOTS.mkdir(parents=True, exist_ok=True)
        test = re.sub(r"\W+", "-", request.node.name).strip("-")
        page.screenshot(path=str(SCREENSHOTS / f"{test}--{step}.png"), full_page=True)

    return take


def new_email():
    return f"user-{secrets.token_hex(6)}@example.com"


def register(page, base_url, email, password=PASSWORD):
    """Fill in and send the registration form."""
    page.goto(base_url + "/auth/register")
    page.fill("input[name=email]", email)
    page.fill("input[name=password]", password)
    page.fill("input[name=confirm_password]", password)
    page.click("main form [type=submit]")


def log_in(page, base_url, email, password=PASSWORD):
    """Fill in and send the login form; the dashboard follows."""
    page.goto(base_url + "/auth/login")
    page.fill("input[name=email]", email)
    page.fill("input[name=password]", password)
    page.click("main form [type=submit]")
    page.wait_for_url(base_url + "/dashboard")


def log_out(page):
    """Press the layout's "Log out" button."""
    page.click("form.nav-logout button")


@pytest.fixture
def account(instances, context):
    """The email of an account registered through the first instance's form."""
    email = new_email()
    page = context.new_page()
    register(page, instances[0].url, email)
    page.close()
    return email
