"""``/api/v1/notes``: the example resource. Copy this module to publish a model of your own.

The rules and queries live in ``app/notes/service.py``, shared with the
dashboard's form; this module only translates between JSON and them.
"""

from typing import TYPE_CHECKING, Any

from flask import g, url_for
from flask.views import MethodView
from pydantic import ConfigDict{% if cookiecutter.use_uploads %}, Field, computed_field{% endif %}

from app.api import bp
from app.api.auth import authenticate
from app.api.operations import operation
from app.api.schemas import Input, Output, PageQuery, Timestamp, storable_text_type
from app.notes.models import BODY_MAX_LENGTH, TITLE_MAX_LENGTH, Note
from app.notes.service import (
    NotePage,
    create_note,
    delete_note,
    get_owned_note,
    notes_page,
    update_note,
)

if TYPE_CHECKING:  # the pydantic types are made at run time; to a type checker they are str
    Title = str
    Body = str
else:
    Title = storable_text_type(min_length=1, max_length=TITLE_MAX_LENGTH)
    Body = storable_text_type(max_length=BODY_MAX_LENGTH)


def drop_null_defaults(schema: dict[str, Any]) -> None:
    """Document PATCH fields as optional without the ``null`` default they never accept."""
    for field_schema in schema["properties"].values():
        if field_schema.get("default", "") is None:
            del field_schema["default"]


class NoteIn(Input):
    """A new note. Lengths count Unicode code points."""

    title: Title
    body: Body = ""


class NotePatch(Input):
    """A partial update: only the fields sent are changed; null is not a value."""

    model_config = ConfigDict(json_schema_extra=drop_null_defaults)

    # None stands for "not sent" (the method reads model_dump(exclude_unset=True)), and
    # is no value a client may send: the fields are typed str on purpose.
    title: Title = None  # type: ignore[assignment]
    body: Body = None  # type: ignore[assignment]
{%- if cookiecutter.use_uploads %}


class AttachmentOut(Output):
    """A file attached to a note; ``url`` is where its bytes are downloaded."""

    id: int
    filename: str
    size: int
    content_type: str
    note_id: int = Field(exclude=True)

    @computed_field  # type: ignore[prop-decorator]
    @property
    def url(self) -> str:
        """The download URL (also the ``Location`` of a new attachment)."""
        return url_for("api.note_attachment", note_id=self.note_id, attachment_id=self.id)
{%- endif %}


class NoteOut(Output):
    """A note as the API shows it."""

    id: int
    title: str
    body: str
    created_at: Timestamp
    updated_at: Timestamp
{%- if cookiecutter.use_uploads %}
    attachments: list[AttachmentOut]
{%- endif %}


class NotePageOut(Output):
    """One page of the caller's notes, newest first, and how many there are in all."""

    items: list[NoteOut]
    page: int
    per_page: int
    total: int


def page_links(page: NotePage) -> str:
    """An RFC 8288 ``Link`` header value with first, prev, next and last pages."""
    targets = {"first": 1, "last": page.pages}
    if page.has_previous:
        targets["prev"] = min(page.page - 1, page.pages)
    if page.has_next:
        targets["next"] = page.page + 1
    return ", ".join(
        f'<{url_for("api.notes", page=number, per_page=page.per_page)}>; rel="{rel}"'
        for rel, number in targets.items()
    )


class NoteListView(MethodView):
    """The caller's notes."""

    decorators = [authenticate()]

    @operation(query=PageQuery, response=NotePageOut)
    def get(self, query: PageQuery) -> tuple[NotePage, dict[str, str]]:
        """List the caller's notes, newest first.

        A page past the end is empty; "total" counts all the caller's notes.
        """
        page = notes_page(g.user, query.page, query.per_page)
        return page, {"Link": page_links(page)}

    @operation(body=NoteIn, response=NoteOut, status=201)
    def post(self, body: NoteIn) -> tuple[Note, dict[str, str]]:
        """Add a note; the Location header gives its URL."""
        note = create_note(g.user, body.title, body.body)
        return note, {"Location": url_for("api.note", note_id=note.id)}


class NoteView(MethodView):
    """One of the caller's notes; anyone else's is a 404, exactly like a missing one."""

    decorators = [authenticate()]

    @operation(response=NoteOut, errors=(404,))
    def get(self, note_id: int) -> Note:
        """Show one note."""
        return get_owned_note(g.user, note_id)

    @operation(body=NotePatch, response=NoteOut, errors=(404,))
    def patch(self, note_id: int, body: NotePatch) -> Note:
        """Change a note's title and/or body."""
        note = get_owned_note(g.user, note_id)
        return update_note(note, body.model_dump(exclude_unset=True))

    @operation(status=204, errors=(404,))
    def delete(self, note_id: int) -> None:
        """Delete a note."""
        delete_note(get_owned_note(g.user, note_id))


bp.add_url_rule("/notes", view_func=NoteListView.as_view("notes"))
bp.add_url_rule("/notes/<id:note_id>", view_func=NoteView.as_view("note"))
