"""Checks that turn a malformed or oversized request into a 4xx before any view reads it.

Browsers percent-encode URLs, but a hand-made request can carry raw bytes
that are not UTF-8 in its query string; Werkzeug then fails while parsing
``request.args``, deep inside whichever view looked first.

A body sent with ``Transfer-Encoding: chunked`` has no ``Content-Length``
for Werkzeug to compare with ``MAX_CONTENT_LENGTH``: it would silently cut
the body at the limit and parse what is left. ``ChunkedBodyLimit`` reads
such a body first (never more than the limit plus one byte), so an
oversized one is answered 413 like any other.

A view that takes larger bodies (an upload) says so with ``@body_limit``,
naming the setting that bounds it: the check then uses that limit instead
of ``MAX_CONTENT_LENGTH``, before any hook (CSRF protection) reads the body.
"""

import io
import shutil
import tempfile
from collections.abc import Callable, Iterable
from typing import IO, Any, TypeVar
from wsgiref.types import StartResponse, WSGIApplication, WSGIEnvironment

from flask import Flask, abort, current_app, request
from werkzeug.wsgi import ClosingIterator

TOO_LARGE_KEY = "app.body_too_large"
# The size of a chunked body ChunkedBodyLimit read (Werkzeug gives such a body no length).
CHUNKED_SIZE_KEY = "app.chunked_body_size"
# The view attribute naming the setting that bounds its request bodies.
BODY_LIMIT_ATTRIBUTE = "body_limit_setting"
# Room for a multipart body's boundaries and part headers around a file of the limit's size.
MULTIPART_OVERHEAD = 64 * 1024
# A buffered chunked body stays in memory up to this size, else goes to a temporary file.
SPOOL_MEMORY_BYTES = 1024 * 1024
COPY_CHUNK_BYTES = 64 * 1024

View = TypeVar("View", bound=Callable[..., Any])


def body_limit(setting: str) -> Callable[[View], View]:
    """Let a view accept bodies up to ``app.config[setting]`` (plus multipart overhead)."""

    def mark(view: View) -> View:
        setattr(view, BODY_LIMIT_ATTRIBUTE, setting)
        return view

    return mark


def view_body_limit(app: Flask, view: Callable[..., Any] | None) -> int | None:
    """The body limit of ``view``: its own setting's, else ``MAX_CONTENT_LENGTH``."""
    setting = getattr(view, BODY_LIMIT_ATTRIBUTE, None)
    if setting is None:
        limit: int | None = app.config["MAX_CONTENT_LENGTH"]
        return limit
    return int(app.config[setting]) + MULTIPART_OVERHEAD


def largest_body_limit(app: Flask) -> int | None:
    """The largest body any view accepts (None: no limit)."""
    limits = [view_body_limit(app, view) for view in app.view_functions.values()]
    limits.append(app.config["MAX_CONTENT_LENGTH"])
    return None if None in limits else max(limit for limit in limits if limit is not None)


class ChunkedBodyLimit:
    """WSGI middleware: buffer a chunked body up to the largest limit, or flag it.

    Routing has not happened yet, so the largest limit of any view applies
    here; ``reject_oversized_body`` then holds the body to its own view's.
    """

    def __init__(self, wsgi_app: WSGIApplication, app: Flask) -> None:
        self.wsgi_app = wsgi_app
        self.app = app

    def __call__(self, environ: WSGIEnvironment, start_response: StartResponse) -> Iterable[bytes]:
        chunked = "chunked" in environ.get("HTTP_TRANSFER_ENCODING", "").lower()
        limit = largest_body_limit(self.app) if chunked else None
        if chunked and limit is not None and not environ.get("CONTENT_LENGTH"):
            body, size = buffer_body(LimitedReader(environ["wsgi.input"], limit + 1))
            if size > limit:
                environ[TOO_LARGE_KEY] = True
                body.close()
                body, size = io.BytesIO(), 0
            environ["wsgi.input"] = body
            environ["CONTENT_LENGTH"] = str(size)
            environ[CHUNKED_SIZE_KEY] = size
            if not isinstance(body, io.BytesIO):
                # Closed (its temporary file removed) once the response has been sent.
                return ClosingIterator(self.wsgi_app(environ, start_response), body.close)
        return self.wsgi_app(environ, start_response)


def buffer_body(reader: "LimitedReader") -> tuple[IO[bytes], int]:
    """The body ``reader`` gives, and its size: in memory up to ``SPOOL_MEMORY_BYTES``,
    beyond that in a temporary file (Werkzeug spools large multipart files the same way)."""
    head = reader.read(SPOOL_MEMORY_BYTES + 1)
    if len(head) <= SPOOL_MEMORY_BYTES:
        return io.BytesIO(head), len(head)
    body = tempfile.TemporaryFile()  # noqa: SIM115  (closed after the response)
    body.write(head)
    shutil.copyfileobj(reader, body, COPY_CHUNK_BYTES)
    size = body.tell()
    body.seek(0)
    return body, size


class LimitedReader:
    """Reads at most ``remaining`` bytes of ``stream``, in chunks."""

    def __init__(self, stream: Any, remaining: int) -> None:
        self.stream = stream
        self.remaining = remaining

    def read(self, size: int = COPY_CHUNK_BYTES) -> bytes:
        """Up to ``size`` bytes; fewer only at the end of the body or of the allowance."""
        chunks = []
        wanted = min(size if size > 0 else COPY_CHUNK_BYTES, self.remaining)
        while wanted > 0:
            chunk: bytes = self.stream.read(wanted)
            if not chunk:
                break
            chunks.append(chunk)
            wanted -= len(chunk)
            self.remaining -= len(chunk)
        return b"".join(chunks)


def reject_oversized_body() -> None:
    """413 for any body over its view's limit, chunked (see ``ChunkedBodyLimit``) or not.

    Werkzeug only refuses a large body when a view reads it; checking here
    answers 413 even where nothing would have read it. The limit is also
    given to Werkzeug for this request, which holds a multipart parse to it.
    """
    view = current_app.view_functions.get(request.endpoint) if request.endpoint else None
    limit = view_body_limit(current_app, view)
    request.max_content_length = limit
    declared = request.environ.get(CHUNKED_SIZE_KEY, request.content_length)
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
    app.wsgi_app = ChunkedBodyLimit(app.wsgi_app, app)  # type: ignore[method-assign]
