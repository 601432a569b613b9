"""The site's own pages."""

from flask import redirect, render_template, url_for
from werkzeug.wrappers import Response

from app.auth.guard import public
from app.main import bp
from app.main.dashboard import render_dashboard


@bp.get("/")
@public
def index() -> str:
    """The home page, open to everyone."""
    return render_template("main/index.html")


@bp.get("/favicon.ico")
@public
def favicon() -> Response:
    """The icon, for browsers asking the old address on answers without a ``<link rel=icon>``.

    Every page links ``static/favicon.svg``; a JSON answer opened in a tab has
    no such link, and Chromium then asks for ``/favicon.ico``: without this, a
    404 in its console.
    """
    return redirect(url_for("static", filename="favicon.svg"), code=301)


@bp.get("/dashboard")
def dashboard() -> str:
    """The signed-in user's own page: their account, then the other parts' panels."""
    return render_dashboard()
