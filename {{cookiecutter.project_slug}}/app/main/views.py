"""The site's own pages."""

from flask import render_template

from app.auth.guard import public
from app.main import bp
from app.main.dashboard import render_dashboard


@bp.get("/")
@public
def index() -> str:
    """The home page, open to everyone."""
    return render_template("main/index.html")


@bp.get("/dashboard")
def dashboard() -> str:
    """The signed-in user's own page: their account, then the other parts' panels."""
    return render_dashboard()
