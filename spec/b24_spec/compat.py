"""Would this contract break the code of teams that use the client generated from the last release?

    python -m b24_spec.compat [--released PATH] [--spec PATH]

Compares the contract (spec/openapi.yaml) with the last released one, kept in the repository as
spec/released/openapi.yaml, and lists every change that breaks a consumer of the typed client. Such
changes are released only with a new major version: when `info.version`'s major part was raised,
they are listed and allowed. Exit status 0 when nothing breaks (or the major part was raised), 1
when something breaks without a major release (or the version went backwards), 2 when a file
cannot be read or a version is not MAJOR.MINOR.PATCH.

No maintained OpenAPI diff tool installs from PyPI without downloading a binary at install time
(oasdiff is Go; the Python ones are unmaintained), so the rules are written here, each a small
function. What a consumer sees decides which way a change breaks:

* **Requests** (what the consumer sends): breaking when something the consumer could send before
  is refused now: a new required field or parameter, a narrowed enum or type, a tighter bound or
  pattern, a body that became required, a media type or a parameter removed.
* **Responses** (what the consumer reads): breaking when an answer the consumer's models accept
  can now be something else: a widened enum (a typed client cannot read the new value), a widened
  or changed type, a required field made optional (its attribute may now be unset), a looser
  bound, a field, header, status or media type removed.
* **Both ways**: a removed operation, a renamed `operationId` (the generated function's name), a
  removed property, a changed `format` (the generated attribute's type, e.g. `datetime`).

Not breaking: anything added that is optional (operations, statuses, response fields, request
fields), a widened request enum, texts (`description`, `summary`, examples), and `x-error-codes`:
an error code is an open string (D-OPEN-ERROR-CODE) and the client types errors by code, not by
the list of codes known per status, so that list is documentation. `servers` and security schemes
are not compared: the client builds both URL forms and the `auth` parameter itself, and its own
tests hold them.

Schemas are compared where operations use them, so a shared component (BadgeType) is judged in
requests and in responses separately; each finding names where the change is (a JSON pointer into
the current contract, or into the released one for what was removed) and the first place that
reaches it. `$ref`s are followed; keywords beside a `$ref` count as annotations. `oneOf`, `anyOf`
and `allOf` branches are matched by position.
"""

from __future__ import annotations

import argparse
import re
import sys
from collections.abc import Iterator, Sequence
from dataclasses import dataclass
from enum import Enum
from pathlib import Path
from typing import Any

import yaml

from b24_spec.contract import HTTP_METHODS, SPEC_PATH, escape

RELEASED_PATH = SPEC_PATH.parent / "released" / "openapi.yaml"

Node = dict[str, Any]

_VERSION = re.compile(r"^(\d+)\.(\d+)\.(\d+)(?:[-+].*)?$")
_LOWER_BOUNDS = ("minimum", "exclusiveMinimum", "minLength", "minItems", "minProperties")
_UPPER_BOUNDS = ("maximum", "exclusiveMaximum", "maxLength", "maxItems", "maxProperties")
_COMPOSITIONS = ("oneOf", "anyOf")


class Direction(Enum):
    """Which side of the wire a schema describes, and so which way a change of it breaks."""

    REQUEST = "request"
    RESPONSE = "response"


@dataclass(frozen=True)
class Change:
    """One breaking change: where it is, what broke and for whom."""

    pointer: str  # JSON pointer, into the released contract when `released`, else the current one
    message: str
    released: bool = False
    via: str = ""  # the operation part that reaches a shared schema, when it is not `pointer`

    def render(self, current_name: str = "spec", released_name: str = "released") -> str:
        """One line of the command's output: `file#pointer: message`, the file being the current
        or the released contract, and the operation part that reaches a shared schema."""
        where = f"{released_name if self.released else current_name}#{self.pointer}"
        via = f" (reached from {self.via})" if self.via and self.via != self.pointer else ""
        return f"{where}: {self.message}{via}"


