"""The notes service (``app/notes/service.py``): the rules every way in to notes shares."""

from datetime import UTC, datetime

from app.extensions import db
from app.notes.models import Note
from app.notes.service import update_note
from tests.notes.helpers import add_notes, stored_note

LONG_AGO = datetime(2000, 1, 1, tzinfo=UTC)


def test_an_update_changes_only_the_fields_given(app, user):
    [note_id] = add_notes(app, user.id, 1)
    with app.app_context():
        update_note(db.session.get(Note, note_id), {"body": "New body"})
    note = stored_note(app, note_id)
    assert (note.title, note.body) == ("Note 1", "New body")


def test_an_update_moves_updated_at_but_not_created_at(app, user):
    [note_id] = add_notes(app, user.id, 1)
    with app.app_context():
        note = db.session.get(Note, note_id)
        note.created_at = note.updated_at = LONG_AGO
        db.session.commit()
        update_note(note, {"title": "New"})
    note = stored_note(app, note_id)
    assert note.created_at == LONG_AGO
    assert note.updated_at > LONG_AGO


def test_a_note_shows_its_id_and_owner(app, user):
    [note_id] = add_notes(app, user.id, 1)
    assert repr(stored_note(app, note_id)) == f"<Note {note_id} of user {user.id}>"
