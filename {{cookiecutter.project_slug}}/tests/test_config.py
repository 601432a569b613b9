"""Settings: picked by name or FLASK_CONFIG, overridden by FLASK_<KEY>, refused when unsafe."""

import os
import runpy
import subprocess
import sys
from datetime import timedelta
from typing import Annotated

import click
import pytest
from pydantic import Field

import config
import config_checks
from app import create_app
from config import (
    CONFIGS,
    ConfigError,
    DevelopmentConfig,
    ProductionConfig,
    TestingConfig,
    load_settings,
    normalize_database_url,
)
from config_checks import SECRET_KEY_PLACEHOLDER, defaults_of

STRONG_SECRET = "a-production-secret-that-is-long-enough-to-be-accepted"
GOOD_PRODUCTION = {
    "SECRET_KEY": STRONG_SECRET,
    "DATABASE_URL": "postgresql://app:secret@db.internal:5432/app",
    "REDIS_URL": "redis://cache.internal:6379/0",
    "MAIL_URL": "smtp+tls://user:secret@mail.internal:587",
{%- if cookiecutter.use_uploads %}
    "STORAGE_URL": "s3://files/app",
{%- endif %}
}


@pytest.fixture
def production_env(monkeypatch):
    """The variables production requires, all present and valid."""
    for name, value in GOOD_PRODUCTION.items():
        monkeypatch.setenv(name, value)


def class_settings(config_class):
    """The defaults a config class declares (and inherits), but for those the environment gives."""
    return {
        name: value
        for name, value in defaults_of(config_class).items()
        if name not in config_class.ENVIRONMENT_VARIABLES
    }


@pytest.mark.parametrize(
    ("name", "config_class"),
    [
        ("development", DevelopmentConfig),
        ("testing", TestingConfig),
        ("production", ProductionConfig),
    ],
)
def test_a_config_class_is_picked_by_name(production_env, name, config_class):
    settings = load_settings(name)
    assert settings["CONFIG_NAME"] == name
    assert class_settings(config_class).items() <= settings.items()


@pytest.mark.parametrize("name", ["development", "testing", "production"])
def test_a_config_class_is_picked_by_flask_config(production_env, monkeypatch, name):
    monkeypatch.setenv("FLASK_CONFIG", name)
    app = create_app()
    assert app.config["CONFIG_NAME"] == name
    assert class_settings(CONFIGS[name]).items() <= app.config.items()


def test_development_is_the_default():
    assert load_settings()["CONFIG_NAME"] == "development"


def test_an_explicit_name_wins_over_flask_config(monkeypatch):
    monkeypatch.setenv("FLASK_CONFIG", "production")
    assert load_settings("testing")["CONFIG_NAME"] == "testing"


def test_an_unknown_environment_name_is_refused():
    with pytest.raises(ConfigError, match="FLASK_CONFIG must be one of"):
        create_app("staging")


def test_an_unknown_flask_config_is_refused(monkeypatch):
    monkeypatch.setenv("FLASK_CONFIG", "staging")
    with pytest.raises(ConfigError, match=r"\(staging\): FLASK_CONFIG must be one of"):
        create_app()


@pytest.mark.parametrize(
    ("variable", "value", "expected"),
    [
        ("FLASK_MAX_CONTENT_LENGTH", "2048", 2048),
        ("FLASK_PASSWORD_MIN_LENGTH", "12", 12),
        ("FLASK_SESSION_COOKIE_NAME", "sid", "sid"),
        ("FLASK_HSTS_SECONDS", "0", 0),
    ],
)
def test_flask_prefixed_variables_override_the_class(
    production_env, monkeypatch, variable, value, expected
):
    monkeypatch.setenv(variable, value)
    key = variable.removeprefix("FLASK_")
    assert load_settings("production")[key] == expected


