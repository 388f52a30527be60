"""The four badge methods with the semantics of the docs (BADGES/*.md).

Each takes the request's parameters, whatever encoding they came in, and returns the answer's
top-level fields without `time`, which the portal adds. Parameters are checked the way a PHP
portal does: a missing or empty one is REQUIRED_ARG_MISSING, one of the wrong shape is
INVALID_ARG_VALUE; unknown parameters are ignored. Sizes are bounded by the store's limits
(store.StoreLimits): a field over its limit is INVALID_ARG_VALUE, a badge that does not fit
ERROR_BADGE_LIMIT_EXCEEDED.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from b24_emulator import errors
from b24_emulator.params import MAX_BODY_BYTES, Params
from b24_emulator.store import (
    Badge,
    BadgeStore,
    DuplicateCode,
    LocalizedText,
    StoreFull,
    StoreLimits,
    badge_bytes,
)

BADGE_TYPES = ("success", "failure", "warning", "primary", "secondary")


@dataclass(frozen=True)
class Method:
    """A method the portal serves: the scope and rights a caller needs, and the function that
    runs it on the store with the request's parameters."""

    name: str
    admin_only: bool  # add and delete need administrative access to CRM (docs BADGES/index.md)
    run: Callable[[BadgeStore, Params], dict[str, Any]]
    scope: str = "crm"


def _missing(value: Any) -> bool:
    return value is None or value == "" or value == {} or value == []


def _text(name: str, value: Any, max_length: int) -> str:
    if not isinstance(value, str):
        raise errors.invalid_arg_value(name, "expected a string")
    if len(value) > max_length:
        raise errors.invalid_arg_value(name, f"longer than {max_length} characters")
    try:
        value.encode("utf-8")
    except UnicodeEncodeError:
        raise errors.invalid_arg_value(name, "not valid Unicode text") from None
    return value


def _code(value: Any, limits: StoreLimits) -> str:
    return _text("code", value, limits.max_code)


def _lookup_code(params: Params) -> str:
    """The code get and delete look up: any string; one no badge can have is simply not found."""
    return _text("code", params["code"], MAX_BODY_BYTES)


def _localized(name: str, value: Any, limits: StoreLimits) -> LocalizedText:
    """A string, or a language map: language code -> string (D-LOCALIZED-TEXT)."""
    if not isinstance(value, dict):
        return _text(name, value, limits.max_text)
    if len(value) > limits.max_languages:
        raise errors.invalid_arg_value(name, f"more than {limits.max_languages} languages")
    return {
        _text(f"{name} key", key, limits.max_text): _text(f"{name}[{key}]", text, limits.max_text)
        for key, text in value.items()
    }


def _required(params: Params, *names: str) -> None:
    if missing := [name for name in names if _missing(params.get(name))]:
        raise errors.required_arg_missing(*missing)


def badge_from(params: Params, limits: StoreLimits) -> Badge:
    """The badge an add with these parameters stores, checked as add checks it; the add's
    PortalError otherwise. Also what `--seed-badge` is held to: a seed add would refuse is
    refused at start, not served as if a portal had stored it."""
    _required(params, "code", "title", "value", "type")
    badge_type = params["type"]
    if badge_type not in BADGE_TYPES:
        raise errors.invalid_arg_value("type", f"expected one of {', '.join(BADGE_TYPES)}")
    badge = Badge(
        code=_code(params["code"], limits),
        title=_localized("title", params["title"], limits),
        value=_localized("value", params["value"], limits),
        type=badge_type,
    )
    if (size := badge_bytes(badge)) > limits.max_badge_bytes:
        raise errors.invalid_arg_value(
            "badge", f"{size} bytes stored, more than {limits.max_badge_bytes}"
        )
    return badge


def add(store: BadgeStore, params: Params) -> dict[str, Any]:
    """crm.activity.badge.add: store a new badge, answer it. REQUIRED_ARG_MISSING for a missing
    or empty code, title, value or type; INVALID_ARG_VALUE for a type outside BADGE_TYPES or a
    field of the wrong shape or size; ERROR_BADGE_ALREADY_EXISTS for a taken code (the stored
    badge is kept); ERROR_BADGE_LIMIT_EXCEEDED when the store is full."""
    badge = badge_from(params, store.limits)
    try:
        store.add(badge)
    except DuplicateCode:
        raise errors.badge_already_exists(badge.code) from None
    except StoreFull as full:
        raise errors.badge_limit_exceeded(str(full)) from None
    return {"result": {"badge": badge.as_json()}}


def get(store: BadgeStore, params: Params) -> dict[str, Any]:
    """crm.activity.badge.get: the badge with this code; NOT_FOUND when there is none."""
    _required(params, "code")
    badge = store.get(_lookup_code(params))
    if badge is None:
        raise errors.badge_not_found()
    return {"result": {"badge": badge.as_json()}}


def list_(store: BadgeStore, params: Params) -> dict[str, Any]:
    """crm.activity.badge.list: every badge, oldest first, and `total`. No pagination, and so
    no parameters: any given are ignored (D-LIST-PAGINATION)."""
    badges = [badge.as_json() for badge in store.list()]
    return {"result": {"badges": badges}, "total": len(badges)}


def delete(store: BadgeStore, params: Params) -> dict[str, Any]:
    """crm.activity.badge.delete: remove the badge with this code, `result: true`; NOT_FOUND
    when there is none."""
    _required(params, "code")
    if not store.delete(_lookup_code(params)):
        raise errors.badge_not_found()
    return {"result": True}


METHODS = {
    method.name: method
    for method in (
        Method("crm.activity.badge.add", admin_only=True, run=add),
        Method("crm.activity.badge.get", admin_only=False, run=get),
        Method("crm.activity.badge.list", admin_only=False, run=list_),
        Method("crm.activity.badge.delete", admin_only=True, run=delete),
    )
}
