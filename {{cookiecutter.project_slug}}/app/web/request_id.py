"""Request ids: one per request, echoed to the client and written in every log line.

The id is made in a WSGI wrapper around the app rather than in a Flask hook,
so that even a response produced when a request fails before any hook runs
(a session store outage, say) carries it.
"""

import logging
import re
import time
import uuid
from collections.abc import Callable, Iterable
from typing import TYPE_CHECKING
from wsgiref.types import StartResponse, WSGIApplication, WSGIEnvironment

from flask import Flask, has_request_context, request

if TYPE_CHECKING:
    from _typeshed import OptExcInfo

HEADER = "X-Request-ID"
ENVIRON_KEY = "app.web.request_id"
# When the request arrived, for the duration in its log line (app/web/logs.py).
STARTED_KEY = "app.started"
# Echo a client's id only when it is short and plain, so it cannot forge log lines.
ACCEPTABLE_ID = re.compile(r"[A-Za-z0-9._:@+=/-]{1,128}")


class RequestIdMiddleware:
    """Give every request an id (the client's, when acceptable) and echo it."""

    def __init__(self, wsgi_app: WSGIApplication) -> None:
        self.wsgi_app = wsgi_app

    def __call__(self, environ: WSGIEnvironment, start_response: StartResponse) -> Iterable[bytes]:
        environ[STARTED_KEY] = time.perf_counter()
        incoming = environ.get("HTTP_X_REQUEST_ID", "")
        request_id = incoming if ACCEPTABLE_ID.fullmatch(incoming) else uuid.uuid4().hex
        environ[ENVIRON_KEY] = request_id

        def start_response_with_id(
            status: str, headers: list[tuple[str, str]], exc_info: "OptExcInfo | None" = None
        ) -> Callable[[bytes], object]:
            headers = [(name, value) for name, value in headers if name.lower() != HEADER.lower()]
            headers.append((HEADER, request_id))
            return start_response(status, headers, exc_info)

        return self.wsgi_app(environ, start_response_with_id)


def current_request_id() -> str | None:
    """The id of the request being handled, or None outside a request."""
    if not has_request_context():
        return None
    return request.environ.get(ENVIRON_KEY)


class RequestIdFilter(logging.Filter):
    """Adds ``request_id`` to every record so formatters can print it."""

    def filter(self, record: logging.LogRecord) -> bool:
        record.request_id = current_request_id() or "-"
        return True


def init_app(app: Flask) -> None:
    """Wrap the WSGI app so every response carries ``X-Request-ID``."""
    # Flask's documented way to add WSGI middleware: replace the method on the instance.
    app.wsgi_app = RequestIdMiddleware(app.wsgi_app)  # type: ignore[method-assign]
