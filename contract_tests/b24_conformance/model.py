"""Everything a portal says in one run must agree: a model of the portal, judged by every answer.

schemathesis's use_after_free and friends need REST verbs and path parameters; Bitrix methods
are all POST. So the suite keeps its own model: every answer of the run (fuzzing, stateful
links, the client, read-only runs included) is checked against what earlier answers said, then
teaches the model. What it holds:

* codes this run wrote: what the portal must now hold, or that it deleted them;
* any other code: the badge get last returned, or that get answered NOT_FOUND, and the codes
  the last complete list showed.

The inconsistencies it names (a test in tests/conformance proves each is caught):

* get: answers a badge with another code; NOT_FOUND for a badge the run added, or one a
  complete list shows; a badge after its delete; a badge other than the one added; for a
  badge the run did not write, other fields than an earlier get, or NOT_FOUND after a badge
  (or a badge after NOT_FOUND): batch commands are observed too, so a get through batch must
  agree with a direct one.
* list: misses a badge the run added, or one get returned; shows a badge after its delete, or
  one get answered NOT_FOUND; shows a code twice; disagrees with get or add on a badge's
  fields; `total` is not the number of badges of a complete list; `next` does not advance or is
  not start + the badges of the page.
* add: answers a badge other than the one sent; succeeds for a code that exists.
* delete: succeeds twice; answers NOT_FOUND for a badge the run added.
* a valid request (any encoding, D-ENCODINGS) refused with a 4xx other than the refusals the
  state explains (NOT_FOUND for an unknown code, a duplicate add).

A shared portal can change under a run; the model only compares answers of one run, minutes
apart, and a customer editing badges during a run can cause a finding about a code that is not
the run's (its message says which code).
"""

from __future__ import annotations

from typing import Any

from schemathesis import Case, CheckContext, GenerationMode, Response

from b24_conformance.checks import json_or_none
from b24_conformance.operations import operation_id, parameters, typed
from b24_conformance.safety import BADGE_PARAMETERS
from b24_spec.methods import ADD, DELETE, GET, LIST, method_of

_GONE = None  # the model's value for a code the portal deleted
NOT_FOUND = "NOT_FOUND"
# Refusals of a valid call that the portal's state explains, by method.
STATE_REFUSALS = {GET: {NOT_FOUND}, DELETE: {NOT_FOUND}}
# Refusals that are not about the request: credentials, rights, limits (their own checks).
NOT_ABOUT_THE_REQUEST = {401, 403, 429, 503}


def _error(answer: Any) -> str | None:
    error = answer.get("error") if isinstance(answer, dict) else None
    return error if isinstance(error, str) else None


def _result(answer: Any) -> Any:
    return answer.get("result") if isinstance(answer, dict) else None


