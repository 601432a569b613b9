"""Log lines: readable text in development, one JSON object per line in production.

Every line carries the request id. Each request adds one line of its own
(method, path, status, duration, request id, user id) and each error its
traceback. Nothing secret is written: the query string is left out of the
path (it may carry a token), so are the path's secret parts (a mailed
link's token: ``app/web/secret_urls.py``), SQLAlchemy is told to hide statement
parameters (``hide_parameters`` in config.py) and database errors lose the
row values the database quotes (``app/infrastructure/sql_errors.py``), and every line goes through
``redact`` on its way out, which masks passwords, tokens, cookies,
``Authorization`` values and the app's ``SECRET_KEY`` wherever they appear.

JSON is written with the standard library rather than a logging package:
the format is a dozen lines and one dependency fewer to keep up to date.
"""

import json
import logging
import re
import time
from collections.abc import Iterable, Sequence
from datetime import UTC, datetime

from flask import Flask, g, request
from flask.logging import default_handler
from sqlalchemy import inspect
from werkzeug.wrappers import Response

from app.web.request_id import STARTED_KEY, RequestIdFilter
from app.web.secret_urls import logged_path

REQUEST_LOGGER = "app.requests"
TEXT_FORMAT = "%(asctime)s %(levelname)s [%(request_id)s] %(name)s: %(message)s"
# Fields a request line adds to its record, in the order they are written.
REQUEST_FIELDS = ("method", "path", "status", "duration_ms", "user_id")
REDACTED = "[REDACTED]"
# name=value, name: value, "name": "value" for names that hold secrets.
SECRET_ASSIGNMENT = re.compile(
    r"""(?ix)
    (?P<name>[\w-]*(?:password|passwd|secret|token|api[_-]?key|authorization|cookie|csrf)[\w-]*)
    (?P<separator>["']?\s*[:=]\s*)
    (?P<value>(?:bearer\s+|basic\s+)?(?:"[^"]*"|'[^']*'|[^\s"'&,;]+))
    """
)
BEARER = re.compile(r"(?i)\b(bearer|basic)\s+[A-Za-z0-9._~+/=-]+")
# Never written in full: long enough to be unique, short enough to follow a log.
MIN_SECRET_LENGTH = 8


def redact(text: str, secrets: Iterable[str | None] = ()) -> str:
    """``text`` with secret values replaced by ``[REDACTED]``."""
    for secret in secrets:
        if secret and len(secret) >= MIN_SECRET_LENGTH:
            text = text.replace(secret, REDACTED)
    text = SECRET_ASSIGNMENT.sub(mask_value, text)
    return BEARER.sub(lambda m: f"{m[1]} {REDACTED}", text)


def mask_value(match: re.Match[str]) -> str:
    """``name: value`` with the value masked, keeping its quotes (a whole quoted value goes)."""
    value = match["value"]
    quote = value[0] if value[0] in "\"'" else ""
    return f"{match['name']}{match['separator']}{quote}{REDACTED}{quote}"


class RedactingTextFormatter(logging.Formatter):
    """The development format (request id included), with secrets masked."""

    def __init__(self, secrets: Sequence[str | None]) -> None:
        super().__init__(TEXT_FORMAT)
        self.secrets = secrets

    def format(self, record: logging.LogRecord) -> str:
        return redact(super().format(record), self.secrets)


class JsonFormatter(logging.Formatter):
    """One JSON object per line: time, level, logger, request id, message, traceback."""

    def __init__(self, secrets: Sequence[str | None]) -> None:
        super().__init__()
        self.secrets = secrets

    def format(self, record: logging.LogRecord) -> str:
        entry = {
            "time": datetime.fromtimestamp(record.created, UTC).isoformat(timespec="milliseconds"),
            "level": record.levelname,
            "logger": record.name,
            "request_id": getattr(record, "request_id", "-"),
            "message": redact(record.getMessage(), self.secrets),
        }
        entry.update(
            {name: getattr(record, name) for name in REQUEST_FIELDS if hasattr(record, name)}
        )
        if record.exc_info:
            entry["traceback"] = redact(self.formatException(record.exc_info), self.secrets)
        # Redacted field by field, before serialising: redacting the JSON text
        # could cut through its quoting and leave an invalid line.
        return json.dumps(entry, default=str)


def current_user_id() -> int | None:
    """The logged-in user's id, read without a database query (None when anonymous)."""
    user = g.get("user")
    if user is None:
        return None
    identity = inspect(user).identity  # a row's id, even once a rollback has expired its attributes
    return identity[0] if identity else None


def log_request(response: Response) -> Response:
    """Write the request's own line once its response is ready."""
    duration_ms = round((time.perf_counter() - request.environ[STARTED_KEY]) * 1000, 1)
    fields = {
        "method": request.method,
        "path": logged_path(),
        "status": response.status_code,
        "duration_ms": duration_ms,
        "user_id": current_user_id(),
    }
    logging.getLogger(REQUEST_LOGGER).info(
        "%s %s %s %.1fms user=%s",
        request.method,
        fields["path"],
        response.status_code,
        duration_ms,
        fields["user_id"] or "-",
        extra=fields,
    )
    return response


def init_app(app: Flask) -> None:
    """Pick the format (``LOG_FORMAT``), tag lines with the request id, log each request."""
    if not any(isinstance(f, RequestIdFilter) for f in default_handler.filters):
        default_handler.addFilter(RequestIdFilter())
    secrets = (app.config["SECRET_KEY"],)
    formatter_class = (
        JsonFormatter if app.config["LOG_FORMAT"] == "json" else RedactingTextFormatter
    )
    default_handler.setFormatter(formatter_class(secrets))
    app.logger.setLevel(logging.DEBUG if app.debug else logging.INFO)
    app.after_request(log_request)
