"""The badge methods through `batch`: requests the suite builds itself, and what their answers
must say.

The contract marks batch `x-b24-fuzz: false` (a generated command could call any method of a
customer's portal), so the suite never sends generated commands: each `Batch` here is written by
a test of `suite/test_batch.py`, its writes under the run's prefix (refused otherwise, before
anything is sent). An answer is judged as a whole and command by command:

* the batch answer: the envelope and `time` (the Bitrix checks), and the schema the batch
  operation declares for its status;
* each command's entries against the schema the contract states for them
  (`x-b24-command-results`, read by `Contract.command_schema`): a result is its method's direct
  `result`, a sub-error the error envelope, `result_time` the `time` object, a list's
  `result_total` and `result_next` its `total` and `next`;
* the shape (D-BATCH-SHAPES): entries are filed under the commands' names (a JSON list only for
  a list of commands, `[]` for an empty part), no command both succeeded and failed, every
  command is answered, and with `halt` nothing after the first failure ran;
* what the test expects of a command (a result, or an error, with the codes a decision names;
  an empty code is always accepted in a sub-error, as real portals send them, facts §8);
* agreement: the same call made directly in the run answers the same (the documented fields of
  a badge, the badges of a complete list, an error's code), and every command's entries are fed
  to the run's model as the direct answer they stand for, so that everything the portal says,
  directly or in a batch, agrees.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass, field
from typing import Any, cast

import httpx
import schemathesis

from b24_conformance.checks import BITRIX_CHECKS, json_or_none
from b24_conformance.commands import command_text
from b24_conformance.model import PortalModel
from b24_conformance.safety import BADGE_PARAMETERS, WRITE_METHODS
from b24_conformance.target import Target
from b24_conformance.violations import ContractViolated, Violation, violation
from b24_spec import Contract
from b24_spec.methods import BATCH, GET_FORM

CONTRACT = Contract.load()
MAX_COMMANDS = 50  # docs batch.md: no more than 50 commands in one batch (D-BATCH-LENGTH)
LENGTH_EXCEEDED = "ERROR_BATCH_LENGTH_EXCEEDED"
NOT_ALLOWED = "ERROR_BATCH_METHOD_NOT_ALLOWED"
# The parts of `result` in a batch answer, and the part of `x-b24-command-results` each is.
PARTS = {
    "result": "result",
    "result_error": "error",
    "result_time": "time",
    "result_total": "total",
    "result_next": "next",
}
UNAVAILABLE = (429, 503)  # rate limits, after the transport's retries: not the batch's fault
RAN = ("result", "total", "next")  # a command with an entry here ran (time may note a refusal)
JSON_BODY, FORM_BODY, QUERY = "JSON", "url-encoded form", "GET query"

# The checks, as the report names them.
ANSWER = "batch answer"
ENTRY = "batch entry schema"
SHAPE = "batch shape"
HALT = "batch halt"
OUTCOME = "batch command outcome"
AGREEMENT = "batch agrees with direct calls"
CONSISTENCY = "batch consistency"


@dataclass(frozen=True)
class Expect:
    """What a command's entry must be: a result, or an error (with one of `codes`, if any)."""

    part: str  # "result" or "error"
    why: str = ""
    codes: frozenset[str] = frozenset()


RESULT = Expect("result")


def failure(why: str, *codes: str) -> Expect:
    """An error, with one of `codes` if any are given (an empty code is always accepted)."""
    return Expect("error", why, frozenset(codes))


@dataclass(frozen=True)
class Command:
    """One call of a batch, as the suite writes it. `means` is what the call amounts to once
    its `$result[...]` references are resolved (default: `params`), for the model."""

    method: str
    params: dict[str, Any] = field(default_factory=dict)
    expect: Expect | None = None
    means: dict[str, Any] | None = None

    @property
    def text(self) -> str:
        """The command as the portal reads it in `cmd`: `method?query`, the same in every
        encoding of the batch."""
        return command_text(self.method, self.params)

    @property
    def meant(self) -> dict[str, Any]:
        """The parameters the model is told the command was called with: a `$result[...]`
        reference is not a code the model could know."""
        return self.params if self.means is None else self.means


@dataclass(frozen=True)
class Refusal:
    """A portal may refuse the whole batch instead (a 4xx error envelope), with one of `codes`
    (any code when empty), as the decision `why` allows."""

    why: str
    codes: frozenset[str] = frozenset()