def test_settings_are_validated_after_the_overrides(production_env, monkeypatch):
    monkeypatch.delenv("SECRET_KEY")
    monkeypatch.setenv("FLASK_SECRET_KEY", STRONG_SECRET)
    assert load_settings("production")["SECRET_KEY"] == STRONG_SECRET

    monkeypatch.setenv("FLASK_SECRET_KEY", "short")
    with pytest.raises(ConfigError, match="SECRET_KEY"):
        load_settings("production")


def test_production_accepts_complete_settings(production_env):
    settings = load_settings("production")
    assert settings["SECRET_KEY"] == STRONG_SECRET
    assert settings["REDIS_URL"] == GOOD_PRODUCTION["REDIS_URL"]


@pytest.mark.parametrize(
    ("variable", "value"),
    [
        ("SECRET_KEY", None),
        ("SECRET_KEY", ""),
        ("SECRET_KEY", SECRET_KEY_PLACEHOLDER),
        ("SECRET_KEY", "x" * 31),
        ("DATABASE_URL", None),
        ("DATABASE_URL", "not a database url"),
        ("REDIS_URL", None),
        ("REDIS_URL", "http://cache.internal:6379/0"),
        ("MAIL_URL", None),
        ("MAIL_URL", ""),
        ("MAIL_URL", "http://mail.internal"),
        ("MAIL_URL", "smtp://"),
        ("MAIL_URL", "smtp://mail.internal:notaport"),
        ("MAIL_FROM", "nobody"),
        ("PUBLIC_URL", "example.com"),
        ("PUBLIC_URL", "ftp://example.com"),
        ("PUBLIC_URL", "https://example.com/?next=x"),
        ("PUBLIC_URL", "https://example.com/shop"),
    ],
)
def test_production_refuses_a_missing_or_unsafe_setting(
    production_env, monkeypatch, variable, value
):
    if value is None:
        monkeypatch.delenv(variable)
    else:
        monkeypatch.setenv(variable, value)
    with pytest.raises(ConfigError) as caught:
        create_app("production")
    message = str(caught.value)
    assert variable in message
    assert "\n" not in message
    assert len(caught.value.problems) == 1


def test_every_problem_is_reported_at_once():
    with pytest.raises(ConfigError) as caught:
        load_settings("production")
    message = str(caught.value)
    for variable in ("SECRET_KEY", "DATABASE_URL", "REDIS_URL", "MAIL_URL"{% if cookiecutter.use_uploads %}, "STORAGE_URL"{% endif %}):
        assert variable in message
    assert "\n" not in message


def test_a_config_error_is_a_system_exit_carrying_its_message():
    """Python prints a SystemExit's message as one line and exits 1, with no traceback."""
    error = ConfigError("production", ["SECRET_KEY is not set"])
    assert isinstance(error, SystemExit)
    assert error.code == "Configuration error (production): SECRET_KEY is not set"


@pytest.mark.slow  # a Python process of its own
def test_manage_py_refuses_bad_production_settings_with_one_line(production_env, monkeypatch):
    monkeypatch.setenv("FLASK_CONFIG", "production")
    monkeypatch.setenv("SECRET_KEY", "too-short")
    monkeypatch.setenv("FLASK_SKIP_DOTENV", "1")
    result = subprocess.run(
        [sys.executable, "manage.py", "routes"],
        cwd=config.PROJECT_ROOT,
        capture_output=True,
        text=True,
        timeout=60,
        check=False,
        env=os.environ.copy(),
    )
    assert result.returncode == 1
    assert result.stderr.strip().startswith("Configuration error (production): SECRET_KEY")
    assert len(result.stderr.strip().splitlines()) == 1
    assert "Traceback" not in result.stderr


def test_gunicorn_checks_the_settings_before_starting_workers(monkeypatch):
    monkeypatch.setenv("FLASK_CONFIG", "production")
    on_starting = runpy.run_path(str(config.PROJECT_ROOT / "gunicorn.conf.py"))["on_starting"]
    with pytest.raises(ConfigError, match="SECRET_KEY"):
        on_starting(server=None)


def test_gunicorn_starts_with_good_production_settings(production_env, monkeypatch):
    monkeypatch.setenv("FLASK_CONFIG", "production")
    on_starting = runpy.run_path(str(config.PROJECT_ROOT / "gunicorn.conf.py"))["on_starting"]
    assert on_starting(server=None) is None


