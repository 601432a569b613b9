"""Fixtures of the API tests: clients that call the API as a script would, with a token.

Every app here also serves the test-only resource ``/api/v1/items``
(``tests/api/items.py``), mounted before its first request.
"""

import pytest

from tests.api.items import mount_items
from tests.conftest import EMAIL, PASSWORD


class ApiClient:
    """Calls the JSON API as a script would: a bearer token on every request, no cookies.

    ``api.get("/api/v1/users/me")``, ``api.post("/api/v1/items", json={...})``;
    ``api.token`` is the plain token, ``api.headers`` the Authorization header.
    """

    def __init__(self, app, token):
        self._client = app.test_client(use_cookies=False)
        self.token = token
        self.headers = {"Authorization": f"Bearer {token}"}

    def open(self, path, method="GET", headers=None, **kwargs):
        return self._client.open(
            path, method=method, headers={**self.headers, **(headers or {})}, **kwargs
        )

    def get(self, path, **kwargs):
        return self.open(path, "GET", **kwargs)

    def post(self, path, **kwargs):
        return self.open(path, "POST", **kwargs)

    def patch(self, path, **kwargs):
        return self.open(path, "PATCH", **kwargs)

    def delete(self, path, **kwargs):
        return self.open(path, "DELETE", **kwargs)


def issue_token(app, email=EMAIL, password=PASSWORD):
    """Exchange an email and password for a bearer token, through the API itself."""
    response = app.test_client(use_cookies=False).post(
        "/api/v1/tokens", json={"email": email, "password": password}
    )
    assert response.status_code == 201, response.json
    return response.json["token"]


@pytest.fixture
def app_variant():
    """The API tests' testing app serves the test-only ``/api/v1/items`` too."""
    return "api", mount_items


@pytest.fixture
def script(app):
    """A client with no cookies, as a script calling the API would be."""
    return app.test_client(use_cookies=False)


@pytest.fixture
def api(app, user):
    """The API as ``user`` calls it, with a freshly issued bearer token."""
    return ApiClient(app, issue_token(app, user.email, user.password))


@pytest.fixture
def other_api(app, other_user):
    """The API as ``other_user`` calls it."""
    return ApiClient(app, issue_token(app, other_user.email, other_user.password))
