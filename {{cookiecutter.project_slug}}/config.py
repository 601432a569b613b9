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

import ipaddress
import operator
import os
from collections.abc import Callable, Iterable, Mapping
from datetime import timedelta
from email.utils import parseaddr
from pathlib import Path
from typing import Annotated, Any, ClassVar, Literal, get_args
from urllib.parse import urlsplit

from dotenv import load_dotenv
from flask import Config
from limits import parse_many
from pydantic import (
    AfterValidator,
    BaseModel,
    BeforeValidator,
    ConfigDict,
    Field,
    ValidationError,
    ValidationInfo,
    field_validator,
)
from pydantic.fields import FieldInfo
from pydantic_core import ErrorDetails
from sqlalchemy.engine import make_url
from sqlalchemy.exc import ArgumentError

PROJECT_ROOT = Path(__file__).resolve().parent
DOTENV_PATH = PROJECT_ROOT / ".env"
SECRET_KEY_PLACEHOLDER = "change-me-to-a-long-random-string"  # noqa: S105  (refused, not used)  # nosec B105
MIN_SECRET_KEY_LENGTH = 32
# The peers whose X-Forwarded-For and -Proto are believed, unless
# FORWARDED_ALLOW_IPS says otherwise: gunicorn.conf.py gives gunicorn the same.
DEFAULT_FORWARDED_ALLOW_IPS = "127.0.0.1"
ANY_PEER = "*"
# What a value of the wrong type should have been, by pydantic error type.
TYPE_NAMES = {
    "string_type": "text",
    "int_type": "a whole number",
    "float_type": "a number",
    "bool_type": "true or false",
    "time_delta_type": "a number of seconds",
}


class ConfigError(SystemExit):
    """Settings that make it unsafe to start.

    It is a ``SystemExit`` so that every entry point (``flask``,
    ``manage.py``, gunicorn's master through ``gunicorn.conf.py``) stops
    with this one line on stderr and no traceback.
    """

    def __init__(self, config_name: str, problems: Iterable[str]) -> None:
        self.problems = list(problems)
        super().__init__(f"Configuration error ({config_name}): " + "; ".join(self.problems))


def is_weak_secret(secret: str) -> bool:
    """The .env.example placeholder, or too short once spaces are ignored."""
    return secret == SECRET_KEY_PLACEHOLDER or len(secret.strip()) < MIN_SECRET_KEY_LENGTH


def check(accepts: Callable[[Any], object], problem: str) -> AfterValidator:
    """A check beyond type and bounds: refuse a value ``accepts`` rejects.

    Rejecting is returning something false or raising ``ValueError`` (or
    SQLAlchemy's ``ArgumentError``). ``problem`` ends a sentence that starts
    with the setting's name; it never quotes the value, which may be a secret.
    """

    def validate(value: Any) -> Any:
        try:
            accepted = accepts(value)
        except (ValueError, ArgumentError):
            accepted = False
        if not accepted:
            raise ValueError(problem)
        return value

    return AfterValidator(validate)


def seconds_to_timedelta(value: object) -> object:
    """JSON has no durations: a number means seconds, as Flask reads it."""
    if isinstance(value, int | float) and not isinstance(value, bool):
        return timedelta(seconds=value)
    return value