@dataclass(frozen=True, order=True)
class Version:
    """`info.version` as MAJOR.MINOR.PATCH: only a raised major part releases breaking changes."""

    major: int
    minor: int
    patch: int

    @classmethod
    def parse(cls, text: object) -> Version:
        """Read `info.version`, whatever YAML made of it; ValueError when it is not
        MAJOR.MINOR.PATCH. A pre-release or build suffix (`-rc.1`, `+abc`) is accepted and
        ignored, so `1.0.0-rc.1` compares equal to `1.0.0`."""
        match = _VERSION.match(str(text))
        if match is None:
            raise ValueError(f"info.version {text!r} is not MAJOR.MINOR.PATCH")
        major, minor, patch = (int(part) for part in match.groups())
        return cls(major, minor, patch)

    def __str__(self) -> str:
        return f"{self.major}.{self.minor}.{self.patch}"


class _Comparison:
    """Walks the released and the current document side by side and collects what breaks."""

    def __init__(self, released: Node, current: Node) -> None:
        self.old = released
        self.new = current
        self.changes: list[Change] = []
        self._compared: set[tuple[str, str, Direction]] = set()
        self._reported: set[tuple[str, str, bool]] = set()

    def broke(self, pointer: str, message: str, *, released: bool = False, via: str = "") -> None:
        """Record a change once, however many operations reach it."""
        if (pointer, message, released) not in self._reported:
            self._reported.add((pointer, message, released))
            self.changes.append(Change(pointer, message, released, via))

    # Operations -----------------------------------------------------------------------------

    def operations(self) -> None:
        for path, method, old_op in _operations(self.old):
            pointer = f"/paths/{escape(path)}/{method}"
            new_op = self.new.get("paths", {}).get(path, {}).get(method)
            name = old_op.get("operationId", f"{method.upper()} {path}")
            if not isinstance(new_op, dict):
                self.broke(pointer, f"operation {name} removed", released=True)
                continue
            if new_op.get("operationId") != old_op.get("operationId"):
                self.broke(
                    f"{pointer}/operationId",
                    f"operationId {old_op.get('operationId')!r} renamed to "
                    f"{new_op.get('operationId')!r}: the generated function is renamed",
                )
            self.parameters(path, method)
            self.request_body(pointer, name)
            self.responses(pointer, name)

    def parameters(self, path: str, method: str) -> None:
        old = _parameters(self.old, path, method)
        new = _parameters(self.new, path, method)
        for key, (old_ptr, old_param) in old.items():
            label = f"{key[0]} parameter {key[1]!r}"
            if key not in new:
                self.broke(old_ptr, f"{label} removed", released=True)
                continue
            new_ptr, new_param = new[key]
            if new_param.get("required", False) and not old_param.get("required", False):
                self.broke(new_ptr, f"{label} became required")
            if _serialization(old_param) != _serialization(new_param):
                self.broke(
                    new_ptr,
                    f"{label} is serialized differently "
                    f"({_serialization(old_param)} -> {_serialization(new_param)})",
                )
            if "schema" in old_param and "schema" in new_param:
                self.schemas(
                    f"{old_ptr}/schema", f"{new_ptr}/schema", Direction.REQUEST, f"{new_ptr}/schema"
                )
        for key, (new_ptr, new_param) in new.items():
            if key not in old and new_param.get("required", False):
                self.broke(new_ptr, f"new required {key[0]} parameter {key[1]!r}")

    def request_body(self, pointer: str, name: str) -> None:
        old_ptr, old_body = _resolve(self.old, f"{pointer}/requestBody", missing_ok=True)
        new_ptr, new_body = _resolve(self.new, f"{pointer}/requestBody", missing_ok=True)
        if old_body is None:
            if new_body is not None and new_body.get("required", False):
                self.broke(new_ptr, f"{name} now requires a request body")
            return
        if new_body is None:
            self.broke(old_ptr, f"{name}'s request body removed", released=True)
            return
        if new_body.get("required", False) and not old_body.get("required", False):
            self.broke(f"{new_ptr}/required", f"{name}'s request body became required")
        self.media_types(old_ptr, old_body, new_ptr, new_body, Direction.REQUEST, name)

    def responses(self, pointer: str, name: str) -> None:
        old_responses = _at(self.old, f"{pointer}/responses") or {}
        for status in old_responses:
            status_ptr = f"{pointer}/responses/{escape(str(status))}"
            old_ptr, old_response = _resolve(self.old, status_ptr)
            new_ptr, new_response = _resolve(self.new, status_ptr, missing_ok=True)
            if new_response is None:
                self.broke(status_ptr, f"{name} no longer declares status {status}", released=True)
                continue
            label = f"{name} {status}"
            self.media_types(
                old_ptr, old_response, new_ptr, new_response, Direction.RESPONSE, label
            )
            self.headers(old_ptr, old_response, new_ptr, new_response, label)

    def media_types(
        self,
        old_ptr: str,
        old: Node,
        new_ptr: str,
        new: Node,
        direction: Direction,
        label: str,
    ) -> None:
        new_content = new.get("content", {})
        for media_type, old_media in old.get("content", {}).items():
            old_media_ptr = f"{old_ptr}/content/{escape(media_type)}"
            if media_type not in new_content:
                self.broke(
                    old_media_ptr,
                    f"{label}: {direction.value} media type {media_type} removed",
                    released=True,
                )
                continue
            new_media_ptr = f"{new_ptr}/content/{escape(media_type)}"
            if "schema" in old_media and "schema" in new_content[media_type]:
                self.schemas(
                    f"{old_media_ptr}/schema",
                    f"{new_media_ptr}/schema",
                    direction,
                    f"{new_media_ptr}/schema",
                )

    def headers(self, old_ptr: str, old: Node, new_ptr: str, new: Node, label: str) -> None:
        new_headers = new.get("headers", {})
        for header in old.get("headers", {}):
            old_header_ptr, old_header = _resolve(self.old, f"{old_ptr}/headers/{escape(header)}")
            if header not in new_headers:
                self.broke(old_header_ptr, f"{label}: header {header} removed", released=True)
                continue
            new_header_ptr, new_header = _resolve(self.new, f"{new_ptr}/headers/{escape(header)}")
            if old_header.get("required", False) and not new_header.get("required", False):
                self.broke(new_header_ptr, f"{label}: header {header} is no longer required")
            if "schema" in old_header and "schema" in new_header:
                self.schemas(
                    f"{old_header_ptr}/schema",
                    f"{new_header_ptr}/schema",
                    Direction.RESPONSE,
                    f"{new_header_ptr}/schema",
                )

    # Schemas --------------------------------------------------------------------------------

    def schemas(self, old_ptr: str, new_ptr: str, direction: Direction, via: str) -> None:
        old_ptr, old = _resolve(self.old, old_ptr)
        new_ptr, new = _resolve(self.new, new_ptr)
        key = (old_ptr, new_ptr, direction)
        if key in self._compared:  # a shared schema, or a recursive one: judged once per side
            return
        self._compared.add(key)
        for rule in _SCHEMA_RULES:
            for message in rule(old, new, direction):
                self.broke(new_ptr, message, via=via)
        self.properties(old_ptr, old, new_ptr, new, direction, via)
        self.subschemas(old_ptr, old, new_ptr, new, direction, via)

    def properties(
        self, old_ptr: str, old: Node, new_ptr: str, new: Node, direction: Direction, via: str
    ) -> None:
        new_properties = new.get("properties", {})
        for name in old.get("properties", {}):
            if name not in new_properties:
                self.broke(
                    f"{old_ptr}/properties/{escape(name)}",
                    f"field {name!r} removed: the generated model loses its attribute",
                    released=True,
                    via=via,
                )
                continue
            self.schemas(
                f"{old_ptr}/properties/{escape(name)}",
                f"{new_ptr}/properties/{escape(name)}",
                direction,
                via,
            )

    def subschemas(
        self, old_ptr: str, old: Node, new_ptr: str, new: Node, direction: Direction, via: str
    ) -> None:
        for keyword in ("items", "additionalProperties"):
            if isinstance(old.get(keyword), dict) and isinstance(new.get(keyword), dict):
                self.schemas(f"{old_ptr}/{keyword}", f"{new_ptr}/{keyword}", direction, via)
        for keyword in (*_COMPOSITIONS, "allOf"):
            old_branches, new_branches = old.get(keyword, []), new.get(keyword, [])
            if len(old_branches) == len(new_branches):
                for index in range(len(old_branches)):
                    self.schemas(
                        f"{old_ptr}/{keyword}/{index}",
                        f"{new_ptr}/{keyword}/{index}",
                        direction,
                        via,
                    )