@pytest.mark.parametrize(
    ("url", "expected"),
    [
        ("postgres://u:p@db/app", "postgresql+psycopg://u:p@db/app"),
        ("postgresql://u:p@db/app", "postgresql+psycopg://u:p@db/app"),
        ("postgresql+psycopg://u:p@db/app", "postgresql+psycopg://u:p@db/app"),
        ("sqlite:///app.db", "sqlite:///app.db"),
    ],
)
def test_postgresql_urls_use_psycopg_3(url, expected):
    assert normalize_database_url(url) == expected


def test_production_accepts_a_heroku_style_postgres_url(production_env, monkeypatch):
    monkeypatch.setenv("DATABASE_URL", "postgres://app:secret@db.internal/app")
    settings = load_settings("production")
    assert settings["SQLALCHEMY_DATABASE_URI"] == "postgresql+psycopg://app:secret@db.internal/app"


def test_postgresql_engines_fail_fast_without_a_ping_per_checkout(production_env, monkeypatch):
    """Dead connections are found without a round trip: see test_database_connections.py."""
    monkeypatch.setenv("FLASK_DATABASE_CONNECT_TIMEOUT", "3")
    monkeypatch.setenv("FLASK_DATABASE_POOL_TIMEOUT", "4.5")
    options = load_settings("production")["SQLALCHEMY_ENGINE_OPTIONS"]
    assert options == {
        "hide_parameters": True,
        "pool_timeout": 4.5,
        "connect_args": {"connect_timeout": 3},
    }


def test_postgresql_connect_timeout_defaults_to_two_seconds(production_env):
    options = load_settings("production")["SQLALCHEMY_ENGINE_OPTIONS"]
    assert options["connect_args"]["connect_timeout"] == 2


def test_sqlite_engines_get_no_postgresql_options(monkeypatch):
    monkeypatch.setenv("DATABASE_URL", "sqlite:///app.db")
    assert load_settings("development")["SQLALCHEMY_ENGINE_OPTIONS"] == {"hide_parameters": True}


def test_testing_uses_the_test_servers_when_given(monkeypatch):
    monkeypatch.setenv("TEST_DATABASE_URL", "postgresql://postgres@db.internal/forge_test")
    monkeypatch.setenv("TEST_REDIS_URL", "redis://cache.internal:6379/9")
    settings = load_settings("testing")
    assert (
        settings["SQLALCHEMY_DATABASE_URI"]
        == "postgresql+psycopg://postgres@db.internal/forge_test"
    )
    assert settings["REDIS_URL"] == "redis://cache.internal:6379/9"


def test_testing_never_needs_production_variables(monkeypatch):
    monkeypatch.setenv("FLASK_CONFIG", "production")
    settings = load_settings("testing")
    assert settings["TESTING"] is True
    assert len(settings["SECRET_KEY"]) >= config_checks.MIN_SECRET_KEY_LENGTH


def test_testing_makes_password_hashing_cheap():
    assert load_settings("testing")["PASSWORD_HASH_METHOD"] == "scrypt:128:8:1"


def test_development_has_a_fixed_secret_and_a_sqlite_database():
    settings = load_settings("development")
    assert settings["SECRET_KEY"]
    assert settings["DATABASE_URL"] == "sqlite:///development.db"
    assert settings["REDIS_URL"] is None


def test_production_cookies_are_secure_httponly_and_lax(production_env):
    settings = load_settings("production")
    assert settings["SESSION_COOKIE_SECURE"] is True
    assert settings["SESSION_COOKIE_HTTPONLY"] is True
    assert settings["SESSION_COOKIE_SAMESITE"] == "Lax"
    assert settings["REMEMBER_COOKIE_SECURE"] is True
    assert settings["REMEMBER_COOKIE_HTTPONLY"] is True
    assert settings["REMEMBER_COOKIE_SAMESITE"] == "Lax"


