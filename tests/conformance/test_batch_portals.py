"""The suite's batch checks (b24_conformance.batch, suite/test_batch.py) against portal doubles:
each batch deviation ends in exit 1 with the violation named, each conforming variation of a
batch answer passes, and the emulator raises nothing. The customer's badges are untouched after
every run (the `against` fixture checks it).
"""

from __future__ import annotations

import copy
import json
import re
from collections.abc import Callable
from typing import Any
from urllib.parse import parse_qsl

import pytest

from b24_conformance.batch import AGREEMENT, ENTRY, HALT, OUTCOME
from tests.conformance.conftest import Run
from tests.portals import (
    Answer,
    Double,
    Exchange,
    Wrap,
    batch_successes,
    ignores_halt,
    intercepting,
    json_answer,
    keyed,
    longer_than_50,
    nesting,
    refusing_batches,
    runs_nested_batches,
    runs_past_the_50th,
)


def retitled(parts: dict[str, Any]) -> None:
    """Every badge a batch returns has another title than the same call made directly."""
    for entry in keyed(parts["result"]).values():
        if not isinstance(entry, dict):
            continue
        for badge in [entry.get("badge"), *(entry.get("badges") or [])]:
            if isinstance(badge, dict):
                badge["title"] = "Only in batch"


def sub_errors_as_text(parts: dict[str, Any]) -> None:
    parts["result_error"] = {
        key: error["error_description"] for key, error in keyed(parts["result_error"]).items()
    }


def _names(exchange: Exchange) -> list[str]:
    """The command names of a batch request, in order, in any encoding the suite uses."""
    params = exchange.params()
    if "cmd" in params:
        return list(keyed(params["cmd"]))
    raw = exchange.request.decode() + "&" + exchange.query.decode()
    return re.findall(r"cmd%5B(.*?)%5D=", raw)


def hides_what_ran_after_halt(app: Any) -> Double:
    """halt is ignored, and the answer hides it: no entry after the first failure. Only the
    portal's state shows that the rest ran."""

    def before(exchange: Exchange) -> Answer | None:
        fields = parse_qsl(exchange.request.decode() + "&" + exchange.query.decode())
        halt = exchange.params().get("halt", dict(fields).get("halt"))
        exchange.scope["halted"] = str(halt).lower() in ("1", "true")
        return ignores_halt(exchange)

    def after(exchange: Exchange) -> Answer | None:
        if not exchange.scope.get("halted") or exchange.status != 200:
            return None
        answer = json.loads(exchange.body)
        parts = {name: keyed(part) for name, part in answer["result"].items()}
        names = _names(exchange)
        failed = [i for i, name in enumerate(names) if name in parts["result_error"]]
        for name in names[failed[0] + 1 :] if failed else []:
            for entries in parts.values():
                entries.pop(name, None)
        answer["result"] = parts
        return json_answer(200, answer)

    return Double(app, before=before, after=after)


BROKEN: list[Any] = [
    pytest.param(
        batch_successes(retitled),
        AGREEMENT,
        "does not answer what the same call made directly answered",
        id="sub-results-differ-from-direct-calls",
    ),
    pytest.param(intercepting(ignores_halt), HALT, "the batch asked to halt", id="halt-ignored"),
    pytest.param(
        runs_past_the_50th,
        OUTCOME,
        "command '50' (crm.activity.badge.list) ran, but it must end with an error (D-BATCH-LENGTH",
        id="runs-the-51st-command",
    ),
    pytest.param(
        runs_nested_batches,
        OUTCOME,
        "ran, but it must end with an error (D-BATCH-NESTED)",
        id="runs-a-nested-batch",
    ),
    pytest.param(
        batch_successes(sub_errors_as_text),
        ENTRY,
        "is not the error envelope (x-b24-command-results)",
        id="sub-error-not-an-envelope",
    ),
]
# Each is caught by a read-only run's probes; the writing run proves the first two fast.
WRITES = {"sub-results-differ-from-direct-calls", "halt-ignored"}
RUNS = [
    pytest.param(
        *case.values,
        read_only,
        id=f"{'read-only' if read_only else 'writes'}-{case.id}",
        marks=[pytest.mark.slow] if read_only and case.id in WRITES else [],
    )
    for case in BROKEN
    for read_only in (False, True)
    if read_only or case.id in WRITES
]


