"""b24-badge-client: a typed client for the Bitrix24 crm.activity.badge.* REST methods.

Generated from the toolkit's OpenAPI contract with openapi-python-client (the `_generated`
subpackage, never edited by hand), plus a small hand-written layer for real portals: webhook and
OAuth auth, pacing to the rate limit, retries, typed errors and secret redaction.

    from b24_badge_client import BadgeClient, NotFound

    with BadgeClient.from_webhook("https://portal.bitrix24.com/rest/1/CODE/") as client:
        try:
            badge = client.get("missedCall")
        except NotFound:
            badge = client.add("missedCall", "Call status", "Missed", "failure")
"""

from b24_badge_client._generated.models import Badge, BadgeType, LanguageMap, Time
from b24_badge_client.client import AsyncBadgeClient, BadgeClient
from b24_badge_client.credentials import OAuth, Webhook
from b24_badge_client.errors import (
    AccessDenied,
    AuthenticationError,
    B24Error,
    BitrixError,
    ExpiredToken,
    InvalidArguments,
    MethodNotFound,
    NotFound,
    OperationTimeLimit,
    OverloadLimit,
    PortalError,
    PortalMoved,
    QueryLimitExceeded,
    UnexpectedResponse,
)
from b24_badge_client.pacing import CLOUD, ENTERPRISE, RateLimit
from b24_badge_client.transport import AsyncBitrixTransport, BitrixTransport, RetryPolicy

__all__ = [
    "CLOUD",
    "ENTERPRISE",
    "AccessDenied",
    "AsyncBadgeClient",
    "AsyncBitrixTransport",
    "AuthenticationError",
    "B24Error",
    "Badge",
    "BadgeClient",
    "BadgeType",
    "BitrixError",
    "BitrixTransport",
    "ExpiredToken",
    "InvalidArguments",
    "LanguageMap",
    "MethodNotFound",
    "NotFound",
    "OAuth",
    "OperationTimeLimit",
    "OverloadLimit",
    "PortalError",
    "PortalMoved",
    "QueryLimitExceeded",
    "RateLimit",
    "RetryPolicy",
    "Time",
    "UnexpectedResponse",
    "Webhook",
]
