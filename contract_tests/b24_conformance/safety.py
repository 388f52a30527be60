"""Never touch a badge the run did not create.

Every code the run writes starts with a prefix unique to the run, `b24ct-<run id>-`: a fuzzer
that generated `missedCall` for delete would otherwise delete a customer's badge. Generated
write cases are rewritten into the prefix before they are sent, keep only the four documented
parameters (no stray key a portal might read as a code), and a write case whose code is not a
string is not sent at all to a portal the run does not own (a PHP portal could read the number
5 as the code "5").

At the end every code the run sent to add is deleted, then every page of `list` is swept for
codes under the prefix; `--cleanup` sweeps for the codes of any run (`b24ct-<8 hex>-...`) and
no other. All of it goes through the run's paced transport.
"""

from __future__ import annotations

import re
import secrets
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

import httpx

from b24_conformance.checks import json_or_none
from b24_conformance.target import Target
from b24_spec import Contract
from b24_spec.methods import ADD, DELETE, LIST

FAMILY_PREFIX = "b24ct-"
# What `--cleanup` removes: codes of any run, `b24ct-<8 hex digits>-...`, and nothing else (a
# customer's badge that merely starts with `b24ct-` is not ours).
ANY_RUN = re.compile(r"b24ct-[0-9a-f]{8}-")
_CONTRACT = Contract.load()
WRITE_METHODS = _CONTRACT.writing_methods()  # x-b24-writes in the spec: add and delete
BADGE_PARAMETERS = _CONTRACT.request_parameters(ADD)  # code, title, value, type
MAX_PAGES = 1000


def owned_by_any_run(code: str) -> bool:
    return ANY_RUN.match(code) is not None


def new_run_prefix() -> str:
    return f"{FAMILY_PREFIX}{secrets.token_hex(4)}-"


def confine(params: Any, prefix: str) -> bool:
    """Move a write's `code` under `prefix` and drop undocumented keys, in place.

    False: the case must not be sent.
    """
    if not isinstance(params, dict) or not isinstance(params.get("code"), str):
        return False
    for key in set(params) - BADGE_PARAMETERS:
        del params[key]
    if not params["code"].startswith(prefix):
        params["code"] = prefix + params["code"]
    return True


@dataclass
class CleanupResult:
    deleted: list[str] = field(default_factory=list)
    left: list[str] = field(default_factory=list)
    error: str | None = None

    @property
    def clean(self) -> bool:
        return self.error is None and not self.left


def clean_up(target: Target, owned: Callable[[str], bool]) -> CleanupResult:
    """Delete the `owned` codes the run sent to add, then every owned code any page of list shows.

    Raw JSON, read leniently: cleanup must work on exactly the portals whose answers break the
    contract, where the typed client would refuse to read the list.
    """
    result = CleanupResult()
    try:
        for code in sorted({code for code in target.transport.written if owned(code)}):
            _delete(target, code, result)
        for code in _listed(target, owned):
            _delete(target, code, result)
        result.left = _listed(target, owned)
    except (httpx.HTTPError, ValueError, KeyError, TypeError) as error:
        result.error = target.redact(f"{type(error).__name__}: {error}")
    return result


def _delete(target: Target, code: str, result: CleanupResult) -> None:
    answer = target.post(DELETE, {"code": code})
    body = json_or_none(answer.content)
    if answer.status_code == 200:
        result.deleted.append(code)
    elif not (isinstance(body, dict) and body.get("error") == "NOT_FOUND"):  # gone: fine
        result.error = f"delete {code!r}: HTTP {answer.status_code} {answer.text[:200]}"


def _listed(target: Target, owned: Callable[[str], bool]) -> list[str]:
    """Owned codes on every page of list (the contract allows `next`; portals send one page)."""
    codes: list[str] = []
    start: int | None = 0
    for _ in range(MAX_PAGES):
        answer = target.post(LIST, {"start": start} if start else {}).json()
        badges = answer["result"]["badges"]
        found = [badge.get("code") for badge in badges if isinstance(badge, dict)]
        codes += [code for code in found if isinstance(code, str) and owned(code)]
        start = answer.get("next")
        if not isinstance(start, int) or not badges:
            break
    return codes