@pytest.mark.parametrize(("wrap", "check", "violation", "read_only"), RUNS)
def test_a_batch_deviation_is_caught(
    against: Callable[..., Run], wrap: Wrap, check: str, violation: str, read_only: bool
) -> None:
    """Exit 1, and the report names the check and what broke (summary and console)."""
    run = against(wrap, read_only=read_only)
    assert run.status == 1, run.stdout + run.stderr
    findings = re.findall(r"### \d+\. (batch(?: \[[^]]+\])?): (.+)\n\n(.+)", run.summary)
    assert any(c == check and violation in text for _, c, text in findings), run.summary
    assert violation in run.stdout


def test_halt_is_proven_by_the_portals_state(against: Callable[..., Run]) -> None:
    """A portal that runs the commands after a failure and leaves them out of its answer: the
    badge the last command deleted is gone."""
    run = against(hides_what_ran_after_halt)
    assert run.status == 1, run.stdout + run.stderr
    assert "so the batch's delete of it ran after an earlier command failed" in run.summary


def blank_sub_error_codes(parts: dict[str, Any]) -> None:
    for error in keyed(parts["result_error"]).values():
        error["error"] = ""


def empty_parts_as_objects(parts: dict[str, Any]) -> None:
    for name, part in parts.items():
        if part == []:
            parts[name] = {}


def lists_as_objects(parts: dict[str, Any]) -> None:
    for name, part in parts.items():
        if isinstance(part, list):
            parts[name] = keyed(part)


CONFORMING: list[Any] = [
    pytest.param(batch_successes(blank_sub_error_codes), id="empty-sub-error-codes"),
    pytest.param(batch_successes(empty_parts_as_objects), id="empty-parts-as-objects"),
    pytest.param(batch_successes(lists_as_objects), id="numbered-parts-as-objects"),
    pytest.param(
        refusing_batches(longer_than_50, 400, "ERROR_BATCH_LENGTH_EXCEEDED"),
        id="51-commands-refused-whole",
    ),
    pytest.param(
        refusing_batches(nesting, 405, "ERROR_BATCH_METHOD_NOT_ALLOWED"),
        id="nested-batch-refused-whole",
    ),
]


@pytest.mark.parametrize("wrap", CONFORMING)
def test_a_conforming_batch_passes(against: Callable[..., Run], wrap: Wrap) -> None:
    run = against(wrap)
    assert run.status == 0, run.stdout + run.stderr
    assert "**CONFORMS**" in run.summary


@pytest.mark.parametrize("read_only", [False, True], ids=["writes", "read-only"])
def test_the_emulators_batch_raises_nothing(against: Callable[..., Run], read_only: bool) -> None:
    """The emulator's own shapes are among those checked: `[]` for an empty part, a JSON list
    for the parts of a list of commands; a read-only run spends a handful of requests."""
    answers: list[dict[str, Any]] = []
    run = against(
        batch_successes(lambda parts: answers.append(copy.deepcopy(parts))), read_only=read_only
    )
    assert run.status == 0, run.stdout + run.stderr
    assert "**CONFORMS**" in run.summary
    parts = [part for answer in answers for part in answer.values()]
    assert [] in parts, "an empty part was sent as []"
    assert any(isinstance(part, list) and part for part in parts), "a list of commands"
    spent = re.search(r"batch (\d+)", run.summary)
    assert spent is not None, run.summary
    assert int(spent.group(1)) <= (7 if read_only else 12), run.summary
