"""Decide whether a request is answered in JSON or in HTML."""

from flask import request

JSON_TYPES = ("application/json", "application/problem+json")


def wants_json() -> bool:
    """True for the API, and for any client that prefers JSON to HTML."""
    if request.path == "/api" or request.path.startswith("/api/"):
        return True
    return request.accept_mimetypes.best_match(("text/html", *JSON_TYPES)) in JSON_TYPES