@dataclass(frozen=True)
class Batch:
    """A batch the suite sends: named commands (a map) or a list of them."""

    commands: dict[str, Command] | list[Command]
    halt: bool = False
    encoding: str = JSON_BODY
    refusal: Refusal | None = None

    @property
    def named(self) -> bool:
        """Whether a portal must file the answers under the commands' names (else by position,
        as a JSON list)."""
        return isinstance(self.commands, dict)

    def items(self) -> list[tuple[str, Command]]:
        """Each command under the key its answers are filed under: its name, or its position
        as a string (`"0"`, `"1"`, ...) for a list of commands."""
        if isinstance(self.commands, dict):
            return list(self.commands.items())
        return [(str(index), command) for index, command in enumerate(self.commands)]

    @property
    def operation(self) -> str:
        """The spec's operation the request is: `batch`, or `batch@GET` for the query form."""
        return BATCH + GET_FORM if self.encoding == QUERY else BATCH

    def describe(self, key: str) -> str:
        """`command 'k' (method?query)`: how a finding names the command, its text cut short."""
        command = dict(self.items())[key]
        return f"command {key!r} ({_short(command.text)})"


def _short(text: str, limit: int = 120) -> str:
    return text if len(text) <= limit else text[:limit] + "..."


# -- sending -------------------------------------------------------------------------------------


def check_owned(target: Target, batch: Batch) -> None:
    """Every write of a batch is a literal code under the run's prefix; ValueError (a bug of the
    suite, nothing is sent) otherwise: a reference could resolve to a customer's code."""
    for key, command in batch.items():
        code = command.params.get("code")
        if command.method in WRITE_METHODS and not (
            isinstance(code, str) and code.startswith(target.prefix)
        ):
            raise ValueError(f"batch command {key!r} writes {code!r}, not a code of this run")


def send(target: Target, batch: Batch) -> httpx.Response:
    """Send the batch in its encoding through the run's transport; the answer masked."""
    check_owned(target, batch)
    halt = 1 if batch.halt else 0
    if batch.encoding == JSON_BODY:
        cmd: dict[str, str] | list[str] = (
            {key: command.text for key, command in batch.items()}
            if batch.named
            else [command.text for _, command in batch.items()]
        )
        return target.post(BATCH, {"cmd": cmd, "halt": halt})
    fields = {f"cmd[{key}]": command.text for key, command in batch.items()}
    fields["halt"] = str(halt)
    if batch.encoding == FORM_BODY:
        return target.mask(target.http.post(BATCH, data=fields))
    return target.mask(target.http.get(BATCH, params=fields))


def call(target: Target, model: PortalModel, command: Command) -> httpx.Response:
    """The same call made directly (JSON), observed by the model like every answer of the run."""
    response = target.post(command.method, command.params)
    observe_direct(model, command, response)
    return response


def observe_direct(model: PortalModel, command: Command, response: httpx.Response) -> None:
    """The model's judgement of a direct call; ContractViolated when it disagrees."""
    body = json_or_none(response.content)
    try:
        model.observe(command.method, command.params, response.status_code, body)
    except AssertionError as error:
        raise ContractViolated(
            [violation(command.method, "consistency", str(error), response)]
        ) from None


# -- reading an answer ---------------------------------------------------------------------------


@dataclass
class Answered:
    """What a batch answer says about one command: its entry in each part that has one."""

    entries: dict[str, Any] = field(default_factory=dict)  # "result", "error", "time", ...

    @property
    def ran(self) -> bool:
        """Whether the command ran: a result, total or next entry; a `time` entry alone does
        not count, since a portal may note the time of a refused command."""
        return any(part in self.entries for part in RAN)

    @property
    def answered(self) -> bool:
        """Whether the answer says anything of the command: it ran, or it failed."""
        return self.ran or "error" in self.entries

    def as_direct(self) -> tuple[int, Any]:
        """The direct answer the entries stand for: 200 with `result` (and `time`, `total`,
        `next`), or an error envelope (a 4xx: a sub-error carries no status)."""
        if "result" in self.entries:
            answer = {"result": self.entries["result"]}
            answer.update({k: v for k, v in self.entries.items() if k in ("time", "total", "next")})
            return 200, answer
        return 400, self.entries.get("error")


