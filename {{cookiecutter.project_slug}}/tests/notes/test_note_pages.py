"""A note's own pages: editing it, and the page that asks before deleting it."""

import re

import pytest

from tests.notes.helpers import add_notes, stored_note


def edit(auth, client, note_id, title, body="", csrf=True):
    data = {"title": title, "body": body}
    if csrf:
        data["csrf_token"] = auth.csrf_token(f"/notes/{note_id}/edit")
    return client.post(f"/notes/{note_id}/edit", data=data)


def test_the_edit_page_shows_the_note_in_its_form(app, client, logged_in):
    [note_id] = add_notes(app, logged_in.id, 1, title="<Groceries>")
    page = client.get(f"/notes/{note_id}/edit").text
    form = re.search(
        r'<form class="note-form" method="post" action="/notes/\d+/edit".*?</form>', page, re.S
    )
    assert form
    assert 'value="&lt;Groceries&gt; 1"' in form[0]
    assert 'name="csrf_token"' in form[0]
    assert 'class="secondary" href="/dashboard"' in form[0]


def test_saving_changes_the_note_and_says_so(app, auth, client, note_id):
    response = edit(auth, client, note_id, "  New title ", "New body")
    assert response.status_code == 302
    assert response.headers["Location"] == "/dashboard"
    note = stored_note(app, note_id)
    assert (note.title, note.body) == ("New title", "New body")
    assert note.updated_at >= note.created_at
    page = client.get("/dashboard").text
    assert '<div class="flash flash-success" role="status">Note saved.</div>' in page


@pytest.mark.parametrize(
    ("title", "body", "message"),
    [
        ("", "", "Title must be 1 to 200 characters long."),
        ("x" * 201, "", "Title must be 1 to 200 characters long."),
        ("Fine", "x" * 10_001, "Note must be 0 to 10000 characters long."),
        ("a\x00b", "", "Title contains characters that cannot be stored"),
    ],
    ids=["empty", "too-long", "long-body", "nul"],
)
def test_invalid_changes_are_422_with_the_error_and_change_nothing(
    app, auth, client, note_id, title, body, message
):
    response = edit(auth, client, note_id, title, body)
    assert response.status_code == 422
    assert message in response.text
    assert 'class="field-errors"' in response.text
    assert stored_note(app, note_id).title == "Note 1"


def test_saving_without_a_csrf_token_is_400(app, auth, client, note_id):
    assert edit(auth, client, note_id, "Forged", csrf=False).status_code == 400
    assert stored_note(app, note_id).title == "Note 1"


def test_another_users_note_cannot_be_edited(app, auth, client, logged_in, other_user):
    [note_id] = add_notes(app, other_user.id, 1)
    assert client.get(f"/notes/{note_id}/edit").status_code == 404
    assert edit(auth, client, note_id, "Mine now").status_code == 404
    assert stored_note(app, note_id).title == "Note 1"


@pytest.mark.parametrize("path", ["/notes/12345/edit", "/notes/abc/edit", "/notes/12345/delete"])
def test_a_missing_notes_pages_are_404(client, logged_in, path):
    assert client.get(path).status_code == 404


def test_an_anonymous_visitor_is_sent_to_log_in(app, auth, client, user):
    [note_id] = add_notes(app, user.id, 1)
    for path in (f"/notes/{note_id}/edit", f"/notes/{note_id}/delete"):
        response = client.get(path)
        assert response.status_code == 302
        assert response.headers["Location"].startswith("/auth/login")
    response = client.post(
        f"/notes/{note_id}/edit", data={"csrf_token": auth.csrf_token(), "title": "Anonymous"}
    )
    assert response.headers["Location"].startswith("/auth/login")
    assert stored_note(app, note_id).title == "Note 1"


def test_the_delete_page_asks_and_posts_to_delete(app, client, logged_in):
    [note_id] = add_notes(app, logged_in.id, 1, title="<Old>")
    page = client.get(f"/notes/{note_id}/delete").text
    assert "Delete the note &lsquo;&lt;Old&gt; 1&rsquo;? This cannot be undone." in page
    form = re.search(
        r'<form class="note-delete" method="post" action="(.*?)">.*?</form>', page, re.S
    )
    assert form
    assert form[1] == f"/notes/{note_id}/delete"
    assert 'name="csrf_token"' in form[0]
    assert '<button type="submit" class="danger">Delete note</button>' in form[0]
    assert '<a class="secondary" href="/dashboard">Cancel</a>' in form[0]
    assert stored_note(app, note_id) is not None
