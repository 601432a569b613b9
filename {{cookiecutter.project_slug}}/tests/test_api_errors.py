"""Every error under /api/ is RFC 9457 problem details, never an HTML page or a 500."""

import pytest

from tests.api_helpers import PROBLEM_KEYS, is_problem

NOTES = "/api/v1/notes"


@pytest.mark.parametrize(
    "body",
    [
        '{"title": "unfinished"',
        "{'title': 'single quotes'}",
        "{,}",
        "",
        "\x00",
        '{"title": "\\ud800"}',
    ],
    ids=["unfinished", "single-quotes", "comma", "empty", "nul-byte", "lone-surrogate"],
)
def test_malformed_json_is_400(api, body):
    response = api.post(NOTES, data=body, content_type="application/json")
    assert is_problem(response, 400)
    assert "not valid JSON" in response.json["detail"]


def test_json_that_is_not_utf8_is_400(api):
    response = api.post(NOTES, data=b'{"title": "\xff"}', content_type="application/json")
    assert is_problem(response, 400)


def test_deeply_nested_json_is_400_not_500(api):
    response = api.post(NOTES, data="[" * 100_000, content_type="application/json")
    assert is_problem(response, 400)


def test_deeply_nested_but_complete_json_is_not_a_500(api):
    body = '{"title": "x", "body": ' + "[" * 5_000 + "]" * 5_000 + "}"
    assert api.post(NOTES, data=body, content_type="application/json").status_code in (400, 422)


@pytest.mark.parametrize(
    "content_type",
    ["text/plain", "application/x-www-form-urlencoded", "multipart/form-data", "application/xml"],
)
def test_a_body_that_is_not_json_is_415(api, content_type):
    response = api.post(NOTES, data='{"title": "Hi"}', content_type=content_type)
    assert is_problem(response, 415)


def test_a_body_without_a_content_type_is_415(api):
    assert is_problem(api.post(NOTES, data='{"title": "Hi"}'), 415)


def test_a_form_post_is_415(api):
    assert is_problem(api.post(NOTES, data={"title": "Hi"}), 415)


def test_a_patch_that_is_not_json_is_415(api):
    note_id = api.post(NOTES, json={"title": "Hi"}).json["id"]
    assert is_problem(api.patch(f"{NOTES}/{note_id}", data="title=x"), 415)


def test_a_json_suffix_type_is_json(api):
    response = api.post(NOTES, data='{"title": "Hi"}', content_type="application/merge+json")
    assert response.status_code == 201


def test_a_body_over_the_limit_is_413(app, api):
    body = '{"title": "big", "body": "' + "x" * app.config["MAX_CONTENT_LENGTH"] + '"}'
    response = api.post(NOTES, data=body, content_type="application/json")
    assert "Content-Length" in response.request.headers
    assert is_problem(response, 413)
    assert api.get(NOTES).json["total"] == 0


def test_the_body_limit_is_a_setting(app, api):
    app.config["MAX_CONTENT_LENGTH"] = 100
    response = api.post(NOTES, json={"title": "x" * 150})
    assert is_problem(response, 413)


def test_a_wrong_method_is_405_naming_the_allowed_ones(api):
    response = api.open(NOTES, "PUT", json={"title": "Hi"})
    assert is_problem(response, 405)
    assert set(response.headers["Allow"].split(", ")) == {"GET", "HEAD", "OPTIONS", "POST"}


def test_a_wrong_method_on_one_note_is_405(api):
    response = api.post(f"{NOTES}/1", json={"title": "Hi"})
    assert is_problem(response, 405)
    assert "PATCH" in response.headers["Allow"]


@pytest.mark.parametrize(
    "path", ["/api/v1/nothing", "/api/v2/notes", "/api/v1/notes/1/extra", "/api/", "/api"]
)
def test_an_unknown_api_path_is_404(api, path):
    assert is_problem(api.get(path), 404)


def test_an_unknown_api_path_is_404_for_anonymous_callers(client):
    assert is_problem(client.get("/api/v1/nothing"), 404)


def test_api_errors_are_json_even_when_a_browser_asks_for_html(api):
    response = api.get("/api/v1/nothing", headers={"Accept": "text/html"})
    assert is_problem(response, 404)


def test_a_422_adds_errors_by_field(api):
    response = api.post(NOTES, json={"title": ""})
    assert is_problem(response, 422)
    assert response.json.keys() == PROBLEM_KEYS | {"errors"}
    assert response.json["errors"].keys() == {"title"}
    assert all(isinstance(message, str) for message in response.json["errors"]["title"])


def test_a_422_does_not_echo_the_input(api):
    secret = "s3cr3t-" * 40
    response = api.post(NOTES, json={"title": secret})
    assert secret not in response.text


def test_other_errors_add_no_errors_member(api):
    assert "errors" not in api.get(f"{NOTES}/1").json


def test_a_401_is_problem_details(client):
    response = client.get(NOTES)
    assert is_problem(response, 401)
    assert response.json["title"] == "Unauthorized"


def test_a_failure_inside_an_api_view_is_a_500_problem_without_internals(app, api, monkeypatch):
    def explode(*_args):
        raise RuntimeError("secret internals")

    monkeypatch.setattr("app.notes.api.notes_page", explode)
    response = api.get(NOTES)
    assert is_problem(response, 500)
    assert "secret internals" not in response.text
    assert "Traceback" not in response.text


def test_api_errors_carry_the_security_headers(api):
    response = api.get("/api/v1/nothing")
    assert response.headers["X-Content-Type-Options"] == "nosniff"
    assert "X-Request-ID" in response.headers