def test_sessions_are_short_lived(production_env):
    settings = load_settings("production")
    assert timedelta(0) < settings["PERMANENT_SESSION_LIFETIME"] <= timedelta(days=1)
    assert settings["SESSION_KEY_PREFIX"] == "session:"


def test_production_trusts_one_proxy_and_sends_hsts(production_env):
    settings = load_settings("production")
    assert settings["TRUSTED_PROXY_HOPS"] == 1
    assert settings["HSTS_SECONDS"] >= 180 * 24 * 3600


@pytest.mark.parametrize(
    ("variable", "value", "message"),
    [
        ("FLASK_SECRET_KEY", "123456789012345678901234567890123456", "SECRET_KEY must be text"),
        ("FLASK_SECRET_KEY", "true", "SECRET_KEY must be text"),
        ("FLASK_REDIS_URL", "1", "REDIS_URL must be text"),
        ("FLASK_TRUSTED_PROXY_HOPS", "true", "TRUSTED_PROXY_HOPS must be a whole number"),
        ("FLASK_TRUSTED_PROXY_HOPS", '"abc"', "TRUSTED_PROXY_HOPS must be a whole number"),
        ("FLASK_PASSWORD_MAX_LENGTH", '"x"', "PASSWORD_MAX_LENGTH must be a whole number"),
        ("FLASK_REDIS_SOCKET_TIMEOUT", '"soon"', "REDIS_SOCKET_TIMEOUT must be a number"),
        ("FLASK_REDIS_SOCKET_TIMEOUT", "false", "REDIS_SOCKET_TIMEOUT must be a number"),
        ("FLASK_MAX_CONTENT_LENGTH", "null", "MAX_CONTENT_LENGTH must be a whole number"),
        ("FLASK_DATABASE_CONNECT_TIMEOUT", "2.5", "DATABASE_CONNECT_TIMEOUT must be a whole"),
        ("FLASK_SESSION_COOKIE_SECURE", "1", "SESSION_COOKIE_SECURE must be true or false"),
        ("FLASK_PERMANENT_SESSION_LIFETIME", '"1h"', "PERMANENT_SESSION_LIFETIME must be a number"),
        ("FLASK_REMEMBER_COOKIE_DURATION", "true", "REMEMBER_COOKIE_DURATION must be a number"),
    ],
)
def test_a_json_parsed_override_of_the_wrong_type_is_refused(
    production_env, monkeypatch, variable, value, message
):
    """FLASK_<KEY> values are JSON: a number where text belongs is a one-line refusal."""
    monkeypatch.setenv(variable, value)
    with pytest.raises(ConfigError) as refused:
        load_settings("production")
    assert message in str(refused.value)
    assert value not in str(refused.value)


def test_a_secret_of_spaces_is_weak(production_env, monkeypatch):
    monkeypatch.setenv("SECRET_KEY", " " * 40)
    with pytest.raises(ConfigError, match="SECRET_KEY is a placeholder or shorter than 32"):
        load_settings("production")


@pytest.mark.parametrize(
    ("variable", "value", "message"),
    [
        ("FLASK_MAX_CONTENT_LENGTH", "0", "MAX_CONTENT_LENGTH must be a positive number"),
        ("FLASK_TRUSTED_PROXY_HOPS", "-1", "TRUSTED_PROXY_HOPS must be 0 or more"),
        ("FLASK_HSTS_SECONDS", "-1", "HSTS_SECONDS must be 0 or more"),
        ("FLASK_DATABASE_CONNECT_TIMEOUT", "0", "DATABASE_CONNECT_TIMEOUT must be a positive"),
        ("FLASK_REDIS_CONNECT_TIMEOUT", "0", "REDIS_CONNECT_TIMEOUT must be a positive number"),
        ("FLASK_PASSWORD_MIN_LENGTH", "0", "PASSWORD_MIN_LENGTH must be 1 or more"),
        ("FLASK_PASSWORD_MAX_LENGTH", "7", "PASSWORD_MAX_LENGTH must be at least PASSWORD_MIN"),
        ("FLASK_PERMANENT_SESSION_LIFETIME", "0", "PERMANENT_SESSION_LIFETIME must be a positive"),
        ("FLASK_WTF_CSRF_TIME_LIMIT", "0", "WTF_CSRF_TIME_LIMIT must be a positive number"),
    ],
)
def test_a_setting_out_of_bounds_is_refused(production_env, monkeypatch, variable, value, message):
    monkeypatch.setenv(variable, value)
    with pytest.raises(ConfigError) as refused:
        load_settings("production")
    assert len(refused.value.problems) == 1
    assert refused.value.problems[0].startswith(message)


