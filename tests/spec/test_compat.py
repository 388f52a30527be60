"""The breaking-change check: each class of change a consumer of the typed client would feel fails
it, compatible edits pass, and a new major version lets breaking changes through.

Each case edits a copy of the real contract, so the rules are tried on the shapes the contract
really has (shared component schemas, `$ref`ed responses and parameters, GET forms).
"""

from __future__ import annotations

import copy
import re
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest
import yaml

from b24_spec import Contract
from b24_spec.compat import RELEASED_PATH, Change, breaking_changes, main
from b24_spec.contract import SPEC_PATH

REPO = SPEC_PATH.parents[1]

Document = dict[str, Any]
Edit = Callable[[Document], None]

GET = "/paths/~1crm.activity.badge.get/post"
SCHEMAS = "/components/schemas"


@pytest.fixture
def document(contract: Contract) -> Document:
    return copy.deepcopy(contract.document)


def schema(document: Document, name: str) -> dict[str, Any]:
    found: dict[str, Any] = document["components"]["schemas"][name]
    return found


def edited(document: Document, *edits: Edit) -> Document:
    changed = copy.deepcopy(document)
    for edit in edits:
        edit(changed)
    return changed


# Breaking edits: (edit, the JSON pointer the finding names, words its message must say) ---------


def remove_operation(document: Document) -> None:
    del document["paths"]["/crm.activity.badge.list"]["get"]


def remove_status(document: Document) -> None:
    del document["paths"]["/crm.activity.badge.get"]["post"]["responses"]["404"]


def remove_response_field(document: Document) -> None:
    del schema(document, "BadgeListResponse")["properties"]["total"]


def retype_response_field(document: Document) -> None:
    schema(document, "BadgeListResponse")["properties"]["total"]["type"] = "string"


def widen_response_number(document: Document) -> None:
    schema(document, "BadgeListResponse")["properties"]["total"]["type"] = "number"


def add_required_request_field(document: Document) -> None:
    request = schema(document, "BadgeCodeRequest")
    request["properties"]["entityTypeId"] = {"type": "integer"}
    request["required"].append("entityTypeId")


def narrow_request_enum(document: Document) -> None:
    schema(document, "BadgeType")["enum"].remove("secondary")


def inline_request_type(document: Document) -> None:
    """Gives add's `type` an enum of its own, so that a change of it is seen on the request side
    only (BadgeType is shared by requests and answers)."""
    schema(document, "BadgeAddRequest")["properties"]["type"] = {
        "type": "string",
        "enum": ["success", "failure", "warning", "primary", "secondary"],
    }


def inline_response_type(document: Document) -> None:
    """The same for the badge in answers."""
    schema(document, "Badge")["properties"]["type"] = {
        "type": "string",
        "enum": ["success", "failure", "warning", "primary", "secondary"],
    }


def narrow_inline_request_enum(document: Document) -> None:
    schema(document, "BadgeAddRequest")["properties"]["type"]["enum"].remove("secondary")


def widen_inline_response_enum(document: Document) -> None:
    schema(document, "Badge")["properties"]["type"]["enum"].append("danger")


def widen_response_enum(document: Document) -> None:
    schema(document, "BadgeType")["enum"].append("danger")


def make_response_field_optional(document: Document) -> None:
    schema(document, "Badge")["required"].remove("title")


def narrow_request_field_type(document: Document) -> None:
    schema(document, "BadgeAddRequest")["properties"]["title"] = {"type": "string"}


def drop_format(document: Document) -> None:
    del schema(document, "Time")["properties"]["date_start"]["format"]


def tighten_request_bound(document: Document) -> None:
    schema(document, "BadgeCode")["minLength"] = 3


def loosen_response_bound(document: Document) -> None:
    del schema(document, "Time")["properties"]["duration"]["minimum"]


def add_request_pattern(document: Document) -> None:
    schema(document, "BadgeCode")["pattern"] = "^[a-zA-Z]+$"


def close_request_object(document: Document) -> None:
    schema(document, "BadgeAddRequest")["additionalProperties"] = False


def remove_request_alternative(document: Document) -> None:
    schema(document, "LocalizedText")["oneOf"].pop(0)


