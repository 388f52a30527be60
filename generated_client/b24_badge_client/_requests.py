"""The generated request models, from the friendlier argument types the client accepts.

Shared by the direct methods (_client.py) and batch calls (_batch.py), so that a badge sent
either way is built, and typed, the same.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Literal

from b24_badge_client._generated.models import BadgeAddRequest, BadgeType, LanguageMap

Text = str | Mapping[str, str] | LanguageMap
"""A badge title or value: a plain string, or texts by language code (`{"en": ..., "ru": ...}`)."""

BadgeTypeName = Literal["success", "failure", "warning", "primary", "secondary"]
"""The five badge types by name, so that a type checker refuses any other string."""


def _text(value: Text) -> str | LanguageMap:
    if isinstance(value, str | LanguageMap):
        return value
    return LanguageMap.from_dict(dict(value))


def add_request(
    code: str, title: Text, value: Text, type: BadgeType | BadgeTypeName
) -> BadgeAddRequest:
    """The generated request model of add."""
    return BadgeAddRequest(code=code, title=_text(title), value=_text(value), type_=BadgeType(type))
