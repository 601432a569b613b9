"""Scripts open the socket with an API bearer token; a revoked token's sockets close."""

import json

from tests.api.conftest import issue_token
from tests.api.helpers import expire_token
from tests.conftest import AuthActions
from tests.realtime.conftest import receive, stays_open, wait_until_closed

SESSION_ENDED = 4001
NEW_PASSWORD = "a brand new horse battery"


def bearer(token, **headers):
    return {"Authorization": f"Bearer {token}", **headers}


def test_a_bearer_token_opens_the_socket_without_an_origin(app, server, user):
    ws = server.connect(bearer(issue_token(app)))

    assert ws.connected
    ws.close()


def test_a_bearer_handshake_with_the_apps_own_origin_is_accepted(app, server, user):
    ws = server.connect(bearer(issue_token(app), Origin=server.origin))

    assert ws.connected
    ws.close()


def test_a_bearer_handshake_from_a_foreign_origin_is_refused_with_403(app, server, user):
    assert server.refusal(bearer(issue_token(app), Origin="http://evil.example")) == 403


def test_an_unknown_or_malformed_token_is_refused_with_401(server, user):
    assert server.refusal(bearer("x" * 43)) == 401
    assert server.refusal({"Authorization": "Basic YTpi"}) == 401


def test_notes_made_through_the_api_reach_the_bearer_socket(app, server, user):
    token = issue_token(app)
    ws = server.connect(bearer(token))
    api = app.test_client(use_cookies=False)

    created = api.post("/api/v1/notes", json={"title": "From a script"}, headers=bearer(token))
    api.patch(f"/api/v1/notes/{created.json['id']}", json={"body": "more"}, headers=bearer(token))

    assert json.loads(receive(ws))["event"] == "note.created"
    updated = json.loads(receive(ws))
    assert updated["event"] == "note.updated"
{%- if cookiecutter.use_uploads %}
    # The events carry the note's own fields, not its attachments.
    note = {key: value for key, value in created.json.items() if key != "attachments"}
{%- else %}
    note = created.json
{%- endif %}
    assert updated["note"] == note | {
        "body": "more",
        "updated_at": updated["note"]["updated_at"],
    }
    ws.close()


def test_revoking_the_token_closes_its_sockets_within_5_seconds(app, server, user):
    token = issue_token(app)
    ws = server.connect(bearer(token))

    app.test_client(use_cookies=False).delete("/api/v1/tokens", headers=bearer(token))

    seconds, code = wait_until_closed(ws)
    assert code == SESSION_ENDED
    assert seconds < 5


def test_an_expired_tokens_sockets_close(app, server, user):
    token = issue_token(app)
    ws = server.connect(bearer(token))

    expire_token(app, token)

    assert wait_until_closed(ws)[1] == SESSION_ENDED


def test_other_tokens_sockets_stay_open(app, server, user):
    kept, revoked = issue_token(app), issue_token(app)
    staying, going = server.connect(bearer(kept)), server.connect(bearer(revoked))

    app.test_client(use_cookies=False).delete("/api/v1/tokens", headers=bearer(revoked))

    wait_until_closed(going)
    assert staying.connected
    staying.close()


def test_a_password_change_closes_the_sockets_of_the_users_tokens(app, server, user, auth):
    """A password change deletes every token of the user, so their sockets close too."""
    ws = server.connect(bearer(issue_token(app)))
    auth.login()
    data = {"current_password": user.password, "password": NEW_PASSWORD}
    data["confirm_password"] = NEW_PASSWORD

    assert auth.submit("/account/password", data).status_code == 302

    seconds, code = wait_until_closed(ws)
    assert code == SESSION_ENDED
    assert seconds < 5


def test_another_users_password_change_leaves_a_tokens_socket_open(app, server, user, other_user):
    ws = server.connect(bearer(issue_token(app)))
    theirs = AuthActions(app.test_client())
    theirs.login(other_user.email, other_user.password)
    data = {"current_password": other_user.password, "password": NEW_PASSWORD}
    data["confirm_password"] = NEW_PASSWORD

    assert theirs.submit("/account/password", data).status_code == 302

    assert stays_open(ws)
    ws.close()