# Schema rules: each takes the released and the current schema and the side of the wire, and
# yields what breaks a consumer there. -------------------------------------------------------


def _types(schema: Node) -> set[str] | None:
    """The JSON types a schema allows, None for any; `number` includes `integer`."""
    if "type" not in schema:
        return None
    declared = schema["type"]
    types = {declared} if isinstance(declared, str) else set(declared)
    if "number" in types:
        types.add("integer")
    return types


def type_changed(old: Node, new: Node, direction: Direction) -> Iterator[str]:
    """A lost JSON type refuses requests; a gained one is an answer the models cannot read."""
    old_types, new_types = _types(old), _types(new)
    if old_types == new_types:
        return
    shown = f"type {old.get('type', 'any')} -> {new.get('type', 'any')}"
    if direction is Direction.REQUEST and (
        new_types is not None and (old_types is None or old_types - new_types)
    ):
        yield f"request {shown}: values the consumer could send are refused now"
    if direction is Direction.RESPONSE and (
        old_types is not None and (new_types is None or new_types - old_types)
    ):
        yield f"response {shown}: answers can carry a type the consumer's models do not read"


def _allowed(schema: Node) -> list[Any] | None:
    """The values an `enum` or `const` allows, None when it does not restrict them."""
    if "const" in schema:
        return [schema["const"]]
    if "enum" in schema:
        return list(schema["enum"])
    return None


