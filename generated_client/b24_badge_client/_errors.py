"""What the client raises: one tree, rooted at `B24Error`, that a caller can act on by type.

`BitrixError` and its subclasses are the portal's own errors (`{"error", "error_description"}`),
chosen by the error code (case-insensitive), with the real HTTP status kept beside it: portals
disagree on statuses (400 or 404 for NOT_FOUND), not on codes. Each class's `CODES` are codes
the spec lists in its `x-error-codes` (tests/client/test_spec_ties.py holds the two together).
`UnexpectedResponse` is an answer outside the contract; `PortalMoved` a 302; `ResponseTooLarge`
and `DeadlineExceeded` the client's own limits. Every exception keeps what can be kept (the
response, its status), with secrets masked, and none of their texts contains a secret.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any, ClassVar

import httpx

from b24_badge_client._credentials import method_name


class B24Error(Exception):
    """Anything the badge client raises on purpose: catch it to handle every failure the
    client knows about (transport failures stay httpx's exceptions, scrubbed of secrets)."""


class PortalMoved(B24Error):
    """302: the portal changed its address (docs change-domen.md); repeat the call at `location`.

    Never followed silently: a redirected POST would lose its body, and the new address is a
    decision (update the stored portal URL) the application should make.
    """

    def __init__(self, location: str, response: httpx.Response) -> None:
        super().__init__(f"the portal moved to {location}; call it there")
        self.location = location
        self.response = response


class UnexpectedResponse(B24Error):
    """An answer the contract does not describe: an HTML error page from a proxy, an undeclared
    status, or a body the models cannot read (a badge type the spec does not know). `reason`,
    `status_code`, `content` and the whole (masked) `response` are kept for the bug report."""

    def __init__(self, reason: str, response: httpx.Response) -> None:
        super().__init__(f"{_where(response)}: {reason} (HTTP {response.status_code})")
        self.reason = reason
        self.response = response
        self.status_code = response.status_code
        self.content = response.content


class ResponseTooLarge(B24Error):
    """The answer, decompressed, is larger than `max_response_size`: reading stopped there.

    Protects memory from a broken or hostile portal or proxy (an endless body, a gzip bomb).
    `limit`, `status_code` and the (masked) `response`, holding the first `limit` bytes, are
    kept; raise the limit (client option `max_response_size`) if a real answer needs more.
    """

    def __init__(self, limit: int, response: httpx.Response) -> None:
        super().__init__(
            f"{_where(response)}: the answer is larger than max_response_size ({limit} bytes, "
            f"decompressed); reading stopped there (HTTP {response.status_code})"
        )
        self.limit = limit
        self.response = response
        self.status_code = response.status_code


class DeadlineExceeded(B24Error, httpx.TimeoutException):
    """The call did not finish within its `deadline`, counting pacing, every attempt, retry
    waits and 429 waits, and reading the answer. Also an `httpx.TimeoutException`, so code that
    handles timeouts handles this one. `deadline` (seconds) and `method` are kept."""

    def __init__(self, method: str, deadline: float, doing: str, request: httpx.Request) -> None:
        super().__init__(
            f"{method}: the call passed its deadline of {deadline:g} s {doing}", request=request
        )
        self.method = method
        self.deadline = deadline


class BitrixError(B24Error):
    """An error answered by the portal: its `code`, `description` and real `status_code`.

    Raised as is for codes without a more specific class: its own `CODES` are the codes the spec
    lists that concern nothing the badge methods do (batch calls, app manifests) and the empty
    code real portals sometimes send; unknown codes (such as a duplicate badge code, which the
    docs leave undocumented) come as a plain BitrixError too.

    The error of one call of a batch is the same class a direct call would raise, with
    `command` (the call as sent, `...badge.get?code=...`) and `entry` (its raw entry of
    `result_error`, secrets masked) set; `status_code` and `response` are then the batch
    answer's (200), since a batch does not say which status the call alone would have had.
    For a direct call both are None.
    """

    CODES: ClassVar[frozenset[str]] = frozenset(
        {
            "",
            "ERROR_BATCH_LENGTH_EXCEEDED",
            "ERROR_BATCH_METHOD_NOT_ALLOWED",
            "ERROR_MANIFEST_IS_NOT_AVAILABLE",
        }
    )

    def __init__(
        self,
        code: str,
        description: str,
        response: httpx.Response,
        *,
        command: str | None = None,
        entry: Mapping[str, Any] | None = None,
    ) -> None:
        where, status = _where(response), f"HTTP {response.status_code}"
        if command is not None:
            where, status = f"{_shortened(command)} in a batch", f"the batch: {status}"
        super().__init__(f"{where}: {code or '(empty code)'}: {description} ({status})")
        self.code = code
        self.description = description
        self.response = response
        self.status_code = response.status_code
        self.command = command
        self.entry = entry


class NotFound(BitrixError):
    """No badge with that code: 400 per the docs, 404 on some portals; catch it to add a
    badge that is missing, or to treat a delete of a missing badge as done."""

    CODES = frozenset({"NOT_FOUND", "ERROR_NOT_FOUND"})


class AccessDenied(BitrixError):
    """The user may not do this (add and delete need CRM administrator rights, REST needs a
    commercial plan): retrying will not help; use another webhook or ask an administrator."""

    CODES = frozenset({"ACCESS_DENIED", "USER_ACCESS_ERROR", "WRONG_AUTH_TYPE"})


class AuthenticationError(BitrixError):
    """The credentials were refused: a wrong webhook code or token, or a missing scope
    (the webhook or application needs the `crm` scope). Fix the credentials, not the call."""

    CODES = frozenset(
        {
            "NO_AUTH_FOUND",
            "INVALID_CREDENTIALS",
            "INVALID_TOKEN",
            "INSUFFICIENT_SCOPE",
            "ERROR_OAUTH",
        }
    )


class ExpiredToken(AuthenticationError):
    """The OAuth access token expired (401). The client refreshes it once, given a refresher;
    this reaches you when there is none or the fresh token was refused too."""

    CODES = frozenset({"EXPIRED_TOKEN"})


class InvalidArguments(BitrixError):
    """A parameter is missing or has a wrong value: the call itself must change."""

    CODES = frozenset({"REQUIRED_ARG_MISSING", "INVALID_ARG_VALUE", "INVALID_REQUEST"})


class MethodNotFound(BitrixError):
    """The portal does not know the method: a portal too old for badges, or a wrong URL."""

    CODES = frozenset({"ERROR_METHOD_NOT_FOUND", "METHOD_NOT_FOUND"})


class QueryLimitExceeded(BitrixError):
    """503: the request-rate limit; raised once the client's retries (or its deadline) are up.
    Slow down: share one `Pacer` among the clients of one portal, or retry later."""

    CODES = frozenset({"QUERY_LIMIT_EXCEEDED"})


class OverloadLimit(BitrixError):
    """503: REST is blocked for this portal by hand; only Bitrix24 support can lift it."""

    CODES = frozenset({"OVERLOAD_LIMIT"})


class OperationTimeLimit(BitrixError):
    """429: the method used its operating-time budget for the 10-minute window; raised when the
    client's waits are up or the wait would pass the call's deadline. Retry after a while."""

    CODES = frozenset({"OPERATION_TIME_LIMIT"})


class PortalError(BitrixError):
    """The portal failed internally (500), or was deleted (500 or 410): not the call's fault."""

    CODES = frozenset({"INTERNAL_SERVER_ERROR", "ERROR_UNEXPECTED_ANSWER", "PORTAL_DELETED"})


def _family(cls: type[BitrixError]) -> list[type[BitrixError]]:
    return [cls, *(member for sub in cls.__subclasses__() for member in _family(sub))]


_BY_CODE = {code: cls for cls in _family(BitrixError) for code in cls.CODES}


def error_for(
    code: str,
    description: str,
    response: httpx.Response,
    *,
    command: str | None = None,
    entry: Mapping[str, Any] | None = None,
) -> BitrixError:
    """The most specific exception for an error code; unknown codes give a plain BitrixError.
    `command` and `entry` for the error of one call of a batch."""
    cls = _BY_CODE.get(code.upper(), BitrixError)
    return cls(code, description, response, command=command, entry=entry)


def _shortened(command: str) -> str:
    """A batch command as an error names it: in full, unless it is long (a long title)."""
    return command if len(command) <= 120 else command[:119] + "…"


def _where(response: httpx.Response) -> str:
    try:
        return method_name(response.request.url.path) or "request"
    except RuntimeError:  # a response built without a request
        return "request"
