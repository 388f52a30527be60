"""The `batch` method: many commands in one request (docs settings/how-to-call-rest-api/batch.md).

`cmd` is a map (named keys) or a list (numeric keys) of `method?query` strings, the query read
as PHP's parse_str reads it (bracket keys, URL encoding); `halt` (0/1, true/false) stops at the
first command that fails. Commands run in order, each through the portal's own checks (scope,
operating time, rights), and a command's parameters may quote earlier answers:
`$result[name][field]...` (also `$total`, `$next`, `$time`, `$error`).

The answer follows the portal's code (the Bitrix `rest` module: CRestProvider::methodsBatch in
modules/rest/classes/general/rest_provider.php, CRestUtil::ParseBatchQuery in rest_util.php, as
published in the public mirror avshatalov48/bitrix-core-business) and the docs: `result`,
`result_error`, `result_total`, `result_next`, `result_time`, each keyed by command key and
each rendered as PHP's json_encode renders an array: `[]` when empty, a list
when the keys are 0, 1, 2, ... in order, an object otherwise. Commands past the 50th end with
ERROR_BATCH_LENGTH_EXCEEDED in `result_error` (the docs' note and the portal's code; a public
integration's comment reports a live portal doing so), a nested `batch` with
ERROR_BATCH_METHOD_NOT_ALLOWED. A command that is not a string is skipped, as the portal's code
does.

The emulator's own bounds, so that memory stays bounded: a `cmd` of more than MAX_ENTRIES
entries is refused as a whole (400 ERROR_BATCH_LENGTH_EXCEEDED, the docs' error table), and a
command whose result would take the answer past `max_answer_bytes` ends with
ERROR_BATCH_ANSWER_TOO_LARGE. Where the portal's code has quirks the emulator does not copy:
`halt` given as the string "false" means false (PHP would cast it to true), and references are
matched bracket by bracket rather than by PHP's greedy pattern.
"""

from __future__ import annotations

import json
import re
from collections.abc import Callable
from typing import Any, Protocol

from b24_emulator import errors
from b24_emulator.params import Params, command_params

BATCH = "batch"
MAX_COMMANDS = 50  # docs: "no more than 50 subqueries"
MAX_ENTRIES = 1000  # the emulator's own bound on `cmd` entries, the same as on form fields

# `$result[cmd][field]...`: the section (case-insensitive, as the portal's /i pattern) and the
# bracketed path. The portal offers every section of its working answer, not only `result`.
_REFERENCE = re.compile(r"\$(result|next|total|time|error)((?:\[[^\]\s]+\])+)", re.IGNORECASE)
_STEP = re.compile(r"\[([^\]\s]+)\]")


class Done(Protocol):
    """What a command that succeeded gives back (app.Done)."""

    @property
    def answer(self) -> dict[str, Any]:
        """The method's answer fields: `result`, and `total` or `next` when it sends them."""
        ...

    @property
    def time(self) -> dict[str, Any]:
        """The command's own `time` block, filed under `result_time`."""
        ...


Execute = Callable[[str, str, Params], Done]  # (key, method, params): one command, run


def run_batch(execute: Execute, params: Params, max_answer_bytes: int) -> dict[str, Any]:
    """The `result` of a batch call: every command run, its answer or error filed by its key."""
    upper = {str(key).upper(): value for key, value in params.items()}  # array_change_key_case
    halt = _truthy(upper.get("HALT", False))
    commands = _commands(upper.get("CMD"))
    if len(commands) > MAX_ENTRIES:
        raise errors.batch_length_exceeded()

    sections: dict[str, dict[str, Any]] = {s: {} for s in ("result", "next", "total", "time")}
    sections["error"] = {}
    spent = 0
    for count, (key, command) in enumerate(commands):
        if count >= MAX_COMMANDS:
            failure: errors.PortalError | None = errors.batch_length_exceeded()
        elif not isinstance(command, str):
            continue
        else:
            failure = None
            try:
                done = _run(execute, key, command, sections)
            except errors.PortalError as error:
                failure = error
            else:
                size = _json_size(done.answer["result"])
                if spent + size > max_answer_bytes:
                    failure = errors.batch_answer_too_large(max_answer_bytes)
                else:
                    spent += size
                    _file(sections, key, done)
        if failure is not None:
            sections["error"][key] = failure.body()
            if halt:
                break
    return {
        "result": php_array(sections["result"]),
        "result_error": php_array(sections["error"]),
        "result_total": php_array(sections["total"]),
        "result_next": php_array(sections["next"]),
        "result_time": php_array(sections["time"]),
    }


