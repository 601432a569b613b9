"""The HTML side of notes: the dashboard's panel, adding a note, editing one, deleting one.

Deleting asks first: the dashboard's Delete is a link to a page whose form
POSTs to ``delete``, so the confirmation needs no JavaScript (the CSP allows none inline).
"""

import functools
from typing import Any

from flask import flash, g, redirect, render_template, request, url_for
from markupsafe import Markup
from werkzeug.wrappers import Response

from app.main.dashboard import render_dashboard
from app.notes import bp
from app.notes.forms import EditNoteForm, NoteForm
from app.notes.service import (
    create_note,
    delete_note,
    get_owned_note,
    notes_page,
    update_note,
)

DASHBOARD_NOTES_PER_PAGE = 10
# Where ``add`` leaves the form it could not accept, for the panel to show with its errors.
SUBMITTED_FORM_KEY = "note_form"
# Templates shown under each note, with ``note`` in their context{% if cookiecutter.use_uploads %}: its attachments{% endif %}.
NOTE_EXTRAS: tuple[str, ...] = ({% if cookiecutter.use_uploads %}"notes/attachments.html",{% endif %})


def dashboard_panel() -> dict[str, Any]:
    """The panel's variables: a page of the user's notes (``?page=``) and the note form's
    fields (those of a form just refused, with its values and errors, else an empty one's)."""
    page = max(1, request.args.get("page", 1, type=int))
    submitted = g.pop(SUBMITTED_FORM_KEY, None)
    return {
        "notes": notes_page(g.user, page, DASHBOARD_NOTES_PER_PAGE),
        "form_fields": note_form_fields(submitted) if submitted else empty_note_form_fields(),
        "note_extras": NOTE_EXTRAS,
    }


def note_form_fields(form: NoteForm) -> Markup:
    """The fields of ``form`` as HTML; the panel adds the CSRF token.

    Jinja escaped every value while rendering, so the result is HTML already.
    """
    html = render_template("notes/form_fields.html", form=form)
    return Markup(html)  # noqa: S704  (an autoescaped template's output)  # nosec B704


@functools.cache
def empty_note_form_fields() -> Markup:
    """An empty note form's fields, rendered once per process: they never change, and
    rendering WTForms' widgets was the costliest step of a dashboard view."""
    return note_form_fields(NoteForm(formdata=None, meta={"csrf": False}))


@bp.post("/notes")
def add() -> Response | str:
    """Save the dashboard's note form, or show the dashboard again with its errors."""
    form = NoteForm()
    if not form.validate_on_submit():
        setattr(g, SUBMITTED_FORM_KEY, form)
        return render_dashboard()
    create_note(g.user, form.title.data or "", form.body.data or "")
    flash("Note added.", "success")
    return redirect(url_for("main.dashboard"))


@bp.route("/notes/<id:note_id>/edit", methods=["GET", "POST"])
def edit(note_id: int) -> Response | tuple[str, int] | str:
    """The note's form, filled in. Saving goes through ``update_note``, like every change to
    a note, so what listens to its signals hears of it. Invalid input: the form again with
    its errors (422)."""
    note = get_owned_note(g.user, note_id)
    form = EditNoteForm(obj=note)
    if form.validate_on_submit():
        update_note(note, {"title": form.title.data or "", "body": form.body.data or ""})
        flash("Note saved.", "success")
        return redirect(url_for("main.dashboard"))
    page = render_template("notes/edit.html", note=note, form=form)
    return (page, 422) if form.is_submitted() else page


@bp.route("/notes/<id:note_id>/delete", methods=["GET", "POST"])
def delete(note_id: int) -> Response | str:
    """GET asks first (its page's form POSTs here); POST deletes one of the user's notes.
    Anyone else's: 404. (One rule for both, so a bad id is a 404 whatever the method.)"""
    note = get_owned_note(g.user, note_id)
    if request.method == "GET":
        return render_template("notes/delete.html", note=note)
    delete_note(note)
    flash("Note deleted.", "success")
    return redirect(url_for("main.dashboard"))
