"""Notes on the dashboard: listed newest first, added with the form, deleted with a button."""

import re

import pytest
from sqlalchemy import func, select

from app.extensions import db
from app.notes.models import Note
from tests.notes.helpers import add_notes, stored_note
from tests.test_guard import public_endpoints


def count_notes(app):
    with app.app_context():
        return db.session.scalar(select(func.count()).select_from(Note))


def note_titles(page):
    return re.findall(r'<h3 class="note-title">(.*?)</h3>', page)


@pytest.fixture
def notes(auth, client):
    """The note form and delete buttons, used as a browser would (with their CSRF tokens)."""

    class NoteActions:
        def add(self, title, body=""):
            token = auth.csrf_token("/dashboard")
            return client.post("/notes", data={"csrf_token": token, "title": title, "body": body})

        def delete(self, note_id):
            token = auth.csrf_token("/dashboard")
            return client.post(f"/notes/{note_id}/delete", data={"csrf_token": token})

    return NoteActions()


def test_a_new_user_has_no_notes(client, logged_in):
    page = client.get("/dashboard").text
    assert "No notes yet." in page
    assert '<span class="notes-total">(0)</span>' in page


def test_the_dashboard_shows_the_users_notes_newest_first(app, client, logged_in):
    add_notes(app, logged_in.id, 3)
    page = client.get("/dashboard").text
    assert note_titles(page) == ["Note 3", "Note 2", "Note 1"]
    assert '<span class="notes-total">(3)</span>' in page


def test_the_dashboard_shows_a_notes_body(client, logged_in, notes):
    notes.add("Groceries", "Milk and eggs")
    assert '<p class="note-body">Milk and eggs</p>' in client.get("/dashboard").text


def test_the_dashboard_shows_no_other_users_notes(app, client, logged_in, other_user):
    add_notes(app, other_user.id, 2, title="Grace's")
    page = client.get("/dashboard").text
    assert "Grace&#39;s" not in page
    assert "No notes yet." in page


def test_titles_and_bodies_are_shown_as_text_not_markup(client, logged_in, notes):
    notes.add("<script>alert(1)</script>", "<b>bold</b> & <img src=x onerror=alert(2)>")
    page = client.get("/dashboard").text
    assert "<script>alert(1)</script>" not in page
    assert "&lt;script&gt;alert(1)&lt;/script&gt;" in page
    assert "<b>bold</b>" not in page
    assert "&lt;img src=x onerror=alert(2)&gt;" in page


def test_the_dashboard_shows_ten_notes_a_page(app, client, logged_in):
    add_notes(app, logged_in.id, 12)
    page = client.get("/dashboard").text
    assert len(note_titles(page)) == 10
    assert "Page 1 of 2" in page
    assert 'rel="next" href="/dashboard?page=2"' in page
    assert 'rel="prev"' not in page


def test_the_second_page_shows_the_oldest_notes(app, client, logged_in):
    add_notes(app, logged_in.id, 12)
    page = client.get("/dashboard?page=2").text
    assert note_titles(page) == ["Note 2", "Note 1"]
    assert 'rel="prev" href="/dashboard?page=1"' in page
    assert 'rel="next"' not in page
    assert '<span class="notes-total">(12)</span>' in page


def test_one_page_of_notes_has_no_pagination(app, client, logged_in):
    add_notes(app, logged_in.id, 10)
    assert 'class="pagination"' not in client.get("/dashboard").text


@pytest.mark.parametrize("page", ["abc", "0", "-3", "1.5", ""])
def test_a_nonsense_page_falls_back_to_the_first(app, client, logged_in, page):
    add_notes(app, logged_in.id, 12)
    response = client.get(f"/dashboard?page={page}")
    assert response.status_code == 200
    assert note_titles(response.text)[0] == "Note 12"


def test_a_page_past_the_end_is_empty_but_keeps_the_count(app, client, logged_in):
    add_notes(app, logged_in.id, 3)
    for page in ("5", str(10**30)):
        response = client.get(f"/dashboard?page={page}")
        assert response.status_code == 200
        assert note_titles(response.text) == []
        assert '<span class="notes-total">(3)</span>' in response.text


def test_the_dashboard_has_a_note_form_with_a_csrf_token(client, logged_in):
    page = client.get("/dashboard").text
    form = re.search(r'<form class="note-form" method="post" action="/notes".*?</form>', page, re.S)
    assert form
    for field in ("csrf_token", "title", "body"):
        assert f'name="{field}"' in form[0]


def test_the_form_adds_a_note_and_says_so(app, client, logged_in, notes):
    response = notes.add("Groceries", "Milk")
    assert response.status_code == 302
    assert response.headers["Location"] == "/dashboard"
    page = client.get("/dashboard").text
    assert 'class="flash flash-success"' in page
    assert "Note added." in page
    assert note_titles(page) == ["Groceries"]


def test_the_form_saves_the_note_for_the_user(app, logged_in, notes):
    notes.add("Groceries", "Milk")
    with app.app_context():
        note = db.session.scalar(select(Note))
        assert (note.owner_id, note.title, note.body) == (logged_in.id, "Groceries", "Milk")


