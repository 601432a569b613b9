"""A served bake on its worst day: outages, load and brute force, over real HTTP.

Each test here stops and restarts PostgreSQL or Redis under a running
gunicorn, so the module starts servers of its own (never the shared
TEST_* ones). It needs the PostgreSQL server binaries and redis-server:
without them it is skipped on a developer's machine, and fails in CI
(``CI=true``), where .ci/run installs them.
"""

import os
import secrets
import shutil
import time
from concurrent.futures import ThreadPoolExecutor
from contextlib import ExitStack
from dataclasses import dataclass

import pytest

from helpers.browser import Browser
from helpers.processes import (
    describe,
    free_port,
    project_env,
    run,
    server_log,
    start_server,
    stop_server,
    wait_for_http,
)
from helpers.services import OwnPostgres, OwnRedis, find_postgres_bin

PASSWORD = "correct horse battery staple"
# The contract: an outage is answered within 2 s; allow for a slow CI machine's HTTP.
OUTAGE_ANSWER_SECONDS = 2.0
RECOVERY_SECONDS = 20
LOAD_REQUESTS = 3000
LOAD_THREADS = 24


def missing_binaries():
    missing = [] if find_postgres_bin() else ["PostgreSQL server (initdb, pg_ctl)"]
    return missing + ([] if shutil.which("redis-server") else ["redis-server"])


@dataclass
class Stack:
    """gunicorn serving a bake, on a PostgreSQL and a Redis of its own."""

    port: int
    postgres: OwnPostgres
    redis: OwnRedis
    process: object

    def browser(self, address=None):
        browser = Browser("127.0.0.1", self.port, timeout=10)
        if address:  # the one trusted proxy hop says who the client is
            original = browser.request

            def request(method, path, form=None, headers=None):
                headers = {"X-Forwarded-For": address, **(headers or {})}
                return original(method, path, form=form, headers=headers)

            browser.request = request
        return browser


@pytest.fixture(scope="module")
def stack(bake_into, tmp_path_factory):
    missing = missing_binaries()
    if missing:
        message = "needs " + " and ".join(missing)
        if os.environ.get("CI") == "true":
            pytest.fail(f"{message}: CI must provide them (.ci/run installs them)")
        pytest.skip(message)
    project = bake_into("resilience").path
    workdir = tmp_path_factory.mktemp("resilience")
    with ExitStack() as cleanup:
        postgres = OwnPostgres(find_postgres_bin(), free_port())
        cleanup.callback(postgres.destroy)
        postgres.start()
        redis_server = OwnRedis(free_port())
        cleanup.callback(redis_server.destroy)
        redis_server.start()
        env = project_env(
            FLASK_CONFIG="production",
            SECRET_KEY=secrets.token_urlsafe(48),
            DATABASE_URL=postgres.url,
            REDIS_URL=redis_server.url,
            WEB_CONCURRENCY="4",
        )
        upgrade = run(project, "-m", "flask", "db", "upgrade", env=env)
        assert upgrade.returncode == 0, describe(upgrade)
        port = free_port()
        command = ["-m", "gunicorn", "app:create_app()", "--bind", f"127.0.0.1:{port}"]
        process = start_server(project, command, env, workdir / "log")
        cleanup.callback(stop_server, process)
        wait_for_http(f"http://127.0.0.1:{port}/health", process)
        yield Stack(port, postgres, redis_server, process)


def timed(call):
    started = time.monotonic()
    response = call()
    return response, time.monotonic() - started


def wait_until_healthy(stack):
    deadline = time.monotonic() + RECOVERY_SECONDS
    while time.monotonic() < deadline:
        if stack.browser().get("/health").status == 200:
            return
        time.sleep(0.2)
    raise AssertionError("no recovery without a restart:\n" + server_log(stack.process))


def new_user(stack):
    email = f"user-{secrets.token_hex(6)}@example.com"
    browser = stack.browser(address=f"203.0.113.{secrets.randbelow(250) + 1}")
    assert browser.register(email, PASSWORD).status == 302
    return email


def assert_outage_answer(response, seconds, check=None):
    assert response.status == 503, response.text[:300]
    assert seconds < OUTAGE_ANSWER_SECONDS, f"503 after {seconds:.2f}s"
    if check:
        assert response.json()["checks"][check] == "error"


