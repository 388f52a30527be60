"""Batch commands as text: `method?query`, written the way PHP reads it, and read back.

A batch carries each call as one string, `method?code=x&title[ru]=...`, its query in PHP's
form encoding (bracket keys for maps, URL encoding for the rest; docs
settings/how-to-call-rest-api/batch.md). The suite writes its own commands with `command_text`,
never generated ones, and the run's transport reads every batch it sends with `added_codes`, so
that the journal knows each code a batch adds before the batch goes out, as it does for add.
"""

from __future__ import annotations

import json
from collections.abc import Iterator
from typing import Any
from urllib.parse import parse_qsl, quote, urlencode

import httpx

from b24_spec.media import FORM, JSON, media_type
from b24_spec.methods import ADD, BATCH, method_name

# Left readable in a command: brackets of PHP keys and the `$` of `$result[...]` references
# mean the same to PHP's parse_str encoded or not.
_READABLE = "[]$"


def _pairs(key: str, value: Any) -> Iterator[tuple[str, str]]:
    """A parameter as PHP form fields: a map's entries under `key[entry]`, nested as deep as
    it goes."""
    if isinstance(value, dict):
        for inner, item in value.items():
            yield from _pairs(f"{key}[{inner}]", item)
    elif isinstance(value, str):
        yield key, value
    else:  # the suite writes strings: a command's query carries no types
        raise TypeError(f"a batch command's parameter {key!r} must be a string or a map")


def command_text(method: str, params: dict[str, Any]) -> str:
    """`method?query` for one command; just `method` when it has no parameters."""
    fields = [pair for key, value in params.items() for pair in _pairs(key, value)]
    if not fields:
        return method
    return f"{method}?{urlencode(fields, quote_via=quote, safe=_READABLE)}"


def command_method(text: str) -> str:
    """The method a command calls, as a portal reads it (case and `.json` do not matter)."""
    return method_name("/" + text.partition("#")[0].partition("?")[0])


def command_code(text: str) -> str | None:
    """The `code` parameter of a command (the last one, as parse_str keeps), or None."""
    query = text.partition("#")[0].partition("?")[2]
    codes = [value for key, value in parse_qsl(query, keep_blank_values=True) if key == "code"]
    return codes[-1] if codes else None


def sent_commands(request: httpx.Request) -> list[str]:
    """The commands of a batch request as the suite sends it (`cmd` in a JSON body, or
    `cmd[name]` fields of a url-encoded body or of the query string); [] for anything else."""
    if method_name(request.url.path) != BATCH:
        return []
    fields = list(request.url.params.multi_items())
    kind = media_type(request.headers)
    try:
        content = request.read()
        if kind == JSON:
            body = json.loads(content or b"null")
            cmd = next((v for k, v in body.items() if k.lower() == "cmd"), None)
            found = cmd.values() if isinstance(cmd, dict) else cmd if isinstance(cmd, list) else []
            return [command for command in found if isinstance(command, str)]
        if kind == FORM:
            fields += parse_qsl(content.decode("utf-8", "replace"), keep_blank_values=True)
    except (ValueError, AttributeError, UnicodeDecodeError):
        return []  # not a body the suite sends: it carries no command of the run
    return [value for key, value in fields if key.lower().startswith("cmd[")]


def added_codes(request: httpx.Request) -> list[str]:
    """The codes the add commands of a batch request carry, in order."""
    codes = (
        command_code(command)
        for command in sent_commands(request)
        if command_method(command) == ADD
    )
    return [code for code in codes if code is not None]
