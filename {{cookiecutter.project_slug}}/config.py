"""Settings for each environment: each declared once, with its type, default
and bounds, as a field of ``BaseConfig``, and checked by pydantic.

Nothing here reads the environment at import time. ``load_settings`` does,
when ``create_app`` runs: the class's defaults, then the plain variables it
reads (``SECRET_KEY``, ``DATABASE_URL``, ``REDIS_URL``), then every
``FLASK_<KEY>`` (Flask's ``from_prefixed_env``, values read as JSON), then
one strict validation, since JSON can give the wrong type
(``FLASK_TRUSTED_PROXY_HOPS=true`` is a boolean, not 1). Keys no field
declares, Flask's and the extensions' own, pass through unchanged.
"""

import operator
import os
from collections.abc import Iterable, Mapping
from datetime import timedelta
from pathlib import Path
from typing import Annotated, Any, ClassVar, Literal

import click
from dotenv import load_dotenv
from flask import Config
from pydantic import BaseModel, ConfigDict, Field, ValidationError, ValidationInfo, field_validator

from config_checks import (
    DEFAULT_FORWARDED_ALLOW_IPS,
    AllowList,
    DatabaseURL,
    Duration,
    MailAddress,
    MailURL,
    NotNegative,
    Positive,
    RateLimit,
    RedisURL,
    RetryIntervals,
    SiteURL,
{%- if cookiecutter.use_uploads %}
    StorageURL,
{%- endif %}
    StrongSecret,
    Timeout,
    check,
    defaults_of,
    engine_options,
    normalize_database_url,
    plain_variables,
    problems,
)

PROJECT_ROOT = Path(__file__).resolve().parent
# Addresses that mean "every interface": a browser reaches them at the loopback one.
WILDCARD_HOSTS = {"0.0.0.0", "::"}  # noqa: S104  (compared with, never bound to)  # nosec B104
DOTENV_PATH = PROJECT_ROOT / ".env"


class ConfigError(SystemExit):
    """Settings that make it unsafe to start: a ``SystemExit``, so that every entry point
    (``flask``, ``manage.py``, gunicorn's master) stops with this one line, no traceback."""

    def __init__(self, config_name: str, problems: Iterable[str]) -> None:
        self.problems = list(problems)
        super().__init__(f"Configuration error ({config_name}): " + "; ".join(self.problems))


