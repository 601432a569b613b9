"""Every error under /api/ is RFC 9457 problem details, never an HTML page or a 500."""

import pytest

from tests.api.helpers import PROBLEM_KEYS, is_problem

ITEMS = "/api/v1/items"
ME = "/api/v1/users/me"
TOKENS = "/api/v1/tokens"


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
    response = api.post(ITEMS, data=body, content_type="application/json")
    assert is_problem(response, 400)
    assert "not valid JSON" in response.json["detail"]


def test_json_that_is_not_utf8_is_400(api):
    response = api.post(ITEMS, data=b'{"title": "\xff"}', content_type="application/json")
    assert is_problem(response, 400)


def test_deeply_nested_json_is_400_not_500(api):
    response = api.post(ITEMS, data="[" * 100_000, content_type="application/json")
    assert is_problem(response, 400)


def test_deeply_nested_but_complete_json_is_not_a_500(api):
    body = '{"title": "x", "body": ' + "[" * 5_000 + "]" * 5_000 + "}"
    assert api.post(ITEMS, data=body, content_type="application/json").status_code in (400, 422)


def test_malformed_json_to_a_public_operation_is_400(script):
    response = script.post(TOKENS, data="{", content_type="application/json")
    assert is_problem(response, 400)


@pytest.mark.parametrize(
    "content_type",
    ["text/plain", "application/x-www-form-urlencoded", "multipart/form-data", "application/xml"],
)
def test_a_body_that_is_not_json_is_415(api, content_type):
    response = api.post(ITEMS, data='{"title": "Hi"}', content_type=content_type)
    assert is_problem(response, 415)


def test_a_body_without_a_content_type_is_415(api):
    assert is_problem(api.post(ITEMS, data='{"title": "Hi"}'), 415)


def test_a_form_post_is_415(api):
    assert is_problem(api.post(ITEMS, data={"title": "Hi"}), 415)


def test_a_patch_that_is_not_json_is_415(api):
    item_id = api.post(ITEMS, json={"title": "Hi"}).json["id"]
    assert is_problem(api.patch(f"{ITEMS}/{item_id}", data="title=x"), 415)


def test_a_json_suffix_type_is_json(api):
    response = api.post(ITEMS, data='{"title": "Hi"}', content_type="application/merge+json")
    assert response.status_code == 201


def test_a_body_over_the_limit_is_413(app, api):
    body = '{"title": "big", "body": "' + "x" * app.config["MAX_CONTENT_LENGTH"] + '"}'
    response = api.post(ITEMS, data=body, content_type="application/json")
    assert "Content-Length" in response.request.headers
    assert is_problem(response, 413)
    assert api.get(ITEMS).json["total"] == 0


def test_the_body_limit_is_a_setting(app, api):
    app.config["MAX_CONTENT_LENGTH"] = 100
    response = api.post(ITEMS, json={"title": "x", "body": "x" * 150})
    assert is_problem(response, 413)


def test_a_wrong_method_is_405_naming_the_allowed_ones(api):
    response = api.open(ITEMS, "PUT", json={"title": "Hi"})
    assert is_problem(response, 405)
    assert set(response.headers["Allow"].split(", ")) == {"GET", "HEAD", "OPTIONS", "POST"}


def test_a_wrong_method_on_a_built_in_resource_is_405(api):
    response = api.post(ME, json={})
    assert is_problem(response, 405)
    assert set(response.headers["Allow"].split(", ")) == {"GET", "HEAD", "OPTIONS"}


def test_a_wrong_method_on_one_item_is_405(api):
    response = api.post(f"{ITEMS}/1", json={"title": "Hi"})
    assert is_problem(response, 405)
    assert "PATCH" in response.headers["Allow"]


@pytest.mark.parametrize(
    "path", ["/api/v1/nothing", "/api/v2/users/me", "/api/v1/users/me/extra", "/api/", "/api"]
)
def test_an_unknown_api_path_is_404(api, path):
    assert is_problem(api.get(path), 404)


def test_an_unknown_api_path_is_404_for_anonymous_callers(client):
    assert is_problem(client.get("/api/v1/nothing"), 404)


def test_api_errors_are_json_even_when_a_browser_asks_for_html(client):
    assert is_problem(client.get("/api/v1/nothing", headers={"Accept": "text/html"}), 404)
    assert is_problem(client.get(ME, headers={"Accept": "text/html"}), 401)


def test_a_422_adds_errors_by_field(api):
    response = api.post(ITEMS, json={"title": ""})
    assert is_problem(response, 422)
    assert response.json.keys() == PROBLEM_KEYS | {"errors"}
    assert response.json["errors"].keys() == {"title"}
    assert all(isinstance(message, str) for message in response.json["errors"]["title"])


def test_a_422_does_not_echo_the_input(api):
    secret = "s3cr3t-" * 40
    response = api.post(ITEMS, json={"title": secret})
    assert is_problem(response, 422)
    assert secret not in response.text


def test_other_errors_add_no_errors_member(api):
    response = api.get(f"{ITEMS}/1")
    assert is_problem(response, 404)
    assert "errors" not in response.json


def test_a_401_is_problem_details(client):
    response = client.get(ME)
    assert is_problem(response, 401)
    assert response.json["title"] == "Unauthorized"


def test_a_failure_inside_an_api_view_is_a_500_problem_without_internals(api, monkeypatch):
    def explode(*_args):
        raise RuntimeError("secret internals")

    monkeypatch.setattr("app.api.users.CurrentUserView.get", explode)
    response = api.get(ME)
    assert is_problem(response, 500)
    assert "secret internals" not in response.text
    assert "Traceback" not in response.text


def test_a_service_outage_inside_an_api_view_is_a_503_problem(app, api, refuse_redis, monkeypatch):
    def needs_redis(*_args):
        app.extensions["redis"].client.ping()

    refuse_redis("ping")
    monkeypatch.setattr("app.api.users.CurrentUserView.get", needs_redis)
    response = api.get(ME)
    assert is_problem(response, 503)
    assert int(response.headers["Retry-After"]) > 0


def test_api_errors_carry_the_security_headers(api):
    response = api.get("/api/v1/nothing")
    assert response.headers["X-Content-Type-Options"] == "nosniff"
    assert "X-Request-ID" in response.headers
