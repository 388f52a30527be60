"""The badge methods as integrations call them: through `batch` (b24_conformance.batch).

Read-only runs send four batches (a handful of requests in the run's budget): reads that must
agree with the same calls made directly, `halt`, 51 commands and a nested batch. Every read
is a list or a get, the only code named is one of the run's (never added); the 51st command is a
list, so that a portal that runs it shows it whatever its error codes look like. With writes,
the stateful contract through batch: add, get, list and delete of the run's own codes, a
`$result[...]` reference, a duplicate refused, and `halt` proven by the portal's state. The
batches use the encodings the contract describes: JSON (named commands and a list), a
url-encoded form and the GET query form.
"""

from __future__ import annotations

import httpx
import pytest

from b24_conformance.batch import (
    FORM_BODY,
    HALT,
    JSON_BODY,
    LENGTH_EXCEEDED,
    MAX_COMMANDS,
    NOT_ALLOWED,
    OUTCOME,
    QUERY,
    RESULT,
    Batch,
    Command,
    Expect,
    Refusal,
    call,
    exchange,
    failure,
    observe_direct,
)
from b24_conformance.checks import json_or_none
from b24_conformance.model import NOT_FOUND, PortalModel
from b24_conformance.target import Target
from b24_conformance.violations import ContractViolated, violation
from b24_spec.methods import ADD, BATCH, DELETE, GET, LIST

NOT_THERE = "the code was never added"


def absent(target: Target) -> str:
    """A code of this run that no request adds."""
    return f"{target.prefix}batch-absent"


def _first_code(response: httpx.Response) -> str | None:
    """A code list shows that a command can carry as it is: a `$` would be read as a
    `$result[...]` reference inside a batch, and a code longer than any badge's is left out."""
    body = json_or_none(response.content)
    result = body.get("result") if isinstance(body, dict) else None
    badges = result.get("badges") if isinstance(result, dict) else None
    codes = (
        [b.get("code") for b in badges if isinstance(b, dict)] if isinstance(badges, list) else []
    )
    usable = (c for c in codes if isinstance(c, str) and c and "$" not in c and len(c) <= 255)
    return next(usable, None)


def test_reads_through_batch_agree_with_direct_calls(target: Target, model: PortalModel) -> None:
    """list, a get of a badge list shows and a get of an unknown code, directly and then in
    one batch (the GET query form, commands encoded twice): the same answers."""
    commands = {"listed": Command(LIST, expect=RESULT)}
    direct = {"listed": call(target, model, commands["listed"])}
    if (known := _first_code(direct["listed"])) is not None:
        commands["known"] = Command(GET, {"code": known}, expect=RESULT)
    commands["unknown"] = Command(GET, {"code": absent(target)}, expect=failure(NOT_THERE))
    for key, command in commands.items():
        if key not in direct:
            direct[key] = call(target, model, command)
    exchange(target, model, Batch(commands, encoding=QUERY), direct)


def test_halt_stops_at_the_first_failing_command(target: Target, model: PortalModel) -> None:
    """halt=1 (a url-encoded form): the command after the failing one never runs."""
    commands = {
        "first": Command(LIST, expect=RESULT),
        "fails": Command(GET, {"code": absent(target)}, expect=failure(NOT_THERE)),
        "after": Command(LIST),
    }
    exchange(target, model, Batch(commands, halt=True, encoding=FORM_BODY))


def test_a_command_beyond_the_50th_does_not_run(target: Target, model: PortalModel) -> None:
    """51 commands (a JSON list): the whole batch refused with ERROR_BATCH_LENGTH_EXCEEDED, or
    the 51st in result_error with it, not run (D-BATCH-LENGTH)."""
    reads = [Command(GET, {"code": absent(target)}) for _ in range(MAX_COMMANDS)]
    beyond = Command(LIST, expect=failure("D-BATCH-LENGTH: beyond the 50th", LENGTH_EXCEEDED))
    refusal = Refusal("D-BATCH-LENGTH", frozenset({LENGTH_EXCEEDED}))
    exchange(target, model, Batch([*reads, beyond], refusal=refusal))


def test_a_nested_batch_does_not_run(target: Target, model: PortalModel) -> None:
    """A batch command calling batch ends with ERROR_BATCH_METHOD_NOT_ALLOWED, or the whole
    batch is refused (D-BATCH-NESTED)."""
    inner = Command(GET, {"code": absent(target)}).text
    nested = Command(
        BATCH, {"cmd": {"inner": inner}}, expect=failure("D-BATCH-NESTED", NOT_ALLOWED)
    )
    exchange(target, model, Batch({"nested": nested}, refusal=Refusal("D-BATCH-NESTED")))


@pytest.mark.b24_writes
def test_the_stateful_contract_through_batch(target: Target, model: PortalModel) -> None:
    """Three batches on two codes of the run: add both (a plain and a localized badge), get one
    through a `$result[...]` reference, list, add a taken code; then with halt, delete, get the
    deleted badge (fails) and a delete that must not run, which a direct get proves; then a
    list of commands deletes the rest. Every answer also goes to the run's model."""
    plain, localized = f"{target.prefix}batch-plain", f"{target.prefix}batch-localized"
    badge = {"code": plain, "title": "Call status", "value": "Missed", "type": "failure"}
    languages = {"code": localized, "title": {"ru": "Внимание", "en": "Alarm"}, "type": "primary"}
    languages["value"] = {"en": "!"}
    added = {
        "add": Command(ADD, badge, expect=RESULT),
        "add_languages": Command(ADD, languages, expect=RESULT),
        "read": Command(
            GET,
            {"code": "$result[add][badge][code]"},
            expect=Expect("result", "$result[add][badge][code] is the code add answered"),
            means={"code": plain},
        ),
        "listed": Command(LIST, expect=RESULT),
        "again": Command(ADD, {**badge, "title": "Again"}, expect=failure("the code is taken")),
    }
    exchange(target, model, Batch(added))

    halted = {
        "delete": Command(DELETE, {"code": plain}, expect=RESULT),
        "read_deleted": Command(GET, {"code": plain}, expect=failure("deleted just before")),
        "delete_languages": Command(DELETE, {"code": localized}),  # halt: never runs
    }
    exchange(target, model, Batch(halted, halt=True, encoding=FORM_BODY))
    still_there(target, model, localized)

    removed = [
        Command(DELETE, {"code": localized}, expect=RESULT),
        Command(GET, {"code": localized}, expect=failure("deleted just before")),
        Command(DELETE, {"code": plain}, expect=failure("deleted by an earlier batch")),
    ]
    exchange(target, model, Batch(removed, encoding=JSON_BODY))
    call(target, model, Command(LIST))  # the model: neither badge is listed any more


def still_there(target: Target, model: PortalModel, code: str) -> None:
    """The portal's state proves halt: the command after the failure did not delete `code`."""
    read = Command(GET, {"code": code})
    response = target.post(read.method, read.params)
    body = json_or_none(response.content)
    if isinstance(body, dict) and body.get("error") == NOT_FOUND:
        message = (
            f"badge {code!r} is gone, so the batch's delete of it ran after an earlier command "
            "failed, though the batch asked to halt"
        )
        raise ContractViolated([violation(BATCH, HALT, message, response)])
    if response.status_code != 200:
        message = f"get of {code!r}, added by a batch, answered HTTP {response.status_code}"
        raise ContractViolated([violation(GET, OUTCOME, message, response)])
    observe_direct(model, read, response)
