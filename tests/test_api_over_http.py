"""The JSON API of a bake, served by gunicorn and driven over real HTTP.

Runs on PostgreSQL and Redis in production mode when ``TEST_DATABASE_URL``
and ``TEST_REDIS_URL`` are set (as in CI), else in development on SQLite.
Ends with schemathesis fuzzing the app's own OpenAPI document with a valid
token, as an outside client would.
"""

import pytest

from helpers.processes import describe, project_env, run
from helpers.serving import serve_bake

PASSWORD = "correct horse battery staple"
PROBLEM_JSON = "application/problem+json"
FUZZ_TIMEOUT = 300


@pytest.fixture(scope="module")
def served(bake_into, tmp_path_factory):
    """Serve a fresh bake with gunicorn: (the server, the bake's path); stop it afterwards."""
    project = bake_into("serve-api").path
    workdir = tmp_path_factory.mktemp("gunicorn-api")
    with serve_bake(project, workdir, "forge_api") as running:
        yield running, project


@pytest.fixture(scope="module")
def server(served):
    """The served bake's server."""
    return served[0]


def issue_token(server, email, password=PASSWORD):
    return server.browser().api("POST", "/api/v1/tokens", {"email": email, "password": password})


@pytest.fixture
def caller(server):
    """A new account's email and bearer token."""
    email = server.new_account(PASSWORD)
    response = issue_token(server, email)
    assert response.status == 201, response.text
    return email, response.json()["token"]


def assert_problem(response, status):
    assert response.status == status, response.text
    assert response.headers["Content-Type"].startswith(PROBLEM_JSON)
    body = response.json()
    assert body["status"] == status
    assert {"type", "title", "status", "detail"} <= body.keys()
    assert "Traceback" not in response.text
    return body


def test_a_token_is_issued_for_valid_credentials(server, caller):
    email, token = caller
    me = server.browser().api("GET", "/api/v1/users/me", token=token)

    assert me.status == 200
    assert me.json()["email"] == email
    assert set(me.json()) == {"id", "email", "email_confirmed", "is_admin", "created_at"}


def test_wrong_credentials_get_401_with_a_bearer_challenge(server, caller):
    email, _token = caller
    response = issue_token(server, email, "not the password")

    assert_problem(response, 401)
    assert response.headers["WWW-Authenticate"].startswith("Bearer")


def test_a_revoked_token_is_refused(server, caller):
    _email, token = caller
    browser = server.browser()

    assert browser.api("DELETE", "/api/v1/tokens", token=token).status == 204
    refused = browser.api("GET", "/api/v1/notes", token=token)
    assert_problem(refused, 401)
    assert refused.headers["WWW-Authenticate"].startswith("Bearer")


def test_requests_without_credentials_get_401(server):
    response = server.browser().api("GET", "/api/v1/notes")

    assert_problem(response, 401)
    assert response.headers["WWW-Authenticate"].startswith("Bearer")


def test_notes_round_trip(server, caller):
    _email, token = caller
    browser = server.browser()

    created = browser.api("POST", "/api/v1/notes", {"title": "First", "body": "é ✓"}, token)
    assert created.status == 201, created.text
    note = created.json()
    assert browser.api("GET", created.headers["Location"], token=token).json() == note

    changed = browser.api("PATCH", f"/api/v1/notes/{note['id']}", {"title": "Renamed"}, token)
    assert changed.status == 200
    assert changed.json()["title"] == "Renamed"
    assert changed.json()["body"] == "é ✓"
    assert changed.json()["created_at"] == note["created_at"]
    assert changed.json()["created_at"].endswith("+00:00")

    assert browser.api("DELETE", f"/api/v1/notes/{note['id']}", token=token).status == 204
    assert_problem(browser.api("GET", f"/api/v1/notes/{note['id']}", token=token), 404)


def test_the_list_is_paginated_newest_first(server, caller):
    _email, token = caller
    browser = server.browser()
    for number in range(5):
        browser.api("POST", "/api/v1/notes", {"title": f"note {number}"}, token)

    first = browser.api("GET", "/api/v1/notes?per_page=2", token=token)
    past_the_end = browser.api("GET", "/api/v1/notes?page=40&per_page=2", token=token)

    assert first.status == 200
    assert first.json()["total"] == 5
    assert [item["title"] for item in first.json()["items"]] == ["note 4", "note 3"]
    assert 'rel="next"' in first.headers["Link"]
    assert past_the_end.status == 200
    assert past_the_end.json()["items"] == []
    assert past_the_end.json()["total"] == 5


@pytest.mark.parametrize("query", ["per_page=0", "per_page=101", "per_page=abc", "page=0"])
def test_bad_paging_parameters_are_422_per_field(server, caller, query):
    _email, token = caller
    response = server.browser().api("GET", f"/api/v1/notes?{query}", token=token)

    body = assert_problem(response, 422)
    assert query.split("=")[0] in body["errors"]