def _run(execute: Execute, key: str, command: str, sections: dict[str, dict[str, Any]]) -> Done:
    target = command.partition("#")[0]  # parse_url drops a fragment
    name, _, query = target.partition("?")
    params = _resolve(command_params(query), sections)
    params.pop("auth", None)  # the batch's own credentials are used, as on a portal
    if name.lower().removesuffix(".json") == BATCH:
        raise errors.batch_method_not_allowed()
    return execute(key, name, params)


def _file(sections: dict[str, dict[str, Any]], key: str, done: Done) -> None:
    sections["result"][key] = done.answer["result"]
    for field in ("total", "next"):
        if field in done.answer:
            sections[field][key] = done.answer[field]
    sections["time"][key] = done.time


def _commands(cmd: Any) -> list[tuple[str, Any]]:
    """`cmd` as (key, command) pairs: a JSON list has keys 0, 1, ...; not an array: none."""
    if isinstance(cmd, dict):
        return [(str(key), command) for key, command in cmd.items()]
    if isinstance(cmd, list):
        return [(str(index), command) for index, command in enumerate(cmd)]
    return []  # PHP's foreach over a string or a number runs no command


def _truthy(value: Any) -> bool:
    """`halt` as documented: true/false or 1/0, whatever the encoding carried."""
    if isinstance(value, str):
        return value.lower() not in ("", "0", "false")
    return bool(value)


def _resolve(params: Any, sections: dict[str, dict[str, Any]]) -> Any:
    """Replace `$result[...]` references in every value, however deeply nested."""
    if isinstance(params, dict):
        return {key: _resolve(value, sections) for key, value in params.items()}
    if not isinstance(params, str) or "$" not in params:
        return params
    whole = _REFERENCE.fullmatch(params)
    if whole is not None:  # the value is one reference: it takes the referenced value as is
        return _follow(whole, sections)
    return _REFERENCE.sub(lambda match: _php_string(_follow(match, sections)), params)


def _follow(reference: re.Match[str], sections: dict[str, dict[str, Any]]) -> Any:
    """Walk the path as the portal does: a step that is not there stops the walk where it is."""
    node: Any = sections[reference.group(1).lower()]
    for step in _STEP.findall(reference.group(2)):
        if isinstance(node, dict) and node.get(step) is not None:
            node = node[step]
        elif isinstance(node, list) and step.isdigit() and int(step) < len(node):
            node = node[int(step)]
        else:
            break
    return node


def _php_string(value: Any) -> str:
    """A value as PHP's string conversion writes it into a longer string."""
    if value is None or value is False:
        return ""
    if value is True:
        return "1"
    if isinstance(value, float) and value.is_integer():
        return str(int(value))
    if isinstance(value, dict | list):
        return "Array"
    return str(value)


def php_array(entries: dict[str, Any]) -> list[Any] | dict[str, Any]:
    """Keyed entries as PHP's json_encode writes an array: a list when keys are 0..n-1."""
    if list(entries) == [str(index) for index in range(len(entries))]:
        return list(entries.values())
    return entries


def _json_size(value: Any) -> int:
    return len(json.dumps(value, ensure_ascii=False, separators=(",", ":")).encode("utf-8"))
