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


def test_every_fuzzed_operation_is_documented(app):
    assert {operation.label for operation in operations(app, PATHS)} >= FUZZED


# One test per operation and mode, so that parallel workers share the fuzzing out evenly.
@pytest.mark.parametrize("mode", [GenerationMode.POSITIVE, GenerationMode.NEGATIVE])
@pytest.mark.parametrize("label", sorted(FUZZED))
def test_the_api_never_fails_and_keeps_to_its_document(app, api, mode, label):
    for title in ("first", "second", "third"):  # so that some generated ids find an item
        api.post("/api/v1/items", json={"title": title})
    [operation] = [operation for operation in operations(app, PATHS) if operation.label == label]
    fuzz(operation, mode, api.headers)
