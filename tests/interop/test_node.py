"""Finding node for the JS SDK's test: a failure in CI, a skip that says why elsewhere."""

from __future__ import annotations

from pathlib import Path

import pytest

from tests.interop import node


@pytest.fixture
def no_node(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("PATH", str(tmp_path))  # neither node nor npm


@pytest.mark.usefixtures("no_node")
def test_without_node_a_ci_run_fails(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("B24_REQUIRE_DOCS", "1")
    # BaseException: a skip must not pass for the failure (nor end this test as skipped)
    with pytest.raises(BaseException, match=r"node and npm are needed.*required in CI") as outcome:
        node.node_for_test()
    assert outcome.type is pytest.fail.Exception


@pytest.mark.usefixtures("no_node")
def test_without_node_a_local_run_skips_saying_why(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.delenv("B24_REQUIRE_DOCS", raising=False)
    with pytest.raises(BaseException, match="b24jssdk interop NOT RUN: node and npm") as outcome:
        node.node_for_test()
    assert outcome.type is pytest.skip.Exception


def test_a_node_older_than_20_is_refused(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    for tool, version in (("node", "v18.19.0"), ("npm", "9.2.0")):
        script = tmp_path / tool
        script.write_text(f"#!/bin/sh\necho {version}\n")
        script.chmod(0o755)
    monkeypatch.setenv("PATH", str(tmp_path))
    with pytest.raises(node.NodeMissing, match=r"node v18\.19\.0 .* is too old"):
        node.node()
