"""Every page in a real browser: it fits from 320 px up, logs no error, and axe-core finds
no serious or critical accessibility violation.

Each page is loaded once and then resized in place (``set_viewport_size``) to
each of ``WIDTHS``: at each width the document must be no wider than the
window (no horizontal scroll). Any console error or failed request of the page
(the favicon included) fails it, but an error page's own status. axe-core
(vendored, ``tests/browser/vendor/axe-core``, from the ``axe-core`` npm
package) then checks the page at the last width, in the dark and the light
scheme.

axe is injected with Playwright's ``evaluate`` (over the DevTools protocol,
which the page's Content-Security-Policy does not govern), never as a
``<script>`` tag, which the CSP forbids; the pages keep their real CSP.

Main pages are also saved as screenshots at desktop and phone widths
(``BROWSER_SCREENSHOTS``); docs/architecture.md says how to look at them.
"""

from pathlib import Path

import pytest

{% if cookiecutter.use_admin -%}
from app import create_app
from app.extensions import db
{% endif -%}
from tests.browser.conftest import log_in, new_email, register, submit

# A desktop, a common phone, the narrowest phone in use: checked in this order.
WIDTHS = (1280, 390, 320)
HEIGHT = 800
# axe checks each page in both colour schemes (app.css follows the system's).
SCHEMES = ("dark", "light")
DESKTOP, PHONE = 1280, 390
AXE = (Path(__file__).parent / "vendor" / "axe-core" / "axe.min.js").read_text(encoding="utf-8")
# What fails a page: axe-core's two highest impacts.
FAILING_IMPACTS = ["serious", "critical"]
RUN_AXE = """async (impacts) => {
  const results = await axe.run(document, {resultTypes: ["violations"]});
  return results.violations
    .filter((violation) => impacts.includes(violation.impact))
    .map((violation) => violation.id + " (" + violation.impact + "): "
      + violation.nodes.map((node) => node.target.join(" ")).join(", "));
}"""
OVERFLOW = "() => document.documentElement.scrollWidth - window.innerWidth"


class PageChecker:
    """Opens pages in one tab and collects what is wrong with each."""

    def __init__(self, page, screenshot):
        self.page = page
        self.screenshot = screenshot
        self.problems = []
        self.errors = []
        page.on("console", self.on_console)
        page.on("pageerror", lambda error: self.errors.append(f"script error: {error}"))
        page.on("requestfailed", self.on_request_failed)
        page.on("response", self.on_response)

    def on_console(self, message):
        if message.type == "error":
            self.errors.append(f"console: {message.text} ({message.location.get('url')})")

    def on_request_failed(self, request):
        # Leaving a page aborts its requests still on their way (a live update's
        # fetch, say): that is the browser's doing, not a fault.
        if request.failure != "net::ERR_ABORTED":
            self.errors.append(f"failed: {request.url} ({request.failure})")

    def on_response(self, response):
        # A page's own status is checked by ``check``; this catches its images, styles, icon.
        if response.status >= 400 and not response.request.is_navigation_request():
            self.errors.append(f"{response.status}: {response.url}")

    def visit(self, url, *, status=200, shot=None):
        """Load ``url`` (expecting ``status``) and check it."""
        self.page.set_viewport_size({"width": DESKTOP, "height": HEIGHT})
        response = self.page.goto(url)
        assert response is not None
        self.check(url, status=response.status, expected=status, shot=shot)

    def check(self, url, *, status=200, expected=200, shot=None):
        """Check the page already loaded (the answer to a form, say)."""
        self.page.wait_for_load_state("load")
        problems = [f"status {status}, expected {expected}"] if status != expected else []
        for width in WIDTHS:
            self.page.set_viewport_size({"width": width, "height": HEIGHT})
            excess = self.page.evaluate(OVERFLOW)
            if excess > 0:
                problems.append(f"{excess} px wider than the window at {width} px")
            if shot and width in (DESKTOP, PHONE):
                self.screenshot(self.page, f"{shot}-{width}")
        self.page.evaluate(AXE)
        for scheme in SCHEMES:
            self.page.emulate_media(color_scheme=scheme)
            problems += [
                f"{violation} ({scheme})"
                for violation in self.page.evaluate(RUN_AXE, FAILING_IMPACTS)
            ]
        # A page's own error status is logged as a console error: expected, not a fault.
        problems += [
            error
            for error in self.errors
            if not (expected >= 400 and "status of" in error and f"({url})" in error)
        ]
        self.errors.clear()
        self.problems += [f"{url}: {problem}" for problem in problems]


