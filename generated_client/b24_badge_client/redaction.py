"""Keeping secrets out of everything the client produces.

The client's design keeps webhook codes and tokens out of URLs, logs and exceptions in the
first place (see credentials.py); this is the second line, for text the client does not
control: a portal that echoes the secret back in an error description, or a transport error
message that quotes a URL.
"""

from __future__ import annotations

import threading

MASK = "***"


class Secrets:
    """The secrets of one client, and the one way to scrub them from text."""

    def __init__(self, *secrets: str) -> None:
        self._secrets: set[str] = set()
        self._lock = threading.Lock()
        for secret in secrets:
            self.add(secret)

    def add(self, secret: str) -> None:
        if secret:
            with self._lock:
                self._secrets.add(secret)

    def redact(self, text: str) -> str:
        with self._lock:
            secrets = sorted(self._secrets, key=len, reverse=True)
        for secret in secrets:
            text = text.replace(secret, MASK)
        return text

    def __repr__(self) -> str:
        return f"<Secrets: {len(self._secrets)} hidden>"