class PortalModel:
    """What the portal has said in this run, and the check that everything it says agrees."""

    def __init__(self) -> None:
        self._badges: dict[str, dict[str, Any] | None] = {}  # the run's own codes
        self._returned: dict[str, dict[str, Any]] = {}  # other codes: what get returned
        self._absent: set[str] = set()  # other codes: get answered NOT_FOUND
        self._listed: set[str] | None = None  # the codes of the last complete list

    # -- the checks, as schemathesis sees them ----------------------------------------------

    def valid_request_accepted(
        self, ctx: CheckContext, response: Response, case: Case[Any]
    ) -> None:
        """A valid request, in any encoding the contract describes, is accepted."""
        if case.meta is not None and case.meta.generation.mode != GenerationMode.POSITIVE:
            return
        method = method_of(operation_id(case))
        self.accepts(method, parameters(case), response.status_code, json_or_none(response.content))

    def consistency(self, ctx: CheckContext, response: Response, case: Case[Any]) -> None:
        """The answer agrees with every earlier answer of the run."""
        method = method_of(operation_id(case))
        answer = json_or_none(response.content)
        self.observe(method, parameters(case), response.status_code, answer, typed(case))

    # -- the logic ----------------------------------------------------------------------------

    def accepts(self, method: str, params: Any, status: int, answer: Any) -> None:
        """AssertionError when a valid call was refused for no reason the state explains."""
        if not 400 <= status < 500 or status in NOT_ABOUT_THE_REQUEST:
            return
        error = _error(answer)
        code = params.get("code") if isinstance(params, dict) else None
        if error in STATE_REFUSALS.get(method, set()):
            return
        if method == ADD and isinstance(code, str) and self._badges.get(code, _GONE) is not _GONE:
            return  # the code is taken: refusing it is the contract (D-DUPLICATE-CODE)
        raise AssertionError(
            f"a valid {method} call was refused with HTTP {status} {error!r}: a portal must "
            "accept every request the contract describes, in JSON, url-encoded and multipart "
            "forms and GET query parameters (D-ENCODINGS)"
        )

    def observe(
        self, method: str, params: Any, status: int, answer: Any, exact: bool = True
    ) -> None:
        """Check one exchange against the model, then learn from it; AssertionError on conflict.

        `exact`: the request carried types (JSON), so the stored badge must equal what was sent.
        """
        if method == LIST:
            if status == 200 and isinstance(_result(answer), dict):
                self._observe_list(params, answer)
            return
        code = params.get("code") if isinstance(params, dict) else None
        if not isinstance(code, str):
            return
        if method == GET:
            self._observe_get(code, status, answer)
        elif method == ADD:
            self._observe_add(code, params, status, answer, exact)
        elif method == DELETE:
            self._observe_delete(code, status, answer)

    def _observe_get(self, code: str, status: int, answer: Any) -> None:
        result = _result(answer)
        returned = result.get("badge") if isinstance(result, dict) else None
        if status == 200 and isinstance(returned, dict) and returned.get("code") != code:
            raise AssertionError(
                f"get of {code!r} answered the badge {returned.get('code')!r}: get must answer "
                "the badge it was asked for"
            )
        not_found = _error(answer) == NOT_FOUND
        if code in self._badges:
            stored = self._badges[code]
            if stored is _GONE and status == 200:
                raise AssertionError(f"badge {code!r} is still returned by get after its delete")
            if stored is not _GONE and not_found:
                raise AssertionError(f"badge {code!r} was added, but get answers NOT_FOUND")
            if stored is not _GONE and status == 200:
                self._check_same(stored, returned, "get")
            return
        if status == 200 and isinstance(returned, dict):
            if self._listed is not None and code not in self._listed:
                raise AssertionError(f"get returns badge {code!r}, but a complete list did not")
            self._check_earlier_get(code, returned)
            # Only the documented fields: a portal may add others (and leave them out of a
            # batch's sub-results or of list); the contract says nothing about those.
            self._returned[code] = {key: returned.get(key) for key in sorted(BADGE_PARAMETERS)}
        elif not_found:
            if self._listed is not None and code in self._listed:
                raise AssertionError(f"a complete list shows {code!r}, but get answers NOT_FOUND")
            if code in self._returned:
                raise AssertionError(f"get returned badge {code!r} before, now answers NOT_FOUND")
            self._absent.add(code)

    def _check_earlier_get(self, code: str, returned: dict[str, Any]) -> None:
        """A badge the run did not write reads the same every time (directly or in a batch):
        the documented fields get returned before, and never NOT_FOUND before."""
        if code in self._absent:
            raise AssertionError(f"get answered NOT_FOUND for {code!r} before, now returns it")
        earlier = self._returned.get(code, {})
        different = {k: (v, returned.get(k)) for k, v in earlier.items() if returned.get(k) != v}
        if different:
            details = "; ".join(
                f"{key}: {before!r} before, {now!r} now" for key, (before, now) in different.items()
            )
            raise AssertionError(f"get returns badge {code!r} differently each time: {details}")

    def _observe_add(self, code: str, params: Any, status: int, answer: Any, exact: bool) -> None:
        stored = self._badges.get(code, _GONE)
        if status != 200:
            return
        if stored is not _GONE:
            raise AssertionError(f"add of {code!r} succeeded although that code exists")
        result = _result(answer)
        returned = result.get("badge") if isinstance(result, dict) else None
        sent = {key: params.get(key) for key in sorted(BADGE_PARAMETERS)}
        expected = sent if exact else {"code": code, "type": params.get("type")}
        if isinstance(returned, dict):
            self._check_same(expected, returned, "add")
            # What add answered is what the portal stored: get and list must say the same.
            kept = {key: returned.get(key) for key in sorted(BADGE_PARAMETERS)}
            self._badges[code] = kept if exact else {**expected, **kept}
        else:
            self._badges[code] = expected

    def _observe_delete(self, code: str, status: int, answer: Any) -> None:
        if code not in self._badges:
            return  # the run deletes only its own codes
        stored = self._badges[code]
        if stored is _GONE and status == 200:
            raise AssertionError(
                f"delete of {code!r} succeeded again after its delete; it must answer NOT_FOUND"
            )
        if stored is not _GONE and _error(answer) == NOT_FOUND:
            raise AssertionError(f"badge {code!r} was added, but delete answers NOT_FOUND")
        if status == 200:
            self._badges[code] = _GONE

    def _check_same(self, expected: dict[str, Any], returned: Any, where: str) -> None:
        if not isinstance(returned, dict):
            return  # the schema check's finding
        different = {k: (v, returned.get(k)) for k, v in expected.items() if returned.get(k) != v}
        if different:
            verb = "sent" if where == "add" else "added"
            details = "; ".join(
                f"{k}: {verb} {a!r}, {where} returns {b!r}" for k, (a, b) in different.items()
            )
            raise AssertionError(f"badge {expected['code']!r} is not returned as {verb}: {details}")

    def _observe_list(self, params: Any, answer: dict[str, Any]) -> None:
        badges = _result(answer).get("badges")
        if not isinstance(badges, list):
            return  # the schema check's finding
        start = params.get("start") if isinstance(params, dict) else None
        start = start if isinstance(start, int) and not isinstance(start, bool) else 0
        listed = {b.get("code"): b for b in badges if isinstance(b, dict)}
        self._check_paging(answer, start, badges, listed)
        complete = start == 0 and not isinstance(answer.get("next"), int)
        for code, stored in self._badges.items():
            if stored is _GONE and code in listed:
                raise AssertionError(f"badge {code!r} is still listed after its delete")
            if stored is not _GONE and code not in listed and complete:
                raise AssertionError(f"badge {code!r} was added, but list does not return it")
            if stored is not _GONE and code in listed:
                self._check_same(stored, listed[code], "list")
        for code, returned in self._returned.items():
            if code in listed:
                self._check_same(returned, listed[code], "list")
            elif complete:
                raise AssertionError(f"get returned badge {code!r}, but a complete list does not")
        for code in self._absent & set(listed):
            raise AssertionError(f"get answered NOT_FOUND for {code!r}, but list shows it")
        if complete:
            self._listed = {code for code in listed if isinstance(code, str)}

    @staticmethod
    def _check_paging(
        answer: dict[str, Any], start: int, badges: list[Any], listed: dict[Any, Any]
    ) -> None:
        codes = [b.get("code") for b in badges if isinstance(b, dict)]
        if len(listed) != len(codes):
            twice = sorted({str(c) for c in codes if codes.count(c) > 1})
            raise AssertionError(f"list returns the same code more than once: {twice}")
        total, following = answer.get("total"), answer.get("next")
        if isinstance(following, int):
            if following != start + len(badges):
                raise AssertionError(
                    f"list's next is {following}, but start {start} + {len(badges)} badge(s) on "
                    f"the page is {start + len(badges)}"
                )
            if isinstance(total, int) and following >= total:
                raise AssertionError(f"list's next ({following}) is not below total ({total})")
        elif isinstance(total, int) and total != start + len(badges):
            raise AssertionError(
                f"list's total is {total}, but the list (from {start}, no next) has "
                f"{start + len(badges)} badge(s)"
            )
