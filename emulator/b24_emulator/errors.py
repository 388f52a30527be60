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
        """The envelope, as an error answer and a failed batch command carry it."""
        return {"error": self.code, "error_description": self.description}


# Authentication and authorisation (D-INVALID-CREDENTIALS-STATUS, D-INSUFFICIENT-SCOPE-STATUS).
def no_auth_found() -> PortalError:
    """401: an OAuth call without a token (the `auth` parameter missing or empty)."""
    return PortalError(401, "NO_AUTH_FOUND", "Wrong authorization data")


def invalid_credentials() -> PortalError:
    """401: a webhook URL whose user id and code match no webhook. The docs answer a wrong code
    with NO_AUTH_FOUND; b24pysdk's tests expect this code (D-INVALID-CREDENTIALS-STATUS)."""
    return PortalError(401, "INVALID_CREDENTIALS", "Invalid request credentials")


def invalid_token() -> PortalError:
    """401: an OAuth token the portal does not know, with the text b24pysdk records."""
    return PortalError(401, "invalid_token", "Unable to get application by token")


def expired_token() -> PortalError:
    """401: a known OAuth token past its expiry; the docs tell clients to refresh and repeat."""
    return PortalError(401, "expired_token", "The access token provided has expired.")


def insufficient_scope() -> PortalError:
    """401: the webhook or token lacks the method's scope (`crm`). The docs give 403; b24pysdk's
    integration tests expect 401 (D-INSUFFICIENT-SCOPE-STATUS)."""
    return PortalError(
        401,
        "insufficient_scope",
        "The request requires higher privileges than provided by the webhook token",
    )


def access_denied() -> PortalError:
    """403: a user who is not a CRM administrator calling add or delete (docs BADGES/index.md;
    the method pages print it beside a 400 example, D-ACCESS-DENIED-STATUS)."""
    return PortalError(403, "ACCESS_DENIED", "Access denied!")


# Limits (docs settings/performance/limits.md).
def query_limit_exceeded() -> PortalError:
    """503: the request-rate limit (limits.LeakyBucket); clients back off and retry."""
    return PortalError(503, "QUERY_LIMIT_EXCEEDED", "Too many requests")


def operation_time_limit() -> PortalError:
    """429: this caller spent more than its operating time on the method in the last 10 minutes
    (limits.OperatingTime); other methods still answer (D-OPERATION-TIME-LIMIT)."""
    return PortalError(
        429, "OPERATION_TIME_LIMIT", "Method is blocked due to operation time limit."
    )


# Routing.
def method_not_found() -> PortalError:
    """404: a path that names no method the portal serves, or that is no REST path at all."""
    return PortalError(404, "ERROR_METHOD_NOT_FOUND", "Method not found!")


def http_method_not_allowed(method: str) -> PortalError:
    """405: any HTTP method but GET and POST, the only two the docs name (D-ENCODINGS)."""
    return PortalError(405, "ERROR_METHOD_NOT_ALLOWED", f"HTTP method {method} is not supported")


# The connection: answers before or instead of a method (the emulator's own guards; a portal's
# nginx answers these with HTML pages, the emulator keeps its promise of the JSON envelope).
def overloaded(why: str) -> PortalError:
    """503 from the emulator's own guards (concurrency, connections, shutdown); `why` says which.

    QUERY_LIMIT_EXCEEDED, not OVERLOAD_LIMIT (a manual block): clients retry it with backoff.
    """
    return PortalError(503, "QUERY_LIMIT_EXCEEDED", f"Too many requests: {why}")


def request_timeout(what: str, seconds: float) -> PortalError:
    """408: the request head or body (`what`) did not arrive within `seconds` (HttpLimits)."""
    return PortalError(408, "REQUEST_TIMEOUT", f"The {what} was not received within {seconds:g} s")


def unparseable(why: str) -> PortalError:
    """400: bytes the HTTP parser refuses before the app runs (connections.py)."""
    return PortalError(400, "INVALID_REQUEST", f"The request is not valid HTTP/1.1: {why}")


# Bad input: always a 4xx, never a 5xx (the client's mistake).
def invalid_request(description: str) -> PortalError:
    """400: a request that cannot be read (its encoding, its size, broken JSON or form data);
    `description` says what and how to fix it."""
    return PortalError(400, "INVALID_REQUEST", description)


def required_arg_missing(*names: str) -> PortalError:
    """400: required parameters missing or empty, every one of them named."""
    return PortalError(400, "REQUIRED_ARG_MISSING", f"Required fields: {', '.join(names)}")


def invalid_arg_value(name: str, why: str) -> PortalError:
    """400: parameter `name` has the wrong type, value or size; `why` says which."""
    return PortalError(400, "INVALID_ARG_VALUE", f"Invalid value of {name}: {why}")


# Badges.
def badge_not_found() -> PortalError:
    """400: get or delete of a code no badge has, as the docs' example answers it (some portals
    answer 404; D-NOT-FOUND-STATUS)."""
    return PortalError(400, "NOT_FOUND", "Not found.")


def badge_already_exists(code: str) -> PortalError:
    """400: add of a code that is taken. The docs name no error for it (D-DUPLICATE-CODE): this
    code is the emulator's choice. `code` is not echoed in the answer."""
    return PortalError(400, "ERROR_BADGE_ALREADY_EXISTS", "A badge with this code already exists")


def badge_limit_exceeded(why: str) -> PortalError:
    """400: the store is full (store.StoreLimits), the emulator's own bound; real portals' is
    unknown. `why` names the bound."""
    return PortalError(400, "ERROR_BADGE_LIMIT_EXCEEDED", f"No room for the badge: {why}")


# Batch (docs settings/how-to-call-rest-api/batch.md); inside a batch these are sub-errors.
def batch_length_exceeded() -> PortalError:
    """A batch too long: each command past the 50th fails with it in `result_error`, and a `cmd`
    past batch.MAX_ENTRIES is refused whole with it (400)."""
    return PortalError(400, "ERROR_BATCH_LENGTH_EXCEEDED", "Max batch length exceeded")


def batch_method_not_allowed() -> PortalError:
    """A `batch` command inside a batch: that command fails with it in `result_error`."""
    return PortalError(
        405, "ERROR_BATCH_METHOD_NOT_ALLOWED", "Method is not allowed for batch usage"
    )


def batch_answer_too_large(limit: int) -> PortalError:
    """A batch command whose result would take the answer past `limit` bytes fails with it: the
    emulator's own bound on one answer (store.StoreLimits.max_answer_bytes)."""
    return PortalError(
        400, "ERROR_BATCH_ANSWER_TOO_LARGE", f"The batch answer would pass {limit} bytes"
    )


def internal_error() -> PortalError:
    """500: a bug of the emulator, never the client's doing."""
    return PortalError(500, "INTERNAL_SERVER_ERROR", "Internal server error")
