"""The HTML side of notes: add one from the dashboard, delete one from its list."""

from flask import flash, g, redirect, url_for

from app.main.views import render_dashboard
from app.notes import bp
from app.notes.forms import NoteForm
from app.notes.service import create_note, delete_note, get_owned_note


@bp.post("/notes")
def add():
    """Save the dashboard's note form, or show the dashboard again with its errors."""
    form = NoteForm()
    if not form.validate_on_submit():
        return render_dashboard(note_form=form)
    create_note(g.user, form.title.data, form.body.data or "")
    flash("Note added.", "success")
    return redirect(url_for("main.dashboard"))


@bp.post("/notes/<id:note_id>/delete")
def delete(note_id):
    """Delete one of the user's notes (404 for anyone else's)."""
    delete_note(get_owned_note(g.user, note_id))
    flash("Note deleted.", "success")
    return redirect(url_for("main.dashboard"))
