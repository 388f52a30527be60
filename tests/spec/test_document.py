"""The OpenAPI document itself: valid 3.1, shaped as the issue and the factsheet require."""

from __future__ import annotations

import re
from collections.abc import Iterator
from typing import Any

import pytest
from openapi_spec_validator import OpenAPIV31SpecValidator

from b24_spec import Contract
from b24_spec.contract import escape

METHODS = (
    "crm.activity.badge.add",
    "crm.activity.badge.get",
    "crm.activity.badge.list",
    "crm.activity.badge.delete",
)
CALLS = (*METHODS, "batch")  # every method of the contract: the badge methods and batch
PORTAL_STATUSES = {"200", "302", "400", "401", "403", "404", "405", "410", "429", "500", "503"}
ERROR_STATUSES = PORTAL_STATUSES - {"200", "302"}


def test_is_valid_openapi_3_1(contract: Contract) -> None:
    assert contract.document["openapi"].startswith("3.1.")
    errors = [error.message for error in OpenAPIV31SpecValidator(contract.document).iter_errors()]
    assert errors == []


def test_the_validator_rejects_a_broken_document(contract: Contract) -> None:
    """Guards the check above: it must be able to fail."""
    broken = {**contract.document, "paths": {"/x": {"post": {"responses": {"200": {}}}}}}
    assert list(OpenAPIV31SpecValidator(broken).iter_errors())


def test_each_method_is_a_path_and_its_post_operation_id(contract: Contract) -> None:
    posts = {op.operation_id: op.path for op in contract.operations() if op.method == "post"}
    assert posts == {method: f"/{method}" for method in CALLS}


def test_each_method_also_has_a_get_form(contract: Contract) -> None:
    gets = {op.operation_id: op.path for op in contract.operations() if op.method == "get"}
    assert gets == {f"{method}@GET": f"/{method}" for method in CALLS}


@pytest.mark.parametrize("method", CALLS)
def test_post_accepts_json_form_and_multipart(contract: Contract, method: str) -> None:
    content = contract.operation(method).definition["requestBody"]["content"]
    assert list(content) == [
        "application/json",
        "application/x-www-form-urlencoded",
        "multipart/form-data",
    ]


def test_servers_describe_webhook_and_oauth(contract: Contract) -> None:
    urls = [server["url"] for server in contract.document["servers"]]
    assert urls == ["https://{portal}/rest/{user_id}/{webhook_code}", "https://{portal}/rest"]
    scheme = contract.document["components"]["securitySchemes"]["oauthAccessToken"]
    assert (scheme["type"], scheme["in"], scheme["name"]) == ("apiKey", "query", "auth")


@pytest.mark.parametrize("operation_id", [*CALLS, *(f"{m}@GET" for m in CALLS)])
def test_every_portal_status_is_declared(contract: Contract, operation_id: str) -> None:
    declared = set(contract.operation(operation_id).definition["responses"])
    assert declared == PORTAL_STATUSES


@pytest.mark.parametrize("operation_id", CALLS)
@pytest.mark.parametrize("status", sorted(ERROR_STATUSES))
def test_errors_use_the_error_envelope(contract: Contract, operation_id: str, status: str) -> None:
    found = contract.response(operation_id, int(status))
    assert found is not None
    _, response = found
    assert response["content"]["application/json"]["schema"] == {
        "$ref": "#/components/schemas/Error"
    }
    assert response.get("x-error-codes"), "each error status lists its known codes and sources"


def _media_examples(node: Any, where: str = "") -> Iterator[tuple[str, dict[str, Any]]]:
    """Every media type object that carries examples, with where it sits."""
    if isinstance(node, dict):
        if "schema" in node and "examples" in node:
            yield where, node
        for key, value in node.items():
            yield from _media_examples(value, f"{where}/{escape(key)}")
    elif isinstance(node, list):
        for index, value in enumerate(node):
            yield from _media_examples(value, f"{where}/{index}")


def test_every_example_fits_its_schema(contract: Contract) -> None:
    checked = 0
    failures = []
    for where, media in _media_examples(contract.document):
        for name, example in media["examples"].items():
            _, resolved = (
                contract.resolve(example["$ref"][1:]) if "$ref" in example else ("", example)
            )
            checked += 1
            schema = contract.schema_at(f"{where}/schema")
            if problems := contract.violations(resolved["value"], schema):
                failures.append(f"{where} example {name}: {problems}")
    assert failures == []
    assert checked >= 20, "the docs' success and error examples are in the spec"


def test_docs_success_examples_are_in_the_spec(contract: Contract) -> None:
    examples = contract.document["components"]["examples"]
    assert {
        "BadgeResponseDocsRu",
        "BadgeResponseDocsEn",
        "BadgeListResponseDocsRu",
        "BadgeListResponseDocsEn",
        "BadgeDeleteResponseDocs",
        "NotFoundDocs",
    } <= set(examples)
    assert examples["NotFoundDocs"]["value"] == {
        "error": "NOT_FOUND",
        "error_description": "Not found.",
    }


DECISION_FIELDS = ("id", "question", "docs", "observed", "decision")


def test_every_decision_is_complete_and_sourced(contract: Contract) -> None:
    for decision in contract.document["x-decisions"]:
        for key in DECISION_FIELDS:
            assert isinstance(decision.get(key), str), (decision.get("id"), key)
            assert decision[key], (decision["id"], key)
        assert decision["sources"], decision["id"]
        assert all(isinstance(source, str) for source in decision["sources"])


def test_decisions_referenced_and_defined_agree(contract: Contract) -> None:
    body = {key: value for key, value in contract.document.items() if key != "x-decisions"}
    referenced = set(re.findall(r"\bD-[A-Z0-9-]*[A-Z0-9]\b", repr(body)))
    defined = {decision["id"] for decision in contract.document["x-decisions"]}
    assert referenced - defined == set(), "referenced but never decided"
    assert defined - referenced == set(), "decided but never referenced by the contract"


@pytest.mark.parametrize(
    "decision_id",
    [
        "D-NOT-FOUND-STATUS",  # facts §9.3
        "D-INSUFFICIENT-SCOPE-STATUS",  # facts §9.1
        "D-INVALID-CREDENTIALS-STATUS",  # facts §9.10
        "D-PORTAL-DELETED-STATUS",  # facts §9.2
        "D-RESULT-IS-OBJECT",  # facts §9.4
        "D-TIME-FIELDS",  # facts §9.5
        "D-LOCALIZED-TEXT",  # facts §9.6
        "D-LIST-PAGINATION",  # facts §9.7
        "D-OPERATION-TIME-LIMIT",  # facts §9.8
    ],
)
def test_each_disagreement_of_the_factsheet_is_decided(
    contract: Contract, decision_id: str
) -> None:
    assert decision_id in {decision["id"] for decision in contract.document["x-decisions"]}
