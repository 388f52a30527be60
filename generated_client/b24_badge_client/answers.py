"""Reading an answer before the generated models do.

Anything but a 200 JSON answer becomes the typed exception for it here, with the raw response
kept (secrets masked), so the generated parsers only ever see what they were generated for.
Runs as an httpx response hook, so calls through `client.generated` get the same treatment.
"""

from __future__ import annotations

import json
from datetime import timedelta

import httpx

from b24_badge_client.errors import PortalMoved, UnexpectedResponse, error_for
from b24_badge_client.redaction import Secrets


def is_json(response: httpx.Response) -> bool:
    media_type: str = response.headers.get("content-type", "").split(";")[0].strip().lower()
    return media_type == "application/json" or media_type.endswith("+json")


# Headers that describe the body as it came over the wire; the copy holds it decoded.
_FRAMING = frozenset({"content-encoding", "content-length", "transfer-encoding"})


def masked(response: httpx.Response, secrets: Secrets) -> httpx.Response:
    """A copy of the response, with every secret in its headers and body replaced by ***."""
    headers = [
        (name, secrets.redact(value))
        for name, value in response.headers.items()
        if name.lower() not in _FRAMING
    ]
    content = response.content
    text = content.decode("utf-8", "replace")
    if secrets.redact(text) != text:
        content = secrets.redact(text).encode()
    copy = httpx.Response(
        response.status_code, headers=headers, content=content, request=response.request
    )
    try:
        copy.elapsed = response.elapsed
    except RuntimeError:  # still open (inside a response hook): no duration to keep yet
        copy.elapsed = timedelta(0)
    return copy


def check_answer(response: httpx.Response, secrets: Secrets) -> None:
    """Raise the typed error of a non-200 or non-JSON answer; return for a 200 JSON one."""
    if response.status_code == 200 and is_json(response):
        return
    safe = masked(response, secrets)
    if 300 <= response.status_code < 400 and "location" in safe.headers:
        raise PortalMoved(safe.headers["location"], safe)
    if not is_json(response):
        kind = response.headers.get("content-type") or "no Content-Type"
        raise UnexpectedResponse(f"the answer is not JSON ({kind})", safe)
    try:
        body = json.loads(safe.content)
    except ValueError:
        raise UnexpectedResponse("the answer is not valid JSON", safe) from None
    if (
        response.status_code >= 400
        and isinstance(body, dict)
        and isinstance(body.get("error"), str)
    ):
        raise error_for(body["error"], str(body.get("error_description", "")), safe)
    raise UnexpectedResponse("the status and body are not an answer the contract describes", safe)
