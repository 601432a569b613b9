"""Accounts and mail over real HTTP: gunicorn, PostgreSQL, Redis, ``flask worker`` and SMTP.

A default bake is served in production by gunicorn on a fresh PostgreSQL
database and the test Redis, with ``flask worker`` running its jobs and
``MAIL_URL`` pointing at an SMTP server in this process (aiosmtpd). Every
flow follows the links in the mails the server receives, as a user would.
The mail server goes down and comes back, and a worker is stopped with
SIGTERM in the middle of a job.

Needs ``TEST_DATABASE_URL`` and ``TEST_REDIS_URL``: skipped without them on a
developer's machine, failed without them in CI (``CI=true``, see .ci/run).
"""

import json
import os
import secrets
import signal
import subprocess
import time
from contextlib import ExitStack
from dataclasses import dataclass
from urllib.parse import urlsplit

import pytest

from helpers.browser import Browser
from helpers.mail import SMTPServer
from helpers.processes import (
    describe,
    run,
    server_log,
    start_worker,
    stop_server,
)
from helpers.services import given_database_url, given_redis_url
from helpers.serving import new_email, serve_bake

PASSWORD = "correct horse battery staple"
NEW_PASSWORD = "a brand new horse battery"
PUBLIC_URL = "https://accounts.example.test"
# Short retries, so a mail server that comes back is used within seconds.
RETRY_INTERVALS = [1] * 12
# The contract's budget for a page that queues a mail, whatever the mail server does.
PAGE_SECONDS = 2.0


class ClientBrowser(Browser):
    """A browser at its own client address, told to the app by the one trusted proxy hop.

    Each has its own rate-limit counts, so the tests do not use up each other's.
    """

    def __init__(self, host, port, address=None):
        super().__init__(host, port)
        self.address = address or f"203.0.113.{secrets.randbelow(250) + 1}"

    def request(self, method, path, form=None, headers=None, json_body=None, body=None):
        headers = {"X-Forwarded-For": self.address, **(headers or {})}
        return super().request(method, path, form, headers, json_body, body)

    def submit(self, path, fields, form_path=None):
        """Send the form shown at ``form_path`` (default ``path``) with ``fields``."""
        token = self.get(form_path or path).csrf_token()
        return self.post(path, {"csrf_token": token, **fields})


@dataclass
class Site:
    """The served bake, its worker, and the mail server its mail goes to."""

    server: object
    project: object
    smtp: SMTPServer
    workdir: object
    worker: subprocess.Popen | None = None

    def browser(self, address=None):
        return ClientBrowser(self.server.host, self.server.port, address)

    def start_worker(self, name="worker", **env):
        """Start ``flask worker`` with the site's environment and ``env``; wait until it listens."""
        return start_worker(
            self.project,
            {**self.server.env, **env},
            self.workdir / f"{name}-{secrets.token_hex(3)}.log",
        )

    def flask(self, *args, **env):
        """Run a ``flask`` command of the bake with the site's environment."""
        result = run(self.project, "-m", "flask", *args, env={**self.server.env, **env})
        assert result.returncode == 0, describe(result)
        return result

    def python(self, code, **env):
        """Run Python code in the bake's app context, with the site's environment."""
        script = f"from app import create_app\nwith create_app().app_context():\n    {code}"
        result = run(self.project, "-c", script, env={**self.server.env, **env})
        assert result.returncode == 0, describe(result)

    def job_counts(self):
        return json.loads(self.flask("jobs", "--json").stdout)

    def wait_for_counts(self, accept, timeout=30):
        """Poll ``flask jobs`` until ``accept(counts)``; return the counts."""
        deadline = time.monotonic() + timeout
        while True:
            counts = self.job_counts()
            if accept(counts) or time.monotonic() > deadline:
                return counts
            time.sleep(0.3)