class BaseConfig(BaseModel):
    """Every setting, with the default the environments share; ``docs/configuration.md``
    says what each one does. ``SECRET_KEY`` and ``DATABASE_URL`` have none: an
    environment class gives one, or the environment must."""

    model_config = ConfigDict(strict=True, extra="allow")
    # The plain (unprefixed) variables this environment reads: {setting: variable}.
    # PASSWORD_RESET_MAX_AGE is named by the contract as a variable of its own;
    # FORWARDED_ALLOW_IPS is gunicorn's, so one list decides what both believe.
    ENVIRONMENT_VARIABLES: ClassVar[dict[str, str]] = {
        "SECRET_KEY": "SECRET_KEY",
        "DATABASE_URL": "DATABASE_URL",
        "REDIS_URL": "REDIS_URL",
        "MAIL_URL": "MAIL_URL",
        "MAIL_FROM": "MAIL_FROM",
        "PUBLIC_URL": "PUBLIC_URL",
        "PASSWORD_RESET_MAX_AGE": "PASSWORD_RESET_MAX_AGE",
        "FORWARDED_ALLOW_IPS": "FORWARDED_ALLOW_IPS",
{%- if cookiecutter.use_uploads %}
        "STORAGE_URL": "STORAGE_URL",
        "S3_ENDPOINT_URL": "S3_ENDPOINT_URL",
{%- endif %}
    }

    # The display name, written by the template as a JSON-escaped literal.
    APP_NAME: str = {{ cookiecutter.project_name | jsonify }}  # fmt: skip
    SECRET_KEY: str
    # postgres:// and postgresql:// are given psycopg 3.
    DATABASE_URL: DatabaseURL
    # None keeps sessions in local files and runs jobs at once.
    REDIS_URL: RedisURL | None = None
    TESTING: bool = False
    # From FLASK_DEBUG or `flask run --debug`: on when truthy.
    DEBUG: Any = False
    PREFERRED_URL_SCHEME: str = "http"

    # Sessions (Flask-Session): the cookie ends with the browser session, Redis
    # forgets an idle session after PERMANENT_SESSION_LIFETIME either way.
    SESSION_KEY_PREFIX: str = "session:"
    SESSION_PERMANENT: bool = False
    PERMANENT_SESSION_LIFETIME: Duration = timedelta(hours=12)
    SESSION_COOKIE_HTTPONLY: bool = True
    SESSION_COOKIE_SAMESITE: str | None = "Lax"
    SESSION_COOKIE_SECURE: bool = False
    # Flask-Login's remember-me cookie; also how long any login lasts at most.
    REMEMBER_COOKIE_DURATION: Duration = timedelta(days=14)
    REMEMBER_COOKIE_HTTPONLY: bool = True
    REMEMBER_COOKIE_SAMESITE: str | None = "Lax"
    REMEMBER_COOKIE_SECURE: bool = False
    # None: a CSRF token lasts as long as its session.
    WTF_CSRF_TIME_LIMIT: Positive | None = None
    MAX_CONTENT_LENGTH: Positive = 1024 * 1024

    # Passwords: a hash made with other scrypt parameters is upgraded at the next login;
    # each takes 32 MiB, so a process makes PASSWORD_HASH_CONCURRENCY at once at most.
    PASSWORD_HASH_METHOD: str = "scrypt:32768:8:1"  # noqa: S105  (a hash method, not a password)
    PASSWORD_HASH_CONCURRENCY: Positive = 2
    PASSWORD_MIN_LENGTH: Annotated[int, Field(ge=1)] = 8
    PASSWORD_MAX_LENGTH: int = 128
{%- if cookiecutter.use_api %}
    API_TOKEN_LIFETIME_SECONDS: Positive = 7 * 24 * 3600
{%- endif %}

    # Outages fail fast (libpq counts whole seconds).
    DATABASE_CONNECT_TIMEOUT: Positive = 2
    DATABASE_POOL_TIMEOUT: Timeout = 5.0
    REDIS_CONNECT_TIMEOUT: Timeout = 1.0
    REDIS_SOCKET_TIMEOUT: Timeout = 1.0

    # Rate limits per client address (Flask-Limiter's notation, several joined by ";").
    LOGIN_FAILURE_RATE_LIMIT: RateLimit = Field("15 per minute", examples=["10 per minute"])
    REGISTRATION_RATE_LIMIT: RateLimit = Field("100 per hour", examples=["100 per hour"])
    PASSWORD_RESET_RATE_LIMIT: RateLimit = Field("10 per minute", examples=["10 per minute"])
    PASSWORD_RESET_TARGET_RATE_LIMIT: RateLimit = Field(
        "5 per 15 minutes", examples=["5 per 15 minutes"]
    )
    CONFIRMATION_RATE_LIMIT: RateLimit = Field("10 per minute", examples=["10 per minute"])
    CONFIRMATION_TARGET_RATE_LIMIT: RateLimit = Field(
        "5 per 15 minutes", examples=["5 per 15 minutes"]
    )
    # None: in REDIS_URL's Redis, else in each process's memory.
    RATE_LIMIT_STORAGE_URI: str | None = None
    LOG_FORMAT: Literal["text", "json"] = "text"

    # Accounts and mail. Links in mails start with PUBLIC_URL, never with a
    # request's Host header{% if cookiecutter.use_realtime %}; it is also the one Origin the live updates socket
    # accepts{% endif %}.
    PUBLIC_URL: SiteURL
    MAIL_URL: MailURL
    MAIL_FROM: MailAddress = "noreply@{{ cookiecutter.domain }}"
    MAIL_TIMEOUT: Timeout = 10.0
    # Lax: its plain variable arrives as text, "3600"; FLASK_<KEY> values are JSON.
    PASSWORD_RESET_MAX_AGE: Annotated[Positive, Field(strict=False)] = 3600
    EMAIL_CONFIRMATION_MAX_AGE: Positive = 7 * 24 * 3600
    EMAIL_CHANGE_MAX_AGE: Positive = 24 * 3600
    ALLOW_UNCONFIRMED_LOGIN: bool = True

    # Background jobs, run by `flask worker` (at once without REDIS_URL, or when told to).
    JOBS_RUN_AT_ONCE: bool = False
    JOB_QUEUE: Annotated[str, Field(min_length=1)] = "default"
    JOB_TIMEOUT: Positive = 30
    JOB_RETRY_INTERVALS: RetryIntervals = Field(
        default_factory=lambda: [10, 30, 60, 120, 240, 480], examples=[[10, 30, 60]]
    )
    JOB_RESULT_TTL: Positive = 600
    JOB_FAILURE_TTL: Positive = 7 * 24 * 3600
    WORKER_JOB_MONITORING_INTERVAL: Positive = 10
    WORKER_MAINTENANCE_INTERVAL: Positive = 60
    WORKER_TTL: Positive = 60

    # Proxies: X-Forwarded-For and -Proto are believed for TRUSTED_PROXY_HOPS
    # hops, and only from a peer in FORWARDED_ALLOW_IPS (app/web/proxy.py).
    TRUSTED_PROXY_HOPS: NotNegative = 0
    FORWARDED_ALLOW_IPS: AllowList = DEFAULT_FORWARDED_ALLOW_IPS
    HSTS_SECONDS: NotNegative = 0
    HSTS_INCLUDE_SUBDOMAINS: bool = False
{%- if cookiecutter.use_realtime %}

    # Live updates (app/realtime/): caps across every instance; a socket takes a thread.
    REALTIME_PING_SECONDS: Positive = 25
    REALTIME_MAX_MESSAGE_BYTES: Positive = 4096
    REALTIME_MAX_SOCKETS_PER_USER: Annotated[int, Field(ge=10)] = 20
    REALTIME_MAX_SOCKETS_PER_ADDRESS: Annotated[int, Field(ge=10)] = 112
    REALTIME_MAX_SOCKETS_PER_PROCESS: Positive = 112
    REALTIME_SESSION_CHECK_SECONDS: Timeout = 2.0
    # Also accept a page at the loopback address the request came to (localhost or
    # 127.0.0.1, any port): development only, see app/realtime/handshake.py.
    REALTIME_ACCEPT_LOOPBACK_HOST: bool = False
    # Pub/sub ignores the database number: the prefix keeps apps apart.
    REALTIME_KEY_PREFIX: str = "realtime:"
{%- endif %}
{%- if cookiecutter.use_uploads %}

    # Files (app/files/, docs/files.md): where they live, and how much each user may keep.
    # None: development keeps them in instance/files, testing in a temporary directory.
    STORAGE_URL: StorageURL | None = None
    S3_ENDPOINT_URL: SiteURL | None = None
    # A storage outage answers 503 within 2 s: one attempt, short timeouts.
    STORAGE_CONNECT_TIMEOUT: Timeout = 1.0
    STORAGE_READ_TIMEOUT: Timeout = 1.5
    # S3 only: send downloads to a presigned URL (valid this long) instead of through the app;
    # only when browsers can reach S3_ENDPOINT_URL.
    STORAGE_REDIRECT_DOWNLOADS: bool = False
    STORAGE_URL_EXPIRES: Annotated[int, Field(gt=0, le=600)] = 300
    UPLOAD_MAX_BYTES: Positive = 10 * 1024 * 1024
    UPLOAD_QUOTA_BYTES: Positive = 100 * 1024 * 1024
    AVATAR_MAX_BYTES: Positive = 5 * 1024 * 1024
    AVATAR_MAX_PIXELS: Positive = 40_000_000
{%- endif %}

    @classmethod
    def derived_defaults(cls, environ: Mapping[str, str]) -> dict[str, Any]:
        """Defaults that depend on how the process was started, before the environment's values."""
        return {}

    @field_validator("PASSWORD_MAX_LENGTH")
    @classmethod
    def max_is_at_least_min(cls, maximum: int, info: ValidationInfo) -> int:
        """Refuse bounds no password could meet (a bad minimum is reported on its own)."""
        minimum = info.data.get("PASSWORD_MIN_LENGTH")
        if minimum is not None and maximum < minimum:
            raise ValueError("must be at least PASSWORD_MIN_LENGTH")
        return maximum


