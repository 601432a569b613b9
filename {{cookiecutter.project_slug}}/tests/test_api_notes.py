"""/api/v1/notes: each user's own notes, created, listed, changed and deleted over JSON."""

from contextlib import contextmanager
from datetime import UTC, datetime

import pytest
from sqlalchemy import event

from app.extensions import db
from app.notes.models import Note
from tests.api_helpers import add_notes, field_errors, is_problem, stored_note

NOTES = "/api/v1/notes"
LONG_AGO = datetime(2000, 1, 1, tzinfo=UTC)
NOTE_KEYS = {"id", "title", "body", "created_at", "updated_at"}


def note_path(note_id):
    return f"{NOTES}/{note_id}"


def titles(response):
    return [item["title"] for item in response.json["items"]]


@contextmanager
def counting_queries(app):
    """Count the SQL statements sent while the block runs: ``with ... as count: count[0]``."""
    count = [0]

    def count_one(*_args):
        count[0] += 1

    with app.app_context():
        engine = db.engine
    event.listen(engine, "before_cursor_execute", count_one)
    try:
        yield count
    finally:
        event.remove(engine, "before_cursor_execute", count_one)


# Creating


def test_a_new_note_is_201_with_the_note(api):
    response = api.post(NOTES, json={"title": "Groceries", "body": "Milk, eggs"})
    assert response.status_code == 201
    assert response.json.keys() == NOTE_KEYS
    assert response.json["title"] == "Groceries"
    assert response.json["body"] == "Milk, eggs"


def test_a_new_notes_location_shows_it(api):
    response = api.post(NOTES, json={"title": "Groceries"})
    location = response.headers["Location"]
    assert location == note_path(response.json["id"])
    assert api.get(location).json == response.json


def test_a_new_notes_times_are_utc_iso_8601(api):
    note = api.post(NOTES, json={"title": "Groceries"}).json
    for key in ("created_at", "updated_at"):
        assert note[key].endswith("+00:00")
        assert datetime.fromisoformat(note[key]).utcoffset().total_seconds() == 0


def test_a_new_note_was_created_and_updated_at_the_same_instant(api):
    note = api.post(NOTES, json={"title": "Groceries"}).json
    assert note["created_at"] == note["updated_at"]


def test_the_body_defaults_to_empty(api):
    assert api.post(NOTES, json={"title": "Title only"}).json["body"] == ""


def test_a_new_note_is_saved_for_its_author(app, api, user):
    note_id = api.post(NOTES, json={"title": "Groceries"}).json["id"]
    assert stored_note(app, note_id).owner_id == user.id


@pytest.mark.parametrize(
    "title", ["x", "🦆" * 200, "ü" * 200, "e\u0301" * 100, "   spaced   "], ids=str.__len__
)
def test_titles_of_1_to_200_code_points_are_accepted(api, title):
    response = api.post(NOTES, json={"title": title})
    assert response.status_code == 201
    assert response.json["title"] == title


@pytest.mark.parametrize("title", ["", "🦆" * 201, "x" * 201], ids=["empty", "emoji", "ascii"])
def test_titles_outside_1_to_200_code_points_are_refused(app, api, title):
    assert field_errors(api.post(NOTES, json={"title": title})).keys() == {"title"}
    assert api.get(NOTES).json["total"] == 0


def test_a_body_of_10000_code_points_is_accepted(api):
    body = "🦆" * 10_000
    assert api.post(NOTES, json={"title": "Long", "body": body}).json["body"] == body


def test_a_body_of_10001_code_points_is_refused(api):
    response = api.post(NOTES, json={"title": "Long", "body": "x" * 10_001})
    assert field_errors(response).keys() == {"body"}


@pytest.mark.parametrize("field", ["title", "body"])
def test_nul_characters_are_refused(api, field):
    note = {"title": "Title", field: "before\x00after"}
    assert field_errors(api.post(NOTES, json=note)).keys() == {field}


