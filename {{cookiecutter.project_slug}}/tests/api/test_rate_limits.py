"""The failed-login limit covers the token endpoint too, sharing one count with the form."""

from functools import partial

import pytest

from app.auth import passwords
from tests.api.helpers import is_problem
from tests.bursts import send_at_once
from tests.conftest import EMAIL, PASSWORD

WRONG = "not the password"


@pytest.fixture
def limited(app):
    """A low limit, so a test reaches it in a few requests."""
    app.config["LOGIN_FAILURE_RATE_LIMIT"] = "3 per minute"
    return app


def request_token(client, password=WRONG):
    return client.post("/api/v1/tokens", json={"email": EMAIL, "password": password})


def wrong_password_status(client):
    return request_token(client).status_code


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


def test_failed_token_requests_sent_at_once_count_as_one_after_another(limited, user, monkeypatch):
    """A burst of wrong passwords gets 3 answers of 401, the rest 429: no more than in a row."""
    monkeypatch.setitem(limited.extensions, passwords.EXTENSION, passwords.HashingSlots(8))
    senders = [partial(wrong_password_status, limited.test_client()) for _ in range(8)]

    statuses = send_at_once(monkeypatch, senders)

    assert statuses == [401] * 3 + [429] * 5
    assert request_token(limited.test_client(), PASSWORD).status_code == 429
