"""Notes: creating, listing, changing and deleting a user's own notes.

Every lookup goes through ``get_owned_note``, the one place ownership is
enforced: another user's note is reported exactly like a missing one, so
ids reveal nothing about other people's data.
"""

from dataclasses import dataclass

from flask import abort
from sqlalchemy import bindparam, func, select

from app.extensions import db
from app.infrastructure.database import is_storable, utcnow
from app.notes.models import Note

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
    def pages(self):
        """How many pages there are (at least one, even when there are no notes)."""
        return max(1, -(-self.total // self.per_page))

    @property
    def has_previous(self):
        return self.page > 1

    @property
    def has_next(self):
        return self.page < self.pages


def text_problem(text, name, min_length, max_length):
    """Return why ``text`` cannot be a note's ``name``, or None when it can.

    Lengths count Unicode code points, as the API documents.
    """
    if not min_length <= len(text) <= max_length:
        return f"{name} must be {min_length} to {max_length} characters long."
    if not is_storable(text):
        return f"{name} contains characters that cannot be stored (NUL or unpaired surrogates)."
    return None


def notes_page(owner, page, per_page):
    """The ``page``-th group of ``per_page`` notes of ``owner``, newest first.

    One query whatever the page size: each row carries the total as a window
    count. Only a page past the end (no rows, so no total) needs a second
    query to count; an offset too large for the database is never sent.
    """
    offset = (page - 1) * per_page
    rows = []
    if offset <= MAX_SQL_OFFSET:
        parameters = {"owner_id": owner.id, "limit": per_page, "offset": offset}
        rows = db.session.execute(NOTES_PAGE, parameters).all()
    if rows:
        total = rows[0][1]
    elif offset == 0:
        total = 0
    else:
        total = db.session.scalar(select(func.count()).where(Note.owner_id == owner.id))
    return NotePage(items=[note for note, _ in rows], page=page, per_page=per_page, total=total)


def get_owned_note(owner, note_id):
    """The note ``note_id`` if ``owner`` owns it; otherwise 404, as if it did not exist."""
    note = db.session.scalar(select(Note).where(Note.id == note_id, Note.owner_id == owner.id))
    if note is None:
        abort(404, "There is no note with this id.")
    return note


def create_note(owner, title, body=""):
    """Save a new note for ``owner`` and return it."""
    now = utcnow()  # one instant, so a new note's two times are equal
    note = Note(owner_id=owner.id, title=title, body=body, created_at=now, updated_at=now)
    db.session.add(note)
    db.session.commit()
    return note


def update_note(note, changes):
    """Apply ``changes`` (a dict with ``title`` and/or ``body``) to ``note`` and save it."""
    for field in ("title", "body"):
        if field in changes:
            setattr(note, field, changes[field])
    db.session.commit()
    return note


def delete_note(note):
    """Delete ``note`` for good."""
    db.session.delete(note)
    db.session.commit()
