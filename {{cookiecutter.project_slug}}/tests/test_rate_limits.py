"""Rate limits: failed logins and registrations, counted per client address."""

import subprocess
import sys

import fakeredis
import pytest
import redis
from limits.storage import MemoryStorage, RedisStorage

import app as app_package
from app import create_app
from app.extensions import limiter
from tests.conftest import EMAIL, PASSWORD, dispose

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


def test_json_clients_get_problem_details(limited, client, auth, user):
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


def test_the_default_limit_answers_429_within_20_failed_logins(auth, user):
    """The contract: at most 20 failed attempts a minute by default."""
    statuses = [auth.login(password=WRONG).status_code for _ in range(20)]

    assert 429 in statuses
    assert statuses.index(429) == 15  # "15 per minute": the 16th attempt waits


def test_pages_without_a_limit_are_never_limited(limited, client, auth, user):
    for _ in range(4):
        auth.login(password=WRONG)

    assert [client.get("/").status_code for _ in range(20)] == [200] * 20
    assert client.get("/health").status_code == 200


# Run in a process of its own: the one limiter object keeps the first
# default limit it is given, for every app made after it.
DEFAULT_LIMIT_SCRIPT = """
from app import create_app
app = create_app("testing")
client = app.test_client()
try:
    answers = [client.get("/") for _ in range(3)]
    print(*[answer.status_code for answer in answers], bool(answers[-1].headers.get("Retry-After")))
finally:
    app.extensions["redis"].client.flushdb()
"""


@pytest.mark.slow  # a Python process of its own
def test_a_default_limit_in_the_config_applies_to_every_page(monkeypatch):
    """Flask-Limiter's own settings work too: its per-request hook stays in place."""
    monkeypatch.setenv("FLASK_RATELIMIT_DEFAULT", "2 per minute")

    run = subprocess.run(  # noqa: S603  (our own script, run by this Python)
        [sys.executable, "-c", DEFAULT_LIMIT_SCRIPT],
        capture_output=True,
        text=True,
        timeout=300,  # only against a hang: importing the app is slow on a busy machine
        check=False,
    )

    assert run.returncode == 0, run.stderr
    assert run.stdout.split() == ["200", "200", "429", "True"]


@pytest.fixture
def development_app_with_redis(monkeypatch, tmp_path):
    """A development app given REDIS_URL (as under compose), a Redis emulator standing in."""
    monkeypatch.setattr(app_package, "INSTANCE_PATH", tmp_path)
    monkeypatch.setenv("REDIS_URL", "redis://redis.invalid:6379/0")
    monkeypatch.setattr(
        redis.Redis, "from_url", classmethod(lambda cls, url, **options: fakeredis.FakeRedis())
    )
    app = create_app("development")
    yield app
    dispose(app)


def test_given_redis_url_every_worker_counts_in_that_redis(development_app_with_redis):
    """Not in one worker's memory: N failed logins a minute means N across workers."""
    app = development_app_with_redis

    assert isinstance(limiter.storage, RedisStorage)
    assert app.config["RATELIMIT_STORAGE_URI"] == "redis://redis.invalid:6379/0"
    pool = app.config["RATELIMIT_STORAGE_OPTIONS"]["connection_pool"]
    assert pool is app.extensions["redis"].client.connection_pool


def test_without_redis_url_the_counts_stay_in_the_one_process(development_app):
    assert isinstance(limiter.storage, MemoryStorage)
