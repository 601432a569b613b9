"""Settings for each environment, picked by name when the app is created.

Nothing here reads the environment at import time. ``load_settings`` does,
when ``create_app`` runs, so importing this module (from tests or tools)
never needs production variables. The order is: the class for the chosen
environment, then the plain variables it reads (``SECRET_KEY``,
``DATABASE_URL``, ``REDIS_URL``), then every ``FLASK_<KEY>`` variable
(Flask's ``from_prefixed_env``), then validation.
"""

import os
from datetime import timedelta
from pathlib import Path

from dotenv import load_dotenv
from flask import Config
from limits import parse_many
from sqlalchemy.engine import make_url
from sqlalchemy.exc import ArgumentError

PROJECT_ROOT = Path(__file__).resolve().parent
DOTENV_PATH = PROJECT_ROOT / ".env"
SECRET_KEY_PLACEHOLDER = "change-me-to-a-long-random-string"  # noqa: S105  (refused, not used)
MIN_SECRET_KEY_LENGTH = 32
REDIS_URL_SCHEMES = ("redis://", "rediss://", "unix://")
RATE_LIMIT_KEYS = ("LOGIN_FAILURE_RATE_LIMIT", "REGISTRATION_RATE_LIMIT")
LOG_FORMATS = ("text", "json")
# Settings a FLASK_<KEY> variable could give the wrong type, and what they must be.
EXPECTED_TYPES = {
    "SECRET_KEY": (str, "text"),
    "DATABASE_URL": (str, "text"),
    "REDIS_URL": (str, "text"),
    "MAX_CONTENT_LENGTH": (int, "a whole number"),
    "PASSWORD_MIN_LENGTH": (int, "a whole number"),
    "PASSWORD_MAX_LENGTH": (int, "a whole number"),
    "TRUSTED_PROXY_HOPS": (int, "a whole number"),
    "HSTS_SECONDS": (int, "a whole number"),
    "API_TOKEN_LIFETIME_SECONDS": (int, "a whole number"),
    "SESSION_USER_RECHECK_SECONDS": (int, "a whole number"),
    "DATABASE_CONNECT_TIMEOUT": ((int, float), "a number"),
    "REDIS_CONNECT_TIMEOUT": ((int, float), "a number"),
    "REDIS_SOCKET_TIMEOUT": ((int, float), "a number"),
    "LOGIN_FAILURE_RATE_LIMIT": (str, "text such as '10 per minute'"),
    "REGISTRATION_RATE_LIMIT": (str, "text such as '100 per hour'"),
    "RATE_LIMIT_STORAGE_URI": (str, "text"),
    "LOG_FORMAT": (str, "text"),
}


class ConfigError(SystemExit):
    """Settings that make it unsafe to start.

    It is a ``SystemExit`` so that every entry point (``flask``,
    ``manage.py``, gunicorn's master through ``gunicorn.conf.py``) stops
    with this one line on stderr and no traceback.
    """

    def __init__(self, config_name, problems):
        self.problems = list(problems)
        super().__init__(f"Configuration error ({config_name}): " + "; ".join(self.problems))


