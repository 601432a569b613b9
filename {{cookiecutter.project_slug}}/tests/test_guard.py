"""The login guard: every endpoint is private unless marked ``@public``."""

from urllib.parse import parse_qs, urlsplit

import pytest
from flask import Blueprint
from flask.views import MethodView

from app.auth.guard import is_public_endpoint, public

# The blueprints every project has; the optional parts add their own.
CORE_BLUEPRINTS = ("main", "auth", "account", "health")


def login_redirect_target(response):
    """The ``next`` of a redirect to the login form, or None for any other response."""
    if response.status_code != 302:
        return None
    location = urlsplit(response.headers["Location"])
    if location.path != "/auth/login":
        return None
    return parse_qs(location.query)["next"][0]
{%- if cookiecutter.use_api %}


def asks_to_log_in(response):
    """A redirect to the login form, or (for JSON clients) a 401 asking for a token."""
    if response.status_code == 401:
        return response.headers["WWW-Authenticate"].startswith("Bearer")
    return login_redirect_target(response) is not None
{%- else %}


def asks_to_log_in(response):
    """A redirect to the login form, or (for JSON clients) a 401."""
    return response.status_code == 401 or login_redirect_target(response) is not None
{%- endif %}


def test_an_anonymous_visit_to_the_dashboard_goes_to_login(client):
    response = client.get("/dashboard")
    assert response.status_code == 302
    assert response.headers["Location"] == "/auth/login?next=/dashboard"


@pytest.mark.parametrize("query", ["a=1", "a=1&b=two%20words", "next=//evil.example"])
def test_the_login_redirect_keeps_the_query_string(client, query):
    response = client.get(f"/dashboard?{query}")
    assert login_redirect_target(response) == f"/dashboard?{query}"


def test_after_login_the_visitor_comes_back_to_the_page_asked_for(client, auth, user):
    next_url = login_redirect_target(client.get("/dashboard?a=1"))
    assert auth.login(next_url=next_url).headers["Location"] == "/dashboard?a=1"


@pytest.mark.parametrize("path", ["/no-such-page", "/dashboard/extra", "/auth/nothing"])
def test_an_unknown_url_is_404_for_anonymous_visitors(client, path):
    assert client.get(path).status_code == 404


def test_an_unknown_url_is_404_for_logged_in_users(client, auth, user):
    auth.login()
    assert client.get("/no-such-page").status_code == 404


@pytest.mark.parametrize("path", ["/", "/auth/login", "/auth/register", "/health"])
def test_public_pages_are_open_to_everyone(client, path):
    assert client.get(path).status_code == 200


def test_static_files_are_served_to_anonymous_visitors(client):
    with client.get("/static/css/app.css") as response:
        assert response.status_code == 200
        assert response.mimetype == "text/css"
{%- if cookiecutter.use_api %}


def test_json_clients_get_a_401_asking_for_a_bearer_token(client):
    response = client.get("/dashboard", headers={"Accept": "application/json"})
    assert response.status_code == 401
    assert response.mimetype == "application/problem+json"
    assert response.headers["WWW-Authenticate"].startswith("Bearer")
    assert response.json["status"] == 401
{%- else %}


def test_json_clients_get_a_401_without_a_challenge_no_scheme_could_meet(client):
    """No bearer tokens here: naming the scheme would invite a token nobody checks."""
    response = client.get("/dashboard", headers={"Accept": "application/json"})
    assert response.status_code == 401
    assert response.mimetype == "application/problem+json"
    assert "WWW-Authenticate" not in response.headers
    assert response.json["status"] == 401
{%- endif %}


class Ping(MethodView):
    def get(self):
        return "pong"


@public
class PublicPing(Ping):
    pass


def test_a_public_method_view_is_open_to_everyone(app, client):
    app.add_url_rule("/ping", view_func=PublicPing.as_view("ping"))
    response = client.get("/ping")
    assert response.status_code == 200
    assert response.text == "pong"


def test_a_method_view_is_private_unless_marked(app, client):
    app.add_url_rule("/private-ping", view_func=Ping.as_view("private_ping"))
    assert login_redirect_target(client.get("/private-ping")) == "/private-ping"


def test_a_new_view_is_private_unless_marked(app, client):
    app.add_url_rule("/new-page", "new_page", lambda: "secret")
    assert login_redirect_target(client.get("/new-page")) == "/new-page"


def public_endpoints(app):
    with app.test_request_context():
        return {
            rule.endpoint for rule in app.url_map.iter_rules() if is_public_endpoint(rule.endpoint)
        }


def test_only_these_endpoints_are_public(app):
    """Opening a page to everyone is a decision: add it here when you make one.

    Each optional part checks its own public endpoints in its tests.
    """
    core = {
        endpoint
        for endpoint in public_endpoints(app)
        if "." not in endpoint or endpoint.split(".")[0] in CORE_BLUEPRINTS
    }
    assert core == {
        "static",
        "main.index",
        "main.favicon",
        "auth.login",
        "auth.register",
        "auth.request_password_reset",
        "auth.reset_password",
        "auth.confirm_email",
        "account.change_email_confirm",
        "health.health",
    }


def test_every_endpoint_is_public_or_asks_anonymous_visitors_to_log_in(app, client, auth):
    token = auth.csrf_token()
    open_to_all = public_endpoints(app)
    for rule in app.url_map.iter_rules():
        path = rule.build(dict.fromkeys(rule.arguments, "1"))[1]
        view = app.view_functions[rule.endpoint]
        # A view that checks credentials itself may open some of its methods only.
        opened = getattr(view, "public_methods", ())
        for method in sorted(rule.methods - {"HEAD", "OPTIONS"}):
            response = client.open(path, method=method, data={"csrf_token": token})
            if rule.endpoint in open_to_all or method in opened:
                assert not asks_to_log_in(response), (method, path)
            else:
                assert asks_to_log_in(response), (method, path)


def test_a_view_merely_named_static_is_not_public(app, client):
    reports = Blueprint("reports", __name__)
    reports.add_url_rule("/reports/<path:filename>", "static", lambda filename: "secret")
    app.register_blueprint(reports)
    assert login_redirect_target(client.get("/reports/q3.csv")) == "/reports/q3.csv"


def test_a_blueprints_own_static_files_are_public(app, client, tmp_path):
    (tmp_path / "logo.txt").write_text("logo")
    brand = Blueprint("brand", __name__, static_folder=tmp_path, static_url_path="/brand")
    app.register_blueprint(brand)
    response = client.get("/brand/logo.txt")
    assert response.status_code == 200
    response.close()


def test_options_is_answered_without_a_login(client):
    response = client.options("/auth/logout")
    assert response.status_code == 200
    assert set(response.headers["Allow"].split(", ")) == {"OPTIONS", "POST"}