def test_a_title_is_required(api):
    assert field_errors(api.post(NOTES, json={"body": "No title"}))["title"] == ["Field required"]


@pytest.mark.parametrize("value", [None, 1, True, ["x"], {"x": 1}])
def test_a_title_must_be_a_string(api, value):
    assert field_errors(api.post(NOTES, json={"title": value})).keys() == {"title"}


def test_unknown_fields_are_refused(api):
    response = api.post(NOTES, json={"title": "Hi", "owner_id": 2, "id": 7})
    assert field_errors(response).keys() == {"owner_id", "id"}


@pytest.mark.parametrize("body", ["[]", '"a note"', "null", "42", '[{"title": "x"}]'])
def test_a_body_that_is_not_an_object_is_refused_as_a_whole(api, body):
    response = api.post(NOTES, data=body, content_type="application/json")
    assert field_errors(response) == {"_body": ["Input should be an object"]}


def test_every_invalid_field_is_reported_at_once(api):
    response = api.post(NOTES, json={"title": "", "body": "x" * 10_001, "colour": "red"})
    assert field_errors(response).keys() == {"title", "body", "colour"}


# Listing


def test_an_empty_list(api):
    response = api.get(NOTES)
    assert response.status_code == 200
    assert response.json == {"items": [], "page": 1, "per_page": 20, "total": 0}


def test_the_list_is_newest_first(api):
    for title in ("first", "second", "third"):
        api.post(NOTES, json={"title": title})
    assert titles(api.get(NOTES)) == ["third", "second", "first"]


def test_list_items_are_whole_notes(api):
    created = api.post(NOTES, json={"title": "Groceries", "body": "Milk"}).json
    assert api.get(NOTES).json["items"] == [created]


def test_the_list_defaults_to_page_1_of_20(app, api, user):
    add_notes(app, user.id, 25)
    response = api.get(NOTES)
    assert response.json["page"] == 1
    assert response.json["per_page"] == 20
    assert response.json["total"] == 25
    assert len(response.json["items"]) == 20


def test_the_list_pages_through_every_note_once(app, api, user):
    add_notes(app, user.id, 7)
    pages = [titles(api.get(NOTES, query_string={"page": n, "per_page": 3})) for n in (1, 2, 3)]
    assert pages == [["Note 7", "Note 6", "Note 5"], ["Note 4", "Note 3", "Note 2"], ["Note 1"]]


@pytest.mark.parametrize("page", ["4", str(10**30)])
def test_a_page_past_the_end_is_empty_with_the_true_total(app, api, user, page):
    add_notes(app, user.id, 5)
    response = api.get(NOTES, query_string={"page": page, "per_page": 2})
    assert response.status_code == 200
    assert response.json["items"] == []
    assert response.json["total"] == 5
    assert response.json["page"] == int(page)


@pytest.mark.parametrize(
    "per_page", ["0", "101", "-1", "abc", "1.5", "", "1e2", "٣", "1_0", "+5", " 5", "5.0"]
)
def test_a_bad_per_page_is_422(api, per_page):
    response = api.get(NOTES, query_string={"per_page": per_page})
    assert field_errors(response).keys() == {"per_page"}


@pytest.mark.parametrize("page", ["0", "-1", "x", "", "2.5", "1_0", "+1", " 1", "1.0"])
def test_a_bad_page_is_422(api, page):
    assert field_errors(api.get(NOTES, query_string={"page": page})).keys() == {"page"}


def test_both_bad_parameters_are_reported(api):
    response = api.get(NOTES, query_string={"page": "0", "per_page": "0"})
    assert field_errors(response).keys() == {"page", "per_page"}


@pytest.mark.parametrize("per_page", ["1", "100"])
def test_per_page_of_1_to_100_is_accepted(api, per_page):
    assert api.get(NOTES, query_string={"per_page": per_page}).json["per_page"] == int(per_page)


def test_unknown_query_parameters_are_ignored(api):
    assert api.get(NOTES, query_string={"sort": "oldest"}).status_code == 200


