"""b24-badge-client: a typed client for the Bitrix24 crm.activity.badge.* REST methods.

Generated from the toolkit's OpenAPI contract with openapi-python-client (the `_generated`
subpackage, never edited by hand), plus a small hand-written layer for real portals: webhook and
OAuth auth, pacing to the rate limit, retries, limits, typed errors and secret redaction.

    from b24_badge_client import BadgeClient, NotFound

    with BadgeClient.from_webhook("https://portal.bitrix24.com/rest/1/CODE/") as client:
        try:
            badge = client.get("missedCall")
        except NotFound:
            badge = client.add("missedCall", "Call status", "Missed", "failure")
        found = client.get_many(["missedCall", "overdue"])  # 50 codes per request
        # {"missedCall": Badge(...), "overdue": NotFound(...)}: each call's own outcome

Everything public is imported here and listed in `__all__`; the modules behind it are private
(`_`-prefixed) and may change without notice. `models` is the generated models package (every
schema of the contract, by its name there), for code that reads raw answers itself.
"""

from b24_badge_client._batch import Call
from b24_badge_client._client import AsyncBadgeClient, BadgeClient
from b24_badge_client._clock import Clock
from b24_badge_client._credentials import (
    AsyncTokenRefresher,
    Credentials,
    NoCredentials,
    OAuth,
    TokenRefresher,
    Webhook,
)
from b24_badge_client._errors import (
    AccessDenied,
    AuthenticationError,
    B24Error,
    BitrixError,
    DeadlineExceeded,
    ExpiredToken,
    InvalidArguments,
    MethodNotFound,
    NotFound,
    OperationTimeLimit,
    OverloadLimit,
    PortalError,
    PortalMoved,
    QueryLimitExceeded,
    ResponseTooLarge,
    UnexpectedResponse,
)
from b24_badge_client._flow import RetryPolicy
from b24_badge_client._generated import models
from b24_badge_client._generated.models import Badge, BadgeType, LanguageMap, Time
from b24_badge_client._options import AsyncClientOptions, ClientOptions, TransportOptions
from b24_badge_client._pacing import CLOUD, ENTERPRISE, Pacer, RateLimit
from b24_badge_client._requests import BadgeTypeName, Text
from b24_badge_client._transport import AsyncBitrixTransport, BitrixTransport

# The generator writes no docstring for enums; the spec's description, in short.
BadgeType.__doc__ = """The colour of a badge's icon: success (green), failure (red), warning
(yellow), primary (blue), secondary (grey); exactly the five the docs list (spec BadgeType)."""

__all__ = [
    "CLOUD",
    "ENTERPRISE",
    "AccessDenied",
    "AsyncBadgeClient",
    "AsyncBitrixTransport",
    "AsyncClientOptions",
    "AsyncTokenRefresher",
    "AuthenticationError",
    "B24Error",
    "Badge",
    "BadgeClient",
    "BadgeType",
    "BadgeTypeName",
    "BitrixError",
    "BitrixTransport",
    "Call",
    "ClientOptions",
    "Clock",
    "Credentials",
    "DeadlineExceeded",
    "ExpiredToken",
    "InvalidArguments",
    "LanguageMap",
    "MethodNotFound",
    "NoCredentials",
    "NotFound",
    "OAuth",
    "OperationTimeLimit",
    "OverloadLimit",
    "Pacer",
    "PortalError",
    "PortalMoved",
    "QueryLimitExceeded",
    "RateLimit",
    "ResponseTooLarge",
    "RetryPolicy",
    "Text",
    "Time",
    "TokenRefresher",
    "TransportOptions",
    "UnexpectedResponse",
    "Webhook",
    "models",
]
