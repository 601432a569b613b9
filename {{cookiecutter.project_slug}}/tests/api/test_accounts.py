"""The account flows as the API sees them: revoked tokens, and the confirmed address."""

from app.api.models import ApiToken
from app.extensions import db
from tests.api.conftest import issue_token
from tests.conftest import EMAIL, PASSWORD, AuthActions, links_in, mails_to, path_of

ME = "/api/v1/users/me"
NEW_PASSWORD = "a brand new horse battery"


def change_password(app):
    browser = AuthActions(app.test_client())
    browser.login()
    data = {"current_password": PASSWORD, "password": NEW_PASSWORD}
    return browser.submit("/account/password", {**data, "confirm_password": NEW_PASSWORD})


def token_count(app):
    with app.app_context():
        return db.session.query(ApiToken).count()


def test_me_says_whether_the_address_is_confirmed(app, auth, outbox):
    auth.register()
    token = issue_token(app)
    me = app.test_client(use_cookies=False).get(ME, headers={"Authorization": f"Bearer {token}"})
    assert me.json["email_confirmed"] is False

    app.test_client().get(path_of(links_in(mails_to(outbox, EMAIL)[0])[0]))

    me = app.test_client(use_cookies=False).get(ME, headers={"Authorization": f"Bearer {token}"})
    assert me.json["email_confirmed"] is True


def test_the_openapi_document_describes_email_confirmed(client):
    schema = client.get("/api/openapi.json").json["components"]["schemas"]["UserOut"]
    assert schema["properties"]["email_confirmed"]["type"] == "boolean"
    assert "email_confirmed" in schema["required"]


def test_a_password_change_revokes_every_token(app, api, other_api):
    assert api.get(ME).status_code == 200

    assert change_password(app).status_code == 302

    assert api.get(ME).status_code == 401
    assert other_api.get(ME).status_code == 200  # another user's tokens stay
    assert token_count(app) == 1


def test_a_password_reset_revokes_every_token(app, api, auth, outbox):
    auth.submit("/auth/reset", {"email": EMAIL})
    path = path_of(links_in(mails_to(outbox, EMAIL)[0])[0])
    data = {"password": NEW_PASSWORD, "confirm_password": NEW_PASSWORD}

    assert auth.submit(path, data).status_code == 302

    assert api.get(ME).status_code == 401


def test_a_deleted_account_takes_its_tokens_with_it(app, api, auth):
    auth.login()
    auth.submit("/account/delete", {"current_password": PASSWORD})

    assert api.get(ME).status_code == 401
    assert token_count(app) == 0


def test_an_account_that_must_confirm_first_gets_no_token(app, script, user):
    app.config["ALLOW_UNCONFIRMED_LOGIN"] = False
    response = script.post("/api/v1/tokens", json={"email": EMAIL, "password": PASSWORD})
    assert response.status_code == 403
    assert "Confirm your email address" in response.json["detail"]
