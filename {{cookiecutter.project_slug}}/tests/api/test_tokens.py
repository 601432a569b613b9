"""Bearer tokens: POST /api/v1/tokens trades a password for one, DELETE revokes it."""

import hashlib
from datetime import datetime, timedelta

import pytest
from sqlalchemy import text
from werkzeug.datastructures import WWWAuthenticate

from app.extensions import db
from app.infrastructure.database import utcnow
from tests.api.conftest import ApiClient
from tests.api.helpers import (
    asks_for_a_bearer_token,
    expire_token,
    field_errors,
    is_problem,
    stored_tokens,
)
from tests.conftest import EMAIL, PASSWORD

TOKENS = "/api/v1/tokens"
ME = "/api/v1/users/me"


def test_a_token_is_issued_for_a_good_email_and_password(script, user):
    response = script.post(TOKENS, json={"email": EMAIL, "password": PASSWORD})
    assert response.status_code == 201
    assert response.mimetype == "application/json"
    assert response.json.keys() == {"token", "expires_at"}


def test_the_token_opens_the_api(app, script, user):
    token = script.post(TOKENS, json={"email": EMAIL, "password": PASSWORD}).json["token"]
    response = script.get(ME, headers={"Authorization": f"Bearer {token}"})
    assert response.status_code == 200
    assert response.json["email"] == EMAIL


def test_the_email_is_matched_in_any_letter_case(script, user):
    response = script.post(TOKENS, json={"email": "ADA@Example.COM", "password": PASSWORD})
    assert response.status_code == 201


def test_a_token_expires_after_the_configured_lifetime(app, script, user):
    lifetime = app.config["API_TOKEN_LIFETIME_SECONDS"]
    before = utcnow()
    response = script.post(TOKENS, json={"email": EMAIL, "password": PASSWORD})
    after = utcnow()
    expires_at = response.json["expires_at"]
    assert expires_at.endswith("+00:00")
    expires = datetime.fromisoformat(expires_at)
    assert before + timedelta(seconds=lifetime) <= expires <= after + timedelta(seconds=lifetime)


def test_the_lifetime_is_a_setting(app, script, user):
    app.config["API_TOKEN_LIFETIME_SECONDS"] = 60
    response = script.post(TOKENS, json={"email": EMAIL, "password": PASSWORD})
    expires = datetime.fromisoformat(response.json["expires_at"])
    assert timedelta(seconds=55) < expires - utcnow() <= timedelta(seconds=60)


def test_a_token_response_is_never_cached(script, user):
    response = script.post(TOKENS, json={"email": EMAIL, "password": PASSWORD})
    assert response.headers["Cache-Control"] == "no-store"


def test_each_request_gets_a_new_token(script, user):
    first = script.post(TOKENS, json={"email": EMAIL, "password": PASSWORD}).json["token"]
    second = script.post(TOKENS, json={"email": EMAIL, "password": PASSWORD}).json["token"]
    assert first != second


def test_only_the_tokens_hash_is_stored(app, script, user):
    token = script.post(TOKENS, json={"email": EMAIL, "password": PASSWORD}).json["token"]
    [stored] = stored_tokens(app, user.id)
    assert stored.token_hash == hashlib.sha256(token.encode()).hexdigest()
    with app.app_context():
        rows = db.session.execute(text("SELECT * FROM api_tokens")).all()
    assert token not in repr(rows)


@pytest.mark.parametrize(
    "credentials",
    [
        {"email": EMAIL, "password": "not the password"},
        {"email": "nobody@example.com", "password": PASSWORD},
        {"email": EMAIL, "password": ""},
        {"email": EMAIL, "password": "x" * 1024},
        {"email": EMAIL, "password": "with a NUL \x00"},
        {"email": "not an email", "password": PASSWORD},
    ],
    ids=["wrong-password", "unknown-email", "empty-password", "long-password", "nul", "junk"],
)
def test_wrong_credentials_get_a_401_asking_for_a_bearer_token(script, user, credentials):
    response = script.post(TOKENS, json=credentials)
    assert asks_for_a_bearer_token(response)
    assert "token" not in response.json


def test_a_401_does_not_say_whether_the_email_or_the_password_was_wrong(script, user):
    wrong_password = script.post(TOKENS, json={"email": EMAIL, "password": "nope nope"})
    unknown_email = script.post(TOKENS, json={"email": "eve@example.com", "password": PASSWORD})
    assert wrong_password.json == unknown_email.json
    assert wrong_password.headers["WWW-Authenticate"] == unknown_email.headers["WWW-Authenticate"]


