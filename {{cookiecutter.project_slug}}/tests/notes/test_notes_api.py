"""/api/v1/notes: each user's own notes, created, listed, changed and deleted over JSON.

These tests need both parts, the API and the notes: they are removed with either.
"""

from datetime import UTC, datetime

import pytest
from schemathesis import GenerationMode

from app.extensions import db
from app.notes.api import drop_null_defaults
from app.notes.models import Note
from tests.api.conftest import ApiClient, issue_token
from tests.api.fuzzing import fuzz, operations
from tests.api.helpers import field_errors, is_problem
from tests.notes.helpers import add_notes, stored_note
from tests.request_counters import count_request

NOTES = "/api/v1/notes"
LONG_AGO = datetime(2000, 1, 1, tzinfo=UTC)
NOTE_KEYS = {"id", "title", "body", "created_at", "updated_at"{% if cookiecutter.use_uploads %}, "attachments"{% endif %}}


@pytest.fixture
def api(app, user):
    """The API as ``user`` calls it, with a freshly issued bearer token."""
    return ApiClient(app, issue_token(app, user.email, user.password))


@pytest.fixture
def other_api(app, other_user):
    """The API as ``other_user`` calls it."""
    return ApiClient(app, issue_token(app, other_user.email, other_user.password))


def note_path(note_id):
    return f"{NOTES}/{note_id}"


def titles(response):
    return [item["title"] for item in response.json["items"]]


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
    ("query", "field"), [({"page": "0"}, "page"), ({"per_page": "101"}, "per_page")]
)
def test_the_paging_parameters_are_checked(api, query, field):
    assert field_errors(api.get(NOTES, query_string=query)).keys() == {field}


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


@pytest.mark.parametrize(("note_count", "per_page"), [(0, 20), (20, 20), (100, 100)])
def test_the_list_costs_the_same_two_queries_whatever_its_length(
    app, client, api, user, note_count, per_page
):
    add_notes(app, user.id, note_count)
    path = f"{NOTES}?per_page={per_page}"
    counts = count_request(app, client, "GET", path, api.headers)
    assert counts.status == 200
    assert len(api.get(path).json["items"]) == note_count
{%- if cookiecutter.use_uploads %}
    # The token with its user, the page with its total, then the page's attachments (if any).
    assert counts.sql == (3 if note_count else 2)
{%- else %}
    assert counts.sql == 2  # the token with its user, then the page with its total
{%- endif %}
    assert counts.redis_round_trips == 0


def test_the_list_with_the_session_cookie(app, client, auth, user):
    add_notes(app, user.id, 20)
    auth.login()
    counts = count_request(app, client, "GET", NOTES)
    assert counts.status == 200
    # The user's row (the API works with rows), then the page{% if cookiecutter.use_uploads %}, then its attachments{% endif %}.
    assert counts.sql == {{ 3 if cookiecutter.use_uploads else 2 }}
    assert counts.redis_round_trips == 1


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


# The dashboard and the API show the same notes


def test_a_note_added_on_the_page_is_in_the_api(client, auth, logged_in):
    token = auth.csrf_token("/dashboard")
    client.post("/notes", data={"csrf_token": token, "title": "Both ways", "body": ""})
    assert client.get(NOTES).json["items"][0]["title"] == "Both ways"


def test_a_note_added_by_the_page_script_is_on_the_dashboard(client, auth, logged_in):
    csrf = {"X-CSRFToken": auth.csrf_token("/dashboard")}
    assert client.post(NOTES, json={"title": "From the page"}, headers=csrf).status_code == 201
    assert '<h3 class="note-title">From the page</h3>' in client.get("/dashboard").text


def test_a_browser_change_to_notes_needs_the_csrf_header(app, client, logged_in):
    assert is_problem(client.post(NOTES, json={"title": "Forged"}), 400)
    assert client.get(NOTES).json["total"] == 0


# The OpenAPI document


@pytest.fixture
def document(client):
    return client.get("/api/openapi.json").json


def test_the_contracts_notes_operations_are_documented(document):
    documented = {(path, method) for path, item in document["paths"].items() for method in item}
    assert documented >= {
        (NOTES, "get"),
        (NOTES, "post"),
        ("/api/v1/notes/{note_id}", "get"),
        ("/api/v1/notes/{note_id}", "patch"),
        ("/api/v1/notes/{note_id}", "delete"),
    }


def test_note_bodies_refuse_unknown_fields(document):
    schemas = document["components"]["schemas"]
    for name in ("NoteIn", "NotePatch"):
        assert schemas[name]["additionalProperties"] is False


def test_the_note_limits_are_documented(document):
    note_in = document["components"]["schemas"]["NoteIn"]["properties"]
    assert (note_in["title"]["minLength"], note_in["title"]["maxLength"]) == (1, 200)
    assert note_in["body"]["maxLength"] == 10_000


def test_a_patch_documents_no_null_default(document):
    patch = document["components"]["schemas"]["NotePatch"]
    assert "required" not in patch
    assert all("default" not in field for field in patch["properties"].values())


def test_only_null_defaults_are_dropped_from_the_patch_schema():
    schema = {"properties": {"null": {"default": None}, "empty": {"default": ""}, "none": {}}}
    drop_null_defaults(schema)
    assert schema == {"properties": {"null": {}, "empty": {"default": ""}, "none": {}}}


def test_the_list_documents_its_paging_parameters(document):
    parameters = document["paths"][NOTES]["get"]["parameters"]
    assert {parameter["name"] for parameter in parameters} == {"page", "per_page"}


def test_a_note_id_is_documented_as_a_positive_integer(document):
    [parameter] = document["paths"]["/api/v1/notes/{note_id}"]["get"]["parameters"]
    assert parameter["in"] == "path"
    assert parameter["schema"] == {"type": "integer", "minimum": 1, "maximum": 2**31 - 1}


# Fuzzed


NOTES_OPERATIONS = {
    f"{method} {path}"
    for method, path in [
        ("GET", NOTES),
        ("POST", NOTES),
        ("GET", "/api/v1/notes/{note_id}"),
        ("PATCH", "/api/v1/notes/{note_id}"),
        ("DELETE", "/api/v1/notes/{note_id}"),
    ]
}


def test_the_fuzzed_operations_are_all_the_notes_operations(app):
    found = operations(app, {NOTES, "/api/v1/notes/{note_id}"})
    assert {operation.label for operation in found} == NOTES_OPERATIONS


# One test per operation and mode, so that parallel workers share the fuzzing out evenly.
@pytest.mark.slow  # hundreds of generated requests per operation
@pytest.mark.parametrize("mode", [GenerationMode.POSITIVE, GenerationMode.NEGATIVE])
@pytest.mark.parametrize("label", sorted(NOTES_OPERATIONS))
def test_the_notes_api_never_fails_and_keeps_to_its_document(app, api, user, mode, label):
    add_notes(app, user.id, 5)  # so that some generated ids find a note
    found = operations(app, {NOTES, "/api/v1/notes/{note_id}"})
    [operation] = [operation for operation in found if operation.label == label]
    fuzz(operation, mode, api.headers)