class DevelopmentConfig(BaseConfig):
    """Local work: fixed secret, SQLite in instance/, Redis only if given; debug mode
    only when asked for (``flask run --debug`` or ``FLASK_DEBUG=1``)."""

    SECRET_KEY: str = "dev-only-secret-key-never-use-in-production"  # noqa: S105  (known, by design)
    DATABASE_URL: DatabaseURL = "sqlite:///development.db"
    # Where the development server serves (derived_defaults); mails, written to the log, link here.
    PUBLIC_URL: SiteURL = "http://127.0.0.1:5000"
    MAIL_URL: MailURL = "console://"
{%- if cookiecutter.use_realtime %}
    REALTIME_ACCEPT_LOOPBACK_HOST: bool = True
{%- endif %}

    @classmethod
    def derived_defaults(cls, environ: Mapping[str, str]) -> dict[str, Any]:
        """``PUBLIC_URL`` from the address being served, unless it is set."""
        return {"PUBLIC_URL": serving_url(environ)}


class TestingConfig(BaseConfig):
    """The test suite: in-memory SQLite and a Redis emulator unless real ones are given.

    It reads ``TEST_DATABASE_URL`` and ``TEST_REDIS_URL``, never the
    variables a developer's shell may hold for real servers.
    """

    __test__ = False  # for pytest, which would collect a class named Test* from test modules
    ENVIRONMENT_VARIABLES: ClassVar[dict[str, str]] = {
        "DATABASE_URL": "TEST_DATABASE_URL",
        "REDIS_URL": "TEST_REDIS_URL",
    }

    SECRET_KEY: str = "testing-secret-key-of-at-least-32-characters"  # noqa: S105  (tests only)
    DATABASE_URL: DatabaseURL = "sqlite://"
    TESTING: bool = True
    # About the cheapest scrypt OpenSSL accepts: the tests hash thousands of passwords.
    PASSWORD_HASH_METHOD: str = "scrypt:128:8:1"  # noqa: S105  (a hash method, not a password)
    PUBLIC_URL: SiteURL = "http://localhost"
    # Mails go to an outbox the tests read (app/infrastructure/mail.py).
    MAIL_URL: MailURL = "memory://"
    # Jobs run inside the test that queues them, even with TEST_REDIS_URL.
    JOBS_RUN_AT_ONCE: bool = True