# The types of settings, with their checks; a failed check names the setting.
StrongSecret = Annotated[
    str,
    check(
        lambda secret: not is_weak_secret(secret),
        f"is a placeholder or shorter than {MIN_SECRET_KEY_LENGTH} characters "
        "(make one with: python -c 'import secrets; print(secrets.token_urlsafe(48))')",
    ),
]
DatabaseURL = Annotated[
    str, check(make_url, "is not a database URL (e.g. postgresql://user:pass@host/db)")
]
RedisURL = Annotated[
    str,
    check(
        lambda url: url.startswith(("redis://", "rediss://", "unix://")),
        "must start with redis://, rediss:// or unix://",
    ),
]
RateLimit = Annotated[
    str, check(parse_many, "must be a rate such as '10 per minute' or '100/hour'")
]
Duration = Annotated[
    timedelta,
    BeforeValidator(seconds_to_timedelta),
    check(lambda duration: duration > timedelta(0), "must be a positive number of seconds"),
]
Positive = Annotated[int, Field(gt=0)]
NotNegative = Annotated[int, Field(ge=0)]
Timeout = Annotated[float, Field(gt=0)]
# Where mail goes (app/infrastructure/mail.py reads it): SMTP needs a host;
# console:// writes to the log, memory:// keeps an outbox (the test suite's).
MAIL_SCHEMES = ("smtp", "smtp+tls", "smtps", "console", "memory")


def is_mail_url(url: str) -> bool:
    """A MAIL_URL with a known scheme, and a host (and a numeric port, if any) for SMTP."""
    parts = urlsplit(url)
    if parts.scheme not in MAIL_SCHEMES:
        return False
    if parts.scheme in ("console", "memory"):
        return True
    try:
        port = parts.port
    except ValueError:  # not a number, or out of range
        return False
    return bool(parts.hostname) and port != 0


def parse_allow_list(value: str) -> list[str]:
    """``FORWARDED_ALLOW_IPS`` split as gunicorn splits it: the entries between commas, stripped.

    Raises ``ValueError`` for an entry that is neither ``*`` nor an address
    or CIDR network; gunicorn refuses the same ones (``192.0.2.1/24`` too:
    host bits set).
    """
    entries = [entry.strip() for entry in value.split(",") if entry.strip()]
    for entry in entries:
        if entry != ANY_PEER:
            ipaddress.ip_network(entry)
    return entries


def is_site_url(url: str) -> bool:
    """An http(s) origin (scheme, host, port) and nothing more: what links start with.

    A path is refused too: the app is served at the root of its host, and
    the origin is what browsers compare.
    """
    parts = urlsplit(url)
    return (
        parts.scheme in ("http", "https")
        and bool(parts.hostname)
        and parts.path in ("", "/")
        and not parts.query
        and not parts.fragment
    )


MailURL = Annotated[
    str,
    check(
        is_mail_url,
        "must be smtp://, smtp+tls:// or smtps://[user:password@]host[:port], or console://",
    ),
]
SiteURL = Annotated[
    str,
    check(is_site_url, "must be the site's address without a path, such as 'https://example.com'"),
    AfterValidator(lambda url: url.rstrip("/")),
]
MailAddress = Annotated[
    str,
    check(
        lambda sender: "@" in parseaddr(sender)[1],
        "must be an email address, such as 'Support <help@example.com>'",
    ),
]
AllowList = Annotated[
    str,
    check(
        parse_allow_list,
        "must be addresses or CIDR networks separated by commas (e.g. '127.0.0.1,10.0.0.0/8'), "
        "or '*'",
    ),
]
RetryIntervals = Annotated[list[Positive], Field(min_length=1)]


