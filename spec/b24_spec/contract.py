"""Read the OpenAPI document and answer the questions the rest of the toolkit asks of it.

The document is hand-written YAML; everything here treats it as data. Schemas are validated with
`jsonschema` (draft 2020-12, which OpenAPI 3.1 uses), with the whole document registered as the
base resource so that the document's own `#/components/...` references resolve.
"""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass
from functools import cached_property
from importlib import resources
from pathlib import Path
from typing import Any

import yaml
from jsonschema import Draft202012Validator
from referencing import Registry, Resource
from referencing.jsonschema import DRAFT202012

from b24_spec.media import JSON
from b24_spec.methods import BATCH, method_of

HTTP_METHODS = ("get", "put", "post", "delete", "options", "head", "patch", "trace")


def _locate_spec() -> Path:
    """The contract this package reads: the copy a b24-conformance wheel carries as package data
    (built from spec/openapi.yaml, never kept by hand), else, in a clone, spec/openapi.yaml."""
    packaged = resources.files(__package__ or "b24_spec").joinpath("openapi.yaml")
    if packaged.is_file():
        return Path(str(packaged))
    return Path(__file__).resolve().parents[1] / "openapi.yaml"


SPEC_PATH = _locate_spec()
"""The contract file every tool reads by default (`Contract.load`, drift, compat): the wheel's
copy when installed, else spec/openapi.yaml in a clone; `--spec` points a tool elsewhere."""

_BASE_URI = "urn:b24-badge-spec"

Json = Any
Schema = dict[str, Any]


@dataclass(frozen=True)
class Operation:
    """One operation of the spec: a method in one encoding, its POST form (the `operationId` is
    the method name) or its query-string form (`<method>@GET`), with its definition as written."""

    operation_id: str
    path: str
    method: str
    definition: dict[str, Any]

    @property
    def pointer(self) -> str:
        """The operation's JSON pointer into the document, `/paths/~1<method>/post`: the prefix
        of every pointer about it."""
        return f"/paths/{escape(self.path)}/{self.method}"


def escape(token: str) -> str:
    """Escape one JSON pointer token (RFC 6901)."""
    return token.replace("~", "~0").replace("/", "~1")