class ProductionConfig(BaseConfig):
    """Deployment: every secret and service must be given, cookies are Secure."""

    SECRET_KEY: StrongSecret
    REDIS_URL: RedisURL
    PUBLIC_URL: SiteURL = "https://{{ cookiecutter.domain }}"
    # Werkzeug's debugger runs any code a visitor types.
    DEBUG: Annotated[
        Any, check(operator.not_, "must be off in this environment (unset FLASK_DEBUG)")
    ] = False
    PREFERRED_URL_SCHEME: str = "https"
    SESSION_COOKIE_SECURE: bool = True
    REMEMBER_COOKIE_SECURE: bool = True
    LOG_FORMAT: Literal["text", "json"] = "json"
    TRUSTED_PROXY_HOPS: NotNegative = 1
    HSTS_SECONDS: NotNegative = 365 * 24 * 3600
{%- if cookiecutter.use_uploads %}
    STORAGE_URL: StorageURL
{%- endif %}


CONFIGS: dict[str, type[BaseConfig]] = {
    "development": DevelopmentConfig,
    "testing": TestingConfig,
    "production": ProductionConfig,
}


def serving_url(environ: Mapping[str, str]) -> str:
    """``http://host:port`` that this development process serves on.

    ``flask run --host/--port`` (its options, read from the running
    command), else ``FLASK_RUN_HOST`` / ``FLASK_RUN_PORT`` (``.flaskenv``,
    ``make dev``; gunicorn.conf.py sets them to its own address), else
    Flask's 127.0.0.1:5000. A wildcard host (``0.0.0.0``) is reached at 127.0.0.1.
    """
    params: dict[str, Any] = {}
    context = click.get_current_context(silent=True)
    if context is not None and context.info_name == "run":
        params = context.params
    host = params.get("host") or environ.get("FLASK_RUN_HOST") or "127.0.0.1"
    port = params.get("port") or environ.get("FLASK_RUN_PORT") or 5000
    if host in WILDCARD_HOSTS:
        host = "127.0.0.1"
    if ":" in host:
        host = f"[{host}]"
    return f"http://{host}:{port}"


def read_environment(config_name: str | None) -> Mapping[str, str]:
    """The process environment, with .env filling in the variables not set, as ``flask``
    does, so gunicorn sees the same settings; never in testing, so a developer's local
    file cannot change test results."""
    if config_name != "testing":
        load_dotenv(DOTENV_PATH, override=False)
    return os.environ


def load_settings(config_name: str | None = None) -> Config:
    """Build and validate the settings for ``config_name`` (or ``FLASK_CONFIG``).

    Raises ``ConfigError`` naming every problem at once, so a deploy needs
    one round of fixes rather than one per variable.
    """
    environ = read_environment(config_name)
    name = config_name or environ.get("FLASK_CONFIG", "development")
    if name not in CONFIGS:
        raise ConfigError(name, [f"FLASK_CONFIG must be one of {', '.join(CONFIGS)}"])
    config_class = CONFIGS[name]

    merged = Config(PROJECT_ROOT, defaults_of(config_class))
    merged.update(config_class.derived_defaults(environ))
    merged.update(plain_variables(config_class.ENVIRONMENT_VARIABLES, environ))
    merged.from_prefixed_env()
    try:
        settings = config_class.model_validate(dict(merged))
    except ValidationError as error:
        raise ConfigError(name, problems(error, config_class.model_fields)) from None

    config = Config(PROJECT_ROOT, dict(settings))
    config["CONFIG_NAME"] = name
    config["SQLALCHEMY_DATABASE_URI"] = normalize_database_url(settings.DATABASE_URL)
    config["SQLALCHEMY_ENGINE_OPTIONS"] = engine_options(
        config["SQLALCHEMY_DATABASE_URI"],
        settings.DATABASE_CONNECT_TIMEOUT,
        settings.DATABASE_POOL_TIMEOUT,
    )
    return config