class BaseConfig(BaseModel):
    """Every setting, with the default the environments share.

    ``SECRET_KEY`` and ``DATABASE_URL`` have none: an environment class
    gives one, or the environment must.
    """

    model_config = ConfigDict(strict=True, extra="allow")
    # The plain (unprefixed) variables this environment reads: {setting: variable}.
    ENVIRONMENT_VARIABLES: ClassVar[dict[str, str]] = {
        "SECRET_KEY": "SECRET_KEY",
        "DATABASE_URL": "DATABASE_URL",
        "REDIS_URL": "REDIS_URL",
        "MAIL_URL": "MAIL_URL",
        "MAIL_FROM": "MAIL_FROM",
        "PUBLIC_URL": "PUBLIC_URL",
        # Named by the contract as a variable of its own, like the mail settings.
        "PASSWORD_RESET_MAX_AGE": "PASSWORD_RESET_MAX_AGE",
        # gunicorn's own variable: one list decides what gunicorn and the app believe.
        "FORWARDED_ALLOW_IPS": "FORWARDED_ALLOW_IPS",
    }

    # The display name, written by the template as a JSON-escaped literal.
    APP_NAME: str = {{ cookiecutter.project_name | jsonify }}  # fmt: skip
    # Signs session ids, CSRF tokens and remember-me cookies.
    SECRET_KEY: str
    # The SQLAlchemy URL; postgres:// and postgresql:// are given psycopg 3.
    DATABASE_URL: DatabaseURL
    # Sessions, rate-limit counts and the job queue; None keeps sessions in
    # local files and runs jobs at once.
    REDIS_URL: RedisURL | None = None

    # Flask's testing mode: errors reach the test client.
    TESTING: bool = False
    # Flask's debug mode, from FLASK_DEBUG or `flask run --debug`: on when truthy.
    DEBUG: Any = False
    # The scheme of external URLs built outside a request.
    PREFERRED_URL_SCHEME: str = "http"

    # Server-side sessions (Flask-Session): the cookie holds only a random id.
    # Not permanent: the cookie ends with the browser session (the remember-me
    # cookie outlives it), while Redis forgets an idle session after
    # PERMANENT_SESSION_LIFETIME either way.
    SESSION_KEY_PREFIX: str = "session:"
    SESSION_PERMANENT: bool = False
    PERMANENT_SESSION_LIFETIME: Duration = timedelta(hours=12)
    SESSION_COOKIE_HTTPONLY: bool = True
    SESSION_COOKIE_SAMESITE: str | None = "Lax"
    SESSION_COOKIE_SECURE: bool = False

    # Flask-Login's "remember me" cookie, used once the session has expired.
    REMEMBER_COOKIE_DURATION: Duration = timedelta(days=14)
    REMEMBER_COOKIE_HTTPONLY: bool = True
    REMEMBER_COOKIE_SAMESITE: str | None = "Lax"
    REMEMBER_COOKIE_SECURE: bool = False
    # Seconds a CSRF token is valid; None: as long as the session that holds it.
    WTF_CSRF_TIME_LIMIT: Positive | None = None

    # Largest request body, in bytes; a bigger one gets 413.
    MAX_CONTENT_LENGTH: Positive = 1024 * 1024
    # Werkzeug's scrypt with its parameters spelled out, so a hash made with
    # others is noticed and upgraded at the next login. Tests use cheaper ones.
    PASSWORD_HASH_METHOD: str = "scrypt:32768:8:1"  # noqa: S105  (a hash method, not a password)
    # Passwords hashed at once by one process (each scrypt hash above takes
    # 32 MiB while it runs); more requests wait for a slot (app/auth/passwords.py).
    PASSWORD_HASH_CONCURRENCY: Positive = 2
    # Bounds on a new password's length (the upper one caps hashing work).
    PASSWORD_MIN_LENGTH: Annotated[int, Field(ge=1)] = 8
    PASSWORD_MAX_LENGTH: int = 128
{%- if cookiecutter.use_api %}
    # Seconds a bearer token from POST /api/v1/tokens stays valid.
    API_TOKEN_LIFETIME_SECONDS: Positive = 7 * 24 * 3600
{%- endif %}

    # Outages must fail fast: seconds before a connection attempt gives up
    # (libpq counts whole seconds).
    DATABASE_CONNECT_TIMEOUT: Positive = 2
    # Seconds a request waits for a free pooled database connection before its 503.
    DATABASE_POOL_TIMEOUT: Timeout = 5.0
    REDIS_CONNECT_TIMEOUT: Timeout = 1.0
    REDIS_SOCKET_TIMEOUT: Timeout = 1.0

    # Rate limits per client address, in Flask-Limiter's notation (several
{%- if cookiecutter.use_api %}
    # separated by ";"). Failed logins, from the form and the API alike, share
    # one count; every registration attempt counts.
{%- else %}
    # separated by ";"). Failed logins share one count; every registration
    # attempt counts.
{%- endif %}
    LOGIN_FAILURE_RATE_LIMIT: RateLimit = Field("15 per minute", examples=["10 per minute"])
    REGISTRATION_RATE_LIMIT: RateLimit = Field("100 per hour", examples=["100 per hour"])
    # Password reset and confirmation mails, per client address and per
    # address mailed to; unknown addresses count like known ones, so a 429
    # says nothing about which have accounts.
    PASSWORD_RESET_RATE_LIMIT: RateLimit = Field("10 per minute", examples=["10 per minute"])
    PASSWORD_RESET_TARGET_RATE_LIMIT: RateLimit = Field(
        "5 per 15 minutes", examples=["5 per 15 minutes"]
    )
    CONFIRMATION_RATE_LIMIT: RateLimit = Field("10 per minute", examples=["10 per minute"])
    CONFIRMATION_TARGET_RATE_LIMIT: RateLimit = Field(
        "5 per 15 minutes", examples=["5 per 15 minutes"]
    )
    # Where the counts are kept (a limits storage URI); None: in REDIS_URL's
    # Redis, shared by every worker, or in each process's memory without REDIS_URL.
    RATE_LIMIT_STORAGE_URI: str | None = None
    # "text" (readable lines) or "json" (one JSON object per line).
    LOG_FORMAT: Literal["text", "json"] = "text"

    # Accounts and mail (app/auth/emails.py, app/infrastructure/mail.py).
    # The site's address as its visitors reach it: links in mails start with
    # it, never with the Host header a request came with{% if cookiecutter.use_realtime %}; it is also the
    # one Origin a browser may open the live updates socket from{% endif %}.
    PUBLIC_URL: SiteURL
    # Where mail goes: smtp://, smtp+tls:// (STARTTLS), smtps:// (TLS), with
    # [user:password@]host[:port]; console:// writes mails to the log.
    MAIL_URL: MailURL
    # The sender of every mail.
    MAIL_FROM: MailAddress = "noreply@{{ cookiecutter.domain }}"
    # Seconds to wait for the mail server before the job fails (and is retried).
    MAIL_TIMEOUT: Timeout = 10.0
    # Seconds a mailed link works: password reset, email confirmation, email change.
    # (Lax: its plain variable arrives as text, "3600"; FLASK_<KEY> values are JSON.)
    PASSWORD_RESET_MAX_AGE: Annotated[Positive, Field(strict=False)] = 3600
    EMAIL_CONFIRMATION_MAX_AGE: Positive = 7 * 24 * 3600
    EMAIL_CHANGE_MAX_AGE: Positive = 24 * 3600
    # May an account log in before its address is confirmed? (The dashboard says it is not.)
    ALLOW_UNCONFIRMED_LOGIN: bool = True

    # Background jobs (app/infrastructure/jobs.py), run by `flask worker` from
    # REDIS_URL's Redis. Without REDIS_URL, or with JOBS_RUN_AT_ONCE, each job
    # runs at once in the process that queues it.
    JOBS_RUN_AT_ONCE: bool = False
    JOB_QUEUE: Annotated[str, Field(min_length=1)] = "default"
    # Seconds a job may run before it is stopped (and retried).
    JOB_TIMEOUT: Positive = 30
    # Seconds to wait before each retry of a failed job; after the last one it is kept as failed.
    JOB_RETRY_INTERVALS: RetryIntervals = Field(
        default_factory=lambda: [10, 30, 60, 120, 240, 480], examples=[[10, 30, 60]]
    )
    # Seconds a finished job's record is kept, and a failed job's (`flask jobs` counts them).
    JOB_RESULT_TTL: Positive = 600
    JOB_FAILURE_TTL: Positive = 7 * 24 * 3600
    # `flask worker`: seconds between heartbeats of a running job, between
    # clean-ups (which retry the jobs of a worker that died), and before a
    # silent worker counts as dead.
    WORKER_JOB_MONITORING_INTERVAL: Positive = 10
    WORKER_MAINTENANCE_INTERVAL: Positive = 60
    WORKER_TTL: Positive = 60

    # Number of reverse proxies whose X-Forwarded-For and -Proto are believed,
    # and only from a peer in FORWARDED_ALLOW_IPS (app/web/proxy.py).
    TRUSTED_PROXY_HOPS: NotNegative = 0
    # The proxies' addresses or networks (comma-separated, or "*"), as gunicorn reads it.
    FORWARDED_ALLOW_IPS: AllowList = DEFAULT_FORWARDED_ALLOW_IPS
    # Strict-Transport-Security max-age for HTTPS responses; 0 sends none.
    HSTS_SECONDS: NotNegative = 0
    # Add includeSubDomains only once every subdomain is served over HTTPS.
    HSTS_INCLUDE_SUBDOMAINS: bool = False
{%- if cookiecutter.use_realtime %}

    # Live updates (the WebSocket at /ws, app/realtime/).
    # Seconds between pings: keeps proxies from closing idle sockets, finds dead clients.
    REALTIME_PING_SECONDS: Positive = 25
    # Largest frame a client may send, in bytes; a bigger one closes its socket (1009).
    REALTIME_MAX_MESSAGE_BYTES: Positive = 4096
    # Open sockets one user may have at once, across every instance; the next gets 429.
    REALTIME_MAX_SOCKETS_PER_USER: Annotated[int, Field(ge=10)] = 20
    # Open sockets from one client address (an IPv6 /64), whatever the accounts, across
    # every instance: a few accounts cannot take every socket. The next gets 429.
    REALTIME_MAX_SOCKETS_PER_ADDRESS: Annotated[int, Field(ge=10)] = 112
    # Sockets one process holds; each takes a gunicorn thread, so leave 16 for pages.
    REALTIME_MAX_SOCKETS_PER_PROCESS: Positive = 112
    # Seconds between checks that each socket's session or token is still valid.
    REALTIME_SESSION_CHECK_SECONDS: Timeout = 2.0
    # Prefix of the Redis channels and keys; pub/sub ignores the database number.
    REALTIME_KEY_PREFIX: str = "realtime:"
{%- endif %}

    @field_validator("PASSWORD_MAX_LENGTH")
    @classmethod
    def max_is_at_least_min(cls, maximum: int, info: ValidationInfo) -> int:
        """Refuse bounds no password could meet (a bad minimum is reported on its own)."""
        minimum = info.data.get("PASSWORD_MIN_LENGTH")
        if minimum is not None and maximum < minimum:
            raise ValueError("must be at least PASSWORD_MIN_LENGTH")
        return maximum

    @classmethod
    def defaults(cls) -> dict[str, Any]:
        """Each setting this class gives a default, with that default."""
        return {
            name: field.get_default(call_default_factory=True)
            for name, field in cls.model_fields.items()
            if not field.is_required()
        }

    @classmethod
    def from_environment(cls, environ: Mapping[str, str]) -> dict[str, str]:
        """The plain variables this environment reads; an empty one counts as unset."""
        return {
            key: environ[variable]
            for key, variable in cls.ENVIRONMENT_VARIABLES.items()
            if environ.get(variable)
        }


