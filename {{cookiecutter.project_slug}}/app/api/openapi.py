"""The OpenAPI 3.1 document, built from the API's URL rules and ``@operation`` metadata.

Nothing here is written by hand per endpoint: paths come from the URL map,
parameters and bodies from the pydantic models the views validate with, and
security from each view's ``authenticate`` decorator. Pydantic's JSON Schema
is the dialect OpenAPI 3.1 uses, so its output is included as it is.
"""

import re
from collections.abc import Iterable, Iterator
from typing import Any, TypeAlias

from flask import Flask, current_app
from flask.typing import RouteCallable
from pydantic import BaseModel
from pydantic.json_schema import JsonSchemaMode, models_json_schema
from werkzeug.routing import Rule

from app.api.operations import Operation
from app.api.schemas import Problem, ValidationProblem
from app.web.converters import MAX_ROW_ID, RowIdConverter

OPENAPI_VERSION = "3.1.0"
API_VERSION = "1"
REF_TEMPLATE = "#/components/schemas/{model}"
JSON = "application/json"
PROBLEM_JSON = "application/problem+json"
# "<id:user_id>" or "<user_id>": the converter name (if any) and the variable.
RULE_VARIABLE = re.compile(r"<(?:(?P<converter>\w+)(?:\([^)]*\))?:)?(?P<name>\w+)>")
METHODS = ("get", "post", "put", "patch", "delete")
ERROR_DESCRIPTIONS = {
    400: "Malformed JSON, or a cookie-authenticated change without its X-CSRFToken header.",
    401: "Missing, invalid, expired or revoked credentials.",
    404: "No such resource (or not the caller's).",
    413: "The request body is larger than the server accepts.",
    415: "The request body is not JSON.",
    422: "Invalid fields or query parameters; 'errors' lists the messages per field.",
    429: "Too many requests; retry after the Retry-After header's seconds.",
}

# One documented method: its URL rule, method name, view function and operation.
ApiOperation: TypeAlias = tuple[Rule, str, RouteCallable, Operation]


def security_schemes(session_cookie_name: str) -> dict[str, dict[str, str]]:
    """The two ways to authenticate: a bearer token, or the browser's session cookie."""
    return {
        "bearerToken": {
            "type": "http",
            "scheme": "bearer",
            "description": "A token from POST /api/v1/tokens.",
        },
        "sessionCookie": {
            "type": "apiKey",
            "in": "cookie",
            "name": session_cookie_name,
            "description": "The browser's session; unsafe methods also need an X-CSRFToken header.",
        },
    }


def api_operations(app: Flask) -> Iterator[ApiOperation]:
    """Yield (path, method, view function, Operation) for every documented API method."""
    for rule in sorted(app.url_map.iter_rules(), key=lambda rule: rule.rule):
        if not rule.endpoint.startswith("api."):
            continue
        view = app.view_functions[rule.endpoint]
        view_class = getattr(view, "view_class", None)
        assert rule.methods is not None  # Flask gives every rule its methods
        for method in METHODS:
            spec = getattr(getattr(view_class, method, None), "operation", None)
            if method.upper() in rule.methods and isinstance(spec, Operation):
                yield rule, method, view, spec


# What each URL converter accepts, as JSON Schema; any other is documented as a string.
PATH_PARAMETER_SCHEMAS: dict[object, dict[str, Any]] = {
    RowIdConverter: {"type": "integer", "minimum": 1, "maximum": MAX_ROW_ID},
}


def openapi_path(rule: Rule, app: Flask) -> tuple[str, list[dict[str, Any]]]:
    """The rule as an OpenAPI path (``/things/{thing_id}``) and its path parameters."""
    parameters = []
    for match in RULE_VARIABLE.finditer(rule.rule):
        converter = app.url_map.converters.get(match["converter"] or "default")
        schema = PATH_PARAMETER_SCHEMAS.get(converter, {"type": "string"})
        parameters.append({"name": match["name"], "in": "path", "required": True, "schema": schema})
    return RULE_VARIABLE.sub(r"{\g<name>}", rule.rule), parameters


def query_parameters(model: type[BaseModel], refs: "SchemaRefs") -> list[dict[str, Any]]:
    """One OpenAPI parameter per field of the query ``model``."""
    model_schema = refs.component(model)
    required = set(model_schema.get("required", ()))
    return [
        {"name": name, "in": "query", "required": name in required, "schema": schema}
        for name, schema in model_schema["properties"].items()
    ]


def problem_response(status: int, schemas: "SchemaRefs") -> dict[str, Any]:
    """The documented error response for ``status``."""
    model = ValidationProblem if status == 422 else Problem
    return {
        "description": ERROR_DESCRIPTIONS.get(status, "An error."),
        "content": {PROBLEM_JSON: {"schema": schemas[model]}},
    }