def test_a_bad_password_minimum_is_reported_alone(monkeypatch):
    """With no valid minimum, the maximum is not compared with it."""
    monkeypatch.setenv("FLASK_PASSWORD_MIN_LENGTH", '"eight"')
    with pytest.raises(ConfigError) as refused:
        load_settings("testing")
    assert refused.value.problems == ["PASSWORD_MIN_LENGTH must be a whole number"]


def test_durations_can_be_given_in_seconds(monkeypatch):
    """JSON has no durations; Flask reads a number of seconds, and so does the check."""
    monkeypatch.setenv("FLASK_PERMANENT_SESSION_LIFETIME", "3600")
    monkeypatch.setenv("FLASK_REMEMBER_COOKIE_DURATION", "86400.5")
    settings = load_settings("testing")
    assert settings["PERMANENT_SESSION_LIFETIME"] == timedelta(hours=1)
    assert settings["REMEMBER_COOKIE_DURATION"] == timedelta(days=1, milliseconds=500)


def test_undeclared_settings_pass_through_unchanged(monkeypatch):
    """Flask's and the extensions' own settings are theirs to check."""
    monkeypatch.setenv("FLASK_SOME_EXTENSION_OPTIONS", '{"retries": [1, 2], "mode": null}')
    monkeypatch.setenv("FLASK_SESSION_COOKIE_DOMAIN", "true")
    settings = load_settings("testing")
    assert settings["SOME_EXTENSION_OPTIONS"] == {"retries": [1, 2], "mode": None}
    assert settings["SESSION_COOKIE_DOMAIN"] is True


def test_a_setting_a_project_adds_is_checked_and_described_in_one_line(monkeypatch):
    """Any pydantic constraint works; one the messages do not know still makes one short line."""

    class ExtendedConfig(TestingConfig):
        NICKNAME: Annotated[str, Field(pattern="^[a-z]+$")] = "forge"
        WORKERS: Annotated[int, Field(gt=1, le=64)] = 4

    monkeypatch.setitem(CONFIGS, "testing", ExtendedConfig)
    assert load_settings("testing")["NICKNAME"] == "forge"

    monkeypatch.setenv("FLASK_NICKNAME", '"Secret Nick"')
    monkeypatch.setenv("FLASK_WORKERS", "1")
    with pytest.raises(ConfigError) as refused:
        load_settings("testing")
    assert refused.value.problems == [
        "NICKNAME: String should match pattern '^[a-z]+$'",
        "WORKERS must be more than 1",
    ]
    assert "Secret Nick" not in str(refused.value)


def test_production_refuses_debug_mode(production_env, monkeypatch):
    monkeypatch.setenv("FLASK_DEBUG", "1")
    with pytest.raises(ConfigError, match="DEBUG must be off"):
        load_settings("production")


def test_development_allows_debug_mode(monkeypatch):
    monkeypatch.setenv("FLASK_DEBUG", "1")
    assert load_settings("development")["DEBUG"] == 1


def test_debug_mode_is_reported_with_the_missing_variables(monkeypatch):
    monkeypatch.setenv("FLASK_DEBUG", "1")
    with pytest.raises(ConfigError) as refused:
        load_settings("production")
{%- if cookiecutter.use_uploads %}
    # SECRET_KEY, DATABASE_URL, REDIS_URL, MAIL_URL, STORAGE_URL
    assert len(refused.value.problems) == 6
{%- else %}
    assert len(refused.value.problems) == 5  # SECRET_KEY, DATABASE_URL, REDIS_URL, MAIL_URL
{%- endif %}
    assert "DEBUG must be off in this environment (unset FLASK_DEBUG)" in refused.value.problems


