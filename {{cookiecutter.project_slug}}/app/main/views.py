"""The site's own pages."""

from flask import g, render_template

from app.guard import public
from app.main import bp


@bp.get("/")
@public
def index():
    """The home page, open to everyone."""
    return render_template("main/index.html")


@bp.get("/dashboard")
def dashboard():
    """The signed-in user's own page."""
    return render_template("main/dashboard.html", user=g.user)
