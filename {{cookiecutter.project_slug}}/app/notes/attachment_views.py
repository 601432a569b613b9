"""The dashboard's side of attachments: uploading to a note, downloading, deleting (after
a page that asks first).

Each note on the dashboard shows ``templates/notes/attachments.html``: its
files with download links, and a form (field ``file``) to add one.
"""

from flask import current_app, flash, g, redirect, render_template, request, url_for
from werkzeug.wrappers import Response

from app.files.downloads import download_response
from app.files.service import MissingFile, receive
from app.main.dashboard import render_dashboard
from app.notes import bp
from app.notes.attachments import attach, detach, get_attachment
from app.notes.service import get_owned_note
from app.web.request_checks import body_limit

FILE_FIELD = "file"


@bp.post("/notes/<id:note_id>/attachments")
@body_limit("UPLOAD_MAX_BYTES")
def upload_attachment(note_id: int) -> Response | tuple[str, int]:
    """Attach the form's file to one of the user's notes (404 for anyone else's).

    No file, or an empty one: the dashboard again with the message (422).
    Too large or past the quota: the 413 page; storage down: the 503 page.
    """
    note = get_owned_note(g.user, note_id)
    try:
        received = receive(request.files.get(FILE_FIELD), current_app.config["UPLOAD_MAX_BYTES"])
    except MissingFile as error:
        flash(str(error), "error")
        return render_dashboard(), 422
    attachment = attach(note, received)
    flash(f"Attached {attachment.filename}.", "success")
    return redirect(url_for("main.dashboard"))


@bp.get("/notes/<id:note_id>/attachments/<id:attachment_id>")
def download_attachment(note_id: int, attachment_id: int) -> Response:
    """The attachment's bytes, as a download that never renders on this site."""
    attachment = get_attachment(get_owned_note(g.user, note_id), attachment_id)
    return download_response(attachment.file)


@bp.route("/notes/<id:note_id>/attachments/<id:attachment_id>/delete", methods=["GET", "POST"])
def delete_attachment(note_id: int, attachment_id: int) -> Response | str:
    """GET asks first (its page's form POSTs here); POST deletes the attachment, and its
    file leaves storage."""
    attachment = get_attachment(get_owned_note(g.user, note_id), attachment_id)
    if request.method == "GET":
        return render_template("notes/delete_attachment.html", attachment=attachment)
    detach(attachment)
    flash("Attachment deleted.", "success")
    return redirect(url_for("main.dashboard"))
