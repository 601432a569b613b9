"""The API's own operations, fuzzed: never a 5xx, always what the document says."""

import pytest
from schemathesis import GenerationMode

from tests.api.fuzzing import fuzz, operations

# Hundreds of generated requests per operation: minutes, not seconds.
pytestmark = pytest.mark.slow

# DELETE /api/v1/tokens would revoke the token the other calls use; test_tokens.py covers it.
FUZZED = {
    "POST /api/v1/tokens",
    "GET /api/v1/users/me",
    "GET /api/v1/items",
    "POST /api/v1/items",
    "GET /api/v1/items/{item_id}",
    "PATCH /api/v1/items/{item_id}",
    "DELETE /api/v1/items/{item_id}",
}
PATHS = {label.split(" ")[1] for label in FUZZED}


@pytest.mark.parametrize("mode", [GenerationMode.POSITIVE, GenerationMode.NEGATIVE])
def test_the_api_never_fails_and_keeps_to_its_document(app, api, subtests, mode):
    for title in ("first", "second", "third"):  # so that some generated ids find an item
        api.post("/api/v1/items", json={"title": title})
    found = [operation for operation in operations(app, PATHS) if operation.label in FUZZED]
    assert {operation.label for operation in found} == FUZZED
    for operation in found:
        with subtests.test(operation.label):
            fuzz(operation, mode, api.headers)
