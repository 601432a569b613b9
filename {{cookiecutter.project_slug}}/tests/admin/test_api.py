"""``GET /api/v1/users`` for administrators, ``is_admin`` in ``users/me``, and a disabled
user's tokens."""

import pytest

from tests.admin.conftest import ADMIN_EMAIL, AdminBrowser
from tests.api.conftest import ApiClient, issue_token
from tests.conftest import AuthActions

USERS = "/api/v1/users"


@pytest.fixture
def admin_api(app, admin):
    return ApiClient(app, issue_token(app, admin.email, admin.password))


@pytest.fixture
def user_api(app, user):
    return ApiClient(app, issue_token(app, user.email, user.password))


def test_users_me_says_whether_the_caller_is_an_administrator(admin_api, user_api):
    assert admin_api.get("/api/v1/users/me").json["is_admin"] is True
    assert user_api.get("/api/v1/users/me").json["is_admin"] is False


def test_administrators_list_users_newest_first(admin_api, user):
    response = admin_api.get(USERS)

    assert response.status_code == 200
    body = response.json
    assert (body["page"], body["per_page"], body["total"]) == (1, 20, 2)
    assert [item["email"] for item in body["items"]] == [user.email, ADMIN_EMAIL]
    assert body["items"][0].keys() == {
        "id",
        "email",
        "created_at",
        "last_login_at",
        "email_confirmed",
        "is_admin",
        "disabled",
    }


def test_the_list_is_searched_literally_and_paged(admin_api, user):
    assert admin_api.get(USERS, query_string={"q": "ADA"}).json["total"] == 1
    assert admin_api.get(USERS, query_string={"q": "_"}).json["total"] == 0
    assert admin_api.get(USERS, query_string={"q": "%"}).json["total"] == 0
    assert admin_api.get(USERS, query_string={"page": 9}).json["items"] == []


@pytest.mark.parametrize(
    "query", [{"page": "0"}, {"page": "x"}, {"per_page": "101"}, {"q": "\x00"}, {"q": "x" * 300}]
)
def test_bad_query_values_are_a_422(admin_api, query):
    response = admin_api.get(USERS, query_string=query)
    assert response.status_code == 422
    assert list(response.json["errors"]) == list(query)


def test_other_users_get_403_and_anonymous_callers_401(app, user_api):
    assert user_api.get(USERS).status_code == 403
    response = app.test_client().get(USERS)
    assert response.status_code == 401
    assert response.headers["WWW-Authenticate"].lower().startswith("bearer")


def test_the_list_is_in_the_openapi_document(app, admin):
    document = app.test_client().get("/api/openapi.json").json
    assert "403" in document["paths"]["/api/v1/users"]["get"]["responses"]


def test_disabling_a_user_revokes_their_tokens_and_refuses_new_ones(
    app, admin_api, admin, user, user_api
):
    browser = app.test_client()
    AuthActions(browser).login(admin.email, admin.password)
    assert AdminBrowser(browser).post(f"/admin/users/{user.id}/disable").status_code == 302

    assert user_api.get("/api/v1/users/me").status_code == 401
    refused = app.test_client().post(
        "/api/v1/tokens", json={"email": user.email, "password": user.password}
    )
    assert refused.status_code == 401
