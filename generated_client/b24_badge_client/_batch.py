"""Batch: many badge calls in few requests, each with its own typed outcome.

A portal runs up to 50 commands in one `batch` request, which costs one request of the rate
limit (docs settings/how-to-call-rest-api/batch.md): fifty times the throughput of direct calls.
`Call` describes one badge call; the clients send calls in chunks of 50 (`BadgeClient.batch`) and
give back, in call order, what each call's direct method would have returned, or the error it
would have raised.

What the contract says about a batch answer is read literally (`x-b24-command-results`,
D-BATCH-SHAPES): a command's entry in `result.result` is its method's direct `result`, read here
with the same generated models and the same unwrapping as the direct methods (`Badge` for get
and add, `list[Badge]` for list, `None` for delete); its entry in `result.result_error` is the
error envelope, raised or returned as the BitrixError subclass its code names, like a direct
call's; a part may be PHP's empty `[]`, a JSON list (the commands are sent as a list, so their
keys are 0, 1, ...) or an object keyed by those numbers. Anything else is an answer outside the
contract: the client raises UnexpectedResponse for the whole request, keeping the raw answer.

Commands are built from the generated request models, in PHP's form encoding
(`...badge.add?code=x&title[ru]=...&title[en]=...`), the way a portal reads them.
"""

from __future__ import annotations

import builtins
import functools
import re
from collections.abc import Callable, Iterable, Mapping, Sequence
from typing import Any, Generic, TypeVar
from urllib.parse import quote

import httpx

from b24_badge_client._errors import BitrixError, error_for
from b24_badge_client._generated.api.badges import (
    crm_activity_badge_add,
    crm_activity_badge_delete,
    crm_activity_badge_get,
    crm_activity_badge_list,
)
from b24_badge_client._generated.models import (
    Badge,
    BadgeCodeRequest,
    BadgeListRequest,
    BadgeListResult,
    BadgeResult,
    BadgeType,
    BatchEntriesType0,
    BatchHaltType1,
    BatchRequest,
    BatchResponse,
    Error,
    LanguageMap,
)
from b24_badge_client._redaction import Secrets
from b24_badge_client._requests import BadgeTypeName, Text, add_request

MAX_COMMANDS = 50
"""Commands per batch request: the portal runs no more (docs batch.md; D-BATCH-LENGTH)."""

T = TypeVar("T")
T_co = TypeVar("T_co", covariant=True)

# A value the portal would read as a reference to an earlier command's answer (docs batch.md):
# it replaces `$result[name]...` in any parameter, and offers no way to escape it.
_REFERENCE = re.compile(r"\$(?:result|next|total|time|error)\[", re.IGNORECASE)


class Call(Generic[T_co]):
    """One badge call for `BadgeClient.batch`, made by `Call.get`, `Call.add`, `Call.list` or
    `Call.delete`; `T_co` is what the call's direct method returns.

        client.batch([Call.get("missedCall"), Call.delete("overdue")])

    The arguments are checked when the call is made, not when the batch is sent: a text the
    portal would read as a `$result[...]` reference, or a language code PHP's form encoding cannot
    carry, is a ValueError here. `method` and `command` (`method?query`, as sent) say what it is;
    `code` is the badge it concerns (None for list: all of them), `writes` whether it changes it.
    """

    __slots__ = ("_read", "code", "command", "method", "writes")

    def __init__(
        self,
        method: str,
        params: Mapping[str, Any],
        read: Callable[[Any], T_co],
        *,
        writes: bool = False,
    ) -> None:
        self.method = method
        self.command = method + ("?" + php_query(params) if params else "")
        self._read = read
        code = params.get("code")
        self.code: str | None = code if isinstance(code, str) else None  # None: every badge
        self.writes = writes

    @staticmethod
    def get(code: str) -> Call[Badge]:
        """`BadgeClient.get` in a batch: the badge under `code`, or NotFound."""
        return Call(_GET, BadgeCodeRequest(code=code).to_dict(), _badge)

    @staticmethod
    def add(code: str, title: Text, value: Text, type: BadgeType | BadgeTypeName) -> Call[Badge]:
        """`BadgeClient.add` in a batch: register a badge; the badge as the portal stored it."""
        return Call(_ADD, add_request(code, title, value, type).to_dict(), _badge, writes=True)

    @staticmethod
    def list() -> Call[builtins.list[Badge]]:
        """`BadgeClient.list` in a batch: every badge of the portal."""
        return Call(_LIST, BadgeListRequest().to_dict(), _badges)

    @staticmethod
    def delete(code: str) -> Call[None]:
        """`BadgeClient.delete` in a batch: remove the badge under `code`, or NotFound."""
        return Call(_DELETE, BadgeCodeRequest(code=code).to_dict(), _deleted, writes=True)

    def __repr__(self) -> str:
        return f"Call({self.command!r})"