class Contract:
    """The badge contract, loaded once and queried by operation id and HTTP status."""

    def __init__(self, document: dict[str, Any]) -> None:
        self.document = document

    @classmethod
    def load(cls, path: Path = SPEC_PATH) -> Contract:
        """Read the contract, the bundled spec by default; OSError and yaml.YAMLError pass
        through for the caller to report."""
        with path.open(encoding="utf-8") as stream:
            return cls(yaml.safe_load(stream))

    @property
    def version(self) -> str:
        """`info.version`, the contract's release: MAJOR.MINOR.PATCH, held to it by
        b24_spec.compat."""
        return str(self.document["info"]["version"])

    def operations(self) -> Iterator[Operation]:
        """Every operation, path by path in the document's order; within a path in HTTP_METHODS
        order, so a method's GET form (`...@GET`) comes before its POST form."""
        for path, item in self.document.get("paths", {}).items():
            for method in HTTP_METHODS:
                if method in item:
                    definition = item[method]
                    yield Operation(definition["operationId"], path, method, definition)

    @cached_property
    def _operations_by_id(self) -> dict[str, Operation]:
        return {operation.operation_id: operation for operation in self.operations()}

    def operation(self, operation_id: str) -> Operation:
        """The operation with this `operationId` (a method name, or `name@GET`); KeyError naming
        it when the spec has none."""
        try:
            return self._operations_by_id[operation_id]
        except KeyError:
            raise KeyError(f"the spec has no operation {operation_id!r}") from None

    def methods(self) -> tuple[str, ...]:
        """The Bitrix methods the spec describes, in the spec's order (each once, whatever its
        encodings)."""
        return tuple(dict.fromkeys(method_of(op.operation_id) for op in self.operations()))

    def writing_methods(self) -> frozenset[str]:
        """The methods that change the portal's data: an operation marked `x-b24-writes: true`."""
        return frozenset(
            method_of(op.operation_id)
            for op in self.operations()
            if op.definition.get("x-b24-writes") is True
        )

    def request_parameters(self, method: str) -> frozenset[str]:
        """The parameters the method takes: the properties of its JSON request body."""
        operation = self.operation(method)
        pointer = f"{operation.pointer}/requestBody/content/{escape(JSON)}/schema"
        if "requestBody" not in operation.definition:
            return frozenset()
        return frozenset(self.resolve(pointer)[1].get("properties", {}))

    def answer_schema_names(self) -> tuple[str, ...]:
        """The component schemas of every JSON answer (success and error), in the spec's order:
        what a client must be able to read."""
        names: dict[str, None] = {}
        for operation in self.operations():
            for status in operation.definition.get("responses", {}):
                _, response = self.resolve(f"{operation.pointer}/responses/{status}")
                ref = response.get("content", {}).get(JSON, {}).get("schema", {}).get("$ref", "")
                if ref.startswith("#/components/schemas/"):
                    names[ref.rsplit("/", 1)[-1]] = None
        return tuple(names)

    def resolve(self, pointer: str) -> tuple[str, dict[str, Any]]:
        """Follow local `$ref`s from the node at `pointer` to a concrete object and its pointer."""
        seen = {pointer}
        node = self._at(pointer)
        while "$ref" in node:
            ref = node["$ref"]
            if not ref.startswith("#/") or ref[1:] in seen:
                raise ValueError(f"unsupported or circular reference {ref!r}")
            pointer = ref[1:]
            seen.add(pointer)
            node = self._at(pointer)
        return pointer, node

    def _at(self, pointer: str) -> Any:
        node: Any = self.document
        for token in pointer.lstrip("/").split("/"):
            node = node[token.replace("~1", "/").replace("~0", "~")]
        return node

    def walk(self, pointer: str) -> str:
        """The pointer of the node at `pointer`, following every `$ref` met on the way (so a
        pointer may go through a referenced schema: `.../schema/properties/result`)."""
        resolved = ""
        for token in pointer.lstrip("/").split("/"):
            resolved, _ = self.resolve(f"{resolved}/{token}")
        return self.resolve(resolved)[0]

    def command_methods(self) -> list[str]:
        """The methods whose batch commands this contract describes: every method but batch."""
        return [
            op.operation_id
            for op in self.operations()
            if op.method == "post" and op.operation_id != BATCH
        ]

    def command_schema(self, method: str, part: str) -> Schema | None:
        """The schema of a batch command's entry in `result.<part>` of a batch answer.

        `part` is `result`, `error`, `time`, `total` or `next` (for `result_error`, ...), as the
        batch operation's `x-b24-command-results` states it: a command's result is its method's
        direct `result`, its error the error envelope. None for a method or part the contract
        does not describe (a command of another method, `total` of a get).
        """
        if method not in self.command_methods():
            return None
        template = self.operation(BATCH).definition["x-b24-command-results"].get(part)
        if not isinstance(template, str):
            return None
        pointer = template.removeprefix("#").replace("{method}", escape(method))
        try:
            return self.schema_at(self.walk(pointer))
        except KeyError:
            return None

    def response(self, operation_id: str, status: int) -> tuple[str, dict[str, Any]] | None:
        """The response declared for `status` and its pointer, or None when it is undeclared."""
        operation = self.operation(operation_id)
        responses = operation.definition.get("responses", {})
        for key in (str(status), f"{str(status)[0]}XX"):
            if key in responses:
                return self.resolve(f"{operation.pointer}/responses/{key}")
        return None

    def response_schema(
        self, operation_id: str, status: int, media_type: str = JSON
    ) -> Schema | None:
        """The schema of a JSON answer, or None when the spec declares no such answer."""
        found = self.response(operation_id, status)
        if found is None or media_type not in found[1].get("content", {}):
            return None
        return self.schema_at(f"{found[0]}/content/{escape(media_type)}/schema")

    def schema(self, name: str) -> Schema:
        """A named component schema."""
        if name not in self.document["components"]["schemas"]:
            raise KeyError(f"the spec has no schema {name!r}")
        return self.schema_at(f"/components/schemas/{name}")

    @staticmethod
    def schema_at(pointer: str) -> Schema:
        """The schema at a JSON pointer into the document, ready for `violations`.

        It is a reference into the registered document, so that the schema's own local `$ref`s
        resolve against the document rather than against a detached copy.
        """
        return {"$ref": f"{_BASE_URI}#{pointer}"}

    @cached_property
    def _registry(self) -> Registry[Any]:
        resource: Resource[Any] = Resource.from_contents(
            self.document, default_specification=DRAFT202012
        )
        registry: Registry[Any] = Registry().with_resource(_BASE_URI, resource)
        return registry

    def violations(self, instance: Json, schema: Schema) -> list[str]:
        """Every way `instance` breaks `schema`, as `location: message` lines; empty when valid."""
        validator = Draft202012Validator(
            schema, registry=self._registry, format_checker=Draft202012Validator.FORMAT_CHECKER
        )
        return [
            f"{error.json_path}: {error.message}"
            for error in sorted(validator.iter_errors(instance), key=lambda e: list(e.path))
        ]
