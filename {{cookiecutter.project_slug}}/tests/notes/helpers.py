"""Quick ways to put notes in the database and read them back, for the notes tests."""

from app.extensions import db
from app.notes.models import Note


def add_notes(app, owner_id, count, title="Note"):
    """Save ``count`` notes for ``owner_id`` directly; return their ids, oldest first."""
    with app.app_context():
        notes = [Note(owner_id=owner_id, title=f"{title} {n}") for n in range(1, count + 1)]
        for note in notes:
            db.session.add(note)
            db.session.flush()  # one at a time, so ids follow creation order
        db.session.commit()
        return [note.id for note in notes]


def stored_note(app, note_id):
    """The note as the database holds it (None once deleted), detached from the session."""
    with app.app_context():
        note = db.session.get(Note, note_id)
        if note is not None:
            db.session.expunge(note)
        return note
