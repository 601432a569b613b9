"""The site's own pages."""

from flask import g, render_template

from app.auth.guard import public
from app.main import bp
from app.main.dashboard import panels


@bp.get("/")
@public
def index() -> str:
    """The home page, open to everyone."""
    return render_template("main/index.html")


@bp.get("/dashboard")
def dashboard() -> str:
    """The signed-in user's own page: their account, then the other parts' panels."""
    return render_dashboard()


def render_dashboard() -> str:
    """The dashboard page; a part's view may show it again (a form with its errors)."""
    return render_template("main/dashboard.html", user=g.user, panels=panels())
