"""The actions on a user's page: each takes effect at once, obeys the rules, leaves a trace."""

import pytest

from app.auth.models import User
from app.extensions import db
from app.infrastructure.database import utcnow
{% if cookiecutter.use_example_notes -%}
from app.notes.service import create_note
{% endif -%}
from tests.admin.conftest import SECOND_ADMIN_EMAIL, account, audit_rows, make_admin
from tests.conftest import AuthActions

LOGIN_FAILED = "Invalid email or password."


def logged_in_browser(app, user, remember=False):
    client = app.test_client()
    AuthActions(client).login(user.email, user.password, remember_me=remember)
    return client


def test_disabling_ends_every_session_and_refuses_the_login(app, admin_browser, admin, user):
    browser = logged_in_browser(app, user)
    remembered = logged_in_browser(app, user, remember=True)
    remembered.delete_cookie("session")  # only the remember-me cookie is left

    response = admin_browser.post(f"/admin/users/{user.id}/disable")

    assert response.status_code == 302
    assert account(app, user.id).disabled
    assert browser.get("/dashboard").status_code == 302
    assert remembered.get("/dashboard").status_code == 302
    refused = AuthActions(app.test_client()).login(user.email, user.password)
    wrong = AuthActions(app.test_client()).login(user.email, "not the password")
    assert refused.status_code == wrong.status_code == 200
    assert LOGIN_FAILED in refused.get_data(as_text=True)
    assert audit_rows(app)[-1] == (admin.email, "disable", user.email, user.id)


def test_enabling_lets_the_user_log_in_again(app, admin_browser, user):
    admin_browser.post(f"/admin/users/{user.id}/disable")

    admin_browser.post(f"/admin/users/{user.id}/enable")

    assert not account(app, user.id).disabled
    assert AuthActions(app.test_client()).login(user.email, user.password).status_code == 302


def test_an_administrator_cannot_disable_themself(app, admin_browser, admin):
    make_admin(app, SECOND_ADMIN_EMAIL)
    response = admin_browser.post(f"/admin/users/{admin.id}/disable")
    assert response.status_code == 409
    assert not account(app, admin.id).disabled


def test_granting_and_revoking_take_effect_at_the_next_request(app, admin_browser, user):
    browser = logged_in_browser(app, user)
    assert browser.get("/admin/").status_code == 403

    admin_browser.post(f"/admin/users/{user.id}/admin", is_admin="y")
    assert browser.get("/admin/").status_code == 200

    admin_browser.post(f"/admin/users/{user.id}/admin", is_admin="")
    assert browser.get("/admin/").status_code == 403
    assert [row[1] for row in audit_rows(app)] == ["grant admin", "revoke admin"]


@pytest.mark.parametrize(
    ("action", "data", "why"),
    [
        ("admin", {"is_admin": ""}, "last administrator"),
        ("delete", {}, "last administrator"),
        ("disable", {}, "your own account"),  # only they could try: no one else is one
    ],
)
def test_the_last_administrator_keeps_the_role_and_the_account(
    app, admin_browser, admin, action, data, why
):
    response = admin_browser.post(f"/admin/users/{admin.id}/{action}", **data)

    assert response.status_code == 409
    assert why in response.get_data(as_text=True)
    kept = account(app, admin.id)
    assert kept.is_admin and not kept.disabled
    assert audit_rows(app) == []


def test_with_a_second_administrator_the_role_can_go(app, admin_browser, admin):
    make_admin(app, SECOND_ADMIN_EMAIL)
    assert admin_browser.post(f"/admin/users/{admin.id}/admin", is_admin="").status_code == 302
    assert not account(app, admin.id).is_admin
    assert admin_browser.get("/admin/").status_code == 403  # at once, in this session too


def test_the_last_administrator_cannot_delete_their_own_account(app, admin_browser, admin):
    response = admin_browser.client.post(
        "/account/delete",
        data={"csrf_token": admin_browser.token(), "current_password": admin.password},
    )
    assert response.status_code == 200
    assert "last administrator" in response.get_data(as_text=True)
    assert account(app, admin.id) is not None


def test_deleting_a_user_removes_everything_but_the_audit_row(app, admin_browser, admin, user):
{%- if cookiecutter.use_example_notes %}
    with app.app_context():
        create_note(db.session.get(User, user.id), "Mine")
    assert "<dt>Notes</dt><dd>1</dd>" in admin_browser.get(f"/admin/users/{user.id}").get_data(
        as_text=True
    )
{%- endif %}
    browser = logged_in_browser(app, user)

    response = admin_browser.post(f"/admin/users/{user.id}/delete")

    assert response.status_code == 302
    assert response.location == "/admin/"
    assert account(app, user.id) is None
    assert browser.get("/dashboard").status_code == 302
    assert admin_browser.get("/admin/").status_code == 200  # the administrator stays in
    assert audit_rows(app) == [(admin.email, "delete", user.email, None)]
    assert f"{user.email} (deleted)" in admin_browser.get("/admin/audit").get_data(as_text=True)


def test_resending_the_confirmation_mails_a_link(app, admin_browser, admin, user, outbox):
    response = admin_browser.post(f"/admin/users/{user.id}/confirmation")
    assert response.status_code == 302
    assert [message["To"] for message in outbox][-1] == user.email
    assert audit_rows(app) == [(admin.email, "resend confirmation", user.email, user.id)]


def test_the_audit_log_shows_who_did_what_to_whom_from_where(app, admin_browser, admin, user):
    admin_browser.post(f"/admin/users/{user.id}/disable")
    text = admin_browser.get("/admin/audit").get_data(as_text=True)
    assert admin.email in text and "disable" in text and user.email in text
    assert "127.0.0.1" in text


def test_a_user_page_shows_the_details_and_actions(admin_browser, user):
    text = admin_browser.get(f"/admin/users/{user.id}").get_data(as_text=True)
    assert user.email in text
    for action in ("disable", "admin", "confirmation"):
        assert f'action="/admin/users/{user.id}/{action}"' in text
    assert f'href="/admin/users/{user.id}/delete"' in text  # a page that asks first


def test_a_disabled_administrator_does_not_count(app, admin_browser, admin):
    deputy = make_admin(app, SECOND_ADMIN_EMAIL)
    admin_browser.post(f"/admin/users/{deputy.id}/disable")

    response = admin_browser.post(f"/admin/users/{admin.id}/admin", is_admin="")

    assert response.status_code == 409
    assert account(app, admin.id).is_admin


def test_a_login_left_to_a_disabled_user_counts_as_anonymous(app, user):
    """Disabling deletes the user's logins; were one left, the guard still refuses it."""
    browser = logged_in_browser(app, user)
    with app.app_context():
        db.session.get(User, user.id).disabled_at = utcnow()
        db.session.commit()

    assert browser.get("/dashboard").status_code == 302