class BaseConfig:
    """Defaults shared by every environment; each is a documented setting."""

    # The display name, written by the template as a JSON-escaped literal.
    APP_NAME = {{ cookiecutter.project_name | jsonify }}  # fmt: skip

    # Server-side sessions (Flask-Session): the cookie holds only a random id.
    # Not permanent: the cookie ends with the browser session (the remember-me
    # cookie is what outlives it), while Redis forgets an idle session after
    # PERMANENT_SESSION_LIFETIME either way.
    SESSION_KEY_PREFIX = "session:"
    SESSION_PERMANENT = False
    PERMANENT_SESSION_LIFETIME = timedelta(hours=12)
    SESSION_COOKIE_HTTPONLY = True
    SESSION_COOKIE_SAMESITE = "Lax"
    SESSION_COOKIE_SECURE = False

    # Seconds a logged-in session trusts its own copy of the user before the
    # next page view reads the row again (app/auth/session_user.py); 0 checks
    # on every request (one query and one session write per page view).
    SESSION_USER_RECHECK_SECONDS = 60

    # Flask-Login's "remember me" cookie, used once the session has expired.
    REMEMBER_COOKIE_DURATION = timedelta(days=14)
    REMEMBER_COOKIE_HTTPONLY = True
    REMEMBER_COOKIE_SAMESITE = "Lax"
    REMEMBER_COOKIE_SECURE = False

    # A CSRF token is valid as long as the session that holds it.
    WTF_CSRF_TIME_LIMIT = None

    MAX_CONTENT_LENGTH = 1024 * 1024

    # Werkzeug's scrypt with its parameters spelled out, so a hash made with
    # other parameters is noticed and upgraded at the next login. Tests swap
    # in cheaper ones.
    PASSWORD_HASH_METHOD = "scrypt:32768:8:1"  # noqa: S105  (a hash method, not a password)
    PASSWORD_MIN_LENGTH = 8
    PASSWORD_MAX_LENGTH = 128

    # How long a bearer token from POST /api/v1/tokens stays valid.
    API_TOKEN_LIFETIME_SECONDS = 7 * 24 * 3600

    # Outages must fail fast: seconds before a connection attempt gives up.
    DATABASE_CONNECT_TIMEOUT = 2
    REDIS_CONNECT_TIMEOUT = 1.0
    REDIS_SOCKET_TIMEOUT = 1.0

    # Rate limits per client address (Flask-Limiter's notation: "10 per minute",
    # "100/hour", several separated by ";"). Failed logins, from the form and
    # the API alike, share one count; every registration attempt counts.
    LOGIN_FAILURE_RATE_LIMIT = "15 per minute"
    REGISTRATION_RATE_LIMIT = "100 per hour"
    # Where the counts are kept: in this process outside production. Production
    # leaves it unset and counts in REDIS_URL's Redis, shared by every worker.
    RATE_LIMIT_STORAGE_URI = "memory://"
    # "text" (readable lines) or "json" (one JSON object per line).
    LOG_FORMAT = "text"

    # Number of reverse proxies whose X-Forwarded-* headers are trusted.
    TRUSTED_PROXY_HOPS = 0
    # Strict-Transport-Security max-age for HTTPS responses; 0 sends none.
    HSTS_SECONDS = 0
    # Add includeSubDomains only once every subdomain is served over HTTPS.
    HSTS_INCLUDE_SUBDOMAINS = False

    REQUIRED_VARIABLES = ()
    ALLOW_DEBUG = True

    @classmethod
    def from_environment(cls, environ):
        """Read the plain (unprefixed) variables this environment uses."""
        return {
            "SECRET_KEY": environ.get("SECRET_KEY"),
            "DATABASE_URL": environ.get("DATABASE_URL"),
            "REDIS_URL": environ.get("REDIS_URL"),
        }


class DevelopmentConfig(BaseConfig):
    """Local work: fixed secret, SQLite in instance/, Redis only if given.

    Debug mode (Werkzeug's debugger, errors re-raised) is asked for with
    ``flask run --debug`` or ``FLASK_DEBUG=1``, not implied.
    """

    @classmethod
    def from_environment(cls, environ):
        settings = super().from_environment(environ)
        settings["SECRET_KEY"] = (
            settings["SECRET_KEY"] or "dev-only-secret-key-never-use-in-production"
        )
        settings["DATABASE_URL"] = settings["DATABASE_URL"] or "sqlite:///development.db"
        return settings


class TestingConfig(BaseConfig):
    """The test suite: in-memory SQLite and a Redis emulator unless real ones are given."""

    TESTING = True
    PASSWORD_HASH_METHOD = "scrypt:1024:8:1"  # noqa: S105  (a hash method, not a password)

    @classmethod
    def from_environment(cls, environ):
        return {
            "SECRET_KEY": "testing-secret-key-of-at-least-32-characters",
            "DATABASE_URL": environ.get("TEST_DATABASE_URL") or "sqlite://",
            "REDIS_URL": environ.get("TEST_REDIS_URL"),
        }


class ProductionConfig(BaseConfig):
    """Deployment: every secret and service must be given, cookies are Secure."""

    SESSION_COOKIE_SECURE = True
    REMEMBER_COOKIE_SECURE = True
    PREFERRED_URL_SCHEME = "https"
    TRUSTED_PROXY_HOPS = 1
    HSTS_SECONDS = 365 * 24 * 3600
    RATE_LIMIT_STORAGE_URI = None
    LOG_FORMAT = "json"
    REQUIRED_VARIABLES = ("SECRET_KEY", "DATABASE_URL", "REDIS_URL")
    # Werkzeug's debugger runs any code a visitor types: never in production.
    ALLOW_DEBUG = False


CONFIGS = {
    "development": DevelopmentConfig,
    "testing": TestingConfig,
    "production": ProductionConfig,
}


def read_environment(config_name):
    """Return the process environment, with .env loaded into it outside testing.

    .env fills in only variables that are not set already, exactly as the
    ``flask`` command does, so gunicorn sees the same settings (``FLASK_*``
    overrides included). The test suite never reads it, so a developer's
    local file cannot change test results.
    """
    if config_name != "testing":
        load_dotenv(DOTENV_PATH, override=False)
    return os.environ


def normalize_database_url(url):
    """Accept Heroku-style ``postgres://`` and default PostgreSQL to psycopg 3."""
    for prefix in ("postgres://", "postgresql://"):
        if url.startswith(prefix):
            return "postgresql+psycopg://" + url[len(prefix) :]
    return url


def engine_options(url, connect_timeout):
    """SQLAlchemy engine options: fail fast, keep values out of logs.

    ``hide_parameters`` keeps statement parameters (emails, password hashes)
    out of error messages, and so out of the logs. Connections the server
    closed are replaced at checkout without a ping (``app/database.py``).
    """
    if make_url(url).get_backend_name() == "postgresql":
        return {
            "hide_parameters": True,
            "connect_args": {"connect_timeout": connect_timeout},
        }
    return {"hide_parameters": True}


