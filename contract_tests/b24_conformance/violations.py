"""A violation: what broke, where, and how to see it again.

Every finding of the suite becomes a `Violation` with the operation, the check, a message, the
request as a command that reproduces it, and the response; a test reports its findings by
raising `ContractViolated`. Texts are built from masked requests and answers only.

An operation is named as a CI report lists it: the method and how it was called,
`batch [POST json]` (`operation_label`); a check by its function's name,
`response_schema_conformance`, `bitrix_envelope`, or the suite's own part, `credentials`.
"""

from __future__ import annotations

import shlex
from dataclasses import dataclass
from typing import Any

import httpx
from schemathesis import Case
from schemathesis.core.failures import FailureGroup

from b24_spec.media import FORM, JSON, MULTIPART, media_type
from b24_spec.methods import method_name, method_of

BODY_EXCERPT = 1500
ENCODINGS = {JSON: "json", FORM: "form", MULTIPART: "multipart"}


def operation_label(request: httpx.Request) -> str:
    """`batch [POST json]`: the method, the HTTP verb and the encoding of its parameters
    (json, form, multipart; query for a GET), one name per way of calling it."""
    if request.method in ("GET", "HEAD"):
        kind = "query"
    else:
        kind = ENCODINGS.get(media_type(request.headers), "") if request.content else "no body"
        kind = kind or media_type(request.headers) or "no content type"
    return f"{method_name(request.url.path)} [{request.method} {kind}]"


def labelled(operation: str, request: httpx.Request) -> str:
    """`operation` (a method, or an operationId such as `batch@GET`) with how `request` called
    it, when `request` called that method."""
    called = method_name(request.url.path) == method_of(operation)
    return operation_label(request) if called else operation


@dataclass(frozen=True)
class Violation:
    """One finding, as the reports show it; every text already masked, so it can be printed
    and stored as it is."""

    operation: str
    check: str
    message: str
    request: str  # a curl command, with the webhook code masked
    response: str  # status, content type and the start of the body

    def render(self) -> str:
        """The finding for the console and the assertion message: what broke, then the request
        that reproduces it and the answer."""
        return (
            f"{self.operation}: {self.check}\n  {self.message}\n"
            f"  request:  {self.request}\n  response: {self.response}"
        )


class ContractViolated(AssertionError):
    """A test's findings, raised at once: an AssertionError, so pytest fails the test, and the
    plugin reads `violations` to report each one by itself."""

    def __init__(self, violations: list[Violation]) -> None:
        super().__init__("\n\n".join(v.render() for v in violations))
        self.violations = violations


def describe(response: httpx.Response) -> str:
    """`HTTP 400 (application/json) {...}`: the answer for a report, its body cut at
    `BODY_EXCERPT` characters (a long answer would bury the findings)."""
    kind = response.headers.get("content-type", "no content type")  # as sent, parameters too
    body = response.content.decode("utf-8", "replace")
    if len(body) > BODY_EXCERPT:
        body = body[:BODY_EXCERPT] + " ..."
    return f"HTTP {response.status_code} ({kind}) {body}"


def curl(request: httpx.Request) -> str:
    """A curl command that sends `request` again, for a report. The suite's requests never
    hold the secret (the transport adds it on the wire): the user puts theirs in to run it."""
    parts = ["curl", "-X", request.method]
    for name, value in request.headers.items():
        if name.lower() in ("content-type", "accept"):
            parts += ["-H", f"{name}: {value}"]
    if request.content:
        parts += ["--data-binary", request.content.decode("utf-8", "replace")]
    parts.append(str(request.url))
    return shlex.join(parts)


def violation(operation: str, check: str, message: str, response: httpx.Response) -> Violation:
    """A finding of `check` about the answer `response`; `operation` is the method called."""
    request = response.request
    label = labelled(operation, request)
    return Violation(label, check, message, curl(request), describe(response))


def from_failures(
    group: FailureGroup, check: str, case: Case[Any], response: httpx.Response, base_url: str
) -> list[Violation]:
    """schemathesis's findings of one `check` for one case, as violations."""
    request = case.as_curl_command(base_url=base_url)
    return [
        Violation(
            operation=operation_label(response.request),
            check=check,
            message=_message(failure.title, failure.message),
            request=request,
            response=describe(response),
        )
        for failure in group.exceptions
    ]


def _message(title: str, message: str) -> str:
    """schemathesis's title (`Response violates schema`) and its details, as one text; a
    check of the suite's own says everything in its message."""
    details = message.strip()
    if title.startswith("Custom check failed") and details:
        return details
    return f"{title}: {details}" if details and details != title else title