def test_wrong_credentials_store_no_token(app, script, user):
    script.post(TOKENS, json={"email": EMAIL, "password": "not the password"})
    assert stored_tokens(app, user.id) == []


def test_missing_fields_are_named(script, user):
    errors = field_errors(script.post(TOKENS, json={}))
    assert errors.keys() == {"email", "password"}
    assert errors["email"] == ["Field required"]


def test_an_unknown_field_is_refused(script, user):
    body = {"email": EMAIL, "password": PASSWORD, "remember": True}
    assert field_errors(script.post(TOKENS, json=body)).keys() == {"remember"}


def test_credentials_must_be_strings(script, user):
    errors = field_errors(script.post(TOKENS, json={"email": 1, "password": ["x"]}))
    assert errors.keys() == {"email", "password"}


def test_an_overlong_password_is_refused_before_it_is_hashed(script, user):
    errors = field_errors(script.post(TOKENS, json={"email": EMAIL, "password": "x" * 1025}))
    assert errors.keys() == {"password"}


def test_a_token_needs_no_csrf_token_even_from_a_browser(client, auth, user):
    auth.login()
    response = client.post(TOKENS, json={"email": EMAIL, "password": PASSWORD})
    assert response.status_code == 201


def test_revoking_a_token_is_204(api):
    response = api.delete(TOKENS)
    assert response.status_code == 204
    assert response.data == b""


def test_a_revoked_token_gets_401(api):
    api.delete(TOKENS)
    assert asks_for_a_bearer_token(api.get(ME))


def test_a_revoked_token_cannot_be_revoked_again(api):
    api.delete(TOKENS)
    assert asks_for_a_bearer_token(api.delete(TOKENS))


def test_revoking_a_token_deletes_its_row(app, api, user):
    api.delete(TOKENS)
    assert stored_tokens(app, user.id) == []


def test_revoking_one_token_leaves_the_others_working(app, api, user):
    second = ApiClient(
        app, api.post(TOKENS, json={"email": EMAIL, "password": PASSWORD}).json["token"]
    )
    api.delete(TOKENS)
    assert second.get(ME).status_code == 200


def test_revoking_needs_a_token(script):
    assert asks_for_a_bearer_token(script.delete(TOKENS))


def test_revoking_with_the_session_cookie_is_400(client, auth, user):
    auth.login()
    response = client.delete(TOKENS, headers={"X-CSRFToken": auth.csrf_token("/dashboard")})
    assert is_problem(response, 400)
    assert "Authorization: Bearer" in response.json["detail"]


def test_an_expired_token_gets_401(app, api):
    expire_token(app, api.token)
    response = api.get(ME)
    assert asks_for_a_bearer_token(response)
    challenge = WWWAuthenticate.from_header(response.headers["WWW-Authenticate"])
    assert challenge.parameters["error"] == "invalid_token"


def test_a_token_is_valid_until_its_expiry(app, api, user, monkeypatch):
    [stored] = stored_tokens(app, user.id)
    monkeypatch.setattr("app.api.models.utcnow", lambda: stored.expires_at)
    assert asks_for_a_bearer_token(api.get(ME))
    monkeypatch.setattr(
        "app.api.models.utcnow", lambda: stored.expires_at - timedelta(microseconds=1)
    )
    assert api.get(ME).status_code == 200


def test_issuing_a_token_forgets_the_users_expired_ones(app, api, user):
    expire_token(app, api.token)
    issue = {"email": EMAIL, "password": PASSWORD}
    new_token = api.post(TOKENS, json=issue).json["token"]
    [remaining] = stored_tokens(app, user.id)
    assert remaining.token_hash == hashlib.sha256(new_token.encode()).hexdigest()


def test_issuing_a_token_keeps_other_users_expired_tokens(app, api, other_api, user, other_user):
    expire_token(app, other_api.token)
    api.post(TOKENS, json={"email": EMAIL, "password": PASSWORD})
    assert len(stored_tokens(app, other_user.id)) == 1


def test_issuing_a_token_keeps_the_users_valid_ones(app, api, user):
    api.post(TOKENS, json={"email": EMAIL, "password": PASSWORD})
    assert len(stored_tokens(app, user.id)) == 2
    assert api.get(ME).status_code == 200


def test_a_token_shows_its_id_and_owner(app, api, user):
    [stored] = stored_tokens(app, user.id)
    assert repr(stored) == f"<ApiToken {stored.id} of user {user.id}>"