def test_the_body_may_be_left_empty(app, logged_in, notes):
    notes.add("Title only")
    with app.app_context():
        assert db.session.scalar(select(Note.body)) == ""


def test_spaces_around_a_title_are_dropped(app, logged_in, notes):
    notes.add("  Groceries  ")
    with app.app_context():
        assert db.session.scalar(select(Note.title)) == "Groceries"


def test_a_200_character_title_is_accepted(app, logged_in, notes):
    assert notes.add("🦆" * 200).status_code == 302
    assert count_notes(app) == 1


@pytest.mark.parametrize(
    ("title", "body", "message"),
    [
        ("", "", "Title must be 1 to 200 characters long."),
        ("   ", "", "Title must be 1 to 200 characters long."),
        ("x" * 201, "", "Title must be 1 to 200 characters long."),
        ("a\x00b", "", "Title contains characters that cannot be stored"),
        ("Fine", "x" * 10_001, "Note must be 0 to 10000 characters long."),
        ("Fine", "a\x00b", "Note contains characters that cannot be stored"),
    ],
    ids=["empty", "blank", "too-long", "nul", "long-body", "nul-body"],
)
def test_an_invalid_note_shows_the_dashboard_with_the_error(
    app, logged_in, notes, title, body, message
):
    response = notes.add(title, body)
    assert response.status_code == 200
    assert "<h1>Dashboard</h1>" in response.text
    assert 'class="field-errors"' in response.text
    assert message in response.text
    assert count_notes(app) == 0


def test_an_invalid_note_keeps_what_was_typed(logged_in, notes):
    response = notes.add("x" * 201, "My long thoughts")
    assert "My long thoughts</textarea>" in response.text


def test_an_invalid_note_still_lists_the_notes(app, logged_in, notes):
    add_notes(app, logged_in.id, 2)
    assert note_titles(notes.add("").text) == ["Note 2", "Note 1"]


def test_adding_a_note_without_a_csrf_token_is_400(app, client, logged_in):
    response = client.post("/notes", data={"title": "Forged"})
    assert response.status_code == 400
    assert count_notes(app) == 0


def test_an_anonymous_visitor_is_sent_to_log_in_instead_of_adding_a_note(app, client, auth):
    token = auth.csrf_token()
    response = client.post("/notes", data={"csrf_token": token, "title": "Anonymous"})
    assert response.status_code == 302
    assert response.headers["Location"].startswith("/auth/login")
    assert count_notes(app) == 0


def test_each_note_links_its_edit_and_delete_pages(app, client, logged_in):
    [note_id] = add_notes(app, logged_in.id, 1)
    page = client.get("/dashboard").text
    assert f'href="/notes/{note_id}/edit"' in page
    assert f'href="/notes/{note_id}/delete"' in page


def test_deleting_a_note_removes_it_and_says_so(app, client, logged_in, notes):
    [note_id] = add_notes(app, logged_in.id, 1)
    response = notes.delete(note_id)
    assert response.status_code == 302
    assert response.headers["Location"] == "/dashboard"
    assert stored_note(app, note_id) is None
    assert "Note deleted." in client.get("/dashboard").text


def test_deleting_without_a_csrf_token_is_400(app, client, logged_in):
    [note_id] = add_notes(app, logged_in.id, 1)
    assert client.post(f"/notes/{note_id}/delete").status_code == 400
    assert stored_note(app, note_id) is not None


def test_deleting_another_users_note_is_404_and_it_survives(app, logged_in, notes, other_user):
    [note_id] = add_notes(app, other_user.id, 1)
    assert notes.delete(note_id).status_code == 404
    assert stored_note(app, note_id) is not None


@pytest.mark.parametrize("note_id", ["12345", "0", "99999999999999999999", "abc"])
def test_deleting_a_missing_note_is_404(logged_in, notes, note_id):
    assert notes.delete(note_id).status_code == 404


def test_deleting_by_get_only_asks(app, client, logged_in):
    [note_id] = add_notes(app, logged_in.id, 1)
    assert client.get(f"/notes/{note_id}/delete").status_code == 200
    assert stored_note(app, note_id) is not None


def test_an_anonymous_visitor_is_sent_to_log_in_instead_of_deleting(app, client, auth, user):
    [note_id] = add_notes(app, user.id, 1)
    response = client.post(f"/notes/{note_id}/delete", data={"csrf_token": auth.csrf_token()})
    assert response.headers["Location"].startswith("/auth/login")
    assert stored_note(app, note_id) is not None


def test_the_panels_stylesheet_is_served_to_everyone(client):
    with client.get("/notes/static/notes.css") as response:
        assert response.status_code == 200
        assert response.mimetype == "text/css"


def test_the_dashboard_links_the_panels_stylesheet(client, logged_in):
    assert 'href="/notes/static/notes.css"' in client.get("/dashboard").text


def test_only_the_notes_stylesheet_is_public(app):
    """Opening a notes page to everyone is a decision: add it here when you make one."""
    notes_endpoints = {e for e in public_endpoints(app) if e.startswith("notes.")}
    assert notes_endpoints == {"notes.static"}
