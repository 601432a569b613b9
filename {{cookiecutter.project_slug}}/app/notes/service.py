"""Notes: creating, listing, changing and deleting a user's own notes.

Every lookup goes through ``get_owned_note``, the one place ownership is
enforced: another user's note is reported exactly like a missing one, so
ids reveal nothing about other people's data.
"""

from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

from blinker import Namespace
from flask import abort
from sqlalchemy import bindparam, func, select

from app.auth.models import User
from app.extensions import db
{%- if cookiecutter.use_uploads %}
from app.files.service import forget, remove_later
{%- endif %}
from app.infrastructure.database import is_storable, utcnow
from app.notes.models import Note

# What the service announces, once the change is committed, for any part that
# wants to know: each is sent with the note (a deleted one keeps its id and owner).
signals = Namespace()
note_created = signals.signal("note-created")
note_updated = signals.signal("note-updated")
note_deleted = signals.signal("note-deleted")

# OFFSET is a signed 64-bit number in PostgreSQL (and SQLite).
MAX_SQL_OFFSET = 2**63 - 1

# Built once, with its values as parameters: each request then skips building
# the statement and its cache key (a third of the query's cost in Python).
NOTES_PAGE = (
    select(Note, func.count().over())
    .where(Note.owner_id == bindparam("owner_id"))
    .order_by(Note.created_at.desc(), Note.id.desc())
    .limit(bindparam("limit"))
    .offset(bindparam("offset"))
)


@dataclass(frozen=True)
class NotePage:
    """One page of a user's notes, newest first, and how many there are in all."""

    items: list[Note]
    page: int
    per_page: int
    total: int

    @property
    def pages(self) -> int:
        """How many pages there are (at least one, even when there are no notes)."""
        return max(1, -(-self.total // self.per_page))

    @property
    def has_previous(self) -> bool:
        return self.page > 1

    @property
    def has_next(self) -> bool:
        return self.page < self.pages


def text_problem(text: str, name: str, min_length: int, max_length: int) -> str | None:
    """Return why ``text`` cannot be a note's ``name``, or None when it can.

    Lengths count Unicode code points{% if cookiecutter.use_api %}, as the API documents{% endif %}.
    """
    if not min_length <= len(text) <= max_length:
        return f"{name} must be {min_length} to {max_length} characters long."
    if not is_storable(text):
        return f"{name} contains characters that cannot be stored (NUL or unpaired surrogates)."
    return None


def notes_page(owner: User, page: int, per_page: int) -> NotePage:
    """The ``page``-th group of ``per_page`` notes of ``owner``, newest first.

    One query whatever the page size: each row carries the total as a window
    count. Only a page past the end (no rows, so no total) needs a second
    query to count; an offset too large for the database is never sent.
    """
    offset = (page - 1) * per_page
    parameters = {"owner_id": owner.id, "limit": per_page, "offset": offset}
    rows = db.session.execute(NOTES_PAGE, parameters).all() if offset <= MAX_SQL_OFFSET else []
    if rows:
        total = rows[0][1]
    elif offset == 0:
        total = 0
    else:
        total = db.session.execute(
            select(func.count()).where(Note.owner_id == owner.id)
        ).scalar_one()
    return NotePage(items=[note for note, _ in rows], page=page, per_page=per_page, total=total)
{%- if cookiecutter.use_admin %}


def count_notes(owner: User) -> int:
    """How many notes ``owner`` has (shown on their admin page)."""
    return db.session.scalar(select(func.count()).where(Note.owner_id == owner.id)) or 0
{%- endif %}


def get_owned_note(owner: User, note_id: int) -> Note:
    """The note ``note_id`` if ``owner`` owns it; otherwise 404, as if it did not exist."""
    note = db.session.scalar(select(Note).where(Note.id == note_id, Note.owner_id == owner.id))
    if note is None:
        abort(404, "There is no note with this id.")
    return note


def create_note(owner: User, title: str, body: str = "") -> Note:
    """Save a new note for ``owner`` and return it."""
    now = utcnow()  # one instant, so a new note's two times are equal
    note = Note(owner_id=owner.id, title=title, body=body, created_at=now, updated_at=now)
    db.session.add(note)
    db.session.commit()
    note_created.send(note)
    return note


def update_note(note: Note, changes: Mapping[str, Any]) -> Note:
    """Apply ``changes`` (a dict with ``title`` and/or ``body``) to ``note`` and save it."""
    for field in ("title", "body"):
        if field in changes:
            setattr(note, field, changes[field])
    db.session.commit()
    note_updated.send(note)
    return note


def delete_note(note: Note) -> None:
    """Delete ``note`` for good{% if cookiecutter.use_uploads %}, with its attachments (their files leave storage by a job){% endif %}."""
{%- if cookiecutter.use_uploads %}
    keys = forget(attachment.file for attachment in note.attachments)
{%- endif %}
    db.session.delete(note)
    db.session.commit()
{%- if cookiecutter.use_uploads %}
    remove_later(keys)
{%- endif %}
    note_deleted.send(note)
