"""Never touch a badge the run did not create.

Every code the run writes starts with a prefix unique to the run, `b24ct-<run id>-`: a fuzzer
that generated `missedCall` for delete would otherwise delete a customer's badge. Generated
write cases are rewritten into the prefix before they are sent, keep only the four documented
parameters (no stray key a portal might read as a code), and a write case whose code is not a
string is not sent at all to a portal the run does not own (a PHP portal could read the number
5 as the code "5").

Every code is written to the run's journal (`journal.py`) before it is sent to add, so that a
run killed before its cleanup leaves a record. At the end every code the run sent to add is
deleted, then every page of `list` is swept for codes under the prefix; `--cleanup` deletes the
journaled codes of earlier runs on this portal and nothing else. A delete counts only when the
portal confirms it. All of it goes through the run's paced transport.
"""

from __future__ import annotations

import secrets
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from typing import Any

import httpx

from b24_conformance.checks import json_or_none
from b24_conformance.target import DeadlineExceeded, PortalUnavailable, Target
from b24_spec import Contract
from b24_spec.methods import ADD, DELETE, LIST

FAMILY_PREFIX = "b24ct-"
_CONTRACT = Contract.load()
WRITE_METHODS = _CONTRACT.writing_methods()  # x-b24-writes in the spec: add and delete
BADGE_PARAMETERS = _CONTRACT.request_parameters(ADD)  # code, title, value, type
MAX_PAGES = 50  # 2,500 badges at 50 a page; a portal has a few dozen


def new_run_prefix() -> str:
    """`b24ct-<8 hex digits>-`: random, so that no two runs on a portal share a prefix and a
    run's sweep of list never deletes another run's badges."""
    return f"{FAMILY_PREFIX}{secrets.token_hex(4)}-"


def _parameter(key: str) -> str:
    """The parameter a key belongs to: `title[ru]` (a deepObject key of a GET add) -> `title`."""
    return key.split("[", 1)[0]


def confine(params: Any, prefix: str) -> dict[str, Any] | None:
    """A copy of a write's parameters with `code` under `prefix` and undocumented keys dropped
    (the bracket keys of a documented one, `title[ru]`, are kept); None: do not send the case.

    The parameters are never changed in place: a case may share them with the spec's example,
    and a second scenario would prefix the prefixed code again.
    """
    if not isinstance(params, dict) or not isinstance(params.get("code"), str):
        return None
    kept = {key: value for key, value in params.items() if _parameter(key) in BADGE_PARAMETERS}
    if not kept["code"].startswith(prefix):
        kept["code"] = prefix + kept["code"]
    return kept


@dataclass
class CleanupResult:
    """What the cleanup deleted, what it saw left behind, and why it stopped, if it did."""

    deleted: list[str] = field(default_factory=list)
    left: list[str] = field(default_factory=list)
    error: str | None = None

    @property
    def clean(self) -> bool:
        """Nothing of the run is left on the portal as far as the cleanup saw: it finished,
        and every code it meant to delete is gone."""
        return self.error is None and not self.left


def clean_up(
    target: Target, owned: Callable[[str], bool], codes: Iterable[str] = ()
) -> CleanupResult:
    """Delete `codes` (what the run sent to add), then every `owned` code that list shows.

    Raw JSON, read leniently: cleanup must work on exactly the portals whose answers break the
    contract, where the typed client would refuse to read the list. It is bounded: list is
    read at most `MAX_PAGES` pages deep, stopping at a `next` that does not advance, and a
    deadline stops it (the run's transport raises `DeadlineExceeded`); then every code it sent
    to add and did not get to is reported left, as it is (still in the journal).
    """
    result = CleanupResult()
    pending = sorted(set(codes))
    gone: set[str] = set()
    try:
        for code in pending:
            if _delete(target, code, result):
                gone.add(code)
        for code in _listed(target, owned):
            if code not in result.deleted:
                _delete(target, code, result)
        result.left = [code for code in _listed(target, owned) if code not in result.deleted]
    except STOPPED as error:
        result.error = target.redact(f"{type(error).__name__}: {error}")
        settled = gone | set(result.deleted) | set(result.left)
        result.left += [code for code in pending if code not in settled]
    if target.journal is not None:  # what is gone needs no later --cleanup
        target.journal.forget([*result.deleted, *sorted(gone - set(result.deleted))])
    return result


# What ends a cleanup early: the portal, its answers, the time.
STOPPED = (httpx.HTTPError, DeadlineExceeded, PortalUnavailable, ValueError, KeyError, TypeError)


def _delete(target: Target, code: str, result: CleanupResult) -> bool:
    """Delete one code; deleted only when the portal says so (HTTP 200 and `result: true`).
    True when the portal says there is no such badge."""
    answer = target.post(DELETE, {"code": code})
    body = json_or_none(answer.content)
    if answer.status_code == 200 and isinstance(body, dict) and body.get("result") is True:
        result.deleted.append(code)
    elif isinstance(body, dict) and body.get("error") == "NOT_FOUND":
        return True  # gone already (or never stored): nothing to clean
    else:
        result.left.append(code)
        status, text = answer.status_code, answer.text[:200]
        result.error = f"delete {code!r} was not confirmed: HTTP {status} {text}"
    return False


def _listed(target: Target, owned: Callable[[str], bool]) -> list[str]:
    """Owned codes on every page of list (the contract allows `next`; portals send one page).

    Trusts `total` for the number of pages, and stops at a `next` that does not advance.
    """
    codes: list[str] = []
    start = 0
    for _ in range(MAX_PAGES):
        answer = target.post(LIST, {"start": start} if start else {}).json()
        badges = answer["result"]["badges"]
        found = [badge.get("code") for badge in badges if isinstance(badge, dict)]
        codes += [code for code in found if isinstance(code, str) and owned(code)]
        following, total = answer.get("next"), answer.get("total")
        if not isinstance(following, int) or not badges:
            return codes
        if following <= start:
            raise ValueError(f"list's next ({following}) does not advance past start ({start})")
        if isinstance(total, int) and following >= total:
            return codes
        start = following
    raise ValueError(f"list has more than {MAX_PAGES} pages: stopped")
