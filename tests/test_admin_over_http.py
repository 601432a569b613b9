"""Roles and administration of a default bake over real HTTP (CONTRACT section 9).

Served by gunicorn, on PostgreSQL and Redis in production mode when
``TEST_DATABASE_URL`` and ``TEST_REDIS_URL`` are set (as in CI), else in
development on SQLite. Tried as a new owner would: ``manage.py create-user
--admin``, log in, find a user, disable them while they are logged in
elsewhere (a session, a remember-me cookie and a token), read the audit log.
"""

import pytest

from helpers.processes import describe, run
from helpers.serving import new_email, serve_bake

PASSWORD = "correct horse battery staple"
ADMIN_PASSWORD = "the administrator's horse battery"
LOGIN_FAILED = "Invalid email or password."


@pytest.fixture(scope="module")
def site(bake_into, tmp_path_factory):
    """A served default bake and its first administrator, made with ``manage.py``."""
    project = bake_into("serve-admin").path
    workdir = tmp_path_factory.mktemp("gunicorn-admin")
    with serve_bake(project, workdir, "forge_admin_http") as server:
        admin = new_email()
        made = manage(
            server, project, "create-user", admin, "--admin", "--password=" + ADMIN_PASSWORD
        )
        assert made.returncode == 0, describe(made)
        yield server, project, admin


def manage(server, project, *args):
    return run(project, "manage.py", *args, env=server.env)


def logged_in(server, email, password, remember_me=False):
    browser = server.browser()
    assert browser.log_in(email, password, remember_me=remember_me).status == 302
    return browser


def action(browser, path, **fields):
    token = browser.get("/admin/").csrf_token()
    return browser.post(path, {"csrf_token": token, **fields})


def user_id_of(admin_browser, email):
    found = admin_browser.api("GET", f"/api/v1/users?q={email}").json()["items"]
    assert [item["email"] for item in found] == [email]
    return found[0]["id"]


def test_a_disabled_user_is_logged_out_everywhere_at_once(site):
    server, _project, admin = site
    email = server.new_account(PASSWORD)
    session = logged_in(server, email, PASSWORD)
    remembered = logged_in(server, email, PASSWORD, remember_me=True)
    remembered.cookies.pop("session", None)
    token = server.browser().api("POST", "/api/v1/tokens", {"email": email, "password": PASSWORD})
    token = token.json()["token"]
    admin_browser = logged_in(server, admin, ADMIN_PASSWORD)
    user_id = user_id_of(admin_browser, email)
    assert email in admin_browser.get(f"/admin/?q={email}").text

    assert action(admin_browser, f"/admin/users/{user_id}/disable").status == 302

    assert session.get("/dashboard").status == 302
    assert remembered.get("/dashboard").status == 302
    assert server.browser().api("GET", "/api/v1/users/me", token=token).status == 401
    refused = server.browser().log_in(email, PASSWORD)
    assert refused.status == 200
    assert LOGIN_FAILED in refused.text
    again = server.browser().api("POST", "/api/v1/tokens", {"email": email, "password": PASSWORD})
    assert again.status == 401
    audit = admin_browser.get("/admin/audit").text
    for trace in ("disable", email, admin, "create-user", "--admin"):
        assert trace in audit


def test_other_users_get_403_and_anonymous_visitors_log_in(site):
    server, _project, _admin = site
    email = server.new_account(PASSWORD)
    browser = logged_in(server, email, PASSWORD)

    assert browser.get("/admin/").status == 403
    assert 'class="site-nav"' in browser.get("/admin/audit").text
    problem = browser.api("GET", "/admin/")
    assert problem.status == 403
    assert problem.headers["Content-Type"].startswith("application/problem+json")
    assert browser.api("GET", "/api/v1/users").status == 403
    assert server.browser().get("/admin/").status == 302
    assert server.browser().api("GET", "/admin/").status == 401
    assert browser.api("GET", "/api/v1/users/me").json()["is_admin"] is False


def test_the_last_administrator_stays_one(site):
    server, project, admin = site

    revoked = manage(server, project, "admin", "revoke", admin)
    unknown = manage(server, project, "admin", "grant", "nobody@example.com")

    assert revoked.returncode != 0
    assert "last administrator" in revoked.stderr
    assert unknown.returncode != 0
    assert "nobody@example.com" in unknown.stderr
    browser = logged_in(server, admin, ADMIN_PASSWORD)
    assert browser.api("GET", "/api/v1/users/me").json()["is_admin"] is True
