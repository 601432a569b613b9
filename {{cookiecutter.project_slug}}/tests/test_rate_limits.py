"""Rate limits: failed logins and registrations, counted per client address."""

import pytest
from flask.views import MethodView

from app.extensions import csrf
from app.guard import public
from app.rate_limits import failed_login_limit, record_failed_login
from tests.conftest import EMAIL, PASSWORD

WRONG = "not the password"


@pytest.fixture
def limited(app):
    """Low limits, so a test reaches them in a few requests."""
    app.config["LOGIN_FAILURE_RATE_LIMIT"] = "3 per minute"
    app.config["REGISTRATION_RATE_LIMIT"] = "2 per minute"
    return app


def test_failed_logins_beyond_the_limit_get_429_with_retry_after(limited, auth, user):
    for _ in range(3):
        assert auth.login(password=WRONG).status_code == 200

    response = auth.login(password=WRONG)

    assert response.status_code == 429
    assert 1 <= int(response.headers["Retry-After"]) <= 60
    assert "Too Many Requests" in response.get_data(as_text=True)


def test_once_limited_even_the_right_password_waits(limited, auth, user):
    for _ in range(3):
        auth.login(password=WRONG)

    assert auth.login().status_code == 429


def test_successful_logins_are_not_counted(limited, client, auth, user):
    for _ in range(6):
        assert auth.login().status_code == 302
        auth.logout()


def test_the_login_form_is_still_shown_once_limited(limited, client, auth, user):
    for _ in range(4):
        auth.login(password=WRONG)

    assert client.get("/auth/login").status_code == 200


def test_other_addresses_are_not_affected(limited, app, auth, user):
    for _ in range(4):
        auth.login(password=WRONG)

    other = app.test_client()
    other.environ_base["REMOTE_ADDR"] = "198.51.100.7"
    page = other.get("/auth/login").get_data(as_text=True)
    token = page.split('name="csrf_token" type="hidden" value="')[1].split('"')[0]
    response = other.post(
        "/auth/login", data={"csrf_token": token, "email": EMAIL, "password": PASSWORD}
    )

    assert response.status_code == 302


def test_the_api_gets_problem_details(limited, client, auth, user):
    for _ in range(3):
        auth.login(password=WRONG)
    token = auth.csrf_token()

    response = client.post(
        "/auth/login",
        data={"csrf_token": token, "email": EMAIL, "password": WRONG},
        headers={"Accept": "application/json"},
    )

    assert response.status_code == 429
    assert response.content_type == "application/problem+json"
    assert response.json["status"] == 429
    assert response.headers["Retry-After"]


def test_registrations_are_limited_whether_or_not_they_succeed(limited, auth):
    assert auth.register("one@example.com").status_code == 302
    assert auth.register("one@example.com").status_code == 200  # taken: counted too

    response = auth.register("two@example.com")

    assert response.status_code == 429
    assert response.headers["Retry-After"]


def add_token_view(app, post):
    """A stand-in for the API's token endpoint, limited the way the API applies it."""

    class TokensView(MethodView):
        decorators = (failed_login_limit, csrf.exempt)

        def post(self):
            return post()

    app.add_url_rule("/test-tokens", view_func=public(TokensView.as_view("test_tokens")))


def test_a_view_answering_401_counts_as_a_failed_login(limited, app):
    add_token_view(app, lambda: ({"detail": "bad credentials"}, 401))
    client = app.test_client()

    statuses = [client.post("/test-tokens").status_code for _ in range(4)]

    assert statuses == [401, 401, 401, 429]


def test_html_and_token_failures_share_one_count(limited, app, client, auth, user):
    def failed_without_401():
        record_failed_login()
        return {"detail": "counted by the flag"}, 400

    add_token_view(app, failed_without_401)
    auth.login(password=WRONG)
    auth.login(password=WRONG)
    assert client.post("/test-tokens").status_code == 400

    assert auth.login(password=WRONG).status_code == 429
    assert client.post("/test-tokens").status_code == 429
