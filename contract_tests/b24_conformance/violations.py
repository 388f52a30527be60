"""A violation: what broke, where, and how to see it again.

Every finding of the suite becomes a `Violation` with the operation, the check, a message, the
request as a command that reproduces it, and the response; a test reports its findings by
raising `ContractViolated`. Texts are built from masked requests and answers only.
"""

from __future__ import annotations

import shlex
from dataclasses import dataclass
from typing import Any

import httpx
from schemathesis import Case
from schemathesis.core.failures import FailureGroup

BODY_EXCERPT = 1500


@dataclass(frozen=True)
class Violation:
    operation: str
    check: str
    message: str
    request: str  # a curl command, with the webhook code masked
    response: str  # status, content type and the start of the body

    def render(self) -> str:
        return (
            f"{self.operation}: {self.check}\n  {self.message}\n"
            f"  request:  {self.request}\n  response: {self.response}"
        )


class ContractViolated(AssertionError):
    def __init__(self, violations: list[Violation]) -> None:
        super().__init__("\n\n".join(v.render() for v in violations))
        self.violations = violations


def describe(response: httpx.Response) -> str:
    kind = response.headers.get("content-type", "no content type")  # as sent, parameters too
    body = response.content.decode("utf-8", "replace")
    if len(body) > BODY_EXCERPT:
        body = body[:BODY_EXCERPT] + " ..."
    return f"HTTP {response.status_code} ({kind}) {body}"


def curl(request: httpx.Request) -> str:
    parts = ["curl", "-X", request.method]
    for name, value in request.headers.items():
        if name.lower() in ("content-type", "accept"):
            parts += ["-H", f"{name}: {value}"]
    if request.content:
        parts += ["--data-binary", request.content.decode("utf-8", "replace")]
    parts.append(str(request.url))
    return shlex.join(parts)


def violation(operation: str, check: str, message: str, response: httpx.Response) -> Violation:
    return Violation(operation, check, message, curl(response.request), describe(response))


def from_failures(
    group: FailureGroup, case: Case[Any], response: httpx.Response, base_url: str
) -> ContractViolated:
    """schemathesis's findings for one case, as violations."""
    request = case.as_curl_command(base_url=base_url)
    return ContractViolated(
        [
            Violation(
                operation=case.operation.label,
                check=f"{failure.title} [{failure.code}]",
                message=failure.message.strip() or failure.title,
                request=request,
                response=describe(response),
            )
            for failure in group.exceptions
        ]
    )