class DevelopmentConfig(BaseConfig):
    """Local work: fixed secret, SQLite in instance/, Redis only if given.

    Debug mode (Werkzeug's debugger, errors re-raised) is asked for with
    ``flask run --debug`` or ``FLASK_DEBUG=1``, not implied.
    """

    SECRET_KEY: str = "dev-only-secret-key-never-use-in-production"  # noqa: S105  (known, by design)
    DATABASE_URL: DatabaseURL = "sqlite:///development.db"
    # `flask run`'s address; mails (written to the log) link here.
    PUBLIC_URL: SiteURL = "http://127.0.0.1:5000"
    MAIL_URL: MailURL = "console://"


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
    # About the cheapest scrypt OpenSSL accepts (128 KiB, a millisecond): the tests
    # hash thousands of passwords.
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


CONFIGS: dict[str, type[BaseConfig]] = {
    "development": DevelopmentConfig,
    "testing": TestingConfig,
    "production": ProductionConfig,
}


def read_environment(config_name: str | None) -> Mapping[str, str]:
    """Return the process environment, with .env loaded into it outside testing.

    .env fills in only variables that are not set already, exactly as the
    ``flask`` command does, so gunicorn sees the same settings (``FLASK_*``
    overrides included). The test suite never reads it, so a developer's
    local file cannot change test results.
    """
    if config_name != "testing":
        load_dotenv(DOTENV_PATH, override=False)
    return os.environ