def widen_response_values(document: Document) -> None:
    schema(document, "LanguageMap")["additionalProperties"] = {"type": ["string", "integer"]}


def rename_operation(document: Document) -> None:
    document["paths"]["/crm.activity.badge.get"]["post"]["operationId"] = "getBadge"


def require_request_body(document: Document) -> None:
    document["paths"]["/crm.activity.badge.list"]["post"]["requestBody"]["required"] = True


def remove_request_body(document: Document) -> None:
    del document["paths"]["/crm.activity.badge.get"]["post"]["requestBody"]


def remove_request_media_type(document: Document) -> None:
    del document["paths"]["/crm.activity.badge.get"]["post"]["requestBody"]["content"][
        "multipart/form-data"
    ]


def remove_response_media_type(document: Document) -> None:
    del document["components"]["responses"]["Unauthorized"]["content"]


def add_required_parameter(document: Document) -> None:
    document["paths"]["/crm.activity.badge.list"]["get"]["parameters"] = [
        {"name": "start", "in": "query", "required": True, "schema": {"type": "integer"}}
    ]


def remove_parameter(document: Document) -> None:
    document["paths"]["/crm.activity.badge.get"]["get"]["parameters"] = []


def make_parameter_required(document: Document) -> None:
    path = document["paths"]["/crm.activity.badge.list"]
    path["get"]["parameters"] = [{"name": "start", "in": "query", "schema": {"type": "integer"}}]


def make_parameter_required_after(document: Document) -> None:
    make_parameter_required(document)
    document["paths"]["/crm.activity.badge.list"]["get"]["parameters"][0]["required"] = True


def change_parameter_serialization(document: Document) -> None:
    document["components"]["parameters"]["TitleQuery"]["style"] = "form"


def remove_response_header(document: Document) -> None:
    del document["components"]["responses"]["PortalMoved"]["headers"]["Location"]


