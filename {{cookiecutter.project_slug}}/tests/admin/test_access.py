"""Every page and action under /admin/ is for administrators only, and forms need CSRF."""

import pytest
from flask.views import MethodView

from app.auth.roles import ADMIN, require_role
from tests.admin.conftest import account
from tests.conftest import CSRF_TOKEN, AuthActions

PAGES = ("/admin/", "/admin/users/{id}", "/admin/audit")
ACTIONS = ("disable", "enable", "admin", "delete", "confirmation")
JSON = {"Accept": "application/json"}


def pages(user_id):
    return [page.format(id=user_id) for page in PAGES]


def action_paths(user_id):
    return [f"/admin/users/{user_id}/{action}" for action in ACTIONS]


@pytest.mark.parametrize("page", PAGES)
def test_anonymous_visitors_are_sent_to_log_in(client, user, page):
    response = client.get(page.format(id=user.id))
    assert response.status_code == 302
    assert response.location.startswith("/auth/login?next=")


def test_anonymous_json_clients_get_401_problem_details(client, auth, user):
    token = auth.csrf_token()  # an anonymous session's: CSRF is checked before the guard
    requests = [("GET", path) for path in pages(user.id)]
    requests += [("POST", path) for path in action_paths(user.id)]
    for method, path in requests:
        response = client.open(path, method=method, headers=JSON, data={"csrf_token": token})
        assert response.status_code == 401, path
        assert response.content_type == "application/problem+json"


def test_other_users_get_a_403_page_in_the_sites_layout(auth, client, user, admin):
    auth.login()
    for path in pages(admin.id):
        response = client.get(path)
        assert response.status_code == 403, path
        assert 'class="site-nav"' in response.get_data(as_text=True)


def test_other_users_get_403_problem_details_as_json_clients(auth, client, user, admin):
    auth.login()
    for path in pages(admin.id):
        response = client.get(path, headers=JSON)
        assert response.status_code == 403
        assert response.json["status"] == 403


def test_other_users_cannot_act_even_with_a_valid_csrf_token(app, auth, client, user, admin):
    auth.login()
    token = CSRF_TOKEN.search(client.get("/dashboard").get_data(as_text=True)).group(1)
    for path in action_paths(admin.id):
        response = client.post(path, data={"csrf_token": token, "is_admin": ""})
        assert response.status_code == 403, path
    kept = account(app, admin.id)
    assert kept.is_admin and not kept.disabled


@pytest.mark.parametrize("action", ACTIONS)
def test_an_action_without_the_csrf_token_is_refused_with_400(app, admin_browser, user, action):
    response = admin_browser.client.post(f"/admin/users/{user.id}/{action}", data={"is_admin": "y"})
    assert response.status_code == 400
    kept = account(app, user.id)
    assert kept is not None and not kept.is_admin and not kept.disabled


def test_administrators_see_the_admin_link_and_others_do_not(auth, client, user, admin_browser):
    assert 'href="/admin/"' in admin_browser.get("/dashboard").get_data(as_text=True)
    auth.login()
    assert 'href="/admin/"' not in client.get("/dashboard").get_data(as_text=True)


def test_one_decorator_requires_a_role_on_a_view_or_a_method_view(
    app, add_view, client, auth, user, admin
):
    @require_role(ADMIN)
    def report():
        return "secret report"

    class Reports(MethodView):
        decorators = [require_role(ADMIN)]

        def get(self):
            return "secret reports"

    add_view("/report", report)
    add_view("/public-report", report, public=True)
    app.add_url_rule("/reports", view_func=Reports.as_view("reports"))
    admin_browser = app.test_client()
    AuthActions(admin_browser).login(admin.email, admin.password)
    assert admin_browser.get("/report").get_data(as_text=True) == "secret report"
    assert admin_browser.get("/reports").get_data(as_text=True) == "secret reports"
    assert client.get("/reports").status_code == 302  # the login guard still comes first
    assert client.get("/public-report").status_code == 401  # marked public: still closed
    auth.login()
    assert client.get("/report").status_code == 403
    assert client.get("/reports").status_code == 403
