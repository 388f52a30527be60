"""The four badge methods with the semantics of the docs (BADGES/*.md).

Each takes the request's parameters, whatever encoding they came in, and returns the answer's
top-level fields without `time`, which the portal adds. Parameters are checked the way a PHP
portal does: a missing or empty one is REQUIRED_ARG_MISSING, one of the wrong shape is
INVALID_ARG_VALUE; unknown parameters are ignored.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from b24_emulator import errors
from b24_emulator.params import Params
from b24_emulator.store import Badge, BadgeStore, DuplicateCode, LocalizedText

BADGE_TYPES = ("success", "failure", "warning", "primary", "secondary")
MAX_TEXT = 4096  # characters; the emulator's own bound, far above any real badge


@dataclass(frozen=True)
class Method:
    name: str
    admin_only: bool  # add and delete need administrative access to CRM (docs BADGES/index.md)
    run: Callable[[BadgeStore, Params], dict[str, Any]]
    scope: str = "crm"


def _missing(value: Any) -> bool:
    return value is None or value == "" or value == {} or value == []


def _text(name: str, value: Any) -> str:
    if not isinstance(value, str):
        raise errors.invalid_arg_value(name, "expected a string")
    if len(value) > MAX_TEXT:
        raise errors.invalid_arg_value(name, f"longer than {MAX_TEXT} characters")
    try:
        value.encode("utf-8")
    except UnicodeEncodeError:
        raise errors.invalid_arg_value(name, "not valid Unicode text") from None
    return value


def _localized(name: str, value: Any) -> LocalizedText:
    """A string, or a language map: language code -> string (D-LOCALIZED-TEXT)."""
    if isinstance(value, dict):
        return {
            _text(f"{name} key", key): _text(f"{name}[{key}]", text) for key, text in value.items()
        }
    return _text(name, value)


def _required(params: Params, *names: str) -> None:
    if missing := [name for name in names if _missing(params.get(name))]:
        raise errors.required_arg_missing(*missing)


def add(store: BadgeStore, params: Params) -> dict[str, Any]:
    _required(params, "code", "title", "value", "type")
    badge_type = params["type"]
    if badge_type not in BADGE_TYPES:
        raise errors.invalid_arg_value("type", f"expected one of {', '.join(BADGE_TYPES)}")
    badge = Badge(
        code=_text("code", params["code"]),
        title=_localized("title", params["title"]),
        value=_localized("value", params["value"]),
        type=badge_type,
    )
    try:
        store.add(badge)
    except DuplicateCode:
        raise errors.badge_already_exists(badge.code) from None
    return {"result": {"badge": badge.as_json()}}


def get(store: BadgeStore, params: Params) -> dict[str, Any]:
    _required(params, "code")
    badge = store.get(_text("code", params["code"]))
    if badge is None:
        raise errors.badge_not_found()
    return {"result": {"badge": badge.as_json()}}


def list_(store: BadgeStore, params: Params) -> dict[str, Any]:
    badges = [badge.as_json() for badge in store.list()]
    return {"result": {"badges": badges}, "total": len(badges)}


def delete(store: BadgeStore, params: Params) -> dict[str, Any]:
    _required(params, "code")
    if not store.delete(_text("code", params["code"])):
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
