"""Reading an answer before the generated models do.

Anything but a 200 JSON answer becomes the typed exception for it here, with the raw response
kept (secrets masked), so the generated parsers only ever see what they were generated for.
Runs as an httpx response hook, so calls through `client.generated` get the same treatment.
"""

from __future__ import annotations

import json

import httpx

from b24_badge_client._errors import PortalMoved, UnexpectedResponse, error_for
from b24_badge_client._redaction import Secrets, masked


def is_json(response: httpx.Response) -> bool:
    media_type: str = response.headers.get("content-type", "").split(";")[0].strip().lower()
    return media_type == "application/json" or media_type.endswith("+json")


def check_answer(response: httpx.Response, secrets: Secrets) -> None:
    """Raise the typed error of a non-200 or non-JSON answer; return for a 200 JSON one."""
    if response.status_code == 200 and is_json(response):
        return
    safe = masked(response, secrets)
    if 300 <= response.status_code < 400 and "location" in safe.headers:
        raise PortalMoved(safe.headers["location"], safe)
    if not is_json(response):
        kind = response.headers.get("content-type") or "no Content-Type"
        raise UnexpectedResponse(f"the answer is not JSON ({secrets.redact(kind)})", safe)
    try:
        body = json.loads(safe.content)
    except ValueError:
        raise UnexpectedResponse("the answer is not valid JSON", safe) from None
    if (
        response.status_code >= 400
        and isinstance(body, dict)
        and isinstance(body.get("error"), str)
    ):
        # Masked again after decoding: JSON escapes a masked body might still hide come out here.
        description = str(body.get("error_description", ""))
        raise error_for(secrets.redact(body["error"]), secrets.redact(description), safe)
    raise UnexpectedResponse("the status and body are not an answer the contract describes", safe)
