"""@bitrix24/b24jssdk (the official JS SDK), unchanged, against the emulator over HTTPS, run with
node from the locked project in tests/interop/js."""

from __future__ import annotations

import json
from pathlib import Path
from urllib.parse import parse_qs

import pytest

from tests.interop import node
from tests.interop.harness import Run, run_sdk
from tests.interop.scenario import (
    BADGE,
    MISSING,
    assert_badge_result,
    assert_batch_results,
    assert_listed,
)

pytestmark = pytest.mark.slow  # node processes, and npm ci on the first run
TRUST = "NODE_EXTRA_CA_CERTS"  # Node.js reads it at start-up
SDK_VERSION = "2.2.0"  # as pinned in js/package.json


@pytest.fixture(scope="module")
def project() -> tuple[str, Path]:
    """node, and the JS project with its locked node_modules; in CI both must be there."""
    return node.node_for_test(), node.install()


@pytest.fixture(scope="module")
def run(project: tuple[str, Path]) -> Run:
    executable, directory = project
    return run_sdk([executable, "scenario.mjs"], trust=TRUST, cwd=directory)


def test_the_installed_sdk_is_the_pinned_one(project: tuple[str, Path]) -> None:
    _, directory = project
    installed = directory / "node_modules/@bitrix24/b24jssdk/package.json"
    assert json.loads(installed.read_text())["version"] == SDK_VERSION
    lock = json.loads((directory / "package-lock.json").read_text())
    assert lock["packages"]["node_modules/@bitrix24/b24jssdk"]["version"] == SDK_VERSION


def test_add_get_list_delete_have_the_shapes_of_b24pysdks_own_badge_test(run: Run) -> None:
    """`call.make(...).getData().result` is the portal's `result` untouched."""
    results = run.results
    assert_badge_result(results["add"])
    assert_badge_result(results["get"])
    assert_listed(results["list"])
    assert results["delete"] is True
    assert BADGE["code"] not in run.codes_left, "the delete deleted"


def test_an_unknown_code_rejects_with_an_ajax_error(run: Run) -> None:
    """A 4xx fails fast (no retry) as one AjaxError class for every code: code, status (the
    portal's 400) and the description as its message."""
    assert run.results["error"] == {
        "type": "AjaxError",
        "code": "NOT_FOUND",
        "status": 400,
        "message": "Not found.",
    }
    assert json.loads(run.wire[3].request) == {"code": MISSING}, "the error step asked for it"


def test_batch_gives_each_command_as_the_method_answers(run: Run) -> None:
    batch = run.results["batch"]
    assert batch["isSuccess"] is True
    assert batch["errors"] == []
    assert_batch_results(batch["data"])
    sent = json.loads(run.wire[4].request)
    assert sent["halt"] == 1, "isHaltOnError: true is sent as halt 1"


def test_strict_mode_finds_no_request_violation(run: Run) -> None:
    """b24jssdk adds `bx24_request_id`, `bx24_sdk_ver` and `bx24_sdk_type` to the query string
    of every call, which a portal merges with the body's parameters. The contract's request
    objects admit parameters they do not name (portals ignore them), so strict mode, which
    checks the merged parameters, reports nothing."""
    assert run.methods() == [
        "crm.activity.badge.add",
        "crm.activity.badge.get",
        "crm.activity.badge.list",
        "crm.activity.badge.get",
        "batch",
        "crm.activity.badge.delete",
    ]
    for exchange in run.wire:
        query = parse_qs(exchange.query.decode())
        assert set(query) == {"bx24_request_id", "bx24_sdk_ver", "bx24_sdk_type"}
        assert query["bx24_sdk_ver"] == [SDK_VERSION]
    assert run.violations == {"count": 0, "violations": []}


def test_without_the_trust_variable_the_certificate_is_refused(project: tuple[str, Path]) -> None:
    """The HTTPS is real: without NODE_EXTRA_CA_CERTS the SDK refuses the certificate (it
    retries the failed call, then rejects)."""
    executable, directory = project
    failed = run_sdk([executable, "scenario.mjs"], trust=None, cwd=directory)
    assert failed.returncode != 0
    assert "UNABLE_TO_VERIFY_LEAF_SIGNATURE" in failed.errors
    assert failed.wire == [], "no request reached the portal"


def test_a_matching_install_needs_neither_npm_nor_the_network(
    project: tuple[str, Path], tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    assert node.STAMP.read_text() == node.lock_digest()
    monkeypatch.setenv("PATH", str(tmp_path))  # no npm, no node
    assert node.install() == project[1]


def test_a_changed_lock_asks_for_a_new_install(
    project: tuple[str, Path], tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """The stamp records the manifests installed: another lock does not match it, and
    without npm the install then says what is missing instead of running a stale SDK."""
    monkeypatch.setattr(node, "lock_digest", lambda: "a-lock-never-installed")
    monkeypatch.setenv("PATH", str(tmp_path))
    with pytest.raises(node.NodeMissing, match="npm is needed"):
        node.install()