def test_stopping_redis_gives_quick_503s_and_the_app_recovers(stack):
    email = new_user(stack)
    browser = stack.browser()
    assert browser.log_in(email, PASSWORD).status == 302
    form_page = stack.browser().get("/auth/login")

    stack.redis.stop()
    try:
        for call in (
            lambda: browser.get("/dashboard"),
            lambda: stack.browser().get("/auth/login"),
            lambda: browser.post("/auth/logout", {"csrf_token": "x"}),
            lambda: browser.get("/dashboard", headers={"Accept": "application/json"}),
        ):
            assert_outage_answer(*timed(call))
        assert_outage_answer(*timed(lambda: stack.browser().get("/health")), check="redis")
        assert form_page.status == 200
    finally:
        stack.redis.start()

    wait_until_healthy(stack)
    again = stack.browser()
    assert again.log_in(email, PASSWORD).status == 302  # sessions are gone, the account is not
    assert email in again.get("/dashboard").text


def test_stopping_postgres_gives_quick_503s_and_loses_nothing(stack):
    email = new_user(stack)
    browser = stack.browser()
    assert browser.log_in(email, PASSWORD).status == 302
    late_email = f"late-{secrets.token_hex(6)}@example.com"
    registering = stack.browser(address="203.0.113.251")
    token = registering.get("/auth/register").csrf_token()

    stack.postgres.stop()
    try:
        assert_outage_answer(*timed(lambda: browser.get("/dashboard")))
        form = {"csrf_token": token, "email": late_email, "password": PASSWORD}
        form["confirm_password"] = PASSWORD
        assert_outage_answer(*timed(lambda: registering.post("/auth/register", form)))
        assert_outage_answer(*timed(lambda: stack.browser().get("/health")), check="database")
    finally:
        stack.postgres.start()

    wait_until_healthy(stack)
    assert browser.get("/dashboard").status == 200  # the same session, served again
    assert stack.browser().log_in(email, PASSWORD).status == 302
    retry = stack.browser(address="203.0.113.252")
    assert retry.register(late_email, PASSWORD).status == 302  # nothing half-written


def test_repeated_failed_logins_get_429_and_spare_other_clients(stack):
    email = new_user(stack)
    attacker = stack.browser(address="198.51.100.10")
    statuses = []
    for attempt in range(20):
        # Extra entries before the proxy's own cannot reset the count.
        spoof = {"X-Forwarded-For": f"10.0.{attempt}.1, 198.51.100.10"}
        token = attacker.get("/auth/login").csrf_token()
        form = {"csrf_token": token, "email": email, "password": "wrong password"}
        response = attacker.request("POST", "/auth/login", form=form, headers=spoof)
        statuses.append(response.status)
        if response.status == 429:
            assert int(response.headers["Retry-After"]) > 0
            break

    assert statuses[-1] == 429, statuses
    assert set(statuses[:-1]) == {200}
    assert stack.browser(address="198.51.100.11").log_in(email, PASSWORD).status == 302


def test_thousands_of_mixed_requests_give_no_5xx(stack):
    email = new_user(stack)
    member = stack.browser()
    assert member.log_in(email, PASSWORD).status == 302
    cookies = dict(member.cookies)

    def one(index):
        browser = stack.browser(address=f"192.0.2.{index % 200 + 1}")
        kind = index % 6
        if kind == 0:
            return browser.get("/").status
        if kind == 1:
            return browser.get("/health").status
        if kind == 2:
            return browser.get("/auth/login?next=//evil.example").status
        if kind == 3:
            browser.cookies.update(cookies)
            return browser.get("/dashboard").status
        if kind == 4:
            return browser.post("/auth/login", {"email": "x", "password": "y" * 10_000}).status
        return browser.get(f"/no/such/page/{index}").status

    started = time.monotonic()
    with ThreadPoolExecutor(LOAD_THREADS) as pool:
        statuses = list(pool.map(one, range(LOAD_REQUESTS)))
    elapsed = time.monotonic() - started

    errors = [status for status in statuses if status >= 500]
    assert not errors, f"{len(errors)} of {len(statuses)} were 5xx:\n" + server_log(stack.process)
    assert len(statuses) == LOAD_REQUESTS
    assert elapsed < 240, f"{LOAD_REQUESTS} requests took {elapsed:.0f}s"