def enum_changed(old: Node, new: Node, direction: Direction) -> Iterator[str]:
    """A value removed refuses requests; a value added is an answer a typed enum cannot read."""
    old_values, new_values = _allowed(old), _allowed(new)
    if old_values == new_values:
        return
    if direction is Direction.REQUEST and new_values is not None:
        if old_values is None:
            yield f"request values restricted to {new_values}"
        elif removed := [value for value in old_values if value not in new_values]:
            yield f"request enum narrowed: {removed} no longer accepted"
    if direction is Direction.RESPONSE and old_values is not None:
        if new_values is None:
            yield f"response enum {old_values} lifted: a typed client cannot read other values"
        elif added := [value for value in new_values if value not in old_values]:
            yield f"response enum widened with {added}: a typed client cannot read them"


def required_changed(old: Node, new: Node, direction: Direction) -> Iterator[str]:
    """A new required request field breaks every existing call; a response field no longer
    required becomes an attribute that may be unset."""
    old_required, new_required = set(old.get("required", [])), set(new.get("required", []))
    if direction is Direction.REQUEST:
        for name in sorted(new_required - old_required):
            yield f"new required request field {name!r}"
    else:
        for name in sorted(old_required - new_required):
            yield f"response field {name!r} no longer required: its attribute may now be unset"


def bounds_changed(old: Node, new: Node, direction: Direction) -> Iterator[str]:
    """Tighter bounds refuse requests; looser ones let answers past what consumers assumed."""
    for keyword in (*_LOWER_BOUNDS, *_UPPER_BOUNDS):
        before, after = old.get(keyword), new.get(keyword)
        if before == after:
            continue
        lower = keyword in _LOWER_BOUNDS
        if before is None or after is None:
            tighter = after is not None
        else:
            tighter = after > before if lower else after < before
        if tighter and direction is Direction.REQUEST:
            yield f"request {keyword} {before} -> {after}: values once accepted are refused now"
        if not tighter and direction is Direction.RESPONSE:
            yield f"response {keyword} {before} -> {after}: answers can break what consumers assume"


