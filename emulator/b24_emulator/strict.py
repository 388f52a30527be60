"""Strict mode (`--strict`): every request checked against the contract's request definitions.

The portal still answers as a portal would; each way a request breaks the contract is recorded
as well, listed at `GET /b24-emulator/violations` and printed when the emulator stops. A team sees
whether its integration sends what the contract allows, whatever SDK it uses.

This is the only part of the emulator that reads the contract (b24_spec, imported when strict
mode starts): the emulator's normal behaviour is written from the docs, never from the spec, so
that a wrong spec cannot agree with itself.

What is checked, per request: the method is one the contract describes, its name read as a
portal reads it (any case, an optional `.json` suffix: the contract's info.description says both
"are equivalent to the paths below", and b24pysdk calls every method as `{method}.json`); the
parameters (the query string and body merged, as a portal merges them, without the `auth`
credential) against the method's request schema for the encoding used: the JSON body's schema
for JSON, the form's for url-encoded and multipart bodies, and the url-encoded form's for a
query string, which carries the same encoding (the contract's GET operations list the same
parameters one by one). A body the contract requires but the request lacks is a violation too.
Inside a batch, the batch request itself, then each command: its query string against its
method's url-encoded schema.
"""

from __future__ import annotations

import json
import threading
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

from b24_emulator.app import method_key

if TYPE_CHECKING:
    from b24_spec import Contract

JSON = "application/json"
FORM = "application/x-www-form-urlencoded"
QUERY = "query"  # a GET, or a POST without a body: the parameters came in the query string
MAX_KEPT = 1000  # violations kept for the list; the count goes on


class StrictModeUnavailable(RuntimeError):
    """b24_spec cannot be imported: the emulator runs, but cannot check requests."""


@dataclass(frozen=True)
class Violation:
    """One way one request broke the contract: where, and what the contract says."""

    method: str
    where: str  # "request (application/json)", "batch command 'name'", ...
    message: str

    def as_json(self) -> dict[str, str]:
        """One entry of `GET /b24-emulator/violations`."""
        return {"method": self.method, "where": self.where, "message": self.message}

    def __str__(self) -> str:
        return f"{self.method} {self.where}: {self.message}"


class StrictChecker:
    """Validates requests against the contract and keeps what it found."""

    def __init__(self, contract: Contract | None = None) -> None:
        if contract is None:
            try:
                from b24_spec import Contract  # the contract is read only in strict mode
            except ImportError:
                raise StrictModeUnavailable(
                    "strict mode needs the contract reader b24_spec, the emulator's `strict` "
                    "extra: pip install 'b24-emulator[strict]' (or run from the toolkit's clone)"
                ) from None
            contract = Contract.load()
        self.contract = contract
        self.count = 0
        self.violations: list[Violation] = []
        self._lock = threading.Lock()

    def request(self, segment: str, params: dict[str, Any], encoding: str) -> None:
        """A direct call to the path's last segment; `encoding` is the body's media type, or
        QUERY. The segment names its method as a portal reads it (`method_key`)."""
        where = f"request ({'query string' if encoding == QUERY else encoding})"
        method = method_key(segment)
        for message in self._check(method, params, encoding):
            self._record(Violation(method, where, message))

    def command(self, key: str, name: str, params: dict[str, Any]) -> None:
        """A batch command: its query string is url-encoded form data; its name is read as a
        portal reads it (`method_key`)."""
        method = method_key(name)
        for message in self._check(method, params, FORM):
            self._record(Violation(method, f"batch command {key!r}", message))

    def report(self) -> dict[str, Any]:
        """What `GET /b24-emulator/violations` answers."""
        with self._lock:
            return {"count": self.count, "violations": [v.as_json() for v in self.violations]}

    def summary(self) -> str:
        """What the emulator prints when it stops."""
        with self._lock:
            lines = [f"strict mode: {self.count} request violation(s) of the contract"]
            lines += [f"  {violation}" for violation in self.violations]
        if self.count > len(self.violations):
            lines.append(f"  ... and {self.count - len(self.violations)} more")
        return "\n".join(lines)

    def _record(self, violation: Violation) -> None:
        with self._lock:
            self.count += 1
            if len(self.violations) < MAX_KEPT:
                self.violations.append(violation)

    def _check(self, method: str, params: dict[str, Any], encoding: str) -> list[str]:
        try:
            operation = self.contract.operation(method)
        except KeyError:
            return [f"the contract has no method {method!r}"]
        if "requestBody" not in operation.definition:
            return []
        body_pointer, body = self.contract.resolve(f"{operation.pointer}/requestBody")
        media_type = FORM if encoding == QUERY else encoding
        if encoding == QUERY and not params and body.get("required"):
            return ["the contract requires parameters (a request body); none were sent"]
        if media_type not in body.get("content", {}):
            allowed = ", ".join(body.get("content", {}))
            return [f"the contract takes no {media_type} body (it takes {allowed})"]
        schema = self.contract.schema_at(
            self.contract.walk(f"{body_pointer}/content/{_escape(media_type)}/schema")
        )
        if media_type == JSON:
            return self.contract.violations(params, schema)
        return self._form_violations(params, schema)

    def _form_violations(self, params: dict[str, Any], schema: dict[str, Any]) -> list[str]:
        """A form or query string carries every value as text: `halt=1` is the integer 1 the
        schema allows, `code=123` the string "123". A value breaks the contract only if it
        breaks it read both ways, as the text it is and as the number or boolean it spells."""
        as_text = self.contract.violations(params, schema)
        if not as_text:
            return []
        as_scalars = {_where(v) for v in self.contract.violations(_scalars(params), schema)}
        return [violation for violation in as_text if _where(violation) in as_scalars]


def _scalars(value: Any) -> Any:
    """The form's values read as JSON scalars where they spell one (`1`, `true`), else as text."""
    if isinstance(value, dict):
        return {key: _scalars(item) for key, item in value.items()}
    if isinstance(value, list):
        return [_scalars(item) for item in value]
    if isinstance(value, str):
        try:
            parsed = json.loads(value)
        except ValueError:
            return value
        return parsed if isinstance(parsed, bool | int | float) else value
    return value


def _where(violation: str) -> str:
    """The JSON path a violation line (`$.halt: message`) is about."""
    return violation.split(": ", 1)[0]


def _escape(token: str) -> str:
    """One JSON pointer token (RFC 6901), as b24_spec.contract.escape, without importing it."""
    return token.replace("~", "~0").replace("/", "~1")
