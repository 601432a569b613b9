"""How ``config.py``'s settings are checked and loaded: the types they are declared
with, each with its checks; the one-line problem a wrong value is reported as;
the defaults and plain variables read; the database URL's driver and options.

A failed check names the setting and never quotes the value, which may be a
secret. ``config.py`` declares the settings; the mechanics live here so that
it stays a list of settings a reader can scan.
"""

import ipaddress
from collections.abc import Callable, Mapping
from datetime import timedelta
from email.utils import parseaddr
from typing import Annotated, Any, get_args
from urllib.parse import urlsplit

from limits import parse_many
from pydantic import AfterValidator, BaseModel, BeforeValidator, Field, ValidationError
from pydantic.fields import FieldInfo
from pydantic_core import ErrorDetails
from sqlalchemy.engine import make_url
from sqlalchemy.exc import ArgumentError

SECRET_KEY_PLACEHOLDER = "change-me-to-a-long-random-string"  # noqa: S105  (refused, not used)  # nosec B105
MIN_SECRET_KEY_LENGTH = 32
# The peers whose X-Forwarded-For and -Proto are believed, unless
# FORWARDED_ALLOW_IPS says otherwise: gunicorn.conf.py gives gunicorn the same.
DEFAULT_FORWARDED_ALLOW_IPS = "127.0.0.1"
# A FORWARDED_ALLOW_IPS entry that trusts every peer.
ANY_PEER = "*"
# What a value of the wrong type should have been, by pydantic error type.
TYPE_NAMES = {
    "string_type": "text",
    "int_type": "a whole number",
    "float_type": "a number",
    "bool_type": "true or false",
    "time_delta_type": "a number of seconds",
}


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
{%- if cookiecutter.use_uploads %}


def is_storage_url(url: str) -> bool:
    """``file:///absolute/dir`` or ``s3://bucket[/prefix]``."""
    parts = urlsplit(url)
    if parts.scheme == "file":
        return not parts.netloc and parts.path.startswith("/") and not parts.query
    return parts.scheme == "s3" and bool(parts.netloc) and not parts.query


StorageURL = Annotated[
    str,
    check(is_storage_url, "must be file:///absolute/directory or s3://bucket[/prefix]"),
]
{%- endif %}
RetryIntervals = Annotated[list[Positive], Field(min_length=1)]


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


def defaults_of(model: type[BaseModel]) -> dict[str, Any]:
    """Each setting ``model`` gives a default, with that default."""
    return {
        name: field.get_default(call_default_factory=True)
        for name, field in model.model_fields.items()
        if not field.is_required()
    }


def plain_variables(variables: Mapping[str, str], environ: Mapping[str, str]) -> dict[str, str]:
    """The plain variables read ({setting: variable}); an empty one counts as unset."""
    return {key: environ[variable] for key, variable in variables.items() if environ.get(variable)}


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
