"""``@operation``: one decorator per API method that validates its input,
serialises its output, and describes both for the OpenAPI document.

Because the same pydantic models do the checking and the describing, the
published document cannot drift from what the API really accepts.
"""

import inspect
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from functools import wraps
from typing import Any, TypeVar

from flask import Response, abort, request
from flask.views import MethodView
from pydantic import BaseModel, ValidationError
from werkzeug.exceptions import UnprocessableEntity

WHOLE_BODY = "_body"  # the ``errors`` key for a problem with the body as a whole
# A body of thousands of unknown keys must not get an answer many times its size.
MAX_REPORTED_FIELDS = 20

InputModel = TypeVar("InputModel", bound=BaseModel)


class InvalidInput(UnprocessableEntity):
    """422 whose problem details list the messages for each field (``errors``)."""

    def __init__(self, errors: dict[str, list[str]]) -> None:
        super().__init__("The request has invalid fields; see 'errors'.")
        self.problem_extras = {"errors": errors}


@dataclass(frozen=True)
class Operation:
    """What one method accepts and answers; read by ``openapi.py``."""

    summary: str
    description: str
    body: type[BaseModel] | None = None
    query: type[BaseModel] | None = None
    response: type[BaseModel] | None = None
    status: int = 200
    errors: tuple[int, ...] = field(default_factory=tuple)
    # Multipart file fields the method reads itself, and the media types of a file it answers.
    files: tuple[str, ...] = ()
    produces: tuple[str, ...] = ()


def operation(
    *,
    body: type[BaseModel] | None = None,
    query: type[BaseModel] | None = None,
    response: type[BaseModel] | None = None,
    status: int = 200,
    errors: Iterable[int] = (),
    files: Iterable[str] = (),
    produces: Iterable[str] = (),
) -> Callable[[Callable[..., Any]], Callable[..., Response]]:
    """Decorate a ``MethodView`` method.

    ``body`` and ``query`` are pydantic models: the parsed values are passed
    to the method as ``body=`` and ``query=``. The method returns a
    ``response`` model instance (or any object with its attributes, such as
    a SQLAlchemy row), optionally with a dict of headers, or None for 204.
    ``errors`` lists statuses the method itself may answer, for the docs;
    ``files`` names the multipart file fields it reads from ``request.files``,
    and ``produces`` the media types of the file it answers, for the docs too.
    """

    def decorator(method: Callable[..., Any]) -> Callable[..., Response]:
        summary, _, description = inspect.cleandoc(method.__doc__ or "").partition("\n")
        spec = Operation(
            summary=summary,
            description=description.strip(),
            body=body,
            query=query,
            response=response,
            status=status,
            errors=tuple(errors),
            files=tuple(files),
            produces=tuple(produces),
        )

        @wraps(method)
        def handle(view: MethodView, *args: Any, **kwargs: Any) -> Response:
            if query is not None:
                kwargs["query"] = parse_query(query)
            if body is not None:
                kwargs["body"] = parse_body(body)
            return render(spec, method(view, *args, **kwargs))

        # Read by openapi.py; a marker attribute, which the function's type does not declare.
        handle.operation = spec  # type: ignore[attr-defined]
        return handle

    return decorator


def errors_by_field(error: ValidationError) -> dict[str, list[str]]:
    """Pydantic's errors as ``{"field": ["message", ...]}`` (dotted paths for nested fields)."""
    errors: dict[str, list[str]] = {}
    for detail in error.errors(include_url=False, include_input=False):
        name = ".".join(str(part) for part in detail["loc"]) or WHOLE_BODY
        if name not in errors and len(errors) == MAX_REPORTED_FIELDS:
            errors.setdefault(WHOLE_BODY, []).append(
                f"{error.error_count()} problems in all; only the first fields are listed."
            )
            break
        errors.setdefault(name, []).append(detail["msg"])
    return errors


def parse_body(model: type[InputModel]) -> InputModel:
    """The JSON body validated as ``model``: 415 if not JSON, 400 if malformed, 422 if invalid."""
    if not request.is_json:
        abort(415, "Send the request body as JSON, with 'Content-Type: application/json'.")
    try:
        return model.model_validate_json(request.get_data())
    except ValidationError as error:
        malformed = [e for e in error.errors(include_url=False) if e["type"] == "json_invalid"]
        if malformed:
            abort(400, f"The request body is not valid JSON: {malformed[0]['msg']}")
        raise InvalidInput(errors_by_field(error)) from None


def parse_query(model: type[InputModel]) -> InputModel:
    """The query string validated as ``model`` (the first value of each known parameter)."""
    values = {name: request.args[name] for name in model.model_fields if name in request.args}
    try:
        return model.model_validate(values)
    except ValidationError as error:
        raise InvalidInput(errors_by_field(error)) from None


def render(spec: Operation, result: Any) -> Response:
    """Turn a method's return value into the JSON response its operation promises."""
    if isinstance(result, Response):
        return result
    headers = {}
    if isinstance(result, tuple):
        result, headers = result
    if result is None:
        empty = Response(status=spec.status, headers=headers)
        del empty.headers["Content-Type"]  # a 204 has no body, hence no type
        return empty
    assert spec.response is not None  # an operation without one answers 204 (None)
    if not isinstance(result, spec.response):
        result = spec.response.model_validate(result, from_attributes=True)
    return Response(
        result.model_dump_json(), status=spec.status, headers=headers, mimetype="application/json"
    )
