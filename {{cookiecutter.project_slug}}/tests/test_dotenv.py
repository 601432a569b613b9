""".env: read outside the tests to fill gaps, never over the real environment, never in testing.

Each test writes its own file at ``config.DOTENV_PATH``, which conftest points
into the test's temporary directory (a baked project holds a real .env).
"""

import pytest

import config
from config import ConfigError, load_settings

PRODUCTION = {
    "SECRET_KEY": "a-production-secret-that-is-long-enough-to-be-accepted",
    "DATABASE_URL": "postgresql://app:secret@db.internal:5432/app",
    "REDIS_URL": "redis://cache.internal:6379/0",
    "MAIL_URL": "smtp://mail.internal:25",
{%- if cookiecutter.use_uploads %}
    "STORAGE_URL": "s3://files",
{%- endif %}
}


def test_dotenv_fills_in_variables_outside_testing():
    config.DOTENV_PATH.write_text(
        "DATABASE_URL=sqlite:///from-dotenv.db\nREDIS_URL=redis://dotenv:6379/0\n"
    )
    settings = load_settings("development")
    assert settings["DATABASE_URL"] == "sqlite:///from-dotenv.db"
    assert settings["REDIS_URL"] == "redis://dotenv:6379/0"


def test_the_real_environment_wins_over_dotenv(monkeypatch):
    config.DOTENV_PATH.write_text("DATABASE_URL=sqlite:///from-dotenv.db\n")
    monkeypatch.setenv("DATABASE_URL", "sqlite:///from-environment.db")
    assert load_settings("development")["DATABASE_URL"] == "sqlite:///from-environment.db"


def test_dotenv_can_choose_the_environment():
    lines = [f"{name}={value}" for name, value in PRODUCTION.items()]
    config.DOTENV_PATH.write_text("\n".join(["FLASK_CONFIG=production", *lines]) + "\n")
    assert load_settings()["CONFIG_NAME"] == "production"


def test_an_empty_value_in_dotenv_counts_as_missing(monkeypatch):
    monkeypatch.setenv("DATABASE_URL", PRODUCTION["DATABASE_URL"])
    monkeypatch.setenv("REDIS_URL", PRODUCTION["REDIS_URL"])
    config.DOTENV_PATH.write_text("SECRET_KEY=\n")
    with pytest.raises(ConfigError, match="SECRET_KEY is not set"):
        load_settings("production")


def test_dotenv_is_never_read_by_the_tests(monkeypatch):
    monkeypatch.delenv("TEST_DATABASE_URL", raising=False)
    monkeypatch.delenv("TEST_REDIS_URL", raising=False)
    config.DOTENV_PATH.write_text(
        "TEST_DATABASE_URL=sqlite:///from-dotenv.db\n"
        "TEST_REDIS_URL=redis://dotenv:6379/0\n"
        "SECRET_KEY=a-secret-from-dotenv-that-tests-must-not-see\n"
    )
    settings = load_settings("testing")
    assert settings["DATABASE_URL"] == "sqlite://"
    assert settings["REDIS_URL"] is None
    assert settings["SECRET_KEY"] != "a-secret-from-dotenv-that-tests-must-not-see"


def test_flask_prefixed_overrides_in_dotenv_apply_outside_the_flask_command():
    """gunicorn calls create_app directly; it must see the same .env as ``flask`` does."""
    config.DOTENV_PATH.write_text("FLASK_MAX_CONTENT_LENGTH=2048\n")
    assert load_settings("development")["MAX_CONTENT_LENGTH"] == 2048
