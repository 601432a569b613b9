"""/api/openapi.json describes every API operation; /api/docs shows it with Swagger UI."""

import re

import pytest
import schemathesis
from schemathesis.core.errors import LoaderError

DOCUMENT = "/api/openapi.json"
DOCS = "/api/docs"
IGNORED_METHODS = {"HEAD", "OPTIONS"}
VALIDATION_PROBLEM = {"$ref": "#/components/schemas/ValidationProblem"}


@pytest.fixture
def document(client):
    response = client.get(DOCUMENT)
    assert response.status_code == 200
    return response.json


def api_operations_in_url_map(app):
    """Every (OpenAPI-style path, method) the API's URL rules answer."""
    operations = set()
    for rule in app.url_map.iter_rules():
        if rule.endpoint.startswith("api."):
            path = re.sub(r"<(?:[^:>]+:)?([^>]+)>", r"{\1}", rule.rule)
            operations |= {(path, method) for method in rule.methods - IGNORED_METHODS}
    return operations


def documented_operations(document):
    return {
        (path, method.upper())
        for path, operations in document["paths"].items()
        for method in operations
    }


def every_operation(document):
    for path, operations in document["paths"].items():
        for method, operation in operations.items():
            yield path, method.upper(), operation


def test_the_document_is_public(client):
    response = client.get(DOCUMENT)
    assert response.status_code == 200
    assert response.mimetype == "application/json"


def test_the_document_is_openapi_3_1(document):
    assert document["openapi"].startswith("3.1")


def test_the_document_is_valid_openapi(document):
    schemathesis.openapi.from_dict(document).validate()


def test_the_validator_does_notice_an_invalid_document(document):
    """Guard the test above: the validation really runs."""
    del document["info"]
    with pytest.raises(ValueError, match='"info" is a required property'):
        schemathesis.openapi.from_dict(document).validate()


def test_the_document_names_the_app(app, document):
    assert document["info"]["title"] == f"{app.config['APP_NAME']} API"


def test_every_api_operation_is_documented(app, document):
    assert documented_operations(document) == api_operations_in_url_map(app)


def test_the_contracts_operations_are_documented(document):
    assert documented_operations(document) >= {
        ("/api/v1/tokens", "POST"),
        ("/api/v1/tokens", "DELETE"),
        ("/api/v1/users/me", "GET"),
    }


def test_operation_ids_are_unique(document):
    ids = [operation["operationId"] for _path, _method, operation in every_operation(document)]
    assert len(ids) == len(set(ids))


def test_every_operation_has_a_summary(document):
    for path, method, operation in every_operation(document):
        assert operation["summary"], (path, method)


def test_issuing_a_token_needs_no_credentials(document):
    assert document["paths"]["/api/v1/tokens"]["post"]["security"] == []


def test_every_other_operation_needs_a_token_or_the_session(document):
    assert document["security"] == [{"bearerToken": []}, {"sessionCookie": []}]
    for path, method, operation in every_operation(document):
        if (path, method) != ("/api/v1/tokens", "POST"):
            assert "security" not in operation, (path, method)
            assert "401" in operation["responses"], (path, method)


def test_the_security_schemes_are_bearer_and_the_session_cookie(app, document):
    schemes = document["components"]["securitySchemes"]
    assert schemes["bearerToken"] == {
        "type": "http",
        "scheme": "bearer",
        "description": schemes["bearerToken"]["description"],
    }
    assert schemes["sessionCookie"]["in"] == "cookie"
    assert schemes["sessionCookie"]["name"] == app.config["SESSION_COOKIE_NAME"]


def test_an_operation_documents_422_exactly_when_it_validates_input(document):
    for path, method, operation in every_operation(document):
        validates = "requestBody" in operation or any(
            parameter["in"] == "query" for parameter in operation["parameters"]
        )
        assert ("422" in operation["responses"]) == validates, (path, method)
        if validates:
            content = operation["responses"]["422"]["content"]
            assert content["application/problem+json"]["schema"] == VALIDATION_PROBLEM


def test_every_error_is_problem_details(document):
    for _path, _method, operation in every_operation(document):
        for status, response in operation["responses"].items():
            if status == "default" or int(status) >= 400:
                assert list(response["content"]) == ["application/problem+json"]