def test_wrong_types_and_missing_values_are_reported_together(monkeypatch):
    monkeypatch.setenv("FLASK_SECRET_KEY", "12345")
    monkeypatch.setenv("DATABASE_URL", "not a url")
    with pytest.raises(ConfigError) as refused:
        load_settings("production")
    assert refused.value.problems == [
        "REDIS_URL is not set (give it in the environment or in .env)",
        "MAIL_URL is not set (give it in the environment or in .env)",
{%- if cookiecutter.use_uploads %}
        "STORAGE_URL is not set (give it in the environment or in .env)",
{%- endif %}
        "SECRET_KEY must be text",
        "DATABASE_URL is not a database URL (e.g. postgresql://user:pass@host/db)",
    ]


@pytest.mark.parametrize("key", ["LOGIN_FAILURE_RATE_LIMIT", "REGISTRATION_RATE_LIMIT"])
def test_an_unreadable_rate_limit_is_refused(monkeypatch, key):
    monkeypatch.setenv(f"FLASK_{key}", "lots per fortnight")

    with pytest.raises(ConfigError, match=f"{key} must be a rate such as"):
        load_settings("testing")


def test_a_rate_limit_of_the_wrong_type_is_reported_once(monkeypatch):
    monkeypatch.setenv("FLASK_LOGIN_FAILURE_RATE_LIMIT", "10")

    with pytest.raises(ConfigError) as caught:
        load_settings("testing")

    expected = "LOGIN_FAILURE_RATE_LIMIT must be text such as '10 per minute'"
    assert caught.value.problems == [expected]


def test_an_unknown_log_format_is_refused(monkeypatch):
    monkeypatch.setenv("FLASK_LOG_FORMAT", "xml")

    with pytest.raises(ConfigError, match="LOG_FORMAT must be one of text, json"):
        load_settings("testing")


def test_no_environment_names_a_rate_limit_storage_of_its_own(production_env):
    """None: REDIS_URL's Redis when there is one (app/web/rate_limits.py)."""
    settings = load_settings("production")

    assert settings["RATE_LIMIT_STORAGE_URI"] is None
    assert settings["LOG_FORMAT"] == "json"
    assert load_settings("development")["RATE_LIMIT_STORAGE_URI"] is None


@pytest.mark.parametrize(
    ("variable", "value", "message"),
    [
        ("FLASK_JOB_RETRY_INTERVALS", "[]", "JOB_RETRY_INTERVALS must not be empty"),
        ("FLASK_JOB_RETRY_INTERVALS", "[10, 0]", "JOB_RETRY_INTERVALS must be a positive"),
        ("FLASK_JOB_QUEUE", '""', "JOB_QUEUE must not be empty"),
        ("FLASK_JOB_RESULT_TTL", "0", "JOB_RESULT_TTL must be a positive"),
    ],
)
def test_job_settings_are_checked(production_env, monkeypatch, variable, value, message):
    monkeypatch.setenv(variable, value)
    with pytest.raises(ConfigError, match=message):
        load_settings("production")


def test_job_retries_can_be_shortened(production_env, monkeypatch):
    monkeypatch.setenv("FLASK_JOB_RETRY_INTERVALS", "[1, 2]")
    assert load_settings("production")["JOB_RETRY_INTERVALS"] == [1, 2]


def test_retries_start_within_30_seconds_and_last_at_least_10_minutes():
    intervals = defaults_of(TestingConfig)["JOB_RETRY_INTERVALS"]
    assert intervals[0] <= 30
    assert sum(intervals) >= 600