@pytest.fixture(scope="module")
def site(bake_into, tmp_path_factory):
    if not (given_database_url() and given_redis_url()):
        message = "needs TEST_DATABASE_URL and TEST_REDIS_URL (PostgreSQL and Redis; see .ci/run)"
        if os.environ.get("CI") == "true":
            pytest.fail(message)
        pytest.skip(message)
    workdir = tmp_path_factory.mktemp("accounts-over-http")
    project = bake_into("accounts-over-http").path
    with ExitStack() as cleanup:
        smtp = SMTPServer().start()
        cleanup.callback(smtp.stop)
        extra_env = {
            "MAIL_URL": smtp.url,
            "PUBLIC_URL": PUBLIC_URL,
            # A queue of this run's own, in the Redis other tests share.
            "FLASK_JOB_QUEUE": f"accounts-{secrets.token_hex(4)}",
            "FLASK_JOB_RETRY_INTERVALS": json.dumps(RETRY_INTERVALS),
            "FLASK_WORKER_MAINTENANCE_INTERVAL": "5",
            # gunicorn's access log too, so that every log is searched for link tokens.
            "GUNICORN_ACCESS_LOG": "on",
        }
        server = cleanup.enter_context(serve_bake(project, workdir, "forge_accounts", extra_env))
        site = Site(server, project, smtp, workdir)
        site.worker = site.start_worker()
        cleanup.callback(lambda: stop_server(site.worker))
        yield site


def register(site, email=None, password=PASSWORD):
    """A new account through the form; its email and the confirmation mail it got."""
    email = email or new_email()
    browser = site.browser()
    assert browser.register(email, password).status == 302
    (mail,) = site.smtp.wait_for(email)
    return email, mail


def path_of(link):
    """The path a mailed link leads to; it must start with PUBLIC_URL, whatever the request."""
    assert link.startswith(PUBLIC_URL + "/"), link
    parts = urlsplit(link)
    return parts.path + (f"?{parts.query}" if parts.query else "")


def logged_in(site, email, password=PASSWORD, remember_me=False):
    browser = site.browser()
    response = browser.log_in(email, password, remember_me=remember_me)
    assert response.status == 302, response.text
    assert response.location.path == "/dashboard"
    return browser


def api_token(site, email, password=PASSWORD):
    response = site.browser().api("POST", "/api/v1/tokens", {"email": email, "password": password})
    assert response.status == 201, response.text
    return response.json()["token"]


def ask_for_reset(browser, email):
    return browser.submit("/auth/reset", {"email": email})


def reset_password(site, email, password=NEW_PASSWORD):
    """Ask for a reset link, follow it, choose ``password``; return the last answer."""
    before = len(site.smtp.messages_to(email))
    assert ask_for_reset(site.browser(), email).status == 302
    mail = site.smtp.wait_for(email, before + 1)[-1]
    browser = site.browser()
    path = path_of(mail.links[0])
    return browser.submit(path, {"password": password, "confirm_password": password})


def is_logged_out(browser):
    response = browser.get("/dashboard")
    return response.status == 302 and response.location.path == "/auth/login"


def test_the_whole_account_lifecycle_follows_the_links_in_the_mails(site):
    email, confirmation = register(site)
    assert site.server.production
    assert "Confirm" in confirmation.subject
    assert confirmation.links[0] in confirmation.html

    # Logged in before confirming (the default), the dashboard says so.
    browser = logged_in(site, email)
    assert "Unconfirmed" in browser.get("/dashboard").text
    token = api_token(site, email)
    assert browser.api("GET", "/api/v1/users/me", token=token).json()["email_confirmed"] is False

    followed = browser.get(path_of(confirmation.links[0]))
    assert followed.status == 302
    assert "unconfirmed" not in browser.get("/dashboard").text.lower()
    assert browser.api("GET", "/api/v1/users/me", token=token).json()["email_confirmed"] is True

    # Forgot the password: a link by mail, a new password, the old one gone.
    assert browser.log_out().status == 302
    answer = reset_password(site, email)
    assert (answer.status, answer.location.path) == (302, "/auth/login")
    assert site.browser().log_in(email, PASSWORD).status == 200
    browser = logged_in(site, email, NEW_PASSWORD)

    # A new address: a link to it, a notice to the old one; the change when followed.
    moved = new_email()
    answer = browser.submit("/account/email", {"email": moved, "current_password": NEW_PASSWORD})
    assert answer.status == 302
    (link_mail,) = site.smtp.wait_for(moved)
    notice = site.smtp.wait_for_subject(email, "change of your email address")
    assert moved in notice.text
    assert site.browser().get(path_of(link_mail.links[0])).status == 302  # another browser
    assert moved in browser.get("/dashboard").text
    browser = logged_in(site, moved, NEW_PASSWORD)

    # A password change keeps this browser in, on a new session id, and mails a notice.
    session_id = browser.cookies["session"]
    data = {"current_password": NEW_PASSWORD, "password": PASSWORD, "confirm_password": PASSWORD}
    assert browser.submit("/account/password", data).status == 302
    assert browser.cookies["session"] != session_id
    assert browser.get("/dashboard").status == 200
    assert site.smtp.wait_for_subject(moved, "password has been changed")

    # Deleting the account ends it; the address can register again.
    answer = browser.submit("/account/delete", {"current_password": PASSWORD})
    assert (answer.status, answer.location.path) == (302, "/")
    assert "flash flash-info" in browser.follow(answer).text
    assert is_logged_out(browser)
    assert site.browser().log_in(moved, PASSWORD).status == 200
    assert site.browser().register(moved, PASSWORD).status == 302


