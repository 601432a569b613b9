"""The API tokens page in a real browser: make a token, use it, revoke it, see it refused."""

from urllib.request import Request, urlopen

import pytest

from tests.browser.conftest import log_in, log_out, submit


def status_with(token, url):
    """The status of ``GET /api/v1/users/me`` with ``token`` as its bearer token."""
    headers = {"Authorization": f"Bearer {token}"}
    request = Request(url + "/api/v1/users/me", headers=headers)  # noqa: S310
    try:
        with urlopen(request, timeout=10) as response:  # noqa: S310
            return response.status
    except OSError as error:  # urllib's HTTPError, for a 401
        return getattr(error, "code", None)


@pytest.mark.timeout(180)
def test_make_a_token_use_it_then_revoke_it(instances, context, account, screenshot):
    first = instances[0]
    page = context.new_page()
    log_in(page, first.url, account)

    submit(page, "nav a:text-is('API tokens')", first.url + "/account/tokens")
    page.fill("input[name=name]", "backup script")
    submit(page, "form.token-form [type=submit]", first.url + "/account/tokens")
    screenshot(page, "1-token-made")
    token = page.input_value("#token-value")
    assert page.locator(".flash-success").count() == 1
    assert page.locator(".token-name").all_inner_texts() == ["backup script"]
    assert status_with(token, first.url) == 200

    submit(page, ".token-list a:text-is('Revoke')", "**/account/tokens/*/revoke")
    screenshot(page, "2-revoke-asked")
    submit(page, "form.token-revoke button.danger", first.url + "/account/tokens")
    screenshot(page, "3-token-revoked")
    assert page.locator(".token-name").count() == 0
    assert page.locator(".flash-success").inner_text() == "Token “backup script” revoked."
    assert status_with(token, first.url) == 401

    submit(page, "nav a:text-is('API docs')", first.url + "/api/docs")
    submit(page, ".api-docs-nav a:text-is('Your API tokens')", first.url + "/account/tokens")
    log_out(page, first.url)