BREAKING = [
    pytest.param(
        (inline_request_type, narrow_inline_request_enum),
        f"{SCHEMAS}/BadgeAddRequest/properties/type",
        "request enum narrowed: ['secondary'] no longer accepted",
        id="narrowed-request-only-enum",
    ),
    pytest.param(
        (inline_response_type, widen_inline_response_enum),
        f"{SCHEMAS}/Badge/properties/type",
        "response enum widened with ['danger']",
        id="widened-response-only-enum",
    ),
    pytest.param(
        remove_operation,
        "/paths/~1crm.activity.badge.list/get",
        "operation crm.activity.badge.list@GET removed",
        id="removed-operation",
    ),
    pytest.param(
        remove_status,
        f"{GET}/responses/404",
        "crm.activity.badge.get no longer declares status 404",
        id="removed-status",
    ),
    pytest.param(
        remove_response_field,
        f"{SCHEMAS}/BadgeListResponse/properties/total",
        "field 'total' removed",
        id="removed-response-field",
    ),
    pytest.param(
        retype_response_field,
        f"{SCHEMAS}/BadgeListResponse/properties/total",
        "response type integer -> string",
        id="retyped-response-field",
    ),
    pytest.param(
        widen_response_number,
        f"{SCHEMAS}/BadgeListResponse/properties/total",
        "response type integer -> number",
        id="integer-response-field-made-number",
    ),
    pytest.param(
        add_required_request_field,
        f"{SCHEMAS}/BadgeCodeRequest",
        "new required request field 'entityTypeId'",
        id="new-required-request-field",
    ),
    pytest.param(
        narrow_request_enum,
        f"{SCHEMAS}/BadgeType",
        "request enum narrowed: ['secondary'] no longer accepted",
        id="narrowed-request-enum",
    ),
    pytest.param(
        widen_response_enum,
        f"{SCHEMAS}/BadgeType",
        "response enum widened with ['danger']",
        id="widened-response-enum",
    ),
    pytest.param(
        make_response_field_optional,
        f"{SCHEMAS}/Badge",
        "response field 'title' no longer required",
        id="required-response-field-made-optional",
    ),
    pytest.param(
        narrow_request_field_type,
        f"{SCHEMAS}/BadgeAddRequest/properties/title",
        "request type any -> string",
        id="narrowed-request-field-type",
    ),
    pytest.param(
        drop_format,
        f"{SCHEMAS}/Time/properties/date_start",
        "format 'date-time' -> None: the generated attribute's type changes",
        id="changed-format",
    ),
    pytest.param(
        tighten_request_bound,
        f"{SCHEMAS}/BadgeCode",
        "request minLength 1 -> 3",
        id="tighter-request-bound",
    ),
    pytest.param(
        loosen_response_bound,
        f"{SCHEMAS}/Time/properties/duration",
        "response minimum 0 -> None",
        id="looser-response-bound",
    ),
    pytest.param(
        add_request_pattern,
        f"{SCHEMAS}/BadgeCode",
        "request pattern None -> '^[a-zA-Z]+$'",
        id="new-request-pattern",
    ),
    pytest.param(
        close_request_object,
        f"{SCHEMAS}/BadgeAddRequest",
        "request additionalProperties closed",
        id="closed-request-object",
    ),
    pytest.param(
        remove_request_alternative,
        f"{SCHEMAS}/LocalizedText",
        "request oneOf 2 -> 1 alternatives",
        id="removed-request-alternative",
    ),
    pytest.param(
        widen_response_values,
        f"{SCHEMAS}/LanguageMap/additionalProperties",
        "response type string -> ['string', 'integer']",
        id="widened-response-map-values",
    ),
    pytest.param(
        rename_operation,
        f"{GET}/operationId",
        "operationId 'crm.activity.badge.get' renamed to 'getBadge'",
        id="renamed-operation-id",
    ),
    pytest.param(
        require_request_body,
        "/paths/~1crm.activity.badge.list/post/requestBody/required",
        "crm.activity.badge.list's request body became required",
        id="request-body-made-required",
    ),
    pytest.param(
        remove_request_body,
        f"{GET}/requestBody",
        "crm.activity.badge.get's request body removed",
        id="removed-request-body",
    ),
    pytest.param(
        remove_request_media_type,
        f"{GET}/requestBody/content/multipart~1form-data",
        "request media type multipart/form-data removed",
        id="removed-request-media-type",
    ),
    pytest.param(
        remove_response_media_type,
        "/components/responses/Unauthorized/content/application~1json",
        "response media type application/json removed",
        id="removed-response-media-type",
    ),
    pytest.param(
        add_required_parameter,
        "/paths/~1crm.activity.badge.list/get/parameters/0",
        "new required query parameter 'start'",
        id="new-required-parameter",
    ),
    pytest.param(
        remove_parameter,
        "/components/parameters/CodeQuery",
        "query parameter 'code' removed",
        id="removed-parameter",
    ),
    pytest.param(
        change_parameter_serialization,
        "/components/parameters/TitleQuery",
        "serialized differently (style=deepObject, explode=True -> style=form, explode=True)",
        id="changed-parameter-serialization",
    ),
    pytest.param(
        remove_response_header,
        "/components/headers/Location",
        "header Location removed",
        id="removed-response-header",
    ),
]


def findings(changes: list[Change]) -> list[tuple[str, str]]:
    return [(change.pointer, change.message) for change in changes]


@pytest.mark.parametrize(("edits", "pointer", "words"), BREAKING)
def test_a_breaking_edit_is_found_where_it_is(
    document: Document, edits: Edit | tuple[Edit, Edit], pointer: str, words: str
) -> None:
    """A pair of edits is (a setup applied to both contracts, the edit of the current one)."""
    if isinstance(edits, tuple):
        setup, edit = edits
        document = edited(document, setup)
    else:
        edit = edits
    changes = breaking_changes(document, edited(document, edit))
    assert [c for c in changes if c.pointer == pointer and words in c.message], findings(changes)


def test_a_parameter_made_required_is_breaking(document: Document) -> None:
    before = edited(document, make_parameter_required)
    changes = breaking_changes(before, edited(document, make_parameter_required_after))
    assert findings(changes) == [
        (
            "/paths/~1crm.activity.badge.list/get/parameters/0",
            "query parameter 'start' became required",
        )
    ]