def test_two_users_never_see_each_others_notes(server):
    browser = server.browser()
    tokens = [issue_token(server, server.new_account(PASSWORD)).json()["token"] for _ in range(2)]
    mine = browser.api("POST", "/api/v1/notes", {"title": "mine"}, tokens[0]).json()
    path = f"/api/v1/notes/{mine['id']}"

    assert browser.api("GET", "/api/v1/notes", token=tokens[1]).json()["total"] == 0
    assert_problem(browser.api("GET", path, token=tokens[1]), 404)
    assert_problem(browser.api("PATCH", path, {"title": "theirs"}, tokens[1]), 404)
    assert_problem(browser.api("DELETE", path, token=tokens[1]), 404)
    assert browser.api("GET", path, token=tokens[0]).json()["title"] == "mine"


def test_the_session_cookie_works_with_the_csrf_header_for_changes(server):
    email = server.new_account(PASSWORD)
    browser = server.browser()
    browser.follow(browser.log_in(email, PASSWORD))
    csrf_token = browser.get("/dashboard").csrf_token()

    listed = browser.api("GET", "/api/v1/notes")
    refused = browser.api("POST", "/api/v1/notes", {"title": "no header"})
    accepted = browser.api(
        "POST", "/api/v1/notes", {"title": "with header"}, headers={"X-CSRFToken": csrf_token}
    )

    assert listed.status == 200
    assert_problem(refused, 400)
    assert accepted.status == 201, accepted.text
    assert "with header" in browser.get("/dashboard").text


def test_a_note_added_on_the_dashboard_is_served_by_the_api(server, caller):
    email, token = caller
    browser = server.browser()
    browser.follow(browser.log_in(email, PASSWORD))
    form = {"csrf_token": browser.get("/dashboard").csrf_token(), "title": "From the form"}

    added = browser.post("/notes", form)

    assert added.status == 302
    titles = [n["title"] for n in browser.api("GET", "/api/v1/notes", token=token).json()["items"]]
    assert titles == ["From the form"]


@pytest.mark.parametrize(
    ("headers", "body", "status"),
    [
        ({"Content-Type": "application/json"}, "{not json", 400),
        ({"Content-Type": "text/plain"}, "title=x", 415),
        ({"Content-Type": "application/json"}, '{"title": "' + "x" * (1024 * 1024) + '"}', 413),
        ({"Content-Type": "application/json"}, '{"title": ""}', 422),
        ({"Content-Type": "application/json"}, '{"title": "a\\u0000b"}', 422),
    ],
    ids=["malformed", "not-json", "too-large", "invalid", "nul"],
)
def test_bad_bodies_get_problem_details(server, caller, headers, body, status):
    _email, token = caller
    response = server.browser().api(
        "POST", "/api/v1/notes", token=token, headers=headers, body=body
    )

    assert_problem(response, status)


def test_wrong_method_and_unknown_path_are_problems(server, caller):
    _email, token = caller
    browser = server.browser()

    wrong_method = browser.api("PUT", "/api/v1/notes", token=token)
    assert_problem(wrong_method, 405)
    assert "GET" in wrong_method.headers["Allow"]
    assert_problem(browser.api("GET", "/api/v1/nothing-here", token=token), 404)
    assert_problem(browser.api("GET", "/api/v1/notes/99999999999999999999", token=token), 404)


def test_the_openapi_document_and_docs_page_are_public(server):
    browser = server.browser()
    document = browser.get("/api/openapi.json")
    docs = browser.get("/api/docs")

    assert document.status == 200
    assert document.json()["openapi"].startswith("3.1")
    assert {
        "/api/v1/tokens",
        "/api/v1/users/me",
        "/api/v1/notes",
        "/api/v1/notes/{note_id}",
    } <= set(document.json()["paths"])
    assert docs.status == 200
    assert "<script>" not in docs.text
    for asset in ("/api/static/vendor/swagger-ui/swagger-ui-bundle.js", "/api/static/api-docs.js"):
        assert asset in docs.text
        assert browser.get(asset).status == 200


def test_schemathesis_finds_no_server_error_with_a_valid_token(served, caller, tmp_path):
    """Property-based fuzzing of every documented operation (bar revoking the token itself),
    as an administrator, so that the administrators' operations answer too."""
    server, project = served
    email, token = caller
    granted = run(project, "manage.py", "admin", "grant", email, env=server.env)
    assert granted.returncode == 0, describe(granted)
    result = run(
        tmp_path,
        "-m",
        "schemathesis.cli",
        "run",
        f"{server.url}/api/openapi.json",
        "--header",
        f"Authorization: Bearer {token}",
        "--checks",
        "all",
        "--exclude-operation-id",
        "tokens_delete",
        "--max-examples",
        "40",
        "--seed",
        "20261121",
        env=project_env(),
        timeout=FUZZ_TIMEOUT,
    )

    assert result.returncode == 0, describe(result)
    assert "No issues found" in result.stdout, describe(result)