class Judgement:
    """The findings about one batch exchange, collected, then raised together."""

    def __init__(self, batch: Batch, response: httpx.Response) -> None:
        self.batch = batch
        self.response = response
        self.body = json_or_none(response.content)
        self.found: list[Violation] = []
        self.commands: dict[str, Answered] = {key: Answered() for key, _ in batch.items()}
        self.faulty: set[str] = set()  # commands with a finding of their own: not judged further

    def fail(self, check: str, message: str) -> None:
        """Note a finding of `check` against the batch operation; nothing is raised until
        `conclude`, so one exchange reports every finding at once."""
        self.found.append(violation(self.batch.operation, check, message, self.response))

    def conclude(self) -> None:
        """ContractViolated with every finding, if there is any; else nothing."""
        if self.found:
            raise ContractViolated(self.found)


def exchange(
    target: Target,
    model: PortalModel,
    batch: Batch,
    direct: dict[str, httpx.Response] | None = None,
) -> Judgement:
    """Send `batch` and judge its answer; ContractViolated with every finding. `direct` holds
    the answers of the same calls made directly, by command name, to compare with."""
    judgement = Judgement(batch, send(target, batch))
    judge(judgement, model, direct or {})
    judgement.conclude()
    return judgement


def judge(judgement: Judgement, model: PortalModel, direct: dict[str, httpx.Response]) -> None:
    """Every check of a batch exchange, in order; findings land in `judgement.found`."""
    if not check_answer(judgement):
        return
    if judgement.response.status_code != 200:
        check_refusal(judgement)
        return
    if not read_parts(judgement):
        return
    check_entries(judgement)
    check_order(judgement)
    agreeing = compare(judgement, direct)
    observe(judgement, model, agreeing - judgement.faulty)


def check_answer(judgement: Judgement) -> bool:
    """The answer as a whole: the Bitrix envelope and `time`, and the operation's schema for its
    status. False when there is nothing more to read."""
    response = schemathesis.Response.from_any(judgement.response)
    no_context = cast(Any, None)  # the Bitrix checks read neither the context nor the case
    for check in BITRIX_CHECKS:
        try:
            check(no_context, response, no_context)
        except AssertionError as error:
            judgement.fail(ANSWER, str(error))
    status = judgement.response.status_code
    schema = CONTRACT.response_schema(judgement.batch.operation, status)
    if schema is None:
        judgement.fail(ANSWER, f"HTTP {status} is not an answer the contract declares for batch")
    elif problems := CONTRACT.violations(judgement.body, schema):
        judgement.fail(
            ANSWER,
            f"the answer (HTTP {status}) does not match the batch operation's response schema: "
            + "; ".join(problems[:5]),
        )
    return not judgement.found


def check_refusal(judgement: Judgement) -> None:
    """A batch refused as a whole: only where a decision allows it, with the code it names."""
    batch, body = judgement.batch, judgement.body
    code = body.get("error") if isinstance(body, dict) else None
    status = judgement.response.status_code
    refusal = batch.refusal
    if status in UNAVAILABLE:
        raise RuntimeError(
            f"the portal answered batch with HTTP {status} {code!r} after the retries: it "
            "cannot be checked now"
        )
    if refusal is None or not 400 <= status < 500:
        judgement.fail(
            OUTCOME,
            f"a valid batch was refused as a whole with HTTP {status} {code!r}: a portal runs "
            "each command and files its result or error in the answer (D-BATCH-SHAPES)",
        )
    elif refusal.codes and code not in refusal.codes:
        judgement.fail(
            OUTCOME,
            f"the batch was refused as a whole with {code!r}; {refusal.why} allows that only "
            f"with {' or '.join(sorted(refusal.codes))}",
        )


def read_parts(judgement: Judgement) -> bool:
    """File each part's entries under their commands; False when the parts cannot be read
    (the schema check's finding, or entries that cannot be told apart)."""
    result = judgement.body.get("result") if isinstance(judgement.body, dict) else None
    if not isinstance(result, dict):
        return False
    readable = True
    for name, part in PARTS.items():
        entries = _entries(judgement, name, result.get(name))
        readable = readable and entries is not None
        for key, entry in (entries or {}).items():
            if key not in judgement.commands:
                judgement.fail(
                    SHAPE, f"result.{name} has an entry under {key!r}, which names no command"
                )
            else:
                judgement.commands[key].entries[part] = entry
    return readable


