"""Strict mode: requests checked against the contract, the portal answering as always."""

from __future__ import annotations

import signal
import subprocess
import sys
from collections.abc import Iterator
from dataclasses import replace

import httpx
import pytest

from b24_emulator import RunningEmulator, run_emulator
from tests.emulator.conftest import ADMIN, SETTINGS, TOKEN
from tests.emulator.test_server import emulator_process

GET = "crm.activity.badge.get"
VIOLATIONS = "/b24-emulator/violations"


@pytest.fixture
def strict() -> Iterator[RunningEmulator]:
    with run_emulator(replace(SETTINGS, strict=True)) as running:
        yield running


def violations(running: RunningEmulator) -> list[dict[str, str]]:
    report = httpx.get(running.base_url + VIOLATIONS).json()
    assert report["count"] == len(report["violations"])
    found: list[dict[str, str]] = report["violations"]
    return found


def test_requests_the_contract_allows_leave_no_violation(strict: RunningEmulator) -> None:
    url = strict.webhook_url()
    badge = {"code": "ok", "title": {"en": "T"}, "value": "V", "type": "success"}
    assert httpx.post(url + "crm.activity.badge.add", json=badge).status_code == 200
    assert httpx.post(url + GET, data={"code": "ok"}).status_code == 200
    assert httpx.get(url + GET, params={"code": "ok"}).status_code == 200
    assert httpx.post(url + "crm.activity.badge.list").status_code == 200
    oauth = {"auth": TOKEN.token, "code": "ok"}
    assert httpx.post(strict.oauth_url + "crm.activity.badge.delete", json=oauth).status_code == 200
    commands = {"g": f"{GET}?code=missedCall", "l": "crm.activity.badge.list"}
    assert httpx.post(url + "batch", json={"cmd": commands, "halt": 0}).status_code == 200
    assert violations(strict) == []


def test_a_violation_is_recorded_and_the_portal_answers_as_a_portal(
    strict: RunningEmulator,
) -> None:
    badge = {"code": "bad", "title": "T", "value": "V", "type": "info"}
    answer = httpx.post(strict.webhook_url() + "crm.activity.badge.add", json=badge)
    assert answer.json()["error"] == "INVALID_ARG_VALUE"  # as without strict mode
    (found,) = violations(strict)
    assert found["method"] == "crm.activity.badge.add"
    assert found["where"] == "request (application/json)"
    assert "'info' is not one of" in found["message"]


def test_batch_commands_are_checked_one_by_one(strict: RunningEmulator) -> None:
    cmd = {"good": f"{GET}?code=missedCall", "nocode": GET, "other": "user.current"}
    httpx.post(strict.webhook_url() + "batch", json={"cmd": cmd})
    found = {(v["where"], v["method"]) for v in violations(strict)}
    assert found == {
        ("batch command 'nocode'", GET),
        ("batch command 'other'", "user.current"),
    }


def test_the_batch_request_itself_is_checked(strict: RunningEmulator) -> None:
    httpx.post(strict.webhook_url() + "batch", json={"cmd": [f"{GET}?code=missedCall"] * 51})
    (found,) = violations(strict)
    assert (found["method"], found["where"]) == ("batch", "request (application/json)")


def test_a_method_or_path_outside_the_contract_is_a_violation(strict: RunningEmulator) -> None:
    httpx.post(strict.webhook_url() + "crm.activity.badge.update", json={"code": "x"})
    httpx.post(strict.webhook_url() + GET + ".xml", json={"code": "missedCall"})  # XML answers
    httpx.post(strict.webhook_url() + "batch", json={"cmd": {"x": f"{GET}.xml?code=missedCall"}})
    messages = [v["message"] for v in violations(strict)]
    assert messages == [
        "the contract has no method 'crm.activity.badge.update'",
        f"the contract has no method '{GET}.xml'",
        f"the contract has no method '{GET}.xml'",
    ]


