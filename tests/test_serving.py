"""End to end over real HTTP: a bake served by gunicorn, driven like a browser.

The bake runs in production on PostgreSQL and Redis when ``TEST_DATABASE_URL``
and ``TEST_REDIS_URL`` are set, else in development (``helpers/serving.py``).
Either way every test below runs; the Secure cookie flag and the Redis health
check follow the mode.
"""

import re

import pytest

from helpers.browser import Browser
from helpers.processes import free_port, project_env, start_server, stop_server, wait_for_http
from helpers.services import sqlite_url
from helpers.serving import new_email, serve_bake

PASSWORD = "correct horse battery staple"
LOGIN_FAILED = "Invalid email or password."
SESSION_COOKIE = "session"
OFF_SITE_TARGETS = ["//evil.example", "https://evil.example/", "/\\evil.example", "///evil.example"]


@pytest.fixture(scope="module")
def server(bake_into, tmp_path_factory):
    """Serve a fresh bake with ``gunicorn "app:create_app()"``; stop it afterwards."""
    with serve_bake(bake_into("serve").path, tmp_path_factory.mktemp("gunicorn")) as running:
        yield running


@pytest.fixture
def browser(server):
    """A new visitor with an empty cookie jar."""
    return server.browser()


@pytest.fixture
def user(server):
    """The email of an account registered through the form (password ``PASSWORD``)."""
    return server.new_account(PASSWORD)


def test_home_page_is_public(browser):
    response = browser.get("/")

    assert response.status == 200
    assert response.headers["Content-Type"].startswith("text/html")
    assert "Flask Forge App" in response.text


def test_guarded_page_sends_anonymous_visitors_to_login(browser):
    response = browser.get("/dashboard")

    assert response.status == 302
    assert response.location.path == "/auth/login"
    assert response.location_query == {"next": ["/dashboard"]}


def test_registration_redirects_with_a_flash_message(browser):
    response = browser.register(new_email(), PASSWORD)

    assert response.status == 302
    page = browser.follow(response)
    assert page.status == 200
    assert "success" in page.flashes()


def test_registration_with_a_taken_email_shows_the_form_again(browser, user):
    response = browser.register(user, PASSWORD)

    assert response.status == 200
    assert response.csrf_token()
    assert "success" not in response.flashes()


def test_login_with_remember_me_starts_a_new_session(server, browser, user):
    browser.get("/auth/login")
    anonymous_id = browser.cookies[SESSION_COOKIE]  # the form's CSRF token lives there

    response = browser.log_in(user, PASSWORD, remember_me=True)

    assert response.status == 302
    assert response.location.path == "/dashboard"
    session = response.set_cookies[SESSION_COOKIE]
    assert session.http_only
    assert session.same_site.lower() == "lax"
    assert session.secure is server.production
    assert session.value != anonymous_id
    assert server.store.has(session.value)
    assert not server.store.has(anonymous_id)


def test_login_with_remember_me_sets_a_persistent_httponly_cookie(server, browser, user):
    response = browser.log_in(user, PASSWORD, remember_me=True)

    (remember,) = [
        cookie
        for name, cookie in response.set_cookies.items()
        if name != SESSION_COOKIE and not cookie.deletes
    ]
    assert remember.http_only
    assert remember.persistent
    assert remember.secure is server.production


def test_dashboard_shows_the_logged_in_users_email(browser, user):
    browser.log_in(user, PASSWORD)

    response = browser.get("/dashboard")

    assert response.status == 200
    assert user in response.text


def test_remember_me_logs_back_in_after_the_session_cookie_is_gone(browser, user):
    browser.log_in(user, PASSWORD, remember_me=True)
    del browser.cookies[SESSION_COOKIE]

    response = browser.get("/dashboard")

    assert response.status == 200
    assert user in response.text


def test_without_remember_me_losing_the_session_cookie_logs_out(browser, user):
    browser.log_in(user, PASSWORD)
    del browser.cookies[SESSION_COOKIE]

    assert browser.get("/dashboard").status == 302


def test_logout_ends_the_session_and_forgets_the_browser(server, browser, user):
    browser.log_in(user, PASSWORD, remember_me=True)
    session_id = browser.cookies[SESSION_COOKIE]

    response = browser.log_out()

    assert response.status == 302
    assert response.location.path == "/"
    assert not server.store.has(session_id)
    assert set(browser.cookies) <= {SESSION_COOKIE}, "the remember-me cookie was not cleared"
    assert browser.follow(response).flashes()
    assert browser.get("/dashboard").status == 302


