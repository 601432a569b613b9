"""Live updates in a real browser: the dashboard follows changes made on another instance."""

from tests.browser.conftest import log_in, log_out, submit

# The contract: a change shows on the user's open dashboard within a second.
WITHIN_MS = 1000


def has_note(title):
    """A page function (CSP allows no string code): is a note titled ``title`` listed?"""
    return (
        "() => [...document.querySelectorAll('.note .note-title')]"
        f".some((element) => element.textContent === {title!r})"
    )


def watch_dashboard(context, url, email):
    """Log in on ``url`` and wait until the dashboard's socket is open."""
    page = context.new_page()
    log_in(page, url, email)
    page.wait_for_function("() => document.documentElement.dataset.realtime === 'open'")
    page.evaluate("() => { window.notReloaded = true; }")
    return page


def test_a_note_added_on_another_instance_appears_and_goes_without_a_reload(
    instances, new_context, context, account, screenshot
):
    first, second = instances
    watching = watch_dashboard(context, first.url, account)
    elsewhere = new_context()
    writer = elsewhere.new_page()
    log_in(writer, second.url, account)

    writer.fill("input[name=title]", "Made on the second instance")
    submit(writer, "form.note-form [type=submit]", second.url + "/dashboard")
    watching.wait_for_function(has_note("Made on the second instance"), timeout=WITHIN_MS)
    screenshot(watching, "1-appeared")

    submit(writer, ".note form.note-delete button", second.url + "/dashboard")
    watching.wait_for_function(
        "() => document.querySelectorAll('.note').length === 0", timeout=WITHIN_MS
    )
    screenshot(watching, "2-gone")
    assert watching.evaluate("() => window.notReloaded === true")

    # Logging out anywhere ends every session of the user, and so their sockets.
    log_out(writer, second.url)
    watching.wait_for_function(
        "() => document.documentElement.dataset.realtime === 'ended'", timeout=5000
    )
    screenshot(watching, "3-session-ended")


def test_logging_out_in_another_tab_takes_the_dashboard_to_the_login_form(
    instances, context, account, screenshot
):
    first = instances[0]
    watching = watch_dashboard(context, first.url, account)
    other_tab = context.new_page()  # the same browser: the same session
    other_tab.goto(first.url + "/dashboard")

    log_out(other_tab, first.url)

    watching.wait_for_url(f"{first.url}/auth/login**", timeout=5000)
    screenshot(watching, "1-login-form")


def test_what_is_typed_in_the_note_form_survives_a_live_update(
    instances, new_context, context, account
):
    first, second = instances
    watching = watch_dashboard(context, first.url, account)
    watching.fill("input[name=title]", "half-typed")
    elsewhere = new_context()
    writer = elsewhere.new_page()
    log_in(writer, second.url, account)

    writer.fill("input[name=title]", "Another one")
    submit(writer, "form.note-form [type=submit]", second.url + "/dashboard")

    watching.wait_for_function(has_note("Another one"), timeout=WITHIN_MS)
    assert watching.input_value("input[name=title]") == "half-typed"
