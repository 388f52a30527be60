"""A local Bitrix24 portal for the crm.activity.badge.* methods.

Written from the Bitrix24 docs' behaviour (../shared/reference), not generated from the
project's OpenAPI document: a wrong spec must not be able to agree with itself.
"""

from b24_emulator.app import create_app
from b24_emulator.config import MISSED_CALL, OAuthToken, Settings, Webhook
from b24_emulator.limits import RateLimit
from b24_emulator.server import RunningEmulator, run_emulator
from b24_emulator.store import Badge

__all__ = [
    "MISSED_CALL",
    "Badge",
    "OAuthToken",
    "RateLimit",
    "RunningEmulator",
    "Settings",
    "Webhook",
    "create_app",
    "run_emulator",
]