def error_statuses(
    spec: Operation, is_public: bool, has_path_parameters: bool, method: str
) -> list[int]:
    """The error statuses an operation can answer, besides the catch-all ``default``."""
    statuses = set(spec.errors)
    if spec.body is not None:
        statuses |= {400, 413, 415, 422}
    if spec.files:
        statuses |= {400, 413, 415, 422}
    if spec.query is not None:
        statuses.add(422)
    if has_path_parameters:
        statuses.add(404)
    if not is_public:
        statuses.add(401)
        if method != "get":
            statuses.add(400)  # the CSRF check for cookie-authenticated changes
    return sorted(statuses)


def describe_operation(
    rule: Rule,
    method: str,
    view: RouteCallable,
    spec: Operation,
    path_parameters: list[dict[str, Any]],
    refs: "SchemaRefs",
) -> dict[str, Any]:
    """One OpenAPI operation object."""
    is_public = method.upper() in getattr(view, "public_methods", ())
    responses = {}
    if spec.produces:
        binary = {"schema": {"type": "string", "format": "binary"}}
        responses[str(spec.status)] = {
            "description": "The file's bytes.",
            "content": dict.fromkeys(spec.produces, binary),
        }
    elif spec.response is not None:
        responses[str(spec.status)] = {
            "description": spec.response.__doc__ or "Success.",
            "content": {JSON: {"schema": refs[spec.response]}},
        }
    else:
        responses[str(spec.status)] = {"description": "Success, with no content."}
    for status in error_statuses(spec, is_public, bool(path_parameters), method):
        responses[str(status)] = problem_response(status, refs)
    responses["default"] = {
        "description": "Any other error (503 while a service is down, 500 ...).",
        "content": {PROBLEM_JSON: {"schema": refs[Problem]}},
    }
    described = {
        "operationId": f"{rule.endpoint.removeprefix('api.')}_{method}",
        "summary": spec.summary,
        "tags": [rule.rule.split("/")[3]],
        "parameters": path_parameters + (query_parameters(spec.query, refs) if spec.query else []),
        "responses": responses,
    }
    if spec.description:
        described["description"] = spec.description
    if spec.body is not None:
        described["requestBody"] = {
            "required": True,
            "content": {JSON: {"schema": refs[spec.body]}},
        }
    if spec.files:
        described["requestBody"] = {
            "required": True,
            "content": {
                "multipart/form-data": {
                    "schema": {
                        "type": "object",
                        "properties": {
                            # Not empty: an empty file is refused (422).
                            name: {"type": "string", "format": "binary", "minLength": 1}
                            for name in spec.files
                        },
                        "required": list(spec.files),
                    }
                }
            },
        }
    if is_public:
        described["security"] = []
    return described


class SchemaRefs:
    """``$ref`` objects for the models in use, and their full schemas for components."""

    def __init__(self, operations: Iterable[ApiOperation]) -> None:
        # Request models are described as input, every other one as output.
        mode: dict[type[BaseModel], JsonSchemaMode] = dict.fromkeys(
            (Problem, ValidationProblem), "serialization"
        )
        for _rule, _method, _view, spec in operations:
            if spec.response is not None:
                mode.setdefault(spec.response, "serialization")
            for model in (spec.body, spec.query):
                if model is not None:
                    mode[model] = "validation"
        ordered = sorted(mode, key=lambda model: model.__name__)
        keys, definitions = models_json_schema(
            [(model, mode[model]) for model in ordered], ref_template=REF_TEMPLATE
        )
        self.components = definitions.get("$defs", {})
        self._refs = {model: keys[(model, mode[model])] for model in ordered}

    def __getitem__(self, model: type[BaseModel]) -> dict[str, Any]:
        return self._refs[model]

    def component(self, model: type[BaseModel]) -> dict[str, Any]:
        """The component schema itself (not a ``$ref``), to read a model's fields."""
        return self.components[self._refs[model]["$ref"].rsplit("/", 1)[1]]


def build_openapi_document(app: Flask | None = None) -> dict[str, Any]:
    """The whole OpenAPI document for ``app`` (the current app by default)."""
    # current_app is a proxy, which Flask's types present as the app itself.
    app = app or current_app._get_current_object()  # type: ignore[attr-defined]
    operations = list(api_operations(app))
    refs = SchemaRefs(operations)
    paths: dict[str, dict[str, Any]] = {}
    for rule, method, view, spec in operations:
        path, path_parameters = openapi_path(rule, app)
        paths.setdefault(path, {})[method] = describe_operation(
            rule, method, view, spec, path_parameters, refs
        )
    return {
        "openapi": OPENAPI_VERSION,
        "info": {
            "title": f"{app.config['APP_NAME']} API",
            "version": API_VERSION,
            "description": "Errors are RFC 9457 problem details (application/problem+json).",
        },
        "servers": [{"url": "/"}],
        "paths": paths,
        "components": {
            "schemas": refs.components,
            "securitySchemes": security_schemes(app.config["SESSION_COOKIE_NAME"]),
        },
        "security": [{"bearerToken": []}, {"sessionCookie": []}],
    }
