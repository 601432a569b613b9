"""Deleting an account deletes its notes (ON DELETE CASCADE, enforced on SQLite too)."""

from tests.conftest import PASSWORD
from tests.notes.helpers import add_notes, stored_note


def test_deleting_an_account_deletes_its_notes_and_no_one_elses(app, auth, user, other_user):
    mine = add_notes(app, user.id, 2)
    theirs = add_notes(app, other_user.id, 1)
    auth.login()

    response = auth.submit("/account/delete", {"current_password": PASSWORD})

    assert response.status_code == 302
    assert [stored_note(app, note_id) for note_id in mine] == [None, None]
    assert stored_note(app, theirs[0]) is not None
