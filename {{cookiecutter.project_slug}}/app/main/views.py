"""The site's own pages."""

from flask import g, render_template, request

from app.guard import public
from app.main import bp
from app.notes.forms import NoteForm
from app.notes.service import notes_page

DASHBOARD_NOTES_PER_PAGE = 10


@bp.get("/")
@public
def index():
    """The home page, open to everyone."""
    return render_template("main/index.html")


@bp.get("/dashboard")
def dashboard():
    """The signed-in user's own page: their account and their notes."""
    return render_dashboard(note_form=NoteForm())


def render_dashboard(note_form):
    """The dashboard with ``note_form`` (empty, or holding its errors) and a page of notes."""
    page = max(1, request.args.get("page", 1, type=int))
    notes = notes_page(g.user, page, DASHBOARD_NOTES_PER_PAGE)
    return render_template("main/dashboard.html", user=g.user, notes=notes, note_form=note_form)