def has_expected_type(value, expected):
    """True when ``value`` is of the expected type (a boolean is never a number)."""
    return isinstance(value, expected) and not isinstance(value, bool)


def type_problems(config):
    """Name each setting whose value has the wrong type.

    ``FLASK_<KEY>`` values are parsed as JSON, so ``FLASK_SECRET_KEY=1234``
    arrives as a number and ``FLASK_TRUSTED_PROXY_HOPS=true`` as a boolean.
    Values are not repeated in the message: one of them may be a secret.
    """
    return [
        f"{key} must be {description}"
        for key, (expected, description) in EXPECTED_TYPES.items()
        if config.get(key) is not None and not has_expected_type(config[key], expected)
    ]


def is_weak_secret(secret):
    """The .env.example placeholder, or too short once spaces are ignored."""
    return secret == SECRET_KEY_PLACEHOLDER or len(secret.strip()) < MIN_SECRET_KEY_LENGTH


def value_problems(config):
    """Name each text setting that is weak or malformed (wrongly typed ones are skipped)."""
    problems = []
    secret = config.get("SECRET_KEY")
    secret_checked = "SECRET_KEY" in config["REQUIRED_VARIABLES"] and isinstance(secret, str)
    if secret_checked and secret and is_weak_secret(secret):
        problems.append(
            f"SECRET_KEY is a placeholder or shorter than {MIN_SECRET_KEY_LENGTH} characters "
            "(make one with: python -c 'import secrets; print(secrets.token_urlsafe(48))')"
        )
    database_url = config.get("DATABASE_URL")
    if isinstance(database_url, str) and database_url:
        try:
            make_url(database_url)
        except ArgumentError:
            problems.append(
                "DATABASE_URL is not a database URL (e.g. postgresql://user:pass@host/db)"
            )
    redis_url = config.get("REDIS_URL")
    if isinstance(redis_url, str) and redis_url and not redis_url.startswith(REDIS_URL_SCHEMES):
        problems.append("REDIS_URL must start with redis://, rediss:// or unix://")
    lifetime = config.get("API_TOKEN_LIFETIME_SECONDS")
    if isinstance(lifetime, int) and lifetime <= 0:
        problems.append("API_TOKEN_LIFETIME_SECONDS must be a positive number of seconds")
    recheck = config.get("SESSION_USER_RECHECK_SECONDS")
    if isinstance(recheck, int) and recheck < 0:
        problems.append("SESSION_USER_RECHECK_SECONDS must be 0 or more seconds")
    if config.get("DEBUG") and not config["ALLOW_DEBUG"]:
        problems.append("DEBUG must be off in this environment (unset FLASK_DEBUG)")
    if config.get("LOG_FORMAT") not in (*LOG_FORMATS, None):
        problems.append(f"LOG_FORMAT must be one of {', '.join(LOG_FORMATS)}")
    return problems + rate_limit_problems(config)


def rate_limit_problems(config):
    """Name each rate limit that Flask-Limiter could not read ("10 per minute" can be)."""
    problems = []
    for key in RATE_LIMIT_KEYS:
        value = config.get(key)
        if not isinstance(value, str):
            continue  # missing or of the wrong type: reported by type_problems
        try:
            parse_many(value)
        except ValueError:
            problems.append(f"{key} must be a rate such as '10 per minute' or '100/hour'")
    return problems


def find_problems(config):
    """Return a message for each missing, wrongly typed, weak or malformed setting."""
    missing = [
        f"{name} is not set (give it in the environment or in .env)"
        for name in config["REQUIRED_VARIABLES"]
        if not config.get(name)
    ]
    return missing + type_problems(config) + value_problems(config)


def load_settings(config_name=None):
    """Build and validate the settings for ``config_name`` (or ``FLASK_CONFIG``).

    Raises ``ConfigError`` naming every problem at once, so a deploy needs
    one round of fixes rather than one per variable.
    """
    environ = read_environment(config_name)
    name = config_name or environ.get("FLASK_CONFIG", "development")
    if name not in CONFIGS:
        raise ConfigError(name, [f"FLASK_CONFIG must be one of {', '.join(CONFIGS)}"])
    config_class = CONFIGS[name]

    config = Config(PROJECT_ROOT)
    config.from_object(config_class)
    config.update(config_class.from_environment(environ))
    config.from_prefixed_env()
    config["CONFIG_NAME"] = name

    problems = find_problems(config)
    if problems:
        raise ConfigError(name, problems)
    config["SQLALCHEMY_DATABASE_URI"] = normalize_database_url(config["DATABASE_URL"])
    config["SQLALCHEMY_ENGINE_OPTIONS"] = engine_options(
        config["SQLALCHEMY_DATABASE_URI"], config["DATABASE_CONNECT_TIMEOUT"]
    )
    return config
