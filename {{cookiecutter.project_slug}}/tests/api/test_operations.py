"""``@operation``: how a new API view validates, answers and documents itself."""

import pytest
from flask import Response
from flask.views import MethodView

from app.api.auth import authenticate
from app.api.operations import MAX_REPORTED_FIELDS, operation
from app.api.schemas import Input, Output
from tests.api.items import mount_items


class EchoIn(Input):
    """What to echo."""

    text: str


class EchoOut(Output):
    """The echo."""

    text: str


class EchoView(MethodView):
    """A resource a developer might add, mounted by the tests below."""

    decorators = [authenticate()]

    @operation(body=EchoIn, response=EchoOut, status=201)
    def post(self, body):
        """Echo the text.

        Returns the model instance itself.
        """
        return EchoOut(text=body.text)

    @operation(response=EchoOut)
    def get(self):
        """Answer with a hand-made response."""
        return Response("plain words", mimetype="text/plain", headers={"X-Made-By": "hand"})


def mount_items_and_echoes(app):
    """The API tests' ``/api/v1/items``, and ``EchoView`` at /api/v1/echoes."""
    mount_items(app)
    app.add_url_rule("/api/v1/echoes", view_func=EchoView.as_view("api.echoes"))


@pytest.fixture
def app_variant():
    """This module's testing app serves ``EchoView`` too, and is shared by its tests."""
    return "api-echoes", mount_items_and_echoes


def test_an_operation_answers_with_its_response_model(api):
    response = api.post("/api/v1/echoes", json={"text": "hello"})
    assert response.status_code == 201
    assert response.json == {"text": "hello"}


def test_an_operation_validates_its_body(api):
    assert api.post("/api/v1/echoes", json={"text": 1}).json["errors"].keys() == {"text"}


def test_a_body_of_many_unknown_fields_gets_a_short_answer(api):
    body = {"text": "hello"} | {f"extra{number}": 1 for number in range(500)}

    errors = api.post("/api/v1/echoes", json=body).json["errors"]

    assert len(errors) == MAX_REPORTED_FIELDS + 1
    assert errors["_body"] == ["500 problems in all; only the first fields are listed."]


def test_an_operation_may_return_a_ready_made_response(api):
    response = api.get("/api/v1/echoes")
    assert response.status_code == 200
    assert response.text == "plain words"
    assert response.headers["X-Made-By"] == "hand"


def test_a_new_view_is_documented_by_itself(api):
    document = api.get("/api/openapi.json").json
    post = document["paths"]["/api/v1/echoes"]["post"]
    assert post["summary"] == "Echo the text."
    assert post["description"] == "Returns the model instance itself."
    assert post["tags"] == ["echoes"]
    assert post["operationId"] == "echoes_post"
    assert post["requestBody"]["content"]["application/json"]["schema"] == {
        "$ref": "#/components/schemas/EchoIn"
    }
    assert {"EchoIn", "EchoOut"} <= document["components"]["schemas"].keys()


def test_an_operation_without_a_second_docstring_paragraph_has_no_description(api):
    get = api.get("/api/openapi.json").json["paths"]["/api/v1/echoes"]["get"]
    assert get["summary"] == "Answer with a hand-made response."
    assert "description" not in get


# Validating a body, through the test-only /api/v1/items (tests/api/items.py)

ITEMS = "/api/v1/items"


@pytest.mark.parametrize(
    "title", ["x", "🦆" * 50, "e\u0301" * 25], ids=["one", "emoji", "combining"]
)
def test_lengths_count_code_points(api, title):
    response = api.post(ITEMS, json={"title": title})
    assert response.status_code == 201
    assert response.json["title"] == title


@pytest.mark.parametrize("title", ["", "🦆" * 51], ids=["empty", "one-too-many"])
def test_a_text_outside_its_lengths_is_refused(api, title):
    assert api.post(ITEMS, json={"title": title}).json["errors"].keys() == {"title"}


def test_nul_characters_are_refused(api):
    response = api.post(ITEMS, json={"title": "before\x00after"})
    assert response.json["errors"] == {
        "title": ["Value error, must not contain NUL characters or unpaired surrogates"]
    }


def test_a_required_field_is_named(api):
    assert api.post(ITEMS, json={"body": "no title"}).json["errors"] == {
        "title": ["Field required"]
    }


@pytest.mark.parametrize("value", [None, 1, True, ["x"], {"x": 1}])
def test_a_text_field_must_be_a_string(api, value):
    assert api.post(ITEMS, json={"title": value}).json["errors"].keys() == {"title"}


def test_unknown_fields_are_refused(api):
    response = api.post(ITEMS, json={"title": "Hi", "owner_id": 2, "id": 7})
    assert response.json["errors"].keys() == {"owner_id", "id"}


@pytest.mark.parametrize("body", ["[]", '"an item"', "null", "42", '[{"title": "x"}]'])
def test_a_body_that_is_not_an_object_is_refused_as_a_whole(api, body):
    response = api.post(ITEMS, data=body, content_type="application/json")
    assert response.json["errors"] == {"_body": ["Input should be an object"]}


def test_every_invalid_field_is_reported_at_once(api):
    response = api.post(ITEMS, json={"title": "", "body": 7, "colour": "red"})
    assert response.json["errors"].keys() == {"title", "body", "colour"}


def test_a_created_resource_gives_its_location(api):
    response = api.post(ITEMS, json={"title": "Hi"})
    assert response.status_code == 201
    assert api.get(response.headers["Location"]).json == response.json


def test_a_204_has_no_body_and_no_content_type(api):
    item_id = api.post(ITEMS, json={"title": "Doomed"}).json["id"]
    response = api.delete(f"{ITEMS}/{item_id}")
    assert response.status_code == 204
    assert response.data == b""
    assert "Content-Type" not in response.headers
