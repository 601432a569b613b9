"""Schemas every resource shares: error bodies, pagination and timestamps."""

import re
from datetime import datetime
from typing import Annotated, Any

from pydantic import (
    AfterValidator,
    BaseModel,
    BeforeValidator,
    ConfigDict,
    Field,
    PlainSerializer,
    WithJsonSchema,
)

from app.infrastructure.database import is_storable

DIGITS = re.compile(r"[0-9]+")

# ISO 8601 with an explicit "+00:00" offset (pydantic would write "Z").
Timestamp = Annotated[
    datetime,
    PlainSerializer(lambda value: value.isoformat(), return_type=str),
    WithJsonSchema({"type": "string", "format": "date-time"}),
]


def storable_text(value: str) -> str:
    """Refuse text the database cannot keep (NUL, unpaired surrogates) with a 422."""
    if not is_storable(value):
        raise ValueError("must not contain NUL characters or unpaired surrogates")
    return value


def storable_text_type(min_length: int = 0, max_length: int | None = None) -> Any:
    """A ``str`` type with length limits (in code points) that a column can hold.

    The pattern only documents the NUL rule, so clients and fuzzers know it;
    ``storable_text`` enforces it with a clear message, after the lengths.
    """
    return Annotated[
        str,
        Field(min_length=min_length, max_length=max_length),
        AfterValidator(storable_text),
        Field(json_schema_extra={"pattern": r"^[^\x00]*$"}),
    ]


class Input(BaseModel):
    """Base for request bodies: unknown fields are an error, so typos do not pass silently."""

    model_config = ConfigDict(extra="forbid")


class Output(BaseModel):
    """Base for response bodies, built from objects' attributes (SQLAlchemy rows)."""

    model_config = ConfigDict(from_attributes=True)


def digits_only(value: object) -> object:
    """Refuse what Python's ``int`` would forgive in a query string ("1_0", "+1", " 1", "1.0")."""
    if isinstance(value, str) and not DIGITS.fullmatch(value):
        raise ValueError("must be a whole number written with the digits 0-9 only")
    return value


# A whole number in a query string: digits and nothing else.
QueryInt = Annotated[int, BeforeValidator(digits_only)]


class PageQuery(BaseModel):
    """``?page=&per_page=`` for every list; out of range is a 422, never clamped."""

    page: QueryInt = Field(default=1, ge=1, description="Page number, from 1.")
    per_page: QueryInt = Field(default=20, ge=1, le=100, description="Items per page, 1 to 100.")


class Problem(BaseModel):
    """RFC 9457 problem details, the body of every error."""

    type: str = Field(examples=["about:blank"])
    title: str = Field(examples=["Not Found"])
    status: int = Field(examples=[404])
    detail: str


class ValidationProblem(Problem):
    """A 422: the problem details plus the messages for each invalid field."""

    errors: dict[str, list[str]]