def _entries(judgement: Judgement, name: str, part: Any) -> dict[str, Any] | None:
    """A part as {command name: entry}: an object as it is, a list by position (D-BATCH-SHAPES:
    a list for a list of commands, `[]` for an empty part); None for a list of entries of named
    commands, which cannot be told apart."""
    if isinstance(part, dict):
        return {str(key): entry for key, entry in part.items()}
    if not isinstance(part, list) or not part:
        return {}
    if judgement.batch.named:
        judgement.fail(
            SHAPE,
            f"result.{name} is a JSON list, but the commands were named "
            f"({_listing(list(judgement.commands))}): each entry must be filed under its "
            "command's name (D-BATCH-SHAPES)",
        )
        return None
    return {str(index): entry for index, entry in enumerate(part)}


def check_entries(judgement: Judgement) -> None:
    """Each entry against the schema `x-b24-command-results` states for its method and part;
    commands with the same finding are named in one violation."""
    found: dict[tuple[str, str, str], list[str]] = {}
    for key, command in judgement.batch.items():
        for part, entry in judgement.commands[key].entries.items():
            schema = CONTRACT.command_schema(command.method, part)
            if schema is None and part == "error":
                schema = CONTRACT.schema("Error")  # every sub-error, whatever its method
            if schema is None:
                continue  # a part the contract does not describe for this method
            if problems := CONTRACT.violations(entry, schema):
                judgement.faulty.add(key)
                found.setdefault((part, command.method, "; ".join(problems[:5])), []).append(key)
    for (part, method, text), keys in found.items():
        what = "the error envelope" if part == "error" else f"the method's direct {part}"
        section = next(name for name, p in PARTS.items() if p == part)
        where = (
            f"result.{section}[{keys[0]!r}] of {judgement.batch.describe(keys[0])}"
            if len(keys) == 1
            else f"result.{section} of {len(keys)} {method} commands ({_listing(keys)})"
        )
        judgement.fail(ENTRY, f"{where} is not {what} (x-b24-command-results): {text}")


def _listing(keys: list[str], shown: int = 5) -> str:
    names = ", ".join(map(repr, keys[:shown]))
    return names if len(keys) <= shown else f"{names} and {len(keys) - shown} more"


def check_order(judgement: Judgement) -> None:
    """Every command answered once, as the test expects; with halt, none after a failure."""
    batch = judgement.batch
    stopped_by: str | None = None
    for key, command in batch.items():
        answered = judgement.commands[key]
        if stopped_by is not None:
            if answered.answered:
                judgement.fail(
                    HALT,
                    f"{batch.describe(key)} was answered although {stopped_by!r} failed before "
                    "it and the batch asked to halt: with halt a batch stops at the first "
                    "failing command",
                )
            continue
        if "result" in answered.entries and "error" in answered.entries:
            judgement.fail(SHAPE, f"{batch.describe(key)} has both a result and an error")
        elif not answered.answered:
            judgement.fail(
                SHAPE,
                f"{batch.describe(key)} has neither a result nor an error: every command of a "
                "batch is answered until one fails with halt",
            )
        elif command.expect is not None and key not in judgement.faulty:
            check_expected(judgement, key, command.expect, answered)
        if batch.halt and "error" in answered.entries:
            stopped_by = key


def check_expected(judgement: Judgement, key: str, expect: Expect, answered: Answered) -> None:
    """The command ended as its test expects (a result, or an error with one of the codes a
    decision names; an empty code always passes, facts §8); a miss marks it faulty, so the
    agreement and model checks do not judge it again."""
    why = f" ({expect.why})" if expect.why else ""
    what = judgement.batch.describe(key)
    problem = None
    if expect.part == "result" and "result" not in answered.entries:
        problem = f"{what} failed, but it must succeed{why}"
    elif expect.part == "error" and answered.ran:
        problem = f"{what} ran, but it must end with an error{why}"
    elif expect.part == "error" and expect.codes:
        code = answered.entries["error"].get("error") if _is_envelope(answered) else None
        if code not in expect.codes | {""}:
            allowed = " or ".join(sorted(expect.codes))
            problem = f"{what} ended with {code!r}, but it must end with {allowed}{why}"
    if problem is not None:
        judgement.fail(OUTCOME, problem)
        judgement.faulty.add(key)


def _is_envelope(answered: Answered) -> bool:
    return isinstance(answered.entries.get("error"), dict)


