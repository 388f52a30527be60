"""Bitrix-specific checks, on top of schemathesis's own (schema, status, content type).

Each is a schemathesis check: one job, and a message that says what broke and what a portal
must do instead; schemathesis adds the request as a curl command to reproduce it.
"""

from __future__ import annotations

import json
from datetime import datetime
from typing import Any

from schemathesis import Case, CheckContext, Response

# Seconds of slack for timing arithmetic: portals round, and computing takes time.
TIME_TOLERANCE = 0.05


def json_or_none(content: bytes | None) -> Any:
    """The decoded JSON body, or None when there is none: a finding for the checks, not a crash."""
    try:
        return json.loads(content or b"")
    except ValueError:
        return None


def bitrix_envelope(ctx: CheckContext, response: Response, case: Case[Any]) -> None:
    """A success is HTTP 200 with `result` and `time`; a failure is 4xx/5xx with the envelope."""
    status = response.status_code
    body = json_or_none(response.content)
    if 300 <= status < 400:
        if "location" not in {name.lower() for name in response.headers}:
            raise AssertionError(f"HTTP {status} without a Location header")
        return
    if not isinstance(body, dict):
        raise AssertionError(
            f"HTTP {status} answered a body that is not a JSON object: every Bitrix answer is "
            '`{"result": ..., "time": ...}` or `{"error": ..., "error_description": ...}`'
        )
    if 200 <= status < 300:
        if status != 200:
            raise AssertionError(f"success answered with HTTP {status}: Bitrix answers 200")
        if "error" in body:
            raise AssertionError(
                f"error {body['error']!r} answered with HTTP 200: an error must carry a 4xx "
                "or 5xx status"
            )
        if "result" not in body or "time" not in body:
            missing = [key for key in ("result", "time") if key not in body]
            raise AssertionError(f"HTTP 200 without {' and '.join(missing)}")
        return
    if status >= 400 and not (
        isinstance(body.get("error"), str) and isinstance(body.get("error_description"), str)
    ):
        raise AssertionError(
            f'HTTP {status} without the error envelope {{"error": str, "error_description": str}}'
        )


def bitrix_time(ctx: CheckContext, response: Response, case: Case[Any]) -> None:
    """The `time` block is consistent: finish >= start, duration = finish - start, dates match."""
    if response.status_code != 200:
        return
    body = json_or_none(response.content)
    time = body.get("time") if isinstance(body, dict) else None
    if not isinstance(time, dict) or not all(
        isinstance(time.get(key), int | float) for key in ("start", "finish", "duration")
    ):
        return  # a missing or mistyped field is the schema check's finding
    start, finish, duration = time["start"], time["finish"], time["duration"]
    if finish < start:
        raise AssertionError(f"time.finish ({finish}) is before time.start ({start})")
    if abs(duration - (finish - start)) > TIME_TOLERANCE:
        raise AssertionError(
            f"time.duration is {duration} s but finish - start is {finish - start:.6f} s"
        )
    processing = time.get("processing")
    if isinstance(processing, int | float) and processing > duration + TIME_TOLERANCE:
        raise AssertionError(f"time.processing ({processing} s) exceeds duration ({duration} s)")
    for key, moment in (("date_start", start), ("date_finish", finish)):
        text = time.get(key)
        try:
            stamp = datetime.fromisoformat(text).timestamp() if isinstance(text, str) else None
        except ValueError:
            continue  # not ISO-8601: the schema check's finding
        if stamp is not None and abs(stamp - moment) > 1 + TIME_TOLERANCE:
            raise AssertionError(f"time.{key} {text!r} is not the moment {moment}")


BITRIX_CHECKS = [bitrix_envelope, bitrix_time]