def test_the_list_links_to_the_first_and_last_pages(app, api, user):
    add_notes(app, user.id, 5)
    link = api.get(NOTES, query_string={"per_page": 2}).headers["Link"]
    assert '</api/v1/notes?page=1&per_page=2>; rel="first"' in link
    assert '</api/v1/notes?page=2&per_page=2>; rel="next"' in link
    assert '</api/v1/notes?page=3&per_page=2>; rel="last"' in link
    assert 'rel="prev"' not in link


def test_a_middle_page_links_to_its_neighbours(app, api, user):
    add_notes(app, user.id, 5)
    link = api.get(NOTES, query_string={"page": 2, "per_page": 2}).headers["Link"]
    assert '</api/v1/notes?page=1&per_page=2>; rel="prev"' in link
    assert '</api/v1/notes?page=3&per_page=2>; rel="next"' in link


def test_the_last_page_has_no_next_link(app, api, user):
    add_notes(app, user.id, 5)
    link = api.get(NOTES, query_string={"page": 3, "per_page": 2}).headers["Link"]
    assert 'rel="next"' not in link


def test_a_page_past_the_end_links_back_to_the_last_page(app, api, user):
    add_notes(app, user.id, 5)
    link = api.get(NOTES, query_string={"page": 9, "per_page": 2}).headers["Link"]
    assert '</api/v1/notes?page=3&per_page=2>; rel="prev"' in link
    assert 'rel="next"' not in link


def test_an_empty_list_has_one_page(api):
    link = api.get(NOTES).headers["Link"]
    assert '</api/v1/notes?page=1&per_page=20>; rel="last"' in link


def test_the_list_costs_the_same_queries_for_1_note_or_30(app, api, user):
    add_notes(app, user.id, 1)
    with counting_queries(app) as one_note:
        assert len(api.get(NOTES).json["items"]) == 1
    add_notes(app, user.id, 29)
    with counting_queries(app) as thirty_notes:
        assert len(api.get(NOTES, query_string={"per_page": 30}).json["items"]) == 30
    assert one_note[0] == thirty_notes[0]


# Showing, changing and deleting


def test_a_note_is_shown_by_id(api):
    created = api.post(NOTES, json={"title": "Groceries"}).json
    response = api.get(note_path(created["id"]))
    assert response.status_code == 200
    assert response.json == created


@pytest.mark.parametrize("note_id", ["0", "-1", "99999999999999999999", "abc", "1.0", "2147483648"])
def test_an_impossible_id_is_404(api, note_id):
    assert is_problem(api.get(f"{NOTES}/{note_id}"), 404)


def test_a_missing_note_is_404(api):
    assert is_problem(api.get(note_path(2_147_483_647)), 404)


def test_patch_changes_only_the_title(api):
    note = api.post(NOTES, json={"title": "Old", "body": "Kept"}).json
    changed = api.patch(note_path(note["id"]), json={"title": "New"}).json
    assert (changed["title"], changed["body"]) == ("New", "Kept")


def test_patch_changes_only_the_body(api):
    note = api.post(NOTES, json={"title": "Kept", "body": "Old"}).json
    changed = api.patch(note_path(note["id"]), json={"body": "New"}).json
    assert (changed["title"], changed["body"]) == ("Kept", "New")


def test_patch_can_empty_the_body(api):
    note = api.post(NOTES, json={"title": "Kept", "body": "Old"}).json
    assert api.patch(note_path(note["id"]), json={"body": ""}).json["body"] == ""


def test_an_empty_patch_changes_nothing(api):
    note = api.post(NOTES, json={"title": "Kept", "body": "Kept too"}).json
    response = api.patch(note_path(note["id"]), json={})
    assert response.status_code == 200
    assert response.json == note


