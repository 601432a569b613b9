"""Decide whether a request is answered in JSON or in HTML.

A part of the app that only speaks JSON (a JSON API) claims its URL prefix
with ``answer_json_under``; every request under it, unknown paths included,
gets JSON errors. Elsewhere the client's ``Accept`` header decides.
"""

from flask import current_app, request
from flask.sansio.app import App

JSON_TYPES = ("application/json", "application/problem+json")
PREFIXES_KEY = "json_path_prefixes"


def answer_json_under(app: App, prefix: str) -> None:
    """Answer every request under the URL ``prefix`` in JSON."""
    app.extensions.setdefault(PREFIXES_KEY, set()).add(prefix.rstrip("/"))


def is_under(path: str, prefix: str) -> bool:
    """True when ``path`` is ``prefix`` itself or a path inside it."""
    return path == prefix or path.startswith(prefix + "/")


def wants_json() -> bool:
    """True under a JSON-only prefix, and for any client that prefers JSON to HTML."""
    path = request.path
    if any(is_under(path, prefix) for prefix in current_app.extensions.get(PREFIXES_KEY, ())):
        return True
    return request.accept_mimetypes.best_match(("text/html", *JSON_TYPES)) in JSON_TYPES
