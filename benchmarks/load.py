"""A small HTTP/1.1 load generator: keep-alive connections on loopback, one request in flight each.

Raw asyncio streams and a pre-encoded request keep the generator's own cost low, so that the
servers measured, not the client, set the pace. It runs in its own process (see `measure`).
"""

from __future__ import annotations

import asyncio
import multiprocessing
import time
from typing import Any
from urllib.parse import urlsplit


def request_bytes(url: str, body: bytes) -> bytes:
    parts = urlsplit(url)
    head = (
        f"POST {parts.path} HTTP/1.1\r\nHost: {parts.netloc}\r\n"
        f"Content-Type: application/json\r\nContent-Length: {len(body)}\r\n\r\n"
    )
    return head.encode() + body


async def _connection(host: str, port: int, request: bytes, until: float) -> tuple[int, int]:
    reader, writer = await asyncio.open_connection(host, port)
    done = failed = 0
    while time.perf_counter() < until:
        writer.write(request)
        head = await reader.readuntil(b"\r\n\r\n")
        status = int(head[9:12])
        length = 0
        for line in head.split(b"\r\n"):
            if line.lower().startswith(b"content-length:"):
                length = int(line.split(b":", 1)[1])
        await reader.readexactly(length)
        done += 1
        failed += status != 200
    writer.close()
    return done, failed


async def _run(url: str, body: bytes, connections: int, seconds: float) -> tuple[int, int, float]:
    parts = urlsplit(url)
    request = request_bytes(url, body)
    start = time.perf_counter()
    until = start + seconds
    results = await asyncio.gather(
        *(
            _connection(parts.hostname or "", parts.port or 80, request, until)
            for _ in range(connections)
        )
    )
    elapsed = time.perf_counter() - start
    return sum(r[0] for r in results), sum(r[1] for r in results), elapsed


def _worker(
    url: str, body: bytes, connections: int, seconds: float, out: multiprocessing.Queue[Any]
) -> None:
    out.put(asyncio.run(_run(url, body, connections, seconds)))


def measure(url: str, body: bytes, connections: int = 8, seconds: float = 3.0) -> float:
    """Requests per second that the server at `url` answered with 200, from a separate process."""
    out: multiprocessing.Queue[Any] = multiprocessing.Queue()
    process = multiprocessing.Process(target=_worker, args=(url, body, connections, seconds, out))
    process.start()
    done, failed, elapsed = out.get(timeout=seconds + 60)
    process.join()
    if failed:
        raise RuntimeError(f"{failed} of {done} requests to the server failed")
    return float(done / elapsed)
