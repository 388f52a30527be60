"""Finding a secret in text, in any form an echo could give it, independently of the client.

The client masks secrets with its own pattern (_redaction.py); these checks decode instead: a
text reveals a secret if it, or its URL-decoding, JSON-unescaping or HTML-unescaping, or the
base64-decoding of any token in it, contains the secret in any case.
"""

from __future__ import annotations

import base64
import binascii
import html
import re
from collections.abc import Iterable
from urllib.parse import unquote_plus

_JSON_ESCAPE = re.compile(r"\\u([0-9a-fA-F]{4})")
_BASE64_TOKEN = re.compile(r"[A-Za-z0-9+/_-]{8,}=*")


def readings(text: str) -> list[str]:
    """`text` as it is and as each decoding an echo might have needed makes it."""
    unrepr = text.replace("\\\\", "\\")  # a repr doubles backslashes
    unescaped = _JSON_ESCAPE.sub(lambda match: chr(int(match[1], 16)), unrepr).replace("\\/", "/")
    return [text, unquote_plus(text), unescaped, html.unescape(text), *_base64_readings(text)]


def _base64_readings(text: str) -> list[str]:
    found = []
    for token in _BASE64_TOKEN.findall(text.replace("%2F", "/").replace("%2B", "+")):
        for start in range(4):  # the token may begin mid-quantum
            part = token[start:].rstrip("=")
            part = part[: len(part) - 1] if len(part) % 4 == 1 else part
            part += "=" * (-len(part) % 4)
            found += [decoded for alt in (b"+/", b"-_") if (decoded := _b64decode(part, alt))]
    return found


def _b64decode(text: str, altchars: bytes) -> str | None:
    try:
        return base64.b64decode(text, altchars=altchars, validate=True).decode("latin-1")
    except (binascii.Error, ValueError):
        return None


def revealed(text: str, secrets: Iterable[str]) -> list[str]:
    """The secrets `text` reveals, in any of its readings and in any case."""
    folded = [reading.casefold() for reading in readings(text)]
    return [s for s in secrets if any(s.casefold() in reading for reading in folded)]


def assert_no_secret(text: str, secrets: Iterable[str]) -> None:
    found = revealed(text, secrets)
    assert not found, f"secret(s) {[s[:4] + '...' for s in found]} leaked in:\n{text}"
