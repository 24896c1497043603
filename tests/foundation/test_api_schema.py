"""The OpenAPI schema describes what the API really answers: Schemathesis's response-schema
check found paginated lists described as bare arrays, the stats object as a list, a nullable
court name as a string, and the test-login answer as an account."""

from __future__ import annotations

from typing import Any

import pytest
from drf_spectacular.generators import SchemaGenerator


@pytest.fixture(scope="module")
def schema() -> dict[str, Any]:
    return SchemaGenerator().get_schema(request=None, public=True)


def ok_schema(schema: dict[str, Any], path: str, method: str) -> dict[str, Any]:
    content = schema["paths"][path][method]["responses"]["200"]["content"]
    body: dict[str, Any] = content["application/json"]["schema"]
    if "$ref" in body:
        return schema["components"]["schemas"][body["$ref"].rsplit("/", 1)[1]]  # type: ignore[no-any-return]
    return body


@pytest.mark.parametrize(
    "path", ["/api/clubs/", "/api/clubs/{club_id}/changes", "/api/clubs/{club_id}/poll-runs"]
)
def test_paginated_lists_are_described_with_their_page_envelope(schema, path):
    body = ok_schema(schema, path, "get")

    assert body["type"] == "object"
    assert {"count", "next", "previous", "results"} <= set(body["properties"])


def test_the_stats_are_described_as_one_object(schema):
    body = ok_schema(schema, "/api/booking/stats/", "get")

    assert body.get("type") != "array"


def test_an_attempt_without_a_court_may_have_a_null_court_name(schema):
    court_name = schema["components"]["schemas"]["AttemptOutput"]["properties"]["court_name"]

    assert court_name["nullable"] is True


def test_the_test_login_answer_is_described_as_ok_and_the_account(schema):
    body = ok_schema(schema, "/api/booking/accounts/{id}/test-login/", "post")

    assert set(body["properties"]) == {"ok", "account"}


def test_the_attempt_list_documents_its_rule_filter(schema):
    parameters = schema["paths"]["/api/booking/attempts/"]["get"]["parameters"]

    assert "rule" in {p["name"] for p in parameters}


def _responses_without_an_example(schema: dict[str, Any]) -> list[str]:
    missing = []
    for path, operations in schema["paths"].items():
        for method, operation in operations.items():
            for code, response in operation.get("responses", {}).items():
                if not code.startswith("2"):
                    continue
                for media, body in response.get("content", {}).items():
                    if "example" not in body and not body.get("examples"):
                        missing.append(f"{method.upper()} {path} {code} {media}")
    return missing


def test_every_successful_response_carries_an_example(schema):
    assert _responses_without_an_example(schema) == []
