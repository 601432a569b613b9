"""Schemathesis sends generated requests, valid and invalid, to every documented operation.

Whatever it sends, the API must never answer with a 5xx, and what it answers
must match the OpenAPI document. The run is bounded and derandomized, so it
is quick and sends the same requests every time.
"""

import pytest
import schemathesis
from hypothesis import HealthCheck, given, settings
from schemathesis import GenerationMode
from schemathesis.checks import not_a_server_error
from schemathesis.specs.openapi.checks import (
    content_type_conformance,
    response_schema_conformance,
    status_code_conformance,
)

from tests.api_helpers import add_notes

CHECKS = [
    not_a_server_error,
    status_code_conformance,
    content_type_conformance,
    response_schema_conformance,
]
EXAMPLES_PER_OPERATION = 50


def api_operations(app):
    """Every documented operation except DELETE /api/v1/tokens.

    That one would revoke the token the other calls use; test_api_tokens.py
    covers it.
    """
    schema = schemathesis.openapi.from_wsgi("/api/openapi.json", app)
    schema = schema.exclude(method="DELETE", path="/api/v1/tokens")
    return [result.ok() for result in schema.get_all_operations()]


def fuzz(operation, mode, headers):
    """Call ``operation`` with generated requests and check every response."""

    @given(case=operation.as_strategy(generation_mode=mode))
    @settings(
        max_examples=EXAMPLES_PER_OPERATION,
        deadline=None,
        derandomize=True,
        database=None,
        suppress_health_check=list(HealthCheck),
    )
    def call(case):
        case.call_and_validate(headers=headers, checks=CHECKS)

    call()


@pytest.mark.parametrize("mode", [GenerationMode.POSITIVE, GenerationMode.NEGATIVE])
def test_the_api_never_fails_and_keeps_to_its_document(app, api, user, subtests, mode):
    add_notes(app, user.id, 5)  # so that some generated ids find a note
    operations = api_operations(app)
    assert len(operations) == 7
    for operation in operations:
        with subtests.test(operation.label):
            fuzz(operation, mode, api.headers)