def _method(endpoint: Any, body: Any) -> str:
    """The method a generated endpoint calls: its URL path, as its request builder writes it.
    A command's parameters are that builder's JSON body (`body.to_dict()`), in PHP's encoding."""
    return str(endpoint._get_kwargs(body=body)["url"]).lstrip("/")


_GET = _method(crm_activity_badge_get, BadgeCodeRequest(code=""))
_ADD = _method(crm_activity_badge_add, add_request("", "", "", "primary"))
_LIST = _method(crm_activity_badge_list, BadgeListRequest())
_DELETE = _method(crm_activity_badge_delete, BadgeCodeRequest(code=""))


def php_query(params: Mapping[str, Any]) -> str:
    """`params` as PHP's http_build_query writes them and parse_str reads them back: nested
    maps as bracket keys (`title[ru]=...`), every name and value URL-encoded.

    ValueError for what a portal would read differently than meant: a `$result[...]`-like
    reference in a value, or a key inside brackets that is empty or holds `]` (PHP would append
    to a list, or end the key early).
    """
    pairs: list[str] = []
    for name, value in params.items():
        _pairs(_name(str(name)), value, pairs)
    return "&".join(pairs)


@functools.lru_cache(maxsize=1024)
def _name(name: str) -> str:
    """A parameter name or language code, URL-encoded (they repeat: each is encoded once)."""
    return quote(name, safe="")


def _pairs(key: str, value: Any, pairs: list[str]) -> None:
    if isinstance(value, Mapping):
        for inner, item in value.items():
            inner = str(inner)
            if not inner or "]" in inner:
                raise ValueError(
                    f"{key}: the key {inner!r} cannot be sent in a batch command: PHP's form "
                    "encoding has no way to write an empty key or one holding ']'"
                )
            _pairs(f"{key}[{_name(inner)}]", item, pairs)
        return
    text = str(value)  # the badge methods take strings only
    if "$" in text and _REFERENCE.search(text):
        raise ValueError(
            f"{key}: a portal would read {text!r} as a reference to another command's answer "
            "($result[...]) and replace it; send this call directly instead of in a batch"
        )
    pairs.append(f"{key}={quote(text, safe='')}")


def request(calls: Sequence[Call[Any]], halt: bool) -> BatchRequest:
    """The generated batch request of one chunk: the commands as a list, and `halt` as 0/1."""
    return BatchRequest(
        cmd=[call.command for call in calls],
        halt=BatchHaltType1.VALUE_1 if halt else BatchHaltType1.VALUE_0,
    )


def chunks(calls: Sequence[Call[T]]) -> builtins.list[Sequence[Call[T]]]:
    """`calls` in requests of at most MAX_COMMANDS, in order."""
    return [calls[start : start + MAX_COMMANDS] for start in range(0, len(calls), MAX_COMMANDS)]


def in_any_order(requests: Sequence[Sequence[Call[Any]]]) -> bool:
    """Whether these requests may run concurrently, in any order, with the outcomes they would
    have one after another: no badge written in one request is read or written in another, and
    no list shares the batch with writes in another request. (A portal runs the commands of one
    request in order; between requests, only the client can keep an order.)"""
    if len(requests) < 2:
        return False
    touched: dict[str, int] = {}  # code -> the one request that touches it, or -1 for several
    written: set[str] = set()
    writing, listing = set(), set()  # requests with a write, with a list
    for index, calls in enumerate(requests):
        for call in calls:
            if call.code is None:
                listing.add(index)
            elif touched.setdefault(call.code, index) != index:
                touched[call.code] = -1
            if call.writes:
                writing.add(index)
                if call.code is not None:
                    written.add(call.code)
    if any(touched[code] == -1 for code in written):
        return False
    return not listing or not writing or (listing == writing and len(writing) == 1)


class Unreadable(Exception):
    """A batch answer outside the contract; the client raises UnexpectedResponse with it."""


def outcomes(
    answer: BatchResponse,
    calls: Sequence[Call[Any]],
    *,
    halt: bool,
    response: Callable[[], httpx.Response],
    secrets: Secrets,
) -> builtins.list[Any]:
    """Each call's result or error, in call order, from the batch answer to `calls`; a call
    with both is taken as failed.

    With `halt` the list ends at the first error: the portal ran nothing after it. `response`
    gives the masked answer, which each error keeps. Raises Unreadable for an answer outside the
    contract: a command with neither a result nor an error, an entry the models cannot read, an
    entry for a command that was not sent, or one past the error that halted the batch.
    """
    results = _entries(answer.result.result, "result", len(calls))
    errors = _entries(answer.result.result_error, "result_error", len(calls))
    found: builtins.list[Any] = []
    for index, call in enumerate(calls):
        if index in errors:
            found.append(_error(errors[index], call, index, response(), secrets))
            if halt:
                later = [i for i in (*results, *errors) if i > index]
                if later:
                    raise Unreadable(
                        f"halt was set and command {index} failed, yet the answer has entries "
                        f"for commands after it ({min(later)})"
                    )
                break
        elif index in results:
            try:
                found.append(call._read(results[index]))
            except _UNREADABLE as why:
                raise Unreadable(
                    f"the result of command {index} ({call.method}) is not what the method "
                    f"answers directly: {type(why).__name__}"
                ) from None
        else:
            raise Unreadable(f"command {index} ({call.method}) has neither a result nor an error")
    return found


