"""The booking API's OpenAPI schema: every successful answer has an example, and the
examples and write answers describe what the views really return."""

from __future__ import annotations

from typing import Any

import pytest
from drf_spectacular.generators import SchemaGenerator

from accounts import api as account_api
from accounts import api_examples as account_examples
from booking import api
from booking import api_examples as booking_examples


@pytest.fixture(scope="module")
def schema() -> dict[str, Any]:
    return SchemaGenerator().get_schema(request=None, public=True)


def booking_operations(schema: dict[str, Any]) -> list[tuple[str, str, dict[str, Any]]]:
    return [
        (path, method, operation)
        for path, operations in schema["paths"].items()
        if path.startswith("/api/booking/")
        for method, operation in operations.items()
    ]


def test_every_booking_operation_answers_with_an_example(schema):
    operations = booking_operations(schema)
    missing = [
        f"{method.upper()} {path} {code}"
        for path, method, operation in operations
        for code, response in operation["responses"].items()
        if code.startswith("2")
        for body in response.get("content", {}).values()
        if not body.get("examples")
    ]

    assert len(operations) == 18
    assert missing == []


@pytest.mark.parametrize(
    ("path", "method", "code", "component"),
    [
        ("/api/booking/accounts/", "post", "201", "AccountOutput"),
        ("/api/booking/accounts/{id}/", "patch", "200", "AccountOutput"),
        ("/api/booking/rules/", "post", "201", "RuleOutput"),
        ("/api/booking/rules/{id}/", "put", "200", "RuleOutput"),
    ],
)
def test_writes_are_described_as_answering_the_output_shape(schema, path, method, code, component):
    body = schema["paths"][path][method]["responses"][code]["content"]["application/json"]

    assert body["schema"]["$ref"].endswith(f"/{component}")


@pytest.mark.parametrize(
    ("example", "serializer"),
    [
        (account_examples.ACCOUNT_EXAMPLE, account_api.AccountOutput),
        (booking_examples.RULE_EXAMPLE, api.RuleOutput),
        (booking_examples.ATTEMPT_EXAMPLE, api.AttemptOutput),
        (booking_examples.GAME_EXAMPLE, api.GameOutput),
        (booking_examples.PLAY_EXAMPLE, api.PlayOptionOutput),
    ],
)
def test_each_example_has_exactly_the_fields_of_its_serializer(example, serializer):
    assert set(example) == set(serializer().fields)
