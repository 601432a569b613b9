"""Each administrative action says what it did, and deleting an account asks first."""

import re

import pytest

from tests.admin.conftest import account

FLASH = re.compile(r'<div class="flash flash-(\w+)"[^>]*>\s*(.*?)\s*</div>', re.S)


def flashes(response):
    return FLASH.findall(response.get_data(as_text=True))


@pytest.mark.parametrize(
    ("action", "data", "message"),
    [
        ("disable", {}, "{email} is disabled and logged out everywhere."),
        ("enable", {}, "{email} can log in again."),
        ("admin", {"is_admin": "y"}, "{email} is now an administrator."),
        ("admin", {}, "{email} is no administrator."),
        ("confirmation", {}, "A new confirmation link is on its way to {email}."),
        ("delete", {}, "{email} and everything in the account have been deleted."),
    ],
    ids=["disable", "enable", "grant", "revoke", "confirmation", "delete"],
)
def test_each_action_says_what_it_did(admin_browser, user, action, data, message):
    admin_browser.post(f"/admin/users/{user.id}/{action}", **data)
    page = admin_browser.get("/admin/", follow_redirects=True)
    assert flashes(page) == [("success", message.format(email=user.email))]


def test_the_users_page_links_a_page_that_asks_before_deleting(app, admin_browser, user):
    link = f"/admin/users/{user.id}/delete"
    assert f'href="{link}"' in admin_browser.get(f"/admin/users/{user.id}").get_data(as_text=True)

    page = admin_browser.get(link).get_data(as_text=True)

    assert f'<strong class="admin-email">{user.email}</strong>' in page
    assert f'<form class="admin-delete" method="post" action="{link}">' in page
    assert '<button type="submit" class="danger">Delete the account</button>' in page
    assert f'<a class="secondary" href="/admin/users/{user.id}">Cancel</a>' in page
    assert account(app, user.id) is not None


def test_asking_about_an_unknown_user_is_404(admin_browser):
    assert admin_browser.get("/admin/users/12345/delete").status_code == 404


def test_only_administrators_are_asked(app, auth, user):
    auth.login()
    assert app.test_client().get(f"/admin/users/{user.id}/delete").status_code == 302
    assert auth._client.get(f"/admin/users/{user.id}/delete").status_code == 403
