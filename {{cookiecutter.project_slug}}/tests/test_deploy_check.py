"""``manage.py check-deploy``: every problem printed, exit status 1 when there is one."""

import flask_migrate
import pytest
import redis
from sqlalchemy import text

from app.extensions import db
from app.infrastructure import deploy_check


def check_deploy(app):
    return app.test_cli_runner().invoke(args=["check-deploy"])


@pytest.fixture(autouse=True)
def mail_server_accepts(monkeypatch):
    """The production app's MAIL_URL names no real server: say it answers (tests/test_mail.py
    tests the check itself)."""
    monkeypatch.setattr(deploy_check, "server_problem", lambda: None)


@pytest.fixture
def migrated(production_app):
    """The production app's database at the newest migration; emptied afterwards."""
    with production_app.app_context():
        db.drop_all()
        with db.engine.begin() as connection:
            connection.execute(text("DROP TABLE IF EXISTS alembic_version"))
        flask_migrate.upgrade(directory=production_app.extensions["migrate"].directory)
    yield production_app
    with production_app.app_context():
        db.session.remove()
        db.drop_all()
        with db.engine.begin() as connection:
            connection.execute(text("DROP TABLE IF EXISTS alembic_version"))


def test_a_ready_production_app_passes(migrated):
    result = check_deploy(migrated)

    assert result.exit_code == 0, result.stderr
    assert "Deploy check passed" in result.stdout


def test_an_unmigrated_database_fails(production_app):
    with production_app.app_context():
        db.drop_all()

    result = check_deploy(production_app)

    assert result.exit_code == 1
    assert "problem: the database is not at the newest migration (none, expected" in result.stderr


def test_every_settings_problem_is_printed(migrated, monkeypatch):
    migrated.config.update(
        SECRET_KEY="short",
        SESSION_COOKIE_SECURE=False,
        REMEMBER_COOKIE_HTTPONLY=False,
        SESSION_COOKIE_SAMESITE=None,
        RATE_LIMIT_STORAGE_URI="memory://",
    )
    monkeypatch.setenv("FLASK_DEBUG", "1")  # how debug mode reaches a command

    result = check_deploy(migrated)

    assert result.exit_code == 1
    problems = result.stderr.splitlines()
    assert len(problems) == 6
    assert all(line.startswith("problem: ") for line in problems)
    for words in (
        "SECRET_KEY",
        "debug mode",
        "SESSION_COOKIE_SECURE must be True",
        "REMEMBER_COOKIE_HTTPONLY must be True",
        "SESSION_COOKIE_SAMESITE must be Lax or Strict",
        "rate limits are counted in memory",
    ):
        assert words in result.stderr


def test_the_testing_config_is_not_production(app):
    result = check_deploy(app)

    assert result.exit_code == 1
    assert "FLASK_CONFIG is 'testing', not 'production'" in result.stderr


def test_unreachable_services_fail(migrated, monkeypatch):
    def refused(*args, **kwargs):
        raise redis.exceptions.ConnectionError("Connection refused")

    with monkeypatch.context() as outage, migrated.app_context():
        outage.setattr(migrated.extensions["redis"].client, "ping", refused)
        outage.setattr(db.engine, "connect", refused)
        result = check_deploy(migrated)

    assert result.exit_code == 1
    assert "problem: the database is unreachable (ConnectionError)" in result.stderr
    assert "problem: Redis is unreachable (ConnectionError)" in result.stderr


def test_without_redis_sessions_would_be_local(development_app):
    result = check_deploy(development_app)

    assert "problem: REDIS_URL is not set" in result.stderr


def test_a_redis_without_getex_fails(migrated, monkeypatch):
    """Redis before 6.2 answers GETEX with an error; sessions need it."""

    def unknown_command(*args, **kwargs):
        raise redis.exceptions.ResponseError("unknown command 'GETEX'")

    monkeypatch.setattr(migrated.extensions["redis"].client, "getex", unknown_command)
    result = check_deploy(migrated)
    assert result.exit_code == 1
    assert "problem: Redis has no GETEX (it is older than 6.2)" in result.stderr


def test_mail_that_cannot_reach_users_fails(migrated, monkeypatch):
    migrated.config.update(PUBLIC_URL="http://example.com", JOBS_RUN_AT_ONCE=True)
    monkeypatch.setattr(deploy_check, "server_problem", lambda: "MAIL_URL is console://: no")

    result = check_deploy(migrated)

    assert result.exit_code == 1
    for words in (
        "problem: PUBLIC_URL must start with https://",
        "problem: JOBS_RUN_AT_ONCE is on",
        "problem: MAIL_URL is console://",
    ):
        assert words in result.stderr
