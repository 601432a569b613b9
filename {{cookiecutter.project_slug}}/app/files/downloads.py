"""Handing a stored file to its owner so that no browser renders it on the app's origin.

Every download is an attachment (``Content-Disposition``, with the cleaned
name), typed from its content only when the type is harmless (``sniffing.py``),
with ``nosniff`` and a sandboxing ``Content-Security-Policy``: an HTML file
uploaded as "photo.png" is saved, never shown, and could run no script if it
were.

The bytes stream through the app by default: it works whatever the network
between browsers and storage, and keeps these headers in the app's hands.
With S3 and ``STORAGE_REDIRECT_DOWNLOADS``, the answer is instead a redirect to
a presigned URL that expires within ``STORAGE_URL_EXPIRES`` seconds and
carries the same disposition and type, which spares the app's threads.
"""

from flask import abort, current_app, redirect, request
from werkzeug.wrappers import Response
from werkzeug.wsgi import wrap_file

from app.files.models import StoredFile
from app.infrastructure.storage import attachment_disposition, storage

# No script, no plugin, no same-origin access, even if a browser tried to render it.
DOWNLOAD_POLICY = "sandbox; default-src 'none'; frame-ancestors 'none'"


def download_response(stored: StoredFile) -> Response:
    """The response that serves ``stored``: its bytes, or a redirect to storage."""
    try:
        download = storage().open(stored.key, stored.filename, stored.content_type)
    except KeyError:
        current_app.logger.error("Stored file %s has a row but no bytes in storage", stored.id)
        abort(404, "This file is missing from storage.")
    if download.redirect_url is not None:
        response = redirect(download.redirect_url, 302)
    else:
        assert download.stream is not None  # a backend gives one or the other
        response = current_app.response_class(
            wrap_file(request.environ, download.stream),
            mimetype=stored.content_type,
            direct_passthrough=True,
        )
        response.content_length = stored.size
        response.headers["Content-Disposition"] = attachment_disposition(stored.filename)
        response.headers["Content-Security-Policy"] = DOWNLOAD_POLICY
    response.headers["Cache-Control"] = "private, no-store"
    return response
