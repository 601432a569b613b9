"""Live updates in a real browser: the dashboard follows changes made on another instance."""

from tests.browser.conftest import log_in, log_out, submit

# The contract: a change shows on the user's open dashboard within a second.
WITHIN_MS = 1000
# The contract: a session's sockets close within 5 s of its end.
SOCKETS_CLOSE_MS = 5000
# Where the page's script notes the code of each close it announces (realtime:close):
# sessionStorage outlives the reload that follows the end of a session.
CLOSED_WITH = "test:closed-with"


def has_note(title):
    """A page function (CSP allows no string code): is a note titled ``title`` listed?"""
    return (
        "() => [...document.querySelectorAll('.note .note-title')]"
        f".some((element) => element.textContent === {title!r})"
    )


def watch_dashboard(context, url, email, sockets=None):
    """Log in on ``url`` and wait until the dashboard's socket is open.

    The page's WebSockets, as Playwright sees them, are appended to
    ``sockets`` if given (the last is the current one), and each close the
    page's script announces leaves its code in the tab's sessionStorage.
    """
    page = context.new_page()
    if sockets is not None:
        page.on("websocket", lambda socket: sockets.append(socket))
    log_in(page, url, email)
    page.wait_for_function("() => document.documentElement.dataset.realtime === 'open'")
    page.evaluate(
        "(key) => { window.notReloaded = true; document.addEventListener('realtime:close',"
        " (event) => sessionStorage.setItem(key, String(event.detail.code))); }",
        CLOSED_WITH,
    )
    return page


def shows_the_end_of_its_session(page, sockets, url):
    """The dashboard's socket closes within the contract's 5 s, with 4001, and the page
    then reloads, which shows the login form.

    The page's ``realtime === 'ended'`` state is no sign to wait for: it lasts
    only until the reload it starts commits (milliseconds), and a loaded
    machine's Playwright may never see it. The socket's close is timed from
    the logout's answer (the session ended a little before): the login form
    follows at the page's own pace (one /ws request, one page load).
    """
    socket = sockets[-1]
    if not socket.is_closed():
        socket.wait_for_event("close", timeout=SOCKETS_CLOSE_MS)
    page.wait_for_url(f"{url}/auth/login**")
    assert page.evaluate("(key) => sessionStorage.getItem(key)", CLOSED_WITH) == "4001"


def test_a_note_added_on_another_instance_appears_and_goes_without_a_reload(
    instances, new_context, context, account, screenshot
):
    first, second = instances
    sockets = []
    watching = watch_dashboard(context, first.url, account, sockets)
    elsewhere = new_context()
    writer = elsewhere.new_page()
    log_in(writer, second.url, account)

    writer.fill("input[name=title]", "Made on the second instance")
    submit(writer, "form.note-form [type=submit]", second.url + "/dashboard")
    watching.wait_for_function(has_note("Made on the second instance"), timeout=WITHIN_MS)
    screenshot(watching, "1-appeared")

    submit(writer, ".note .note-actions a:text-is('Delete')", "**/notes/*/delete")
    submit(writer, "form.note-delete button.danger", second.url + "/dashboard")
    watching.wait_for_function(
        "() => document.querySelectorAll('.note').length === 0", timeout=WITHIN_MS
    )
    screenshot(watching, "2-gone")
    assert watching.evaluate("() => window.notReloaded === true")


def test_logging_out_in_another_tab_takes_the_dashboard_to_the_login_form(
    instances, context, account, screenshot
):
    first = instances[0]
    sockets = []
    watching = watch_dashboard(context, first.url, account, sockets)
    other_tab = context.new_page()  # the same browser: the same session
    other_tab.goto(first.url + "/dashboard")

    log_out(other_tab, first.url)

    shows_the_end_of_its_session(watching, sockets, first.url)
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
