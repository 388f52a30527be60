"""Schemathesis against the emulator over HTTP: positive and negative data, then the links.

Every built-in check runs on every answer: no server error, only declared statuses and content
types, every body valid against the spec, invalid data rejected and valid data accepted. The
emulator is written from the docs, not from the spec, so agreement here is evidence for both.

Valid data goes out in every encoding the spec describes. Invalid data goes out as JSON only
(the contract's JSON view, b24_spec.client_view): form and query encodings carry no types, so a
"wrongly typed" `title=false` arrives as the valid string "false", exactly as on a PHP portal.
Sized to stay quick; `B24_FUZZ_EXAMPLES` raises the budget for a deeper run.
"""

from __future__ import annotations

import os
from collections.abc import Iterator
from typing import Any

import hypothesis
import pytest
import schemathesis

from b24_emulator import RunningEmulator, Settings, Webhook, run_emulator
from b24_spec import SPEC_PATH, Contract
from b24_spec.client_view import client_view
from b24_spec.methods import BATCH

EXAMPLES = int(os.environ.get("B24_FUZZ_EXAMPLES", "25"))


def config(mode: str) -> schemathesis.Config:
    return schemathesis.Config.from_dict(
        {
            "generation": {"mode": mode, "max-examples": EXAMPLES, "database": "none"},
            # Starlette answers undeclared HTTP methods itself; the spec declares GET and POST only.
            "phases": {"coverage": {"unexpected-methods": []}},
            # Bitrix answers a well-formed call for an unknown badge 400 NOT_FOUND (the docs).
            "checks": {
                "positive_data_acceptance": {"expected-statuses": ["2xx", "400", "401", "404"]}
            },
        }
    )


schema = schemathesis.openapi.from_path(SPEC_PATH, config=config("positive"))
# batch is not fuzzed with invalid data: a portal runs whatever commands a malformed `cmd` holds
# (none, for a missing one or a string: its code loops over `cmd` only when it is an array) and
# answers 200, so every "schema-violating request accepted" there would be a false alarm.
# Nor is list: it takes no parameters, so no input to it is invalid (a portal ignores a body it
# does not read, random bytes included); "accepted" would be a false alarm there too.
CONTRACT = Contract.load(SPEC_PATH)
WITHOUT_PARAMETERS = [m for m in CONTRACT.methods() if not CONTRACT.request_parameters(m)]
json_schema = schemathesis.openapi.from_dict(
    client_view(CONTRACT), config=config("negative")
).exclude(operation_id=[BATCH, *WITHOUT_PARAMETERS])


@pytest.fixture(scope="module")
def emulator() -> Iterator[RunningEmulator]:
    settings = Settings(webhooks=(Webhook(1, "fuzz-hook"),), rate_limit=None)
    with run_emulator(settings) as emulator:
        yield emulator


@schema.parametrize()
def test_valid_data_in_every_encoding(
    case: schemathesis.Case[Any], emulator: RunningEmulator
) -> None:
    case.call_and_validate(base_url=emulator.webhook_url().rstrip("/"))


@json_schema.parametrize()
def test_invalid_data_as_json(case: schemathesis.Case[Any], emulator: RunningEmulator) -> None:
    case.call_and_validate(base_url=emulator.webhook_url().rstrip("/"))


def test_stateful_links_conform(emulator: RunningEmulator) -> None:
    class Workflow(schema.as_state_machine()):  # type: ignore[misc]
        def setup(self) -> None:
            # Each scenario starts from a fresh portal, so that replaying a scenario (as
            # Hypothesis does to shrink it) meets the same state.
            emulator.reset()

        def get_call_kwargs(self, case: schemathesis.Case[Any]) -> dict[str, Any]:
            return {"base_url": emulator.webhook_url().rstrip("/")}

    Workflow.run(
        settings=hypothesis.settings(
            max_examples=max(5, EXAMPLES // 2), stateful_step_count=6, deadline=None, database=None
        )
    )
