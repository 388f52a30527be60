"""The stateful contract, checked against a model of what the portal must now hold.

schemathesis's use_after_free and friends need REST verbs and path parameters; Bitrix methods
are all POST. So the suite keeps its own model: every answer of the run updates it, and every
answer must agree with it. A badge the portal accepted is returned by get and by list exactly as
added; a deleted badge is gone for get, list and delete; a code that exists cannot be added
again. The model only speaks about codes this run wrote, so a shared portal cannot confuse it.
"""

from __future__ import annotations

from typing import Any

from schemathesis import Case, CheckContext, Response

from b24_conformance.checks import json_or_none
from b24_conformance.operations import operation_id, parameters, typed
from b24_conformance.safety import BADGE_PARAMETERS
from b24_spec.methods import ADD, DELETE, GET, LIST, method_of

_GONE = None  # the model's value for a code the portal deleted


class PortalModel:
    def __init__(self) -> None:
        self._badges: dict[str, dict[str, Any] | None] = {}

    def observe(
        self, method: str, params: Any, status: int, answer: Any, exact: bool = True
    ) -> None:
        """Check one exchange against the model, then learn from it; AssertionError on conflict.

        `exact`: the request carried types (JSON), so the stored badge must equal what was sent.
        """
        code = params.get("code") if isinstance(params, dict) else None
        result = answer.get("result") if isinstance(answer, dict) else None
        if method == LIST:
            if status == 200 and isinstance(result, dict):
                # One page of several (`next`) cannot show that a badge is missing.
                complete = not (isinstance(answer, dict) and answer.get("next"))
                self._check_list(result.get("badges"), complete)
            return
        if not isinstance(code, str):
            return
        known = code in self._badges
        stored = self._badges.get(code)
        not_found = isinstance(answer, dict) and answer.get("error") == "NOT_FOUND"
        if method == ADD:
            if status == 200 and known and stored is not _GONE:
                raise AssertionError(f"add of {code!r} succeeded although that code exists")
            if status == 200:
                sent = {key: params.get(key) for key in sorted(BADGE_PARAMETERS)}
                self._badges[code] = sent if exact else {"code": code, "type": params.get("type")}
        elif method == GET and known:
            if stored is _GONE and status == 200:
                raise AssertionError(f"badge {code!r} is still returned by get after its delete")
            if stored is not _GONE and not_found:
                raise AssertionError(f"badge {code!r} was added, but get answers NOT_FOUND")
            if stored is not _GONE and status == 200 and isinstance(result, dict):
                self._check_same(stored, result.get("badge"), "get")
        elif method == DELETE and known:
            if stored is _GONE and status == 200:
                raise AssertionError(
                    f"delete of {code!r} succeeded again after its delete; it must answer NOT_FOUND"
                )
            if stored is not _GONE and not_found:
                raise AssertionError(f"badge {code!r} was added, but delete answers NOT_FOUND")
            if status == 200:
                self._badges[code] = _GONE

    def _check_same(self, stored: dict[str, Any], returned: Any, where: str) -> None:
        if not isinstance(returned, dict):
            return  # the schema check's finding
        different = {k: (v, returned.get(k)) for k, v in stored.items() if returned.get(k) != v}
        if different:
            details = "; ".join(
                f"{k}: added {a!r}, {where} returns {b!r}" for k, (a, b) in different.items()
            )
            raise AssertionError(f"badge {stored['code']!r} is not returned as added: {details}")

    def _check_list(self, badges: Any, complete: bool) -> None:
        if not isinstance(badges, list):
            return
        listed = {b.get("code"): b for b in badges if isinstance(b, dict)}
        for code, stored in self._badges.items():
            if stored is _GONE and code in listed:
                raise AssertionError(f"badge {code!r} is still listed after its delete")
            if stored is not _GONE and code not in listed and complete:
                raise AssertionError(f"badge {code!r} was added, but list does not return it")
            if stored is not _GONE and code in listed:
                self._check_same(stored, listed[code], "list")

    def check(self, ctx: CheckContext, response: Response, case: Case[Any]) -> None:
        """The model as a schemathesis check."""
        method = method_of(operation_id(case))
        answer = json_or_none(response.content)
        self.observe(method, parameters(case), response.status_code, answer, typed(case))