# What the generated parsers raise on an entry that does not fit the models.
_UNREADABLE = (KeyError, TypeError, ValueError, AttributeError, Unreadable)


def _entries(part: BatchEntriesType0 | builtins.list[Any], name: str, sent: int) -> dict[int, Any]:
    """A part of the answer by command index: a JSON list, PHP's `[]`, or an object by index."""
    if isinstance(part, builtins.list):
        entries = dict(enumerate(part))
    else:
        entries = {}
        for key, entry in part.additional_properties.items():
            if not (key.isascii() and key.isdecimal()):
                raise Unreadable(f"{name} has an entry for a command that was not sent: {key!r}")
            entries[int(key)] = entry
    beyond = [index for index in entries if index >= sent]
    if beyond:
        raise Unreadable(f"{name} has an entry for command {beyond[0]}, of {sent} sent")
    return entries


def _error(
    entry: Any, call: Call[Any], index: int, response: httpx.Response, secrets: Secrets
) -> BitrixError:
    try:
        envelope = Error.from_dict(entry)
    except (KeyError, TypeError, ValueError, AttributeError):
        envelope = None
    if (
        envelope is None
        or not isinstance(envelope.error, str)
        or not isinstance(envelope.error_description, str)
    ):
        raise Unreadable(
            f"the error of command {index} ({call.method}) is not an error envelope "
            '{"error": "...", "error_description": "..."}'
        )
    return error_for(
        secrets.redact(envelope.error),
        secrets.redact(envelope.error_description),
        response,
        command=secrets.redact(call.command),
        entry=_redacted(entry, secrets),
    )


def _redacted(value: Any, secrets: Secrets) -> Any:
    """A JSON value with the secrets masked in every string of it."""
    if isinstance(value, str):
        return secrets.redact(value)
    if isinstance(value, dict):
        return {secrets.redact(str(k)): _redacted(v, secrets) for k, v in value.items()}
    if isinstance(value, builtins.list):
        return [_redacted(item, secrets) for item in value]
    return value


_BADGE_FIELDS = frozenset({"code", "title", "value", "type"})


def _badge(entry: Any) -> Badge:
    """`BadgeResult.from_dict(entry).badge`, as the direct get and add read their `result`.

    The usual entry (the badge's four fields, each text a string or a language map) is built
    into the generated Badge directly: the generated parser costs ~10 us a badge, as much as the
    rest of a batched call (benchmarks/bulk_throughput.py). It gives the same Badge, which
    tests/client/test_batch_reading.py checks against the generated parser; every other entry
    goes through that parser.
    """
    if type(entry) is dict and len(entry) == 1:
        data = entry.get("badge")
        if type(data) is dict and data.keys() == _BADGE_FIELDS:
            title, value = _text(data["title"]), _text(data["value"])
            if title is not None and value is not None:
                code, type_ = data["code"], BadgeType(data["type"])
                return Badge(code=code, title=title, value=value, type_=type_)
    return BadgeResult.from_dict(_object(entry)).badge


def _text(data: Any) -> str | LanguageMap | None:
    """A title or value as the generated parser reads it: a string as it is, an object as a
    LanguageMap; None for anything else (left to the generated parser)."""
    if type(data) is str:
        return data
    if type(data) is dict:
        return LanguageMap.from_dict(data)
    return None


def _badges(entry: Any) -> builtins.list[Badge]:
    badges = BadgeListResult.from_dict(_object(entry)).badges
    if not isinstance(badges, builtins.list):
        raise TypeError("badges is not a list")
    return badges


def _deleted(entry: Any) -> None:
    if entry is not True:  # delete's direct `result` is `true` (D-NULL-RESULT)
        raise ValueError("the result of delete is not true")


def _object(entry: Any) -> Mapping[str, Any]:
    if not isinstance(entry, Mapping):
        raise TypeError("the result is not an object")
    return entry


def halted(found: Sequence[object]) -> bool:
    """Whether a halting batch stops after these outcomes (the last one failed)."""
    return bool(found) and isinstance(found[-1], BitrixError)


def first_error(found: Iterable[object]) -> BitrixError | None:
    """The first error among the outcomes, for `raise_errors`."""
    return next((item for item in found if isinstance(item, BitrixError)), None)


def unique(codes: Iterable[str], what: str) -> builtins.list[str]:
    """`codes` without repeats, in order; a bare string is refused (it would be its letters)."""
    if isinstance(codes, str):
        raise TypeError(f"{what} takes a list of codes, not one string; use [{codes!r}]")
    return builtins.list(dict.fromkeys(codes))
