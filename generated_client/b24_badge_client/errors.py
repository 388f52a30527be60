"""What the client raises: one tree, rooted at `B24Error`, that a caller can act on by type.

`BitrixError` and its subclasses are the portal's own errors (`{"error", "error_description"}`),
chosen by the error code (case-insensitive), with the real HTTP status kept beside it: portals
disagree on statuses (400 or 404 for NOT_FOUND), not on codes. `UnexpectedResponse` is an answer
outside the contract (not JSON, an undeclared status, a body the models cannot read, such as a
badge type the spec does not know); it keeps the status and the body. Every exception keeps the
response, with its secrets masked, and none of their texts contains a secret.
"""

from __future__ import annotations

from typing import ClassVar

import httpx

from b24_badge_client.credentials import method_name


class B24Error(Exception):
    """Anything the badge client raises on purpose."""


class PortalMoved(B24Error):
    """302: the portal changed its address; repeat the call at `location` (docs change-domen.md)."""

    def __init__(self, location: str, response: httpx.Response) -> None:
        super().__init__(f"the portal moved to {location}; call it there")
        self.location = location
        self.response = response


class UnexpectedResponse(B24Error):
    """An answer the contract does not describe; `status_code` and `content` are kept."""

    def __init__(self, reason: str, response: httpx.Response) -> None:
        super().__init__(f"{_where(response)}: {reason} (HTTP {response.status_code})")
        self.reason = reason
        self.response = response
        self.status_code = response.status_code
        self.content = response.content


class BitrixError(B24Error):
    """An error answered by the portal: its code, description and real HTTP status."""

    CODES: ClassVar[frozenset[str]] = frozenset()

    def __init__(self, code: str, description: str, response: httpx.Response) -> None:
        super().__init__(
            f"{_where(response)}: {code or '(empty code)'}: {description} "
            f"(HTTP {response.status_code})"
        )
        self.code = code
        self.description = description
        self.response = response
        self.status_code = response.status_code


class NotFound(BitrixError):
    """No badge with that code (400 per the docs, 404 on some portals)."""

    CODES = frozenset({"NOT_FOUND", "ERROR_NOT_FOUND"})


class AccessDenied(BitrixError):
    """The user may not do this (add and delete need CRM administrator rights)."""

    CODES = frozenset({"ACCESS_DENIED", "USER_ACCESS_ERROR", "WRONG_AUTH_TYPE"})


class AuthenticationError(BitrixError):
    """The credentials were refused: wrong webhook code or token, or a missing scope."""

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
    """The OAuth access token expired (401); refresh it. The client does, given a refresher."""

    CODES = frozenset({"EXPIRED_TOKEN"})


class InvalidArguments(BitrixError):
    """A parameter is missing or has a wrong value."""

    CODES = frozenset({"REQUIRED_ARG_MISSING", "INVALID_ARG_VALUE", "INVALID_REQUEST"})


class MethodNotFound(BitrixError):
    """The portal does not know the method."""

    CODES = frozenset({"ERROR_METHOD_NOT_FOUND", "METHOD_NOT_FOUND"})


class QueryLimitExceeded(BitrixError):
    """503: the request-rate limit; raised once the client's retries are used up."""

    CODES = frozenset({"QUERY_LIMIT_EXCEEDED"})


class OverloadLimit(BitrixError):
    """503: REST is blocked for this portal by hand; only Bitrix24 support can lift it."""

    CODES = frozenset({"OVERLOAD_LIMIT"})


class OperationTimeLimit(BitrixError):
    """429: the method used its operating-time budget; raised when the client's waits are up."""

    CODES = frozenset({"OPERATION_TIME_LIMIT"})


class PortalError(BitrixError):
    """The portal failed internally, or was deleted."""

    CODES = frozenset({"INTERNAL_SERVER_ERROR", "ERROR_UNEXPECTED_ANSWER", "PORTAL_DELETED"})


_BY_CODE = {
    code: cls
    for cls in (
        NotFound,
        AccessDenied,
        AuthenticationError,
        ExpiredToken,
        InvalidArguments,
        MethodNotFound,
        QueryLimitExceeded,
        OverloadLimit,
        OperationTimeLimit,
        PortalError,
    )
    for code in cls.CODES
}


def error_for(code: str, description: str, response: httpx.Response) -> BitrixError:
    """The most specific exception for an error code; unknown codes give a plain BitrixError."""
    return _BY_CODE.get(code.upper(), BitrixError)(code, description, response)


def _where(response: httpx.Response) -> str:
    try:
        return method_name(response.request.url.path) or "request"
    except RuntimeError:  # a response built without a request
        return "request"