def describe(error: ErrorDetails, fields: Mapping[str, FieldInfo]) -> str:
    """One short sentence for a pydantic error: it names the setting, never the value."""
    key, kind, context = str(error["loc"][0]), error["type"], error.get("ctx", {})
    if kind == "missing":
        return f"{key} is not set (give it in the environment or in .env)"
    if kind in TYPE_NAMES:
        such_as = f" such as {examples[0]!r}" if (examples := fields[key].examples) else ""
        return f"{key} must be {TYPE_NAMES[kind]}{such_as}"
    if kind == "value_error":
        return f"{key} {context['error']}"
    if kind == "literal_error":
        return f"{key} must be one of {', '.join(get_args(fields[key].annotation))}"
    if kind == "greater_than":
        bound = context["gt"]
        return f"{key} must be " + ("a positive number" if bound == 0 else f"more than {bound}")
    if kind == "greater_than_equal":
        return f"{key} must be {context['ge']} or more"
    if kind in ("too_short", "string_too_short"):
        return f"{key} must not be empty"
    return f"{key}: {error['msg']}"


def problems(error: ValidationError, fields: Mapping[str, FieldInfo]) -> list[str]:
    """One sentence per wrong setting: the missing ones, then wrong types, then bad values."""
    first_errors: dict[Any, ErrorDetails] = {}
    for detail in error.errors(include_url=False, include_input=False):
        first_errors.setdefault(detail["loc"][0], detail)

    def rank(detail: ErrorDetails) -> int:
        return 0 if detail["type"] == "missing" else 1 if detail["type"] in TYPE_NAMES else 2

    return [describe(detail, fields) for detail in sorted(first_errors.values(), key=rank)]


def normalize_database_url(url: str) -> str:
    """Accept Heroku-style ``postgres://`` and default PostgreSQL to psycopg 3."""
    for prefix in ("postgres://", "postgresql://"):
        if url.startswith(prefix):
            return "postgresql+psycopg://" + url[len(prefix) :]
    return url


def engine_options(url: str, connect_timeout: int, pool_timeout: float) -> dict[str, Any]:
    """SQLAlchemy engine options: fail fast, keep values out of logs.

    ``hide_parameters`` keeps statement parameters (emails, password hashes)
    out of error messages, and so out of the logs. Connections the server
    closed are replaced at checkout without a ping (``app/infrastructure/database.py``).
    A request finding every pooled connection busy waits ``pool_timeout``
    seconds, then gets a 503, rather than hanging with its thread.
    """
    if make_url(url).get_backend_name() == "postgresql":
        return {
            "hide_parameters": True,
            "pool_timeout": pool_timeout,
            "connect_args": {"connect_timeout": connect_timeout},
        }
    return {"hide_parameters": True}


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

    merged = Config(PROJECT_ROOT, config_class.defaults())
    merged.update(config_class.from_environment(environ))
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
