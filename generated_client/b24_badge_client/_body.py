"""Reading one answer's body within the client's limits: a size cap, checked after
decompression, and the call's deadline, checked between chunks.

httpx would decompress a whole chunk at once (a 64 KiB gzip chunk can hold 64 MiB) and keep
reading a body that never ends; here each chunk is decompressed at most a MiB at a time and
counted, so memory stays within the cap and a trickling body ends at the deadline. The transport
drives it (sync or async) and hands the decoded body on as an in-memory stream.
"""

from __future__ import annotations

import zlib
from collections.abc import Callable
from typing import Protocol

import httpx

from b24_badge_client._errors import DeadlineExceeded, ResponseTooLarge
from b24_badge_client._redaction import Secrets, masked

_STEP = 1 << 20  # decompressed bytes per step


class BodyReader:
    """Collects one answer's body, decoded; raises at the size cap or past the deadline."""

    def __init__(
        self,
        response: httpx.Response,
        request: httpx.Request,
        *,
        until: float | None,
        late: Callable[[httpx.Request, str], DeadlineExceeded],
        limit: int | None,
        clock: Callable[[], float],
        secrets: Secrets,
    ) -> None:
        self._response = response
        self._request = request
        self._until = until
        self._late = late
        self._limit = limit
        self._clock = clock
        self._secrets = secrets
        encoding = response.headers.get("content-encoding", "").strip().lower()
        self._decoder = _decoder(encoding)
        self._parts: list[bytes] = []
        self._size = 0

    def feed(self, data: bytes) -> None:
        """Take the next chunk as it came over the wire."""
        if self._until is not None and self._clock() > self._until:
            raise self._late(self._request, "reading the answer")
        if self._decoder is None:
            self._add(data)
            return
        try:
            while True:
                out = self._decoder.decompress(data, _STEP)
                self._add(out)
                data = self._decoder.unconsumed_tail
                if not data and len(out) < _STEP:
                    return
        except zlib.error as error:
            raise httpx.DecodingError(f"the compressed answer does not decode: {error}") from None

    def finish(self) -> bytes:
        """The whole body, decoded; the response now holds it in memory, described as such."""
        if self._decoder is not None:
            try:
                self._add(self._decoder.flush())
            except zlib.error as error:
                raise httpx.DecodingError(f"the compressed answer is cut short: {error}") from None
        content = b"".join(self._parts)
        response = self._response
        if self._decoder is not None:
            del response.headers["content-encoding"]
            response.headers["content-length"] = str(len(content))
        response.stream = httpx.ByteStream(content)
        return content

    def _add(self, data: bytes) -> None:
        if self._limit is not None and self._size + len(data) > self._limit:
            kept = b"".join([*self._parts, data[: self._limit - self._size]])
            raise too_large(self._response, self._request, kept, self._limit, self._secrets)
        self._size += len(data)
        self._parts.append(data)


def too_large(
    response: httpx.Response, request: httpx.Request, kept: bytes, limit: int, secrets: Secrets
) -> ResponseTooLarge:
    """The error for an answer over the cap, keeping its status, headers and first bytes."""
    headers = [(k, v) for k, v in response.headers.items() if k.lower() != "content-encoding"]
    partial = httpx.Response(response.status_code, headers=headers, content=kept, request=request)
    return ResponseTooLarge(limit, masked(partial, secrets))


def _decoder(encoding: str) -> _Decompressor | None:
    if encoding in ("", "identity"):
        return None
    if encoding in ("gzip", "x-gzip"):
        return zlib.decompressobj(zlib.MAX_WBITS | 16)
    if encoding == "deflate":
        return _Deflate()
    raise httpx.DecodingError(
        f"the answer's Content-Encoding {encoding!r} is not one the client accepts "
        "(it asks for gzip or deflate)"
    )


class _Decompressor(Protocol):
    """What the reader needs of a zlib decompression object."""

    @property
    def unconsumed_tail(self) -> bytes: ...

    def decompress(self, data: bytes, max_length: int = 0, /) -> bytes: ...

    def flush(self) -> bytes: ...


class _Deflate:
    """`deflate` as the RFC says (zlib-wrapped), or raw as some servers send it (like httpx)."""

    def __init__(self) -> None:
        self._inner = zlib.decompressobj()
        self._first = True

    @property
    def unconsumed_tail(self) -> bytes:
        return self._inner.unconsumed_tail

    def decompress(self, data: bytes, max_length: int = 0, /) -> bytes:
        if self._first:
            self._first = False
            try:
                return self._inner.decompress(data, max_length)
            except zlib.error:
                self._inner = zlib.decompressobj(-zlib.MAX_WBITS)
        return self._inner.decompress(data, max_length)

    def flush(self) -> bytes:
        return self._inner.flush()
