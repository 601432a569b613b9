"""Files attached to notes: adding, finding and removing them, for the dashboard{% if cookiecutter.use_api %} and the API{% endif %}.

The rules of storing (limits, quota, keeping storage and rows in step) are
``app/files/``'s; this module ties a stored file to a note.
"""

from flask import abort
from sqlalchemy import select

from app.extensions import db
from app.files.service import Upload, delete_files, storing
from app.notes.models import Attachment, Note

KIND = "attachment"


def attach(note: Note, upload: Upload) -> Attachment:
    """Store ``upload`` and attach it to ``note`` (413 past the quota; 503, storage down)."""
    with storing(note.owner_id, upload, KIND) as stored:
        attachment = Attachment(file_id=stored.id, note_id=note.id)
        attachment.file = stored
        db.session.add(attachment)
    return attachment


def get_attachment(note: Note, attachment_id: int) -> Attachment:
    """The attachment ``attachment_id`` of ``note``; otherwise 404."""
    attachment = db.session.scalar(
        select(Attachment).where(Attachment.file_id == attachment_id, Attachment.note_id == note.id)
    )
    if attachment is None:
        abort(404, "There is no attachment with this id on this note.")
    return attachment


def detach(attachment: Attachment) -> None:
    """Delete ``attachment``: its row now, its file from storage by a job."""
    delete_files([attachment.file])