@pytest.mark.parametrize(
    ("name", "public_url", "mail_url"),
    [
        ("development", "http://127.0.0.1:5000", "console://"),
        ("testing", "http://localhost", "memory://"),
        ("production", "https://{{ cookiecutter.domain }}", GOOD_PRODUCTION["MAIL_URL"]),
    ],
)
def test_links_and_mail_default_per_environment(
    production_env, monkeypatch, name, public_url, mail_url
):
    if name != "production":
        monkeypatch.delenv("MAIL_URL")
    settings = load_settings(name)
    assert (settings["PUBLIC_URL"], settings["MAIL_URL"]) == (public_url, mail_url)
    assert settings["MAIL_FROM"] == "noreply@{{ cookiecutter.domain }}"


def flask_run(**params):
    """The click context of ``flask run`` with ``params``, as the app factory sees it there."""
    context = click.Context(click.Command("run"), info_name="run")
    context.params = {"host": "127.0.0.1", "port": 5000, **params}
    return context


@pytest.mark.parametrize(
    ("params", "public_url"),
    [
        ({"port": 8080}, "http://127.0.0.1:8080"),
        ({"host": "localhost", "port": 5001}, "http://localhost:5001"),
        ({"host": "0.0.0.0"}, "http://127.0.0.1:5000"),  # noqa: S104
        ({"host": "::1", "port": 8000}, "http://[::1]:8000"),
    ],
)
def test_development_links_point_at_the_address_flask_run_serves(params, public_url):
    with flask_run(**params):
        assert load_settings("development")["PUBLIC_URL"] == public_url


def test_development_links_follow_flask_run_host_and_port_variables(monkeypatch):
    """What .flaskenv, `make dev` and gunicorn.conf.py set."""
    monkeypatch.setenv("FLASK_RUN_HOST", "localhost")
    monkeypatch.setenv("FLASK_RUN_PORT", "5002")
    assert load_settings("development")["PUBLIC_URL"] == "http://localhost:5002"


def test_a_public_url_that_is_set_wins_over_the_served_address(monkeypatch):
    monkeypatch.setenv("PUBLIC_URL", "http://dev.example.test:9000")
    with flask_run(port=8080):
        assert load_settings("development")["PUBLIC_URL"] == "http://dev.example.test:9000"


def test_only_development_derives_its_links_from_the_served_address(production_env):
    with flask_run(port=8080):
        assert load_settings("testing")["PUBLIC_URL"] == "http://localhost"
        assert load_settings("production")["PUBLIC_URL"] == "https://{{ cookiecutter.domain }}"


def test_public_url_loses_its_trailing_slash(production_env, monkeypatch):
    monkeypatch.setenv("PUBLIC_URL", "https://app.example.com/")
    assert load_settings("production")["PUBLIC_URL"] == "https://app.example.com"


def test_an_empty_mail_from_counts_as_unset(production_env, monkeypatch):
    """docker compose passes MAIL_FROM through even when .env leaves it out."""
    monkeypatch.setenv("MAIL_FROM", "")
    assert load_settings("production")["MAIL_FROM"] == "noreply@{{ cookiecutter.domain }}"


def test_the_password_reset_max_age_is_read_from_its_plain_variable(production_env, monkeypatch):
    monkeypatch.setenv("PASSWORD_RESET_MAX_AGE", "5")
    assert load_settings("production")["PASSWORD_RESET_MAX_AGE"] == 5


def test_flask_password_reset_max_age_wins_over_the_plain_variable(production_env, monkeypatch):
    monkeypatch.setenv("PASSWORD_RESET_MAX_AGE", "5")
    monkeypatch.setenv("FLASK_PASSWORD_RESET_MAX_AGE", "7")
    assert load_settings("production")["PASSWORD_RESET_MAX_AGE"] == 7


@pytest.mark.parametrize("value", ["soon", "0", "1.5"])
def test_a_plain_password_reset_max_age_that_is_no_positive_whole_number_is_refused(
    production_env, monkeypatch, value
):
    monkeypatch.setenv("PASSWORD_RESET_MAX_AGE", value)
    with pytest.raises(ConfigError, match="PASSWORD_RESET_MAX_AGE"):
        load_settings("production")
