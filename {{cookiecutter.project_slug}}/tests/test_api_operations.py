"""``@operation``: how a new API view validates, answers and documents itself."""

import pytest
from flask import Response
from flask.views import MethodView

from app.api.auth import authenticate
from app.api.operations import MAX_REPORTED_FIELDS, operation
from app.api.schemas import Input, Output
from tests.conftest import ApiClient, issue_token


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


@pytest.fixture
def api(app, user):
    """The API as ``user`` calls it, with ``EchoView`` mounted at /api/v1/echoes first
    (an app takes no new routes once it has served a request)."""
    app.add_url_rule("/api/v1/echoes", view_func=EchoView.as_view("api.echoes"))
    return ApiClient(app, issue_token(app, user.email, user.password))


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
