"""Running a real SDK, unchanged, against the emulator over HTTPS in strict mode.

Each SDK runs the same scenario (`scenario.py`) as a team would run its integration: in a
process of its own, given the webhook URL, trusting the emulator's throwaway CA through the one
environment variable that SDK honours. Nothing of the SDK is patched. The portal records what
crossed the wire, and strict mode lists every way a request broke the contract.
"""

from __future__ import annotations

import json
import os
import ssl
import subprocess
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import httpx

from b24_emulator import Settings, Webhook, run_emulator
from tests.interop.scenario import scenario_input
from tests.portals import Exchange, intercepting

RUN_TIMEOUT = 180.0  # a hang guard only: a scenario takes a few seconds
VIOLATIONS = "/b24-emulator/violations"


@dataclass(frozen=True)
class Run:
    """One SDK's run of the scenario: what it returned, what it sent, what the portal has left."""

    returncode: int
    output: str  # the script's stdout (the results as JSON when it succeeded)
    errors: str  # its stderr, the webhook code masked
    wire: list[Exchange]  # every request the portal received, in order
    violations: dict[str, Any]  # GET /b24-emulator/violations after the run
    codes_left: list[str]  # the badge codes the portal holds after the run

    @property
    def results(self) -> dict[str, Any]:
        assert self.returncode == 0, f"the scenario failed:\n{self.errors}"
        results: dict[str, Any] = json.loads(self.output)
        return results

    def methods(self) -> list[str]:
        """The last path segment of each request, as the SDK wrote it."""
        return [exchange.path.rstrip("/").rsplit("/", 1)[-1] for exchange in self.wire]


def run_sdk(command: Sequence[str], trust: str | None, cwd: Path | None = None) -> Run:
    """Run `command` against a fresh strict portal served over HTTPS.

    The scenario's input (webhook URL, badge, unknown code) goes to the process's stdin, so
    the webhook code is never in its command line. `trust` names the environment variable
    through which the process trusts the emulator's CA bundle; None trusts nothing extra.
    """
    wire: list[Exchange] = []
    settings = Settings(webhooks=(Webhook.generate(),), strict=True)
    record = intercepting(lambda exchange: wire.append(exchange))
    with run_emulator(settings, wrap=record, tls=True) as portal:
        assert portal.ca_bundle is not None
        env = dict(os.environ)
        if trust is not None:
            env[trust] = str(portal.ca_bundle)
        done = subprocess.run(
            command,
            input=json.dumps(scenario_input(portal.webhook_url())),
            capture_output=True,
            text=True,
            cwd=cwd,
            env=env,
            timeout=RUN_TIMEOUT,
            check=False,
        )
        sent = list(wire)  # before the checks below add requests of their own
        with httpx.Client(verify=ssl.create_default_context(cafile=portal.ca_bundle)) as http:
            violations = http.get(portal.base_url + VIOLATIONS).json()
            listed = http.post(portal.webhook_url() + "crm.activity.badge.list").json()
        code = portal.settings.webhooks[0].code
        return Run(
            returncode=done.returncode,
            output=done.stdout,
            errors=done.stderr.replace(code, "***"),
            wire=sent,
            violations=violations,
            codes_left=[badge["code"] for badge in listed["result"]["badges"]],
        )