def test_a_shared_schema_is_judged_once_per_side(document: Document) -> None:
    """BadgeType is reached from eight operations' requests and answers: one finding, naming
    the first place that reaches it."""
    changes = breaking_changes(document, edited(document, widen_response_enum))
    assert len(changes) == 1
    assert changes[0].via.startswith("/paths/")
    assert "(reached from /paths/" in changes[0].render()


def test_a_change_seen_from_both_sides_is_reported_once(document: Document) -> None:
    """BadgeCode is in requests and in answers; a new format breaks both, and is one finding."""

    def add_format(document: Document) -> None:
        schema(document, "BadgeCode")["format"] = "email"

    assert findings(breaking_changes(document, edited(document, add_format))) == [
        (f"{SCHEMAS}/BadgeCode", "format None -> 'email': the generated attribute's type changes")
    ]


def test_a_recursive_schema_is_compared_once(document: Document) -> None:
    def nest(document: Document) -> None:
        badge = schema(document, "Badge")
        badge["properties"]["children"] = {
            "type": "array",
            "items": {"$ref": "#/components/schemas/Badge"},
        }

    before = edited(document, nest)
    assert findings(breaking_changes(before, edited(before, make_response_field_optional))) == [
        (
            f"{SCHEMAS}/Badge",
            "response field 'title' no longer required: its attribute may now be unset",
        )
    ]


def test_what_was_removed_is_pointed_at_in_the_released_contract(document: Document) -> None:
    (change,) = breaking_changes(document, edited(document, remove_operation))
    assert change.released
    assert change.render("spec.yaml", "released.yaml").startswith(
        "released.yaml#/paths/~1crm.activity.badge.list/get: "
    )


# Compatible edits ------------------------------------------------------------------------------


def add_optional_response_field(document: Document) -> None:
    schema(document, "BadgeListResponse")["properties"]["page"] = {"type": "integer"}


def add_operation(document: Document) -> None:
    document["paths"]["/crm.activity.badge.update"] = {
        "post": copy.deepcopy(document["paths"]["/crm.activity.badge.add"]["post"])
        | {"operationId": "crm.activity.badge.update"}
    }


def widen_request_enum(document: Document) -> None:
    schema(document, "BadgeAddRequest")["properties"]["type"]["enum"].append("danger")


def change_descriptions(document: Document) -> None:
    document["info"]["description"] = "Rewritten."
    document["paths"]["/crm.activity.badge.get"]["post"]["summary"] = "Read a badge"
    schema(document, "Badge")["description"] = "A badge, reworded."


def drop_known_error_code(document: Document) -> None:
    del document["components"]["responses"]["NotFound"]["x-error-codes"]["NOT_FOUND"]


def add_optional_request_field(document: Document) -> None:
    schema(document, "BadgeCodeRequest")["properties"]["entityTypeId"] = {"type": "integer"}


def add_status(document: Document) -> None:
    responses = document["paths"]["/crm.activity.badge.get"]["post"]["responses"]
    responses["408"] = {"$ref": "#/components/responses/ServerError"}


def tighten_response_bound(document: Document) -> None:
    schema(document, "Time")["properties"]["operating"]["maximum"] = 480


def lift_request_enum(document: Document) -> None:
    del schema(document, "BadgeAddRequest")["properties"]["type"]["enum"]


def narrow_response_enum(document: Document) -> None:
    schema(document, "Badge")["properties"]["type"]["enum"].remove("secondary")


def make_response_number_integer(document: Document) -> None:
    schema(document, "Time")["properties"]["start"]["type"] = "integer"


COMPATIBLE = [
    pytest.param((), add_optional_response_field, id="new-optional-response-field"),
    pytest.param((), add_operation, id="new-operation"),
    pytest.param((inline_request_type,), widen_request_enum, id="widened-request-enum"),
    pytest.param((), change_descriptions, id="descriptions"),
    pytest.param((), drop_known_error_code, id="x-error-codes-entry-removed"),
    pytest.param((), add_optional_request_field, id="new-optional-request-field"),
    pytest.param((), add_status, id="new-status"),
    pytest.param((), tighten_response_bound, id="tighter-response-bound"),
    pytest.param((inline_request_type,), lift_request_enum, id="lifted-request-enum"),
    pytest.param((inline_response_type,), narrow_response_enum, id="narrowed-response-enum"),
    pytest.param((), make_response_number_integer, id="response-number-made-integer"),
]