@pytest.mark.parametrize("target", OFF_SITE_TARGETS)
def test_login_never_redirects_off_site(server, browser, user, target):
    response = browser.log_in(user, PASSWORD, next_path=target)

    assert response.status == 302
    assert response.location.netloc in ("", f"{server.host}:{server.port}")
    assert response.location.path == "/dashboard"


def test_login_follows_next_to_a_path_on_this_site(browser, user):
    response = browser.log_in(user, PASSWORD, next_path="/dashboard?from=login-test")

    assert response.status == 302
    assert response.location.netloc == ""
    assert response.location.path == "/dashboard"
    assert response.location_query == {"from": ["login-test"]}


def without_values(page):
    """A page with every ``value="..."`` emptied (CSRF tokens, the echoed email)."""
    return re.sub(r'\bvalue="[^"]*"', 'value=""', page)


def test_failed_login_shows_one_message_that_does_not_say_which_field(browser, user):
    wrong_password = browser.log_in(user, "not the password")
    unknown_email = browser.log_in(new_email(), PASSWORD)

    assert wrong_password.status == 200
    assert wrong_password.text.count(LOGIN_FAILED) == 1
    assert without_values(wrong_password.text) == without_values(unknown_email.text)
    assert browser.get("/dashboard").status == 302


def test_post_without_csrf_token_is_rejected(browser, user):
    browser.get("/auth/login")

    response = browser.post("/auth/login", {"email": user, "password": PASSWORD})

    assert response.status == 400
    assert browser.get("/dashboard").status == 302


def test_logout_without_csrf_token_is_rejected(browser, user):
    browser.log_in(user, PASSWORD)

    response = browser.post("/auth/logout", {})

    assert response.status == 400
    assert browser.get("/dashboard").status == 200


def test_unknown_path_is_not_found_for_anonymous_visitors(browser):
    assert browser.get("/no/such/page").status == 404


def test_unknown_path_is_not_found_when_logged_in(browser, user):
    browser.log_in(user, PASSWORD)

    assert browser.get("/no/such/page").status == 404


def test_health_reports_ok(server, browser):
    response = browser.get("/health")

    assert response.status == 200
    assert response.headers["Content-Type"].startswith("application/json")
    body = response.json()
    assert body["status"] == "ok"
    assert body["checks"]["database"] == "ok"
    if server.production:  # development without REDIS_URL has no Redis to check
        assert body["checks"]["redis"] == "ok"


def test_every_response_carries_the_security_headers(browser, user):
    browser.get("/")
    browser.get("/dashboard")
    browser.post("/auth/login", {"email": user, "password": PASSWORD})
    browser.get("/no/such/page")
    browser.get("/health")
    browser.get("/static/css/app.css")
    browser.log_in(user, PASSWORD)
    browser.get("/dashboard")
    browser.log_out()
    statuses = {response.status for _, _, response in browser.history}
    assert statuses >= {200, 302, 400, 404}

    for method, path, response in browser.history:
        headers = response.headers
        where = f"{method} {path} ({response.status})"
        assert headers.get("X-Request-ID"), where
        assert headers.get("X-Content-Type-Options") == "nosniff", where
        assert headers.get("Content-Security-Policy"), where
        assert headers.get("Referrer-Policy"), where
        assert headers.get("X-Frame-Options") or "frame-ancestors" in headers.get(
            "Content-Security-Policy", ""
        ), where


def test_request_id_sent_by_the_client_is_echoed(browser):
    response = browser.get("/", headers={"X-Request-ID": "forge-acceptance-42"})

    assert response.headers["X-Request-ID"] == "forge-acceptance-42"


def test_manage_py_run_serves_on_flask_run_host_and_port(bake_into, tmp_path):
    project = bake_into("manage-run").path
    port = free_port()
    env = project_env(
        FLASK_CONFIG="development",
        DATABASE_URL=sqlite_url(tmp_path / "run.db"),
        FLASK_RUN_HOST="127.0.0.1",
        FLASK_RUN_PORT=str(port),
    )
    process = start_server(project, ["manage.py", "run"], env, tmp_path / "log")
    try:
        wait_for_http(f"http://127.0.0.1:{port}/health", process)
        response = Browser("127.0.0.1", port).get("/")
    finally:
        stop_server(process)

    assert response.status == 200
    assert "Flask Forge App" in response.text


def test_every_set_of_parts_serves_its_pages_and_a_login(fresh_parts_answer_set, tmp_path):
    with serve_bake(fresh_parts_answer_set.bake.path, tmp_path) as running:
        visitor = running.browser()
        assert visitor.get("/").status == 200
        email = running.new_account(PASSWORD)

        login = visitor.log_in(email, PASSWORD)

        assert login.status == 302, login.text
        dashboard = visitor.get("/dashboard")
        assert dashboard.status == 200
        assert email in dashboard.text