def test_operations_with_a_body_document_400_413_415_and_422(document):
    for path, method, operation in every_operation(document):
        if "requestBody" in operation:
            assert {"400", "413", "415", "422"} <= operation["responses"].keys(), (path, method)


def test_request_bodies_refuse_unknown_fields(document):
    schemas = document["components"]["schemas"]
    for name in ("TokenRequest", "ItemIn", "ItemPatch"):
        assert schemas[name]["additionalProperties"] is False


def test_length_limits_are_documented(document):
    title = document["components"]["schemas"]["ItemIn"]["properties"]["title"]
    assert (title["minLength"], title["maxLength"]) == (1, 50)


def test_paging_parameters_are_documented_with_their_ranges(document):
    parameters = document["paths"]["/api/v1/items"]["get"]["parameters"]
    by_name = {parameter["name"]: parameter for parameter in parameters}
    assert by_name.keys() == {"page", "per_page"}
    assert not any(parameter["required"] for parameter in parameters)
    assert by_name["page"]["schema"]["minimum"] == 1
    assert (by_name["per_page"]["schema"]["minimum"], by_name["per_page"]["schema"]["maximum"]) == (
        1,
        100,
    )


def test_a_row_id_is_documented_as_a_positive_integer(document):
    [parameter] = document["paths"]["/api/v1/items/{item_id}"]["get"]["parameters"]
    assert parameter["in"] == "path"
    assert parameter["schema"] == {"type": "integer", "minimum": 1, "maximum": 2**31 - 1}


def test_the_document_is_built_once(app, client, monkeypatch):
    first = client.get(DOCUMENT).json

    def fail():
        raise AssertionError("built again")

    monkeypatch.setattr("app.api.docs.build_openapi_document", fail)
    assert client.get(DOCUMENT).json == first


def test_schemathesis_can_load_the_document_from_the_app(app):
    schema = schemathesis.openapi.from_wsgi(DOCUMENT, app)
    labels = {result.ok().label for result in schema.get_all_operations()}
    assert "POST /api/v1/tokens" in labels


def test_a_missing_document_would_be_noticed(app):
    with pytest.raises(LoaderError):
        schemathesis.openapi.from_wsgi("/api/no-such-document.json", app)


# The Swagger UI page


def test_the_docs_page_is_public(client):
    response = client.get(DOCS)
    assert response.status_code == 200
    assert response.mimetype == "text/html"


def test_the_docs_page_loads_swagger_ui_from_this_site(client):
    page = client.get(DOCS).text
    assert 'src="/api/static/vendor/swagger-ui/swagger-ui-bundle.js"' in page
    assert 'src="/api/static/api-docs.js"' in page
    assert 'href="/api/static/vendor/swagger-ui/swagger-ui.css"' in page
    assert 'href="/api/static/api-docs.css"' in page
    assert f'data-openapi-url="{DOCUMENT}"' in page


@pytest.mark.parametrize(
    "path",
    [
        "/api/static/vendor/swagger-ui/swagger-ui-bundle.js",
        "/api/static/vendor/swagger-ui/swagger-ui.css",
        "/api/static/api-docs.js",
        "/api/static/api-docs.css",
    ],
)
def test_the_docs_pages_files_are_served(client, path):
    with client.get(path) as response:
        assert response.status_code == 200


def test_the_docs_page_has_no_inline_script(client):
    page = client.get(DOCS).text
    scripts = re.findall(r"<script([^>]*)>(.*?)</script>", page, re.DOTALL)
    assert len(scripts) == 2
    for attributes, content in scripts:
        assert "src=" in attributes
        assert content.strip() == ""
    assert not re.search(r"\son\w+=", page)  # no inline event handlers either


def test_the_docs_page_keeps_the_strict_csp(client):
    policy = client.get(DOCS).headers["Content-Security-Policy"]
    assert "script-src 'self'" in policy
    assert "unsafe-inline" not in policy


def test_anonymous_visitors_get_no_csrf_token_on_the_docs_page(client):
    assert "data-csrf-token" not in client.get(DOCS).text


def test_signed_in_users_get_their_csrf_token_on_the_docs_page(client, auth, user):
    auth.login()
    match = re.search(r'data-csrf-token="([^"]+)"', client.get(DOCS).text)
    assert match
    response = client.post(
        "/api/v1/items", json={"title": "From the docs"}, headers={"X-CSRFToken": match[1]}
    )
    assert response.status_code == 201
