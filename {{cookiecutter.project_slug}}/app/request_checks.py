"""Checks that turn a malformed request into a 400 before any view reads it.

Browsers percent-encode URLs, but a hand-made request can carry raw bytes
that are not UTF-8 in its query string; Werkzeug then fails while parsing
``request.args``, deep inside whichever view looked first.
"""

from flask import abort, request


def reject_undecodable_query_string():
    """400 for a query string that is not valid UTF-8."""
    try:
        request.query_string.decode("utf-8")
    except UnicodeDecodeError:
        abort(400, "The query string is not valid UTF-8.")


def init_app(app):
    """Run the checks before every other request hook."""
    app.before_request(reject_undecodable_query_string)
