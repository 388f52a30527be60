"""Never touch a badge the run did not create.

Every code the run writes (add, delete) starts with a prefix that is unique to the run,
`b24ct-<run id>-`: a fuzzer that generated `missedCall` for delete would otherwise delete a
customer's badge. Generated write cases are rewritten into the prefix before they are sent, and
a write case whose code is not a string is not sent at all to a portal the run does not own (a
PHP portal could read the number 5 as the code "5"). At the end, and on `--cleanup`, everything
under the prefix is deleted, through the same paced transport; `--cleanup` deletes the codes of
any run (`b24ct-<8 hex digits>-...`) and no other.
"""

from __future__ import annotations

import re
import secrets
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

import httpx

FAMILY_PREFIX = "b24ct-"
# What `--cleanup` removes: codes of any run, `b24ct-<8 hex digits>-...`, and nothing else (a
# customer's badge that merely starts with `b24ct-` is not ours).
ANY_RUN = re.compile(r"b24ct-[0-9a-f]{8}-")
WRITE_METHODS = frozenset({"crm.activity.badge.add", "crm.activity.badge.delete"})


def owned_by_any_run(code: str) -> bool:
    return ANY_RUN.match(code) is not None


def new_run_prefix() -> str:
    return f"{FAMILY_PREFIX}{secrets.token_hex(4)}-"


def method_of(operation_id: str) -> str:
    """`crm.activity.badge.add@GET` -> `crm.activity.badge.add`."""
    return operation_id.split("@", 1)[0]


def confine(params: Any, prefix: str) -> bool:
    """Move a write's `code` under `prefix`, in place. False: the case must not be sent."""
    if not isinstance(params, dict) or not isinstance(params.get("code"), str):
        return False
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


def clean_up(http: httpx.Client, base_url: str, owned: Callable[[str], bool]) -> CleanupResult:
    """Delete every badge whose code is `owned`, then check that none is left.

    Raw JSON, read leniently: cleanup must work on exactly the portals whose answers break the
    contract, where the typed client would refuse to read the list.
    """
    result = CleanupResult()
    try:
        for code in _codes(http, base_url, owned):
            answer = http.post(f"{base_url}/crm.activity.badge.delete", json={"code": code})
            if answer.status_code == 200:
                result.deleted.append(code)
            else:
                result.error = f"delete {code!r}: HTTP {answer.status_code} {answer.text[:200]}"
        result.left = _codes(http, base_url, owned)
    except (httpx.HTTPError, ValueError, KeyError, TypeError) as error:
        result.error = f"{type(error).__name__}: {error}"
    return result


def _codes(http: httpx.Client, base_url: str, owned: Callable[[str], bool]) -> list[str]:
    answer = http.post(f"{base_url}/crm.activity.badge.list", json={}).json()
    badges = answer["result"]["badges"]
    codes = [badge.get("code") for badge in badges if isinstance(badge, dict)]
    return [code for code in codes if isinstance(code, str) and owned(code)]