def test_patch_moves_updated_at_but_not_created_at(app, api, user):
    [note_id] = add_notes(app, user.id, 1)
    with app.app_context():
        note = db.session.get(Note, note_id)
        note.created_at = note.updated_at = LONG_AGO
        db.session.commit()
    changed = api.patch(note_path(note_id), json={"title": "New"}).json
    assert datetime.fromisoformat(changed["created_at"]) == LONG_AGO
    assert datetime.fromisoformat(changed["updated_at"]) > LONG_AGO


def test_patch_is_saved(app, api):
    note = api.post(NOTES, json={"title": "Old"}).json
    api.patch(note_path(note["id"]), json={"title": "New"})
    assert stored_note(app, note["id"]).title == "New"


@pytest.mark.parametrize("field", ["title", "body"])
def test_patch_with_null_is_422(app, api, field):
    note = api.post(NOTES, json={"title": "Old", "body": "Old"}).json
    response = api.patch(note_path(note["id"]), json={field: None})
    assert field_errors(response).keys() == {field}
    assert getattr(stored_note(app, note["id"]), field) == "Old"


@pytest.mark.parametrize(
    "change",
    [{"title": ""}, {"title": "x" * 201}, {"body": "x" * 10_001}, {"title": "a\x00"}, {"id": 9}],
    ids=["empty-title", "long-title", "long-body", "nul", "unknown-field"],
)
def test_an_invalid_patch_is_422_and_changes_nothing(app, api, change):
    note = api.post(NOTES, json={"title": "Old"}).json
    assert field_errors(api.patch(note_path(note["id"]), json=change)).keys() == change.keys()
    assert stored_note(app, note["id"]).title == "Old"


def test_patching_a_missing_note_is_404(api):
    assert is_problem(api.patch(note_path(12345), json={"title": "New"}), 404)


def test_delete_is_204_then_the_note_is_gone(app, api):
    note_id = api.post(NOTES, json={"title": "Doomed"}).json["id"]
    response = api.delete(note_path(note_id))
    assert response.status_code == 204
    assert response.data == b""
    assert is_problem(api.get(note_path(note_id)), 404)
    assert stored_note(app, note_id) is None


def test_deleting_twice_is_404(api):
    note_id = api.post(NOTES, json={"title": "Doomed"}).json["id"]
    api.delete(note_path(note_id))
    assert is_problem(api.delete(note_path(note_id)), 404)


def test_a_note_shows_its_id_and_owner(app, user):
    [note_id] = add_notes(app, user.id, 1)
    assert repr(stored_note(app, note_id)) == f"<Note {note_id} of user {user.id}>"


# Two users


@pytest.fixture
def graces_note(other_api):
    """A note of ``other_user``'s, as the API returned it when it was made."""
    return other_api.post(NOTES, json={"title": "Grace's secret", "body": "Private"}).json


def test_a_user_lists_only_their_own_notes(api, graces_note):
    api.post(NOTES, json={"title": "Ada's"})
    response = api.get(NOTES)
    assert titles(response) == ["Ada's"]
    assert response.json["total"] == 1


def test_another_users_note_is_404_like_a_missing_one(api, graces_note):
    missing_id = graces_note["id"] + 1000
    for method, kwargs in [("GET", {}), ("PATCH", {"json": {"title": "Mine"}}), ("DELETE", {})]:
        others = api.open(note_path(graces_note["id"]), method, **kwargs)
        missing = api.open(note_path(missing_id), method, **kwargs)
        assert is_problem(others, 404), method
        assert others.json == missing.json, method


def test_another_users_note_survives_patch_and_delete(app, api, other_api, graces_note):
    api.patch(note_path(graces_note["id"]), json={"title": "Mine now"})
    api.delete(note_path(graces_note["id"]))
    assert other_api.get(note_path(graces_note["id"])).json == graces_note


def test_a_users_note_ids_do_not_leak_into_another_users_pages(app, api, other_user):
    add_notes(app, other_user.id, 30)
    assert api.get(NOTES, query_string={"per_page": 100}).json["total"] == 0
