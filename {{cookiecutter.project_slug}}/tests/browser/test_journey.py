"""A visitor's first steps in a real browser: register, log in, log out."""

from tests.browser.conftest import log_in, log_out, new_email, register, submit


def test_register_log_in_and_log_out(instances, context, screenshot):
    first = instances[0]
    page = context.new_page()
    email = new_email()

    register(page, first.url, email)
    screenshot(page, "1-registered")
    assert page.locator(".flash-success").count() == 1

    log_in(page, first.url, email)
    screenshot(page, "2-dashboard")
    assert page.locator(".user-email").inner_text() == email

    log_out(page, first.url)
    screenshot(page, "3-logged-out")
    assert page.locator(".flash").count() == 1
    page.goto(first.url + "/dashboard")
    assert page.url.startswith(first.url + "/auth/login")


def test_a_wrong_password_keeps_the_visitor_on_the_login_form(instances, context, account):
    page = context.new_page()
    page.goto(instances[0].url + "/auth/login")
    page.fill("input[name=email]", account)
    page.fill("input[name=password]", "not the password")
    submit(page, "main form [type=submit]", instances[0].url + "/auth/login")

    assert page.locator(".form-error").count() == 1
    assert page.locator(".user-email").count() == 0