@pytest.fixture
def checker(context, screenshot):
    return PageChecker(context.new_page(), screenshot)


def test_the_anonymous_pages(instances, checker):
    base = instances[0].url
    checker.visit(base + "/", shot="home")
    checker.visit(base + "/auth/login", shot="login")
    checker.visit(base + "/auth/register")
    checker.visit(base + "/auth/reset")
    checker.visit(base + "/auth/confirm/not-a-token", status=400)
    checker.visit(base + "/no-such-page", status=404)
    checker.visit(base + "/auth/logout", status=405)
{%- if cookiecutter.use_api %}
    checker.visit(base + "/api/docs")
{%- endif %}

    assert not checker.problems, "\n".join(checker.problems)


def test_the_signed_in_pages(instances, checker):
    base = instances[0].url
    page = checker.page
    # An address as long as people have: the header shortens it.
    email = f"a-rather-long-address-{new_email()}"
    register(page, base, email)
    checker.check(page.url)
    log_in(page, base, email)
    checker.check(page.url, shot="dashboard-empty")
{%- if cookiecutter.use_example_notes %}
    for title in ("Buy milk", "Call the plumber about the kitchen tap"):
        page.fill("input[name=title]", title)
        page.fill("textarea[name=body]", "Before Friday, and ask about the boiler too.")
        submit(page, "form.note-form [type=submit]", base + "/dashboard")
    checker.check(page.url, shot="dashboard")
    # A note's edit page and the page that asks before deleting it.
    edit_path = page.locator("a:text-is('Edit')").first.get_attribute("href")
    delete_path = page.locator("a:text-is('Delete')").first.get_attribute("href")
    checker.visit(base + edit_path)
    checker.visit(base + delete_path)
{%- endif %}
{%- if cookiecutter.use_api %}
    # The tokens page, empty, then showing a new token once, then asking before revoking.
    checker.visit(base + "/account/tokens")
    page.fill("form.token-form input[name=name]", "A laptop's deploy script")
    submit(page, "form.token-form [type=submit]", base + "/account/tokens")
    checker.check(page.url, shot="tokens")
    revoke_path = page.locator("a:text-is('Revoke')").first.get_attribute("href")
    checker.visit(base + revoke_path)
{%- endif %}
    checker.visit(base + "/", shot="home-signed-in")
    checker.visit(base + "/account/password", shot="account")
    checker.visit(base + "/account/email")
    checker.visit(base + "/account/delete")
{%- if cookiecutter.use_uploads %}
    checker.visit(base + "/account/avatar")
{%- endif %}
{%- if cookiecutter.use_admin %}
    checker.visit(base + "/admin/", status=403)
{%- endif %}
    # A form sent without its CSRF token: the 400 page.
    page.goto(base + "/account/password")
    page.evaluate("document.querySelector('main form input[name=csrf_token]').remove()")
    submit(page, "main form [type=submit]", base + "/account/password")
    assert page.locator(".error-status").text_content() == "Error 400"
    checker.check(page.url, status=400, expected=400)

    assert not checker.problems, "\n".join(checker.problems)
{%- if cookiecutter.use_admin %}


def grant_admin(email):
    """Make ``email`` an administrator with the command an operator would run."""
    app = create_app("testing")  # the instances' database and Redis
    try:
        result = app.test_cli_runner().invoke(args=["admin", "grant", email])
    finally:
        with app.app_context():
            db.engine.dispose()
        app.extensions["redis"].client.close()
    assert result.exit_code == 0, result.output


def test_the_admin_pages(instances, checker):
    base = instances[0].url
    page = checker.page
    email = new_email()
    register(page, base, email)
    grant_admin(email)
    log_in(page, base, email)

    checker.visit(base + "/admin/", shot="admin")
    with page.expect_navigation():
        page.click("td a")
    checker.check(page.url)
    # The page that asks before deleting the user (their own page's delete rule).
    checker.visit(page.url + "/delete")
    checker.visit(base + "/admin/audit")

    assert not checker.problems, "\n".join(checker.problems)
{%- endif %}
