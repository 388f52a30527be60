"""Portals that misbehave below the HTTP level, as bare ASGI apps served over real HTTP.

`tests/portals.py` wraps the emulator to change its answers; these replace it, for what no
emulator answer can be: a fixed answer (a gzip bomb), a body that never ends or only trickles.
"""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator, Callable, Iterator
from contextlib import contextmanager

from starlette.types import ASGIApp, Receive, Scope, Send

from b24_badge_client import Clock
from b24_emulator.server import serve_app
from tests.client.conftest import ADMIN


def answering(status: int, headers: dict[str, str], body: bytes) -> ASGIApp:
    """A portal that gives every request the same answer."""

    async def app(scope: Scope, receive: Receive, send: Send) -> None:
        raw = [(k.encode(), v.encode()) for k, v in headers.items()]
        raw.append((b"content-length", str(len(body)).encode()))
        await send({"type": "http.response.start", "status": status, "headers": raw})
        await send({"type": "http.response.body", "body": body})

    return app


def streaming(chunks: Callable[[], AsyncIterator[bytes]]) -> ASGIApp:
    """A portal that answers 200 JSON and streams `chunks()` until the client hangs up."""

    async def app(scope: Scope, receive: Receive, send: Send) -> None:
        gone = asyncio.Event()

        async def watch() -> None:
            while (await receive())["type"] != "http.disconnect":
                pass
            gone.set()

        watcher = asyncio.create_task(watch())
        headers = [(b"content-type", b"application/json")]  # no length: chunked, endless
        await send({"type": "http.response.start", "status": 200, "headers": headers})
        async for chunk in chunks():
            if gone.is_set():
                break
            await send({"type": "http.response.body", "body": chunk, "more_body": True})
        watcher.cancel()

    return app


async def endless() -> AsyncIterator[bytes]:
    for _ in range(100_000):  # 6 GiB: far beyond any cap; the client hangs up long before
        yield b" " * 65536
        await asyncio.sleep(0)


async def trickle() -> AsyncIterator[bytes]:
    for _ in range(6000):  # a minute of real time, far beyond the deadline of the test clock
        yield b" "
        await asyncio.sleep(0.01)


@contextmanager
def portal(app: ASGIApp) -> Iterator[str]:
    """The webhook URL of `app` served on a loopback port (its lifespan answered here)."""

    async def served(scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "lifespan":
            await app(scope, receive, send)
            return
        while (await receive())["type"] == "lifespan.startup":
            await send({"type": "lifespan.startup.complete"})
        await send({"type": "lifespan.shutdown.complete"})

    with serve_app(served) as base_url:
        yield f"{base_url}/rest/{ADMIN.user_id}/{ADMIN.code}/"


def ticking(step: float = 1.0) -> Clock:
    """A clock that moves on by `step` seconds each time it is read: a trickle that goes on
    for N reads has lasted N seconds, however fast or slow the machine."""
    now = [0.0]

    def monotonic() -> float:
        now[0] += step
        return now[0]

    return Clock(monotonic=monotonic, wall=monotonic)