def pattern_changed(old: Node, new: Node, direction: Direction) -> Iterator[str]:
    """Patterns cannot be compared: a new or changed one may refuse requests, a changed or
    dropped one may let other answers through."""
    before, after = old.get("pattern"), new.get("pattern")
    if before == after:
        return
    if direction is Direction.REQUEST and after is not None:
        yield f"request pattern {before!r} -> {after!r}: values once accepted are refused now"
    if direction is Direction.RESPONSE and before is not None:
        yield f"response pattern {before!r} -> {after!r}: answers can break what consumers assume"


def format_changed(old: Node, new: Node, direction: Direction) -> Iterator[str]:
    """The generator types by format (`date-time` is a `datetime`), so any change retypes."""
    before, after = old.get("format"), new.get("format")
    if before != after:
        yield f"format {before!r} -> {after!r}: the generated attribute's type changes"


def additional_properties_closed(old: Node, new: Node, direction: Direction) -> Iterator[str]:
    """Closing a request object refuses extra fields; answers may always carry more (the
    contract tolerates unknown fields everywhere), so only requests are judged."""
    closed = new.get("additionalProperties") is False
    if direction is Direction.REQUEST and closed and old.get("additionalProperties") is not False:
        yield "request additionalProperties closed: extra fields are refused now"


def branches_changed(old: Node, new: Node, direction: Direction) -> Iterator[str]:
    """Alternatives (oneOf, anyOf) and conjunctions (allOf), counted: fewer alternatives or
    more conjuncts accept less; alternatives that appear in a schema without any restrict it too,
    and a schema that loses all of its alternatives accepts anything."""
    for keyword in _COMPOSITIONS:
        before, after = len(old.get(keyword, [])), len(new.get(keyword, []))
        narrower = (0 < after < before) or (before == 0 < after)
        if before == after:
            continue
        if direction is Direction.REQUEST and narrower:
            yield f"request {keyword} {before} -> {after} alternatives: fewer values accepted"
        if direction is Direction.RESPONSE and not narrower:
            yield f"response {keyword} {before} -> {after} alternatives: answers the models lack"
    before, after = len(old.get("allOf", [])), len(new.get("allOf", []))
    if direction is Direction.REQUEST and after > before:
        yield f"request allOf {before} -> {after}: more schemas every request must satisfy"
    if direction is Direction.RESPONSE and after < before:
        yield f"response allOf {before} -> {after}: answers are held to fewer schemas"


_SCHEMA_RULES = (
    type_changed,
    enum_changed,
    required_changed,
    bounds_changed,
    pattern_changed,
    format_changed,
    additional_properties_closed,
    branches_changed,
)


# Reading the documents -----------------------------------------------------------------------


def _at(document: Node, pointer: str) -> Any:
    node: Any = document
    for token in pointer.lstrip("/").split("/"):
        if isinstance(node, list) and token.isdigit() and int(token) < len(node):
            node = node[int(token)]
        elif isinstance(node, dict):
            node = node.get(token.replace("~1", "/").replace("~0", "~"))
        else:
            return None
    return node


def _resolve(document: Node, pointer: str, *, missing_ok: bool = False) -> tuple[str, Any]:
    """Follow local `$ref`s from `pointer` to the object and its pointer."""
    node = _at(document, pointer)
    seen = {pointer}
    while isinstance(node, dict) and "$ref" in node:
        ref = node["$ref"]
        if not isinstance(ref, str) or not ref.startswith("#/") or ref[1:] in seen:
            raise ValueError(f"{pointer}: unsupported or circular reference {ref!r}")
        pointer = ref[1:]
        seen.add(pointer)
        node = _at(document, pointer)
    if node is None and not missing_ok:
        raise ValueError(f"{pointer}: nothing there")
    return pointer, node


