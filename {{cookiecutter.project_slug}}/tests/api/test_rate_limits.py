"""The failed-login limit covers the token endpoint too, sharing one count with the form."""

import pytest

from tests.api.helpers import is_problem
from tests.conftest import EMAIL, PASSWORD

WRONG = "not the password"


@pytest.fixture
def limited(app):
    """A low limit, so a test reaches it in a few requests."""
    app.config["LOGIN_FAILURE_RATE_LIMIT"] = "3 per minute"
    return app


def request_token(client, password=WRONG):
    return client.post("/api/v1/tokens", json={"email": EMAIL, "password": password})


def test_failed_token_requests_beyond_the_limit_get_429_problem_details(limited, client, user):
    assert [request_token(client).status_code for _ in range(3)] == [401, 401, 401]

    response = request_token(client)

    assert is_problem(response, 429)
    assert 1 <= int(response.headers["Retry-After"]) <= 60


def test_issued_tokens_are_not_counted(limited, client, user):
    assert [request_token(client, PASSWORD).status_code for _ in range(5)] == [201] * 5


def test_html_and_token_failures_share_one_count(limited, client, auth, user):
    auth.login(password=WRONG)
    auth.login(password=WRONG)
    assert request_token(client).status_code == 401

    assert auth.login(password=WRONG).status_code == 429
    assert request_token(client, PASSWORD).status_code == 429
