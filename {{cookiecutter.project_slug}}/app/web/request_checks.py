"""Checks that turn a malformed or oversized request into a 4xx before any view reads it.

Browsers percent-encode URLs, but a hand-made request can carry raw bytes
that are not UTF-8 in its query string; Werkzeug then fails while parsing
``request.args``, deep inside whichever view looked first.

A body sent with ``Transfer-Encoding: chunked`` has no ``Content-Length``
for Werkzeug to compare with ``MAX_CONTENT_LENGTH``: it would silently cut
the body at the limit and parse what is left. ``ChunkedBodyLimit`` reads
such a body first (never more than the limit plus one byte), so an
oversized one is answered 413 like any other.
"""

import io
from collections.abc import Iterable, Mapping
from typing import Any
from wsgiref.types import StartResponse, WSGIApplication, WSGIEnvironment

from flask import Flask, abort, current_app, request

TOO_LARGE_KEY = "app.body_too_large"


class ChunkedBodyLimit:
    """WSGI middleware: buffer a chunked body up to ``MAX_CONTENT_LENGTH``, or flag it."""

    def __init__(self, wsgi_app: WSGIApplication, config: Mapping[str, Any]) -> None:
        self.wsgi_app = wsgi_app
        self.config = config

    def __call__(self, environ: WSGIEnvironment, start_response: StartResponse) -> Iterable[bytes]:
        limit = self.config.get("MAX_CONTENT_LENGTH")
        chunked = "chunked" in environ.get("HTTP_TRANSFER_ENCODING", "").lower()
        if chunked and limit is not None and not environ.get("CONTENT_LENGTH"):
            body = environ["wsgi.input"].read(limit + 1)
            if len(body) > limit:
                environ[TOO_LARGE_KEY] = True
                body = b""
            environ["wsgi.input"] = io.BytesIO(body)
            environ["CONTENT_LENGTH"] = str(len(body))
        return self.wsgi_app(environ, start_response)


def reject_oversized_body() -> None:
    """413 for any body over ``MAX_CONTENT_LENGTH``, chunked (see ``ChunkedBodyLimit``) or not.

    Werkzeug only refuses a large body when a view reads it; checking here
    answers 413 even where nothing would have read it.
    """
    limit = current_app.config["MAX_CONTENT_LENGTH"]
    declared = request.content_length
    if request.environ.get(TOO_LARGE_KEY) or (
        limit is not None and declared is not None and declared > limit
    ):
        abort(413)


def reject_undecodable_query_string() -> None:
    """400 for a query string that is not valid UTF-8."""
    try:
        request.query_string.decode("utf-8")
    except UnicodeDecodeError:
        abort(400, "The query string is not valid UTF-8.")


def init_app(app: Flask) -> None:
    """Buffer chunked bodies before the app sees them (the checks are request hooks,
    which the factory registers before every other hook: CSRF protection reads the body)."""
    # Flask's documented way to add WSGI middleware: replace the method on the instance.
    app.wsgi_app = ChunkedBodyLimit(app.wsgi_app, app.config)  # type: ignore[method-assign]
