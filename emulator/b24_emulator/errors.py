"""The portal's error answers: a status and a `{"error", "error_description"}` body.

Codes, statuses and texts are the ones the Bitrix24 docs and real portals use
(../shared/reference/bitrix24-rest-facts.md §5, §8). Where the two disagree the emulator picks one
of the answers the contract accepts; spec/openapi.yaml `x-decisions` records each choice.
"""

from __future__ import annotations


class PortalError(Exception):
    """Raised anywhere in a request; the app turns it into the portal's error envelope."""

    def __init__(self, status: int, code: str, description: str) -> None:
        super().__init__(f"{status} {code}: {description}")
        self.status = status
        self.code = code
        self.description = description

    def body(self) -> dict[str, str]:
        return {"error": self.code, "error_description": self.description}


# Authentication and authorisation (D-INVALID-CREDENTIALS-STATUS, D-INSUFFICIENT-SCOPE-STATUS).
def no_auth_found() -> PortalError:
    return PortalError(401, "NO_AUTH_FOUND", "Wrong authorization data")


def invalid_credentials() -> PortalError:
    return PortalError(401, "INVALID_CREDENTIALS", "Invalid request credentials")


def invalid_token() -> PortalError:
    return PortalError(401, "invalid_token", "Unable to get application by token")


def expired_token() -> PortalError:
    return PortalError(401, "expired_token", "The access token provided has expired.")


def insufficient_scope() -> PortalError:
    return PortalError(
        401,
        "insufficient_scope",
        "The request requires higher privileges than provided by the webhook token",
    )


def access_denied() -> PortalError:
    return PortalError(403, "ACCESS_DENIED", "Access denied!")


# Limits (docs settings/performance/limits.md).
def query_limit_exceeded() -> PortalError:
    return PortalError(503, "QUERY_LIMIT_EXCEEDED", "Too many requests")


def operation_time_limit() -> PortalError:
    return PortalError(
        429, "OPERATION_TIME_LIMIT", "Method is blocked due to operation time limit."
    )


# Routing.
def method_not_found() -> PortalError:
    return PortalError(404, "ERROR_METHOD_NOT_FOUND", "Method not found!")


def http_method_not_allowed(method: str) -> PortalError:
    return PortalError(405, "ERROR_METHOD_NOT_ALLOWED", f"HTTP method {method} is not supported")


# The connection: answers before or instead of a method (the emulator's own guards; a portal's
# nginx answers these with HTML pages, the emulator keeps its promise of the JSON envelope).
def overloaded(why: str) -> PortalError:
    # QUERY_LIMIT_EXCEEDED, not OVERLOAD_LIMIT (a manual block): clients retry it with backoff.
    return PortalError(503, "QUERY_LIMIT_EXCEEDED", f"Too many requests: {why}")


def request_timeout(what: str, seconds: float) -> PortalError:
    return PortalError(408, "REQUEST_TIMEOUT", f"The {what} was not received within {seconds:g} s")


def unparseable(why: str) -> PortalError:
    return PortalError(400, "INVALID_REQUEST", f"The request is not valid HTTP/1.1: {why}")


# Bad input: always a 4xx, never a 5xx (the client's mistake).
def invalid_request(description: str) -> PortalError:
    return PortalError(400, "INVALID_REQUEST", description)


def required_arg_missing(*names: str) -> PortalError:
    return PortalError(400, "REQUIRED_ARG_MISSING", f"Required fields: {', '.join(names)}")


def invalid_arg_value(name: str, why: str) -> PortalError:
    return PortalError(400, "INVALID_ARG_VALUE", f"Invalid value of {name}: {why}")


# Badges.
def badge_not_found() -> PortalError:
    return PortalError(400, "NOT_FOUND", "Not found.")  # docs' example (D-NOT-FOUND-STATUS)


def badge_already_exists(code: str) -> PortalError:
    # The docs name no code for this (D-DUPLICATE-CODE); this one is the emulator's choice.
    return PortalError(400, "ERROR_BADGE_ALREADY_EXISTS", "A badge with this code already exists")


def badge_limit_exceeded(why: str) -> PortalError:
    # The emulator's own bound on what it stores (config.StoreLimits); real portals' is unknown.
    return PortalError(400, "ERROR_BADGE_LIMIT_EXCEEDED", f"No room for the badge: {why}")


# Batch (docs settings/how-to-call-rest-api/batch.md); inside a batch these are sub-errors.
def batch_length_exceeded() -> PortalError:
    return PortalError(400, "ERROR_BATCH_LENGTH_EXCEEDED", "Max batch length exceeded")


def batch_method_not_allowed() -> PortalError:
    return PortalError(
        405, "ERROR_BATCH_METHOD_NOT_ALLOWED", "Method is not allowed for batch usage"
    )


def batch_answer_too_large(limit: int) -> PortalError:
    # The emulator's own bound on one answer (config.StoreLimits.max_answer_bytes).
    return PortalError(
        400, "ERROR_BATCH_ANSWER_TOO_LARGE", f"The batch answer would pass {limit} bytes"
    )


def internal_error() -> PortalError:
    return PortalError(500, "INTERNAL_SERVER_ERROR", "Internal server error")
