"""``?page=&per_page=`` (``PageQuery``): the same rules for every list, 422 when out of range."""

import pytest

from tests.api.helpers import field_errors

ITEMS = "/api/v1/items"


@pytest.fixture
def five_items(api):
    """Five items of ``user``'s, "Item 1" the oldest."""
    for number in range(1, 6):
        api.post(ITEMS, json={"title": f"Item {number}"})


def titles(response):
    return [item["title"] for item in response.json["items"]]


def test_a_list_defaults_to_page_1_of_20(api):
    assert api.get(ITEMS).json == {"items": [], "page": 1, "per_page": 20, "total": 0}


def test_a_list_pages_through_every_item_once(api, five_items):
    pages = [titles(api.get(ITEMS, query_string={"page": n, "per_page": 2})) for n in (1, 2, 3)]
    assert pages == [["Item 5", "Item 4"], ["Item 3", "Item 2"], ["Item 1"]]


@pytest.mark.parametrize("page", ["4", str(10**30)])
def test_a_page_past_the_end_is_empty(api, five_items, page):
    response = api.get(ITEMS, query_string={"page": page, "per_page": 2})
    assert response.status_code == 200
    assert response.json["items"] == []
    assert response.json["page"] == int(page)


@pytest.mark.parametrize(
    "per_page", ["0", "101", "-1", "abc", "1.5", "", "1e2", "٣", "1_0", "+5", " 5", "5.0"]
)
def test_a_bad_per_page_is_422(api, per_page):
    response = api.get(ITEMS, query_string={"per_page": per_page})
    assert field_errors(response).keys() == {"per_page"}


@pytest.mark.parametrize("page", ["0", "-1", "x", "", "2.5", "1_0", "+1", " 1", "1.0"])
def test_a_bad_page_is_422(api, page):
    assert field_errors(api.get(ITEMS, query_string={"page": page})).keys() == {"page"}


def test_both_bad_parameters_are_reported(api):
    response = api.get(ITEMS, query_string={"page": "0", "per_page": "0"})
    assert field_errors(response).keys() == {"page", "per_page"}


@pytest.mark.parametrize("per_page", ["1", "100"])
def test_per_page_of_1_to_100_is_accepted(api, per_page):
    assert api.get(ITEMS, query_string={"per_page": per_page}).json["per_page"] == int(per_page)


def test_only_the_first_value_of_a_parameter_counts(api):
    response = api.get(f"{ITEMS}?per_page=5&per_page=500")
    assert response.json["per_page"] == 5


def test_unknown_query_parameters_are_ignored(api):
    assert api.get(ITEMS, query_string={"sort": "oldest"}).status_code == 200