def test_a_json_suffix_or_another_case_names_the_contracts_method(strict: RunningEmulator) -> None:
    """The contract (info.description): "The method name may carry a `.json` suffix ... and
    portals treat method names case-insensitively; both are equivalent to the paths below".
    b24pysdk calls every method as `{method}.json`, so strict mode reads a name as a portal does,
    directly and in a batch command; what the name calls is still checked."""
    url = strict.webhook_url()
    assert httpx.post(url + GET + ".json", json={"code": "missedCall"}).status_code == 200
    assert httpx.post(url + "CRM.Activity.Badge.List.JSON", json={}).status_code == 200
    cmd = {"a": f"{GET}.json?code=missedCall", "b": "Crm.Activity.Badge.Get?code=missedCall"}
    assert httpx.post(url + "Batch.json", json={"cmd": cmd, "halt": 0}).status_code == 200
    assert violations(strict) == []
    httpx.post(url + GET.upper() + ".json", json={})  # the request is still checked
    httpx.post(url + "batch", json={"cmd": {"c": f"{GET}.JSON"}})
    found = [(v["method"], v["where"]) for v in violations(strict)]
    assert found == [(GET, "request (application/json)"), (GET, "batch command 'c'")]


def test_without_strict_mode_there_is_no_list_and_no_contract() -> None:
    code = (
        "import sys, httpx; from b24_emulator import run_emulator\n"
        "with run_emulator() as r:\n"
        "    print(httpx.get(r.base_url + '/b24-emulator/violations').status_code)\n"
        "print('b24_spec' in sys.modules)"
    )
    done = subprocess.run(
        [sys.executable, "-c", code], capture_output=True, text=True, timeout=60, check=True
    )
    assert done.stdout.split() == ["404", "False"], "the portal alone never reads the spec"


def test_the_command_prints_the_violations_when_it_stops() -> None:
    with emulator_process("--strict", "--webhook", f"1:{ADMIN.code}") as (process, lines):
        base_url = lines[0].removeprefix("b24-emulator listening on ")
        httpx.post(f"{base_url}/rest/1/{ADMIN.code}/{GET}", json={})
        process.send_signal(signal.SIGTERM)
        assert process.wait(10) == 0
        assert process.stderr is not None
        printed = process.stderr.read()
    assert "strict mode: 1 request violation(s) of the contract" in printed
    assert f"{GET} request (application/json)" in printed
    assert ADMIN.code not in printed


def test_without_the_contract_reader_strict_mode_is_a_clear_error() -> None:
    code = (
        "import sys; sys.modules['b24_spec'] = None\n"  # as if b24-conformance were not installed
        "from b24_emulator.cli import main\n"
        "sys.exit(main(['--strict']))"
    )
    done = subprocess.run(
        [sys.executable, "-c", code], capture_output=True, text=True, timeout=60, check=False
    )
    assert done.returncode == 2
    assert "strict mode needs the contract reader b24_spec" in done.stderr
    assert "Traceback" not in done.stderr
    assert done.stdout == "", "nothing is served, no URL is printed"


def test_form_values_are_read_as_the_text_they_are_and_the_scalar_they_spell(
    strict: RunningEmulator,
) -> None:
    """`halt=1` in a form or a query string is the integer the contract allows; `code=123` the
    string it needs; `halt=2` breaks it either way."""
    url = strict.webhook_url()
    commands = {"cmd[g]": f"{GET}?code=123", "halt": "1"}
    assert httpx.post(url + "batch", data=commands).status_code == 200
    assert httpx.get(url + "batch", params=commands).status_code == 200
    assert httpx.post(url + GET, data={"code": "123"}).status_code == 400  # NOT_FOUND, no violation
    assert violations(strict) == []
    httpx.post(url + "batch", data={**commands, "halt": "2"})
    (found,) = violations(strict)
    assert found["method"] == "batch"
    assert found["message"].startswith("$.halt")
