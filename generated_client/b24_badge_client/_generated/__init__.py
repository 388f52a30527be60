"""A client library for accessing Bitrix24 CRM activity badges (crm.activity.badge.*)"""

from .client import AuthenticatedClient, Client

__all__ = (
    "AuthenticatedClient",
    "Client",
)
