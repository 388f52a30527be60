"""The Bitrix method names of the contract, spelled once outside the spec.

Hand-written code names a method through these constants, never through a literal:
`tests/spec/test_methods.py` ties them to the spec's operations and greps the rest of the code
for literals. Each method is a path of the spec, `/crm.activity.badge.add`, whose POST operation
has the method name as its `operationId`; the GET form of the same method is
`crm.activity.badge.add@GET` (D-ENCODINGS).
"""

from __future__ import annotations

FAMILY = "crm.activity.badge"
ADD = "crm.activity.badge.add"
GET = "crm.activity.badge.get"
LIST = "crm.activity.badge.list"
DELETE = "crm.activity.badge.delete"
METHODS = (ADD, GET, LIST, DELETE)
BATCH = "batch"  # Bitrix24's batch method: up to 50 calls of the methods above in one request

GET_FORM = "@GET"  # the operationId suffix of a method's query-string form


def method_of(operation_id: str) -> str:
    """The method an operation calls: `crm.activity.badge.add@GET` -> `crm.activity.badge.add`."""
    return operation_id.split("@", 1)[0]


def method_name(path: str) -> str:
    """The Bitrix method a URL path calls, as portals read it: the last segment, without a
    trailing slash or `.json`, in lower case (`/rest/1/***/CRM.Activity.Badge.Get.json/`)."""
    return path.rstrip("/").rsplit("/", 1)[-1].lower().removesuffix(".json")
