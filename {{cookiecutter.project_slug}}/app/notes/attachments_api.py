"""``/api/v1/notes/<id>/attachments``: files attached to a note, uploaded as multipart.

The rules live in ``app/files/`` and ``attachments.py``; this module only
translates between HTTP and them.
"""

from typing import Any

from flask import abort, current_app, g, request, url_for
from flask.views import MethodView
from werkzeug.wrappers import Response

from app.api import bp
from app.api.auth import authenticate
from app.api.operations import InvalidInput, operation
from app.api.schemas import Output
from app.files.downloads import download_response
from app.files.service import MissingFile, receive
from app.files.sniffing import SERVED_TYPES
from app.notes.api import AttachmentOut
from app.notes.attachments import attach, detach, get_attachment
from app.notes.models import Attachment
from app.notes.service import get_owned_note
from app.web.request_checks import body_limit

FILE_FIELD = "file"


class AttachmentListOut(Output):
    """Every attachment of a note, oldest first."""

    items: list[AttachmentOut]


class AttachmentListView(MethodView):
    """The attachments of one of the caller's notes."""

    decorators = [authenticate()]

    @operation(response=AttachmentListOut, errors=(404,))
    def get(self, note_id: int) -> dict[str, Any]:
        """List a note's attachments."""
        return {"items": get_owned_note(g.user, note_id).attachments}

    @operation(response=AttachmentOut, status=201, files=(FILE_FIELD,), errors=(404, 503))
    def post(self, note_id: int) -> tuple[Attachment, dict[str, str]]:
        """Attach a file (multipart field "file", any type) to a note.

        Over UPLOAD_MAX_BYTES, or past the caller's UPLOAD_QUOTA_BYTES: 413,
        and nothing is stored. The Location header gives the download URL.
        """
        note = get_owned_note(g.user, note_id)
        if request.mimetype != "multipart/form-data":
            abort(415, "Send the file as multipart/form-data, in the field 'file'.")
        try:
            upload = receive(request.files.get(FILE_FIELD), current_app.config["UPLOAD_MAX_BYTES"])
        except MissingFile as error:
            raise InvalidInput({FILE_FIELD: [str(error)]}) from None
        attachment = attach(note, upload)
        location = url_for("api.note_attachment", note_id=note.id, attachment_id=attachment.id)
        return attachment, {"Location": location}


class AttachmentView(MethodView):
    """One attachment: its bytes, or its deletion."""

    decorators = [authenticate()]

    @operation(produces=SERVED_TYPES, errors=(404, 503))
    def get(self, note_id: int, attachment_id: int) -> Response:
        """Download an attachment's exact bytes, as an attachment.

        The type is the content's only when browsers show it harmlessly
        (PNG, JPEG, GIF, WebP, PDF, plain text), else application/octet-stream.
        """
        attachment = get_attachment(get_owned_note(g.user, note_id), attachment_id)
        return download_response(attachment.file)

    @operation(status=204, errors=(404,))
    def delete(self, note_id: int, attachment_id: int) -> None:
        """Delete an attachment; its file leaves storage."""
        detach(get_attachment(get_owned_note(g.user, note_id), attachment_id))


bp.add_url_rule(
    "/notes/<id:note_id>/attachments",
    view_func=body_limit("UPLOAD_MAX_BYTES")(AttachmentListView.as_view("note_attachments")),
)
bp.add_url_rule(
    "/notes/<id:note_id>/attachments/<id:attachment_id>",
    view_func=AttachmentView.as_view("note_attachment"),
)
