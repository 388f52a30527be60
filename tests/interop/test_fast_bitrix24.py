"""fast_bitrix24 (the most used community Python library), unchanged, against the emulator over
HTTPS. It sends every `call` through `batch`, and unwraps what it gets back."""

from __future__ import annotations

import json
import sys
from pathlib import Path
from urllib.parse import parse_qs, urlsplit

import pytest

from tests.interop.harness import Run, run_sdk
from tests.interop.scenario import BADGE, MISSING, assert_batch_results

pytestmark = pytest.mark.slow  # a process per run, the SDK imported in each
SCRIPT = Path(__file__).with_name("run_fast_bitrix24.py")
TRUST = "SSL_CERT_FILE"  # Python's ssl reads it when aiohttp makes its default context
LABEL = "order0000000000"  # fast_bitrix24's name for the one command of a single call


@pytest.fixture(scope="module")
def run() -> Run:
    return run_sdk([sys.executable, str(SCRIPT)], trust=TRUST)


def test_add_get_list_delete_return_what_the_portal_holds(run: Run) -> None:
    """`call` unwraps a result of one key (fast_bitrix24 issue #132): add and get give the badge
    itself rather than `{"badge": ...}`, `get_all` the badges as a list; the shapes b24pysdk's
    test expects are what the portal sent (its answers below) and what `call_batch` keeps."""
    results = run.results
    assert results["add"] == BADGE
    assert results["get"] == BADGE
    assert BADGE in results["list"]
    assert results["delete"] is True
    assert BADGE["code"] not in run.codes_left, "the delete deleted"
    add, get = (json.loads(exchange.body)["result"]["result"] for exchange in run.wire[:2])
    assert add == {LABEL: {"badge": BADGE}}
    assert get == {LABEL: {"badge": BADGE}}


def test_an_unknown_code_raises_with_the_batch_sub_error(run: Run) -> None:
    """A failed command comes back in the batch's `result_error`; fast_bitrix24 raises
    ErrorInServerResponseException holding those entries by command name (no status: the
    batch itself answered 200)."""
    assert run.results["error"] == {
        "type": "ErrorInServerResponseException",
        "args": [{LABEL: {"error": "NOT_FOUND", "error_description": "Not found."}}],
    }
    assert f"code={MISSING}" in command_queries(run)[2][LABEL], "the error step asked for it"


def test_call_batch_gives_each_command_as_the_method_answers(run: Run) -> None:
    assert_batch_results(run.results["batch"])


def test_strict_mode_finds_no_request_violation(run: Run) -> None:
    """What fast_bitrix24 sends beyond the scenario's parameters, all of it inside the contract,
    whose request objects admit parameters they do not name (portals ignore them): every `call`
    is a `batch` (`halt: 0`, the method in lower case) whose command carries an extra
    `__order=order0000000000` and ends in `&`; `get_all` sends list directly with
    `order[ID]=ASC` (list "takes no parameters; unknown ones are ignored")."""
    assert run.methods() == [
        "batch",
        "batch",
        "crm.activity.badge.list",
        "batch",
        "batch",
        "batch",
    ]
    add, get, error, batch, delete = command_queries(run)
    assert batch == {"get": f"code={BADGE['code']}", "list": ""}, "call_batch: as written"
    for commands in (add, get, error, delete):
        (query,) = commands.values()
        assert query.endswith("&")
        assert parse_qs(query)["__order"] == [LABEL]
    assert json.loads(run.wire[2].request) == {"order": {"ID": "ASC"}}
    assert run.violations == {"count": 0, "violations": []}


def test_without_the_trust_variable_the_certificate_is_refused() -> None:
    """The HTTPS is real: without SSL_CERT_FILE fast_bitrix24 retries the refused handshake
    (10 attempts with backoff, ~20 s) and gives up."""
    failed = run_sdk([sys.executable, str(SCRIPT)], trust=None)
    assert failed.returncode != 0
    assert "CERTIFICATE_VERIFY_FAILED" in failed.errors
    assert failed.wire == [], "no request reached the portal"


def command_queries(run: Run) -> list[dict[str, str]]:
    """Each batch request's commands, name to query string (list, sent directly, skipped)."""
    batches = [exchange for exchange in run.wire if exchange.method == "batch"]
    return [
        {name: urlsplit(command).query for name, command in json.loads(b.request)["cmd"].items()}
        for b in batches
    ]
