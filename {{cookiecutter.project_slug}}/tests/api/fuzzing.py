"""Schemathesis sends generated requests, valid and invalid, to documented API operations.

Whatever it sends, the API must never answer with a 5xx, and what it answers
must match the OpenAPI document. Each run is bounded and derandomized, so it
is quick and sends the same requests every time. Each part of the API fuzzes
its own operations (``operations(app, paths)``).

Coverage is paused while the requests run: tracing doubles their time, and
the coverage gate is for tests that say what they prove. (pytest-cov's
``no_cover`` marker would do it, but fails every such test under
``--no-cov``: pytest-cov issue 590.)
"""

from contextlib import contextmanager

import coverage
import schemathesis
from hypothesis import HealthCheck, given, settings
from schemathesis.checks import not_a_server_error
from schemathesis.specs.openapi.checks import (
    content_type_conformance,
    response_schema_conformance,
    status_code_conformance,
)

CHECKS = [
    not_a_server_error,
    status_code_conformance,
    content_type_conformance,
    response_schema_conformance,
]
EXAMPLES_PER_OPERATION = 50


def operations(app, paths):
    """The documented operations on ``paths`` (OpenAPI paths such as ``/api/v1/users/me``)."""
    schema = schemathesis.openapi.from_wsgi("/api/openapi.json", app)
    found = [result.ok() for result in schema.get_all_operations()]
    return [operation for operation in found if operation.path in paths]


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

    with coverage_paused():
        call()


@contextmanager
def coverage_paused():
    """Stop the coverage measurement of this process, if any, until the block ends."""
    running = coverage.Coverage.current()
    if running is not None:
        running.stop()
    try:
        yield
    finally:
        if running is not None:
            running.start()
