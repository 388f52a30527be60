"""What media type a request or an answer carries: one reading for the whole toolkit.

Media types are case-insensitive (RFC 9110 8.3.1) and may carry parameters
(`Application/JSON; charset=utf-8`); every comparison goes through `media_type`, so that one part
of the toolkit cannot read a header differently from another.
"""

from __future__ import annotations

from collections.abc import Mapping

JSON = "application/json"
FORM = "application/x-www-form-urlencoded"
MULTIPART = "multipart/form-data"


def media_type(headers: Mapping[str, str]) -> str:
    """The Content-Type of `headers` without parameters, in lower case; "" when there is none.

    `headers` is an httpx/requests header mapping (case-insensitive keys) or a plain dict.
    """
    value = headers.get("content-type")
    if value is None:
        value = next((v for k, v in headers.items() if k.lower() == "content-type"), "")
    return value.split(";", 1)[0].strip().lower()


def is_json(headers: Mapping[str, str]) -> bool:
    """Whether the body is JSON: `application/json` or a `+json` type."""
    kind = media_type(headers)
    return kind == JSON or kind.endswith("+json")
