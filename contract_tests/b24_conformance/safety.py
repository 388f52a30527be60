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
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from typing import Any

import httpx

FAMILY_PREFIX = "b24ct-"
# What `--cleanup` removes: codes of any run, `b24ct-<8 hex digits>-...`, and nothing else (a
# customer's badge that merely starts with `b24ct-` is not ours).
ANY_RUN = re.compile(r"b24ct-[0-9a-f]{8}-")
WRITE_METHODS = frozenset({"crm.activity.badge.add", "crm.activity.badge.delete"})
BADGE_PARAMETERS = frozenset({"code", "title", "value", "type"})
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


def clean_up(
    http: httpx.Client,
    base_url: str,
    written: Iterable[str],
    owned: Callable[[str], bool],
    redact: Callable[[str], str],
) -> CleanupResult:
    """Delete the `owned` codes the run `written`, then every owned code any page of list shows.

    Raw JSON, read leniently: cleanup must work on exactly the portals whose answers break the
    contract, where the typed client would refuse to read the list.
    """
    result = CleanupResult()
    try:
        for code in sorted({code for code in written if owned(code)}):
            _delete(http, base_url, code, result, redact)
        for code in _listed(http, base_url, owned):
            _delete(http, base_url, code, result, redact)
        result.left = _listed(http, base_url, owned)
    except (httpx.HTTPError, ValueError, KeyError, TypeError) as error:
        result.error = redact(f"{type(error).__name__}: {error}")
    return result


def _delete(
    http: httpx.Client,
    base_url: str,
    code: str,
    result: CleanupResult,
    redact: Callable[[str], str],
) -> None:
    answer = http.post(f"{base_url}/crm.activity.badge.delete", json={"code": code})
    if answer.status_code == 200:
        result.deleted.append(code)
    elif _error_code(answer) != "NOT_FOUND":  # already gone, or never stored: fine
        result.error = f"delete {code!r}: HTTP {answer.status_code} {redact(answer.text)[:200]}"


def _error_code(answer: httpx.Response) -> Any:
    try:
        body = answer.json()
    except ValueError:
        return None
    return body.get("error") if isinstance(body, dict) else None


def _listed(http: httpx.Client, base_url: str, owned: Callable[[str], bool]) -> list[str]:
    """Owned codes on every page of list (the contract allows `next`; portals send one page)."""
    codes: list[str] = []
    start: int | None = 0
    for _ in range(MAX_PAGES):
        answer = http.post(
            f"{base_url}/crm.activity.badge.list", json={"start": start} if start else {}
        ).json()
        badges = answer["result"]["badges"]
        found = [badge.get("code") for badge in badges if isinstance(badge, dict)]
        codes += [code for code in found if isinstance(code, str) and owned(code)]
        start = answer.get("next")
        if not isinstance(start, int) or not badges:
            break
    return codes
