"""Keeping secrets out of everything the client produces: text, bytes and log records.

The client's design keeps webhook codes and tokens out of URLs, logs and exceptions in the first
place (see _credentials.py); this is the second line, for text the client does not control: a
portal or proxy that echoes the secret back, or a library that logs what it received (httpcore
logs raw response headers at DEBUG, so a moved portal's `Location: .../rest/1/CODE/...` reaches
the log). An echo is rarely verbatim, so a secret is masked in every form an echo takes:

* as it is, and in upper, lower or mixed case;
* JSON-escaped, character by character (`\\u0051`, and `\\/` for a slash), also with the
  backslashes doubled, as a repr of escaped text shows them;
* URL-encoded (`%51`, `+` for a space), or as HTML character references (`&#81;`);
* base64 (standard or URL-safe alphabet), at any alignment within a longer encoded text: the
  part of the encoding that depends on the secret alone is masked.

Every log record of every logger passes through the same masking: the first secret installs a
log record factory (chained to the one in place) that rewrites a record's message, traceback
and stack text before any handler sees it. It masks the secrets of every live client.
"""

from __future__ import annotations

import base64
import logging
import re
import threading
import traceback
import weakref
from collections.abc import Callable
from datetime import timedelta

import httpx

MASK = "***"

# base64 cores shorter than this would mask ordinary words; secrets are far longer in practice.
_MIN_BASE64_CORE = 6


class Secrets:
    """The secrets of one client, and the one way to scrub them from text and bytes."""

    def __init__(self, *secrets: str) -> None:
        self._secrets: set[str] = set()
        self._lock = threading.Lock()
        self._text: re.Pattern[str] | None = None
        self._bytes: re.Pattern[bytes] | None = None
        for secret in secrets:
            self.add(secret)

    def add(self, secret: str) -> None:
        """Mask `secret` from now on too (a refreshed token joins the one it replaces)."""
        if not secret:
            return
        with self._lock:
            self._secrets.add(secret)
            source = _pattern(self._secrets)
            self._text = re.compile(source, re.IGNORECASE)
            self._bytes = re.compile(source.encode(), re.IGNORECASE)
        with _live_lock:
            _LIVE.add(self)
        install_log_redaction()

    def redact(self, text: str) -> str:
        """`text` with every form of every secret replaced by `***`."""
        pattern = self._text
        return text if pattern is None else pattern.sub(MASK, text)

    def redact_bytes(self, data: bytes) -> bytes:
        """`redact` for raw bytes (a body), without decoding them first."""
        pattern = self._bytes
        return data if pattern is None else pattern.sub(MASK.encode(), data)

    def __repr__(self) -> str:
        return f"<Secrets: {len(self._secrets)} hidden>"


def _pattern(secrets: set[str]) -> str:
    forms = {form for secret in secrets for form in _forms(secret)}
    return "|".join(sorted(forms, key=len, reverse=True))


def _forms(secret: str) -> list[str]:
    """Regular expressions for the ways `secret` may be written in text that echoes it."""
    textual = "".join(f"(?:{'|'.join(_char_forms(char))})" for char in secret)
    return [textual, *_base64_forms(secret)]


def _char_forms(char: str) -> list[str]:
    code = ord(char)
    utf16 = char.encode("utf-16-be")
    forms = [
        re.escape(char),
        # JSON escapes, also doubled as a repr of them shows them (httpcore logs bytes reprs)
        "".join(rf"\\+u{utf16[i]:02x}{utf16[i + 1]:02x}" for i in range(0, len(utf16), 2)),
        "".join(f"%{byte:02x}" for byte in char.encode()),
        f"&#0*{code};",
        f"&#x0*{code:x};",
    ]
    if char == "/":
        forms.append(r"\\+/")
    if char == " ":
        forms.append(r"\+")
    return forms


_BASE64_CHAR = {"+": r"(?:\+|%2[bB])", "/": r"(?:/|\\/|%2[fF])"}
_URLSAFE = str.maketrans("+/", "-_")


def _base64_forms(secret: str) -> list[str]:
    """The secret's base64 at each of the three alignments it can have inside a longer text.

    Shifted by k bytes, the first (8k + 5) // 6 characters of the encoding also carry bits of
    what precedes the secret, and the characters after (8 (k + n)) // 6 bits of what follows;
    the core between them depends on the secret alone.
    """
    data = secret.encode()
    forms = []
    for shift in range(3):
        encoded = base64.b64encode(b"\0" * shift + data).decode()
        core = encoded[(8 * shift + 5) // 6 : (8 * (shift + len(data))) // 6]
        if len(core) < _MIN_BASE64_CORE:
            continue
        for alphabet in (core, core.translate(_URLSAFE)):
            forms.append("(?-i:" + "".join(_BASE64_CHAR.get(c, c) for c in alphabet) + ")")
    return forms


# The secrets of every live client, for the log records, which belong to no client in particular.
_LIVE: weakref.WeakSet[Secrets] = weakref.WeakSet()
_live_lock = threading.Lock()  # records are made on any thread while clients come and go
_install_lock = threading.Lock()


def redact_everywhere(text: str) -> str:
    """`text` with the secrets of every live client masked."""
    with _live_lock:
        live = list(_LIVE)
    for secrets in live:
        text = secrets.redact(text)
    return text


class _RedactingFactory:
    """A log record factory that masks secrets in each record the factory before it made."""

    def __init__(self, inner: Callable[..., logging.LogRecord]) -> None:
        self.inner = inner

    def __call__(self, *args: object, **kwargs: object) -> logging.LogRecord:
        record = self.inner(*args, **kwargs)
        if _LIVE:
            _scrub(record)
        return record


def install_log_redaction() -> None:
    """Route every log record through the masking, unless it already is (idempotent).

    Called whenever a secret is added, so that an application that replaced the record factory
    in between gets the masking back, wrapped around its own factory.
    """
    with _install_lock:
        current = logging.getLogRecordFactory()
        if not isinstance(current, _RedactingFactory):
            logging.setLogRecordFactory(_RedactingFactory(current))


def _scrub(record: logging.LogRecord) -> None:
    try:
        message = record.getMessage()
    except Exception:  # a malformed call: logging reports it; show it masked, unformatted
        record.msg, record.args = redact_everywhere(f"{record.msg} {record.args!r}"), None
        return
    clean = redact_everywhere(message)
    if clean != message:
        record.msg, record.args = clean, None
    if record.exc_info and record.exc_info[1] is not None and not record.exc_text:
        record.exc_text = redact_everywhere(
            "".join(traceback.format_exception(*record.exc_info)).rstrip("\n")
        )
    if record.stack_info:
        record.stack_info = redact_everywhere(record.stack_info)


# Headers that describe the body as it came over the wire; the copy holds it decoded.
_FRAMING = frozenset({"content-encoding", "content-length", "transfer-encoding"})


def masked(response: httpx.Response, secrets: Secrets) -> httpx.Response:
    """A copy of an (already read) response, with every secret in its headers and body masked."""
    headers = [
        (name, secrets.redact(value))
        for name, value in response.headers.items()
        if name.lower() not in _FRAMING
    ]
    copy = httpx.Response(
        response.status_code,
        headers=headers,
        content=secrets.redact_bytes(response.content),
        request=response.request,
    )
    try:
        copy.elapsed = response.elapsed
    except RuntimeError:  # still open (inside a response hook): no duration to keep yet
        copy.elapsed = timedelta(0)
    return copy
