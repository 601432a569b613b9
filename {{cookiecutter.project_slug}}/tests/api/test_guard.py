"""The login guard and the API: views that authenticate themselves, and those that forgot to."""

from flask.views import MethodView

from tests.test_guard import public_endpoints


def test_only_these_api_endpoints_are_public(app):
    """Opening an endpoint to everyone is a decision: add it here when you make one."""
    api_endpoints = {endpoint for endpoint in public_endpoints(app) if endpoint.startswith("api")}
    assert api_endpoints == {
        "api_docs.openapi_document",
        "api_docs.docs_page",
        "api_docs.static",
    }


def test_issuing_a_token_is_the_one_public_method(app):
    """``authenticate(public_methods=...)``: POST /api/v1/tokens lets anyone in."""
    opened = {
        (rule.endpoint, method)
        for rule in app.url_map.iter_rules()
        if rule.endpoint.startswith("api.")
        for method in getattr(app.view_functions[rule.endpoint], "public_methods", ())
    }
    assert opened == {("api.tokens", "POST")}


class Forgotten(MethodView):
    """An API view whose author forgot ``decorators = [authenticate()]``."""

    def get(self):
        return {"secret": "data"}

    def post(self):
        return {"changed": True}


def mount_forgotten_api_view(app):
    """Mount it as if it were in the API blueprint (which checks CSRF in ``authenticate``)."""
    app.add_url_rule("/api/v1/forgotten", view_func=Forgotten.as_view("api.forgotten"))


def test_an_api_view_without_authenticate_is_still_private(app, client):
    mount_forgotten_api_view(app)
    for method in ("GET", "POST"):
        response = client.open("/api/v1/forgotten", method=method)
        assert response.status_code == 401, method
        assert response.mimetype == "application/problem+json"
        assert response.headers["WWW-Authenticate"].startswith("Bearer")


def test_an_api_view_without_authenticate_still_needs_csrf_from_a_browser(app, client, auth, user):
    mount_forgotten_api_view(app)
    auth.login()
    assert client.get("/api/v1/forgotten").status_code == 200
    assert client.post("/api/v1/forgotten").status_code == 400
    token = {"X-CSRFToken": auth.csrf_token("/dashboard")}
    assert client.post("/api/v1/forgotten", headers=token).status_code == 200
