"""Error responses: an HTML page in the site's layout, or RFC 9457 problem details.

Every ``HTTPException`` goes through one handler and every unexpected
exception through another, so no error can reach a user as a bare
traceback. A database or Redis outage is answered 503 rather than 500: the
request was fine, a service was not.
"""

from collections.abc import Callable, Mapping
from http import HTTPStatus
from typing import Any, TypeAlias

from flask import Flask, Response, current_app, g, jsonify, render_template
from markupsafe import escape
from sqlalchemy.exc import SQLAlchemyError
from werkzeug.exceptions import HTTPException, InternalServerError

from app.extensions import db
from app.infrastructure import SERVICE_OUTAGES
from app.web.negotiation import wants_json

OUTAGE_RETRY_AFTER_SECONDS = 5
# Headers an HTTPException brings that describe its own default body.
BODY_HEADERS = {"content-type", "content-length"}

# What an error handler answers: problem details, or the HTML page as (body, status, headers).
ErrorResponse: TypeAlias = Response | tuple[str, int, Mapping[str, str]]


def problem_response(
    status: int, detail: str | None, headers: Mapping[str, str] | None = None, **extra: Any
) -> Response:
    """An ``application/problem+json`` response (RFC 9457) for ``status``."""
    body = {
        "type": "about:blank",
        "title": HTTPStatus(status).phrase,
        "status": status,
        "detail": detail,
        **extra,
    }
    response = jsonify(body)
    response.status_code = status
    response.content_type = "application/problem+json"
    response.headers.extend(headers or {})
    return response


def error_page(
    status: int, detail: str | None, headers: Mapping[str, str] | None = None
) -> tuple[str, int, Mapping[str, str]]:
    """The HTML error page, falling back to plain markup if the layout itself fails."""
    title = HTTPStatus(status).phrase
    try:
        body = render_template("errors/error.html", status=status, title=title, detail=detail)
    except Exception:  # the layout may need what just failed (a template, the session)
        current_app.logger.exception("Could not render the error page")
        body = (
            f"<!doctype html><title>{status} {title}</title><h1>{title}</h1><p>{escape(detail)}</p>"
        )
    return body, status, headers or {}


def error_response(
    status: int, detail: str | None, headers: Mapping[str, str] | None = None, **extra: Any
) -> ErrorResponse:
    """Answer ``status`` in the form this request expects.

    ``extra`` members (a 422's ``errors``) go into problem details only.
    """
    if wants_json():
        return problem_response(status, detail, headers, **extra)
    return error_page(status, detail, headers)


def handle_http_exception(error: HTTPException) -> ErrorResponse:
    """404, 405, 400 (CSRF), 413 and friends, keeping their headers (Allow, ...)."""
    if isinstance(error, InternalServerError) and error.original_exception is not None:
        return handle_unexpected_error(error.original_exception)
    headers = {
        name: value for name, value in error.get_headers() if name.lower() not in BODY_HEADERS
    }
    assert error.code is not None  # Flask hands exceptions without a code back unhandled
    return error_response(
        error.code, error.description, headers, **getattr(error, "problem_extras", {})
    )


def handle_unexpected_error(error: BaseException) -> ErrorResponse:
    """Roll back, log with the request id, and answer 503 for outages, else 500."""
    rollback_quietly()
    if isinstance(error, SERVICE_OUTAGES):
        current_app.logger.error("Service unavailable: %s: %s", type(error).__name__, error)
        render_as_anonymous()
        return error_response(
            503,
            "A service this page depends on is unavailable. Please try again shortly.",
            {"Retry-After": str(OUTAGE_RETRY_AFTER_SECONDS)},
        )
    current_app.logger.error("Unhandled exception", exc_info=error)
    return error_response(500, "Something went wrong on our side. The error has been logged.")


def render_as_anonymous() -> None:
    """Show the outage page as to a visitor, so rendering it needs no database or Redis.

    The layout reads ``g.user``, whose attributes a rollback has expired:
    reading them could wait on the service that just failed a second time.
    (Templates never use Flask-Login's ``current_user``, which would load
    the user again; ``app/auth/login_manager.py`` leaves it out of their
    context.)
    """
    g.user = None


def rollback_quietly() -> None:
    """Undo the failed request's writes; a dead connection must not hide the first error."""
    try:
        db.session.rollback()
    except SQLAlchemyError:
        current_app.logger.warning("Rollback failed after an error", exc_info=True)


def reraise_in_debug(
    handler: Callable[[BaseException], ErrorResponse],
) -> Callable[[BaseException], ErrorResponse]:
    """In debug mode let unexpected errors reach Werkzeug's interactive debugger."""

    def handle(error: BaseException) -> ErrorResponse:
        if current_app.debug:
            raise error
        return handler(error)

    return handle


def init_app(app: Flask) -> None:
    """Register the two handlers: one for HTTP errors, one for everything else."""
    app.register_error_handler(HTTPException, handle_http_exception)
    app.register_error_handler(Exception, reraise_in_debug(handle_unexpected_error))
