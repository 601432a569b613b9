"""Fixtures of the notes tests."""

import pytest

from tests.notes.helpers import add_notes


@pytest.fixture
def note_id(app, logged_in):
    """One note of the logged-in user's."""
    [note_id] = add_notes(app, logged_in.id, 1)
    return note_id
