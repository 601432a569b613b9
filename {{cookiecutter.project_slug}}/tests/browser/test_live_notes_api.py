"""Live updates in a real browser: a note made through the API of another instance shows at once."""

import json
import urllib.request

from tests.browser.conftest import PASSWORD
from tests.browser.test_live_notes import WITHIN_MS, has_note, watch_dashboard


def call(url, method="GET", body=None, token=None):
    """One JSON API call; returns the decoded answer (None when empty)."""
    headers = {"Content-Type": "application/json"}
    if token:
        headers["Authorization"] = f"Bearer {token}"
    data = None if body is None else json.dumps(body).encode()
    # Only ever our own test server's http:// URLs.
    request = urllib.request.Request(url, data=data, method=method, headers=headers)  # noqa: S310
    with urllib.request.urlopen(request, timeout=10) as response:  # noqa: S310
        text = response.read()
    return json.loads(text) if text else None


def test_a_note_made_through_the_api_of_the_second_instance_appears_then_goes(
    instances, context, account, screenshot
):
    first, second = instances
    watching = watch_dashboard(context, first.url, account)
    token = call(f"{second.url}/api/v1/tokens", "POST", {"email": account, "password": PASSWORD})[
        "token"
    ]

    note = call(f"{second.url}/api/v1/notes", "POST", {"title": "Through the API"}, token)
    watching.wait_for_function(has_note("Through the API"), timeout=WITHIN_MS)
    screenshot(watching, "1-appeared")

    call(f"{second.url}/api/v1/notes/{note['id']}", "PATCH", {"title": "Renamed"}, token)
    watching.wait_for_function(has_note("Renamed"), timeout=WITHIN_MS)

    call(f"{second.url}/api/v1/notes/{note['id']}", "DELETE", token=token)
    watching.wait_for_function(
        "() => document.querySelectorAll('.note').length === 0", timeout=WITHIN_MS
    )
    screenshot(watching, "2-gone")
    assert watching.evaluate("() => window.notReloaded === true")