def _operations(document: Node) -> Iterator[tuple[str, str, Node]]:
    for path, item in document.get("paths", {}).items():
        for method in HTTP_METHODS:
            if isinstance(item.get(method), dict):
                yield path, method, item[method]


def _parameters(document: Node, path: str, method: str) -> dict[tuple[str, str], tuple[str, Node]]:
    """The parameters of an operation by (in, name): the path's, overridden by the operation's."""
    found: dict[tuple[str, str], tuple[str, Node]] = {}
    path_ptr = f"/paths/{escape(path)}"
    for owner in (path_ptr, f"{path_ptr}/{method}"):
        for index in range(len(_at(document, f"{owner}/parameters") or [])):
            pointer, parameter = _resolve(document, f"{owner}/parameters/{index}")
            found[(parameter["in"], parameter["name"])] = (pointer, parameter)
    return found


def _serialization(parameter: Node) -> str:
    default_style = "form" if parameter["in"] in ("query", "cookie") else "simple"
    style = parameter.get("style", default_style)
    return f"style={style}, explode={parameter.get('explode', style == 'form')}"


def breaking_changes(released: Node, current: Node) -> list[Change]:
    """Every change from `released` to `current` that breaks a consumer of the typed client."""
    comparison = _Comparison(released, current)
    comparison.operations()
    return comparison.changes


# The command --------------------------------------------------------------------------------


def _load(path: Path) -> Node:
    with path.open(encoding="utf-8") as stream:
        document = yaml.safe_load(stream)
    if not isinstance(document, dict):
        raise ValueError(f"{path} is not an OpenAPI document")
    return document


def _count(changes: list[Change]) -> str:
    return f"{len(changes)} breaking change{'' if len(changes) == 1 else 's'}"


def _shown(path: Path) -> str:
    """A path as the person typed it, or relative to the working directory when it is inside."""
    try:
        return str(path.resolve().relative_to(Path.cwd()))
    except ValueError:
        return str(path)


def main(argv: Sequence[str] | None = None) -> int:
    """The step of ./scripts/test: 0 compatible (or a new major version), 1 breaking, 2 unusable."""
    parser = argparse.ArgumentParser(
        prog="python -m b24_spec.compat",
        description="Fail when the contract breaks consumers of the last release "
        "without a new major version.",
    )
    parser.add_argument("--released", type=Path, default=RELEASED_PATH, help="%(default)s")
    parser.add_argument("--spec", type=Path, default=SPEC_PATH, help="%(default)s")
    args = parser.parse_args(argv)
    try:
        released, current = _load(args.released), _load(args.spec)
        released_version = Version.parse(released.get("info", {}).get("version"))
        current_version = Version.parse(current.get("info", {}).get("version"))
        changes = breaking_changes(released, current)
    except (OSError, ValueError, KeyError, yaml.YAMLError) as error:
        print(f"error: {error}", file=sys.stderr)
        return 2

    spec_name, released_name = _shown(args.spec), _shown(args.released)
    print(
        f"{spec_name} ({current_version}) against the release {released_name} ({released_version})"
    )
    for change in changes:
        print(f"  breaking: {change.render(spec_name, released_name)}")
    if current_version < released_version:
        print(f"FAIL: info.version went backwards ({released_version} -> {current_version})")
        return 1
    if not changes:
        print("OK: nothing breaks a consumer of the released contract")
        return 0
    if current_version.major > released_version.major:
        print(f"OK: {_count(changes)}, released as major version {current_version}")
        return 0
    print(
        f"FAIL: {_count(changes)} need a new major version: set info.version to "
        f"{released_version.major + 1}.0.0 and list them in CHANGELOG.md (see CONTRIBUTING.md), or "
        "make the change compatible"
    )
    return 1


if __name__ == "__main__":
    sys.exit(main())