def test_unknown_addresses_get_the_same_status_page_and_flash(site):
    known, _confirmation = register(site)
    unknown = new_email()
    answers = {}
    for email in (known, unknown):
        browser = site.browser()
        response = ask_for_reset(browser, email)
        page = browser.follow(response)
        answers[email] = (response.status, response.location.path, page.status, page.flashes())
        answers[email] += (page.text.replace(page.csrf_token(), ""),)

    assert answers[known] == answers[unknown]
    site.smtp.wait_for(known, 2)
    site.wait_for_counts(lambda counts: counts["queued"] == counts["running"] == 0)
    assert site.smtp.messages_to(unknown) == []


def test_forms_that_mail_refuse_a_post_without_a_csrf_token(site):
    email, _confirmation = register(site)
    browser = site.browser()
    assert browser.post("/auth/reset", {"email": email}).status == 400
    member = logged_in(site, email)
    assert member.post("/auth/confirm", {}).status == 400
    site.wait_for_counts(lambda counts: counts["queued"] == counts["running"] == 0)
    assert len(site.smtp.messages_to(email)) == 1  # the confirmation of the registration only


def test_mailed_links_start_with_public_url_whatever_the_host_header(site):
    email, _confirmation = register(site)
    browser = site.browser()
    token = browser.get("/auth/reset", headers={"Host": "evil.example"}).csrf_token()
    browser.post(
        "/auth/reset",
        {"csrf_token": token, "email": email},
        headers={"Host": "evil.example", "X-Forwarded-Host": "evil.example"},
    )
    mail = site.smtp.wait_for(email, 2)[-1]
    assert mail.links
    assert all(link.startswith(PUBLIC_URL + "/") for link in mail.links)
    assert "evil.example" not in mail.text + mail.html


@pytest.mark.parametrize("how", ["password change", "reset"])
def test_other_browsers_and_api_tokens_lose_access_at_once(site, how):
    email, _confirmation = register(site)
    second = logged_in(site, email, remember_me=True)
    token = api_token(site, email)
    assert second.api("GET", "/api/v1/users/me", token=token).status == 200

    if how == "reset":
        assert reset_password(site, email).status == 302
    else:
        browser = logged_in(site, email)
        data = {"current_password": PASSWORD, "password": NEW_PASSWORD}
        answer = browser.submit("/account/password", {**data, "confirm_password": NEW_PASSWORD})
        assert answer.status == 302
        assert browser.get("/dashboard").status == 200

    assert is_logged_out(second)
    assert site.browser().api("GET", "/api/v1/users/me", token=token).status == 401
    second.cookies.pop("session", None)  # the remember-me cookie alone
    assert is_logged_out(second)