@pytest.mark.parametrize(("setup", "edit"), COMPATIBLE)
def test_a_compatible_edit_passes(document: Document, setup: tuple[Edit, ...], edit: Edit) -> None:
    before = edited(document, *setup)
    assert findings(breaking_changes(before, edited(before, edit))) == []


def test_an_unchanged_contract_passes(document: Document) -> None:
    assert breaking_changes(document, copy.deepcopy(document)) == []


# The command -----------------------------------------------------------------------------------


def write(path: Path, document: Document) -> Path:
    path.write_text(yaml.safe_dump(document, allow_unicode=True, sort_keys=False), encoding="utf-8")
    return path


def run(
    tmp_path: Path,
    released: Document,
    current: Document,
    capsys: pytest.CaptureFixture[str],
) -> tuple[int, str]:
    status = main(
        [
            "--released",
            str(write(tmp_path / "released.yaml", released)),
            "--spec",
            str(write(tmp_path / "openapi.yaml", current)),
        ]
    )
    captured = capsys.readouterr()
    return status, captured.out + captured.err


def with_version(document: Document, version: str) -> Document:
    changed = copy.deepcopy(document)
    changed["info"]["version"] = version
    return changed


def test_the_command_fails_on_a_breaking_edit_and_says_where(
    document: Document, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    status, out = run(tmp_path, document, edited(document, widen_response_enum), capsys)
    assert status == 1
    assert re.search(r"breaking: .*openapi\.yaml#/components/schemas/BadgeType: response enum", out)
    assert "set info.version to 1.0.0" in out


def test_a_breaking_edit_with_a_major_bump_passes(
    document: Document, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    current = with_version(edited(document, widen_response_enum, remove_status), "1.0.0")
    status, out = run(tmp_path, document, current, capsys)
    assert status == 0
    assert "OK: 2 breaking changes, released as major version 1.0.0" in out


@pytest.mark.parametrize("version", ["0.2.0", "0.1.1"])
def test_a_minor_or_patch_bump_does_not_release_a_breaking_edit(
    document: Document, tmp_path: Path, capsys: pytest.CaptureFixture[str], version: str
) -> None:
    current = with_version(edited(document, remove_operation), version)
    assert run(tmp_path, document, current, capsys)[0] == 1


def test_a_compatible_edit_passes_the_command(
    document: Document, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    current = with_version(edited(document, add_operation), "0.2.0")
    status, out = run(tmp_path, document, current, capsys)
    assert (status, out.splitlines()[-1]) == (
        0,
        "OK: nothing breaks a consumer of the released contract",
    )


def test_a_version_that_goes_backwards_fails(
    document: Document, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    status, out = run(tmp_path, with_version(document, "0.2.0"), document, capsys)
    assert status == 1
    assert "info.version went backwards (0.2.0 -> 0.1.0)" in out


def test_an_unreadable_version_or_file_is_a_usage_error(
    document: Document, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    status, out = run(tmp_path, document, with_version(document, "next"), capsys)
    assert status == 2
    assert "info.version 'next' is not MAJOR.MINOR.PATCH" in out
    assert main(["--released", str(tmp_path / "missing.yaml")]) == 2


# The released contract kept in the repository ---------------------------------------------------


def test_the_contract_does_not_break_the_last_release() -> None:
    """The same check as the step in ./scripts/test, so that pytest alone also holds it."""
    assert main([]) == 0


def test_the_changelog_lists_the_released_contract() -> None:
    released = Contract.load(RELEASED_PATH).version
    changelog = (REPO / "CHANGELOG.md").read_text(encoding="utf-8")
    versions = re.findall(r"^## \[(\d+\.\d+\.\d+)\] - \d{4}-\d{2}-\d{2}$", changelog, re.MULTILINE)
    assert versions, "CHANGELOG.md has no released version (## [X.Y.Z] - YYYY-MM-DD)"
    assert versions[0] == released, "the newest release in CHANGELOG.md is the one in released/"
    assert "## [Unreleased]" in changelog
