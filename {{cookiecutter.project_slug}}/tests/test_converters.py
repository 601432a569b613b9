"""``<id:...>`` in a URL rule: a row id from 1 to the largest SQL INTEGER, anything else a 404."""

import pytest

from app.web.converters import MAX_ROW_ID


@pytest.fixture
def things(add_view):
    """A test-only public page for one row id: ``/things/<id:thing_id>``."""
    add_view("/things/<id:thing_id>", lambda thing_id: f"thing {thing_id}", public=True)


@pytest.mark.parametrize("thing_id", ["1", str(MAX_ROW_ID)])
def test_a_row_id_reaches_the_view_as_an_integer(client, things, thing_id):
    response = client.get(f"/things/{thing_id}")
    assert response.status_code == 200
    assert response.text == f"thing {int(thing_id)}"


@pytest.mark.parametrize(
    "thing_id", ["0", "-1", str(MAX_ROW_ID + 1), "99999999999999999999", "abc", "1.0"]
)
def test_anything_else_is_a_404(client, things, thing_id):
    assert client.get(f"/things/{thing_id}").status_code == 404