def test_no_link_token_reaches_gunicorns_the_apps_or_the_workers_log(site):
    """Open a confirmation, an email-change and a reset link (and post to each): the
    tokens are in the mails, and nowhere in gunicorn's access log, the app's JSON lines
    or ``flask worker``'s."""
    email, confirmation = register(site)
    browser = logged_in(site, email)
    moved = new_email()
    answer = browser.submit("/account/email", {"email": moved, "current_password": PASSWORD})
    assert answer.status == 302
    (change,) = site.smtp.wait_for(moved)
    assert ask_for_reset(site.browser(), email).status == 302
    reset = site.smtp.wait_for_subject(email, "Reset your password")
    paths = [path_of(mail.links[0]) for mail in (confirmation, change, reset)]
    for path in paths:
        visitor = site.browser()
        visitor.get(path, headers={"Referer": PUBLIC_URL + path})
        visitor.post(path, {})  # no CSRF token: 400 (or 405 where only GET is served)

    logs = (site.workdir / "log").read_text(encoding="utf-8") + server_log(site.worker)
    for path in paths:
        prefix, token = path.rsplit("/", 1)
        assert token not in logs, prefix
        assert f'"path": "{prefix}/[REDACTED]"' in logs  # the app's own request line
        assert f'"GET {prefix}/[REDACTED] HTTP/1.1"' in logs  # gunicorn's access log


def test_reset_requests_are_limited_per_address_known_or_not(site):
    known, _confirmation = register(site)
    for email in (known, new_email()):
        statuses = [ask_for_reset(site.browser(), email).status for _ in range(6)]
        assert statuses == [302] * 5 + [429]  # PASSWORD_RESET_TARGET_RATE_LIMIT: 5 per 15 min
    limited = ask_for_reset(site.browser(), known)
    assert limited.status == 429
    assert int(limited.headers["Retry-After"]) > 0


def test_a_page_that_mails_answers_at_once_while_the_mail_server_is_down(site):
    email, _confirmation = register(site)
    site.smtp.stop()
    try:
        started = time.monotonic()
        assert ask_for_reset(site.browser(), email).status == 302
        assert time.monotonic() - started < PAGE_SECONDS
        # The job failed and waits for its retry.
        counts = site.wait_for_counts(lambda counts: counts["scheduled"] >= 1, timeout=60)
        assert counts["scheduled"] >= 1, f"no retry waiting: {counts}"
    finally:
        site.smtp.start()  # back, on the same port; nothing restarted
    (_, reset_mail) = site.smtp.wait_for(email, 2, timeout=30)
    assert reset_mail.links[0].startswith(PUBLIC_URL + "/auth/reset/")


def test_a_job_that_keeps_failing_is_kept_as_failed(site):
    email, _confirmation = register(site)
    before = site.job_counts()["failed"]
    site.smtp.stop()
    try:
        # Queued with a single retry, as FLASK_JOB_RETRY_INTERVALS says for this one.
        site.python(
            "from app.auth.emails import send_password_reset; "
            "from app.infrastructure.jobs import enqueue; "
            f"enqueue(send_password_reset, {email!r})",
            FLASK_JOB_RETRY_INTERVALS="[1]",
        )
        counts = site.wait_for_counts(lambda counts: counts["failed"] > before)
    finally:
        site.smtp.start()
    assert counts["failed"] == before + 1, counts
    lines = site.flask("jobs").stdout.splitlines()
    assert [line.split()[0] for line in lines] == [
        "queued",
        "running",
        "scheduled",
        "deferred",
        "failed",
    ]


def test_a_worker_stopped_mid_job_finishes_the_job(site):
    slow = SMTPServer(delay=3).start()
    stop_server(site.worker)  # this test's worker alone takes the job
    try:
        worker = site.start_worker("slow-worker", MAIL_URL=slow.url)
        email = new_email()
        assert site.browser().register(email, PASSWORD).status == 302
        slow.wait_until_receiving()

        os.kill(worker.pid, signal.SIGTERM)  # as `docker stop` does, to the worker only
        assert worker.wait(timeout=20) == 0, server_log(worker)

        assert len(slow.messages_to(email)) == 1  # the mail went out, once
        assert site.job_counts()["running"] == 0
        assert "warm shut down requested" in server_log(worker).lower()
    finally:
        stop_server(worker)
        slow.stop()
        site.worker = site.start_worker()
