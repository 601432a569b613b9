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

No step may wait for ever: every Playwright wait has a limit (``PATIENCE_MS``),
pages are closed with a bounded wait (``close_page``, see why there), and the
gunicorn instances die with the run even when it is killed (tests/processes.py).
pytest-timeout's per-test limit (pyproject.toml) catches anything else.
"""

import contextlib
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
from playwright.sync_api import Error as PlaywrightError
from playwright.sync_api import TimeoutError as PlaywrightTimeout
from playwright.sync_api import sync_playwright

import config
from app import create_app
from app.extensions import db
from tests import processes
from tests.processes import free_port, missing

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
# Closing a page: how long to wait for Chromium to report it closed before asking
# again (a close takes milliseconds; asking again is harmless), and how many
# times to ask (see close_target).
CLOSE_WAIT_MS = 250
CLOSE_ATTEMPTS = 20


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
            # Stopped (or orphaned: tests/processes.py), the workers get this long to finish.
            "GUNICORN_GRACEFUL_TIMEOUT": "5",
        }
        self.log_path = log_dir / f"{name}.log"
        self.log = self.log_path.open("wb")
        self.process = processes.start(
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
        processes.stop(self.process)
        self.log.close()


@pytest.fixture(scope="session")
def instances(tmp_path_factory):
    """Two instances of the app sharing the test PostgreSQL and Redis: ``(first, second)``.

    Started once for every browser test (each test registers accounts of its own).
    """
    if not (os.environ.get("TEST_DATABASE_URL") and os.environ.get("TEST_REDIS_URL")):
        missing("browser tests need TEST_DATABASE_URL and TEST_REDIS_URL (PostgreSQL and Redis)")
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


@pytest.fixture(scope="session")
def chromium():
    """Headless Chromium, started once for the run (Playwright's sync API); each
    test gets a fresh profile of its own (``new_context``).

    Playwright's driver and Chromium end with pytest even when it is killed:
    the driver exits when its pipe from pytest closes, and takes Chromium with it.
    """
    if not Path(CHROMIUM).exists():
        missing(f"no Chromium at {CHROMIUM} (install Debian's chromium, or set CHROMIUM_PATH)")
    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(
            executable_path=CHROMIUM, headless=True, args=CHROMIUM_ARGS, timeout=3 * PATIENCE_MS
        )
        yield browser
        for browser_context in browser.contexts:
            close_context(browser_context)
        browser.close()


@pytest.fixture
def new_context(chromium):
    """``new_context()``: a fresh browser profile (its own cookies), closed after the test."""
    made = []

    def make():
        browser_context = chromium.new_context()
        browser_context.set_default_timeout(PATIENCE_MS)
        browser_context.set_default_navigation_timeout(PATIENCE_MS)
        made.append(browser_context)
        return browser_context

    yield make
    for browser_context in made:
        close_context(browser_context)


@pytest.fixture
def context(new_context):
    """A fresh browser profile for one test."""
    return new_context()


def close_context(browser_context):
    """Close each page of ``browser_context`` (``close_page``), then the context itself."""
    for page in browser_context.pages:
        close_page(page)
    browser_context.close()


def close_page(page):
    """Close ``page`` once its navigation, if any, has finished (``close_target``)."""
    if page.is_closed():
        return
    with contextlib.suppress(PlaywrightTimeout):  # still loading: closed all the same
        page.wait_for_load_state(timeout=PATIENCE_MS)
    close_target(page)


def close_target(page):
    """Close ``page``, or fail saying so after a bounded wait.

    ``Page.close()`` has no time limit: it returns once Chromium reports the
    page gone. A close that races the commit of a navigation (the answer to a
    form just sent) is acknowledged by Chromium and then dropped (crbug.com/536385539,
    Playwright issues 41900 and 42068), and ``Page.close()`` then waits for ever.
    So the close is asked for over CDP's ``Target.closeTarget``, as
    ``Page.close()`` does, waiting at most ``CLOSE_WAIT_MS`` for the page's
    close event, and asked for again if it did not come: a second close does
    close such a page (test_closing.py).
    """
    cdp = page.context.new_cdp_session(page)
    target = cdp.send("Target.getTargetInfo")["targetInfo"]["targetId"]
    cdp.detach()
    browser_cdp = page.context.browser.new_browser_cdp_session()
    try:
        for _ in range(CLOSE_ATTEMPTS):
            try:
                with page.expect_event("close", timeout=CLOSE_WAIT_MS):
                    browser_cdp.send("Target.closeTarget", {"targetId": target})
                return
            except (PlaywrightError, PlaywrightTimeout):
                if page.is_closed():
                    return
    finally:
        browser_cdp.detach()
    pytest.fail(
        f"Chromium did not close the page at {page.url} "
        f"({CLOSE_ATTEMPTS} tries, {CLOSE_WAIT_MS} ms each)"
    )


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


def submit(page, button, then):
    """Press the form's ``button``; return once the page it leads to, at URL ``then``, has loaded.

    ``click`` returns once the button is pressed, with the form's answer still
    on its way. A test that went on from there would race that navigation:
    what it reads may be the old page (the same URL, for a form that leads
    back to its own page), and closing the page then may hang (see ``close_page``).
    """
    with page.expect_navigation(url=then):
        page.click(button)


def register(page, base_url, email, password=PASSWORD):
    """Fill in and send the registration form; the login form follows."""
    page.goto(base_url + "/auth/register")
    page.fill("input[name=email]", email)
    page.fill("input[name=password]", password)
    page.fill("input[name=confirm_password]", password)
    submit(page, "main form [type=submit]", base_url + "/auth/login")


def log_in(page, base_url, email, password=PASSWORD):
    """Fill in and send the login form; the dashboard follows."""
    page.goto(base_url + "/auth/login")
    page.fill("input[name=email]", email)
    page.fill("input[name=password]", password)
    submit(page, "main form [type=submit]", base_url + "/dashboard")


def log_out(page, base_url):
    """Press the layout's "Log out" button; the home page follows."""
    submit(page, "form.nav-logout button", base_url + "/")


@pytest.fixture
def account(instances, context):
    """The email of an account registered through the first instance's form."""
    email = new_email()
    page = context.new_page()
    register(page, instances[0].url, email)
    close_page(page)
    return email