# -- agreement -----------------------------------------------------------------------------------


def compare(judgement: Judgement, direct: dict[str, httpx.Response]) -> set[str]:
    """Each command with a direct twin answers what the twin answered; the names that agree."""
    agreeing = set(judgement.commands) - set(direct)
    for key, response in direct.items():
        answered = judgement.commands[key]
        if not answered.answered or key in judgement.faulty:
            continue  # the order or the schema check's finding
        difference = differs(
            response.status_code, json_or_none(response.content), *answered.as_direct()
        )
        if difference is None:
            agreeing.add(key)
        else:
            judgement.fail(
                AGREEMENT,
                f"{judgement.batch.describe(key)} does not answer what the same call made "
                f"directly answered: {difference}",
            )
    return agreeing


def differs(status: int, body: Any, sub_status: int, sub_answer: Any) -> str | None:
    """How a command's entries differ from the direct answer of the same call, or None.

    Compared: whether it failed; an error's code (an empty code in a sub-error is a real
    portal's quirk, facts §8); a badge's documented fields; a list's total, and its badges by
    code (order is not guaranteed) when neither answer is a page of a longer list. Fields the
    contract does not describe, and `time`, may differ.
    """
    if (status == 200) != (sub_status == 200):
        said = "a result" if status == 200 else f"the error {_code(body)!r}"
        return f"directly {said}, in the batch {'a result' if sub_status == 200 else 'an error'}"
    if status != 200:
        code, sub_code = _code(body), _code(sub_answer)
        return None if sub_code in (code, "") else f"directly {code!r}, in the batch {sub_code!r}"
    result, sub_result = _result(body), _result(sub_answer)
    if isinstance(result, dict) and isinstance(sub_result, dict) and "badges" in result:
        return _lists_differ(body, sub_answer)
    if isinstance(result, dict) and isinstance(sub_result, dict) and "badge" in result:
        return _badges_differ({"": result["badge"]}, {"": sub_result.get("badge")})
    return None if result == sub_result else f"directly {result!r}, in the batch {sub_result!r}"


def _result(answer: Any) -> Any:
    return answer.get("result") if isinstance(answer, dict) else None


def _code(answer: Any) -> Any:
    return answer.get("error") if isinstance(answer, dict) else None


def _lists_differ(direct: dict[str, Any], inside: dict[str, Any]) -> str | None:
    total, sub_total = direct.get("total"), inside.get("total")
    if isinstance(total, int) and isinstance(sub_total, int) and total != sub_total:
        return f"total {total} directly, {sub_total} in the batch"
    if any(isinstance(answer.get("next"), int) for answer in (direct, inside)):
        return None  # a page: another call may page differently
    return _badges_differ(_by_code(direct), _by_code(inside))


def _by_code(answer: dict[str, Any]) -> dict[Any, Any]:
    badges = answer["result"].get("badges")
    found = badges if isinstance(badges, list) else []
    return {badge.get("code"): badge for badge in found if isinstance(badge, dict)}


def _badges_differ(direct: dict[Any, Any], inside: dict[Any, Any]) -> str | None:
    """Badges by code (one badge under ""): which are missing, and which fields differ."""
    problems = [f"{code!r} only directly" for code in direct if code not in inside]
    problems += [f"{code!r} only in the batch" for code in inside if code not in direct]
    for code, badge in direct.items():
        other = inside.get(code)
        if not (isinstance(badge, dict) and isinstance(other, dict)):
            continue
        for key in sorted(BADGE_PARAMETERS):
            if badge.get(key) != other.get(key):
                name = f"{code!r} " if code else ""
                problems.append(
                    f"{name}{key} {badge.get(key)!r} directly, {other.get(key)!r} in the batch"
                )
    return "; ".join(problems[:5]) or None


def observe(judgement: Judgement, model: PortalModel, keys: Iterable[str]) -> None:
    """Feed the model each command's entries as the direct answer they stand for."""
    chosen = set(keys)
    for key, command in judgement.batch.items():
        answered = judgement.commands[key]
        if key not in chosen or not answered.answered:
            continue
        status, answer = answered.as_direct()
        try:
            model.observe(command.method, command.meant, status, answer)
        except AssertionError as error:
            judgement.fail(CONSISTENCY, f"{judgement.batch.describe(key)}: {error}")
