"""Serving the emulator over real HTTP on loopback: from the command line or inside tests.

    with run_emulator(Settings(webhooks=(Webhook(1, "s3cret"),))) as portal:
        httpx.post(portal.webhook_url() + "crm.activity.badge.list")

The socket is bound before the server starts, so the port (free, or the one asked for) is known
at once and nothing races for it.
"""

from __future__ import annotations

import socket
import ssl
import tempfile
import threading
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass, replace
from pathlib import Path

import uvicorn
from starlette.applications import Starlette
from starlette.types import ASGIApp

from b24_emulator.app import Portal, create_app
from b24_emulator.config import HttpLimits, OAuthToken, Settings, Webhook
from b24_emulator.connections import connection_budget, guarded_protocol
from b24_emulator.tls import CA_BUNDLE_NAME, local_tls

HOST = "127.0.0.1"
START_TIMEOUT = 10.0


@dataclass(frozen=True)
class RunningEmulator:
    """A portal served by run_emulator: where to call it, how it is configured, and its state
    (`portal`) for tests that look inside."""

    base_url: str  # http://127.0.0.1:PORT, or https:// with tls=True
    settings: Settings
    portal: Portal
    ca_bundle: Path | None = None  # with tls=True: the PEM file clients trust (tls.py)

    def reset(self) -> None:
        """Forget every change since the start: faster than a new server between tests."""
        self.portal.reset()

    @property
    def oauth_url(self) -> str:
        """Base URL of OAuth calls; the token goes in the `auth` parameter."""
        return f"{self.base_url}/rest/"

    def webhook_url(self, webhook: Webhook | None = None) -> str:
        """Base URL of a webhook's calls (the first configured one by default), with a slash."""
        hook = webhook or self.settings.webhooks[0]
        return f"{self.base_url}/rest/{hook.user_id}/{hook.code}/"


def bind(port: int = 0) -> socket.socket:
    """A listening socket on 127.0.0.1, a free port by default; OSError when it is taken."""
    # proto must say TCP: asyncio sets TCP_NODELAY on accepted connections only for sockets
    # whose proto is IPPROTO_TCP, and without it every answer waits ~40 ms for a delayed ACK.
    sock = socket.socket(socket.AF_INET, socket.SOCK_STREAM, socket.IPPROTO_TCP)
    sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
    sock.bind((HOST, port))
    sock.listen(2048)  # connections queue from now on, even before the server accepts them
    return sock


def make_server(
    app: ASGIApp, limits: HttpLimits | None = None, tls: ssl.SSLContext | None = None
) -> uvicorn.Server:
    """uvicorn with the emulator's connection guards (connections.py) and a bounded shutdown.

    With `tls`, HTTPS. The guards then see a connection once its TLS handshake is done; until
    then asyncio's handshake timeout (60 s) bounds it.
    """
    limits = limits or HttpLimits()
    budget = connection_budget(limits.max_connections)
    config = uvicorn.Config(
        app,
        http=guarded_protocol(limits, budget.max_connections),
        backlog=budget.backlog,
        # No access log: webhook codes travel in the URL path and must not be written anywhere.
        log_level="warning",
        access_log=False,
        lifespan="on",
        # uvicorn passes both to asyncio timers, which take any number of seconds.
        timeout_keep_alive=limits.keep_alive_timeout,  # type: ignore[arg-type]
        timeout_graceful_shutdown=limits.shutdown_timeout,  # type: ignore[arg-type]
        ssl_context_factory=None if tls is None else (lambda config, default: tls),
    )
    return uvicorn.Server(config)


def with_default_webhook(settings: Settings) -> Settings:
    """Settings with one admin webhook when none is configured (user 1, a fresh random code)."""
    if settings.webhooks or settings.tokens:
        return settings
    return replace(settings, webhooks=(Webhook.generate(),))


@contextmanager
def serve_app(
    app: ASGIApp,
    port: int = 0,
    limits: HttpLimits | None = None,
    tls: ssl.SSLContext | None = None,
) -> Iterator[str]:
    """Serve any ASGI app on a loopback port in a background thread; yields its base URL.

    Used for the emulator and for test doubles built around it (a portal that misbehaves).
    """
    sock = bind(port)
    server = make_server(app, limits, tls)
    thread = threading.Thread(target=server.run, kwargs={"sockets": [sock]}, daemon=True)
    thread.start()
    deadline = time.monotonic() + START_TIMEOUT
    while not server.started:
        if not thread.is_alive() or time.monotonic() > deadline:
            raise RuntimeError("the server did not start")
        time.sleep(0.01)
    try:
        yield f"{'http' if tls is None else 'https'}://{HOST}:{sock.getsockname()[1]}"
    finally:
        server.should_exit = True
        thread.join(START_TIMEOUT)
        sock.close()


@contextmanager
def run_emulator(
    settings: Settings | None = None,
    port: int = 0,
    wrap: Callable[[Starlette], ASGIApp] | None = None,
    tls: bool = False,
) -> Iterator[RunningEmulator]:
    """Serve a portal on a loopback port in a background thread for the duration of a block.

    `wrap` puts ASGI middleware around the portal, for instance to make it misbehave in tests.
    `tls=True` serves HTTPS from a throwaway CA; `ca_bundle` is the file to trust, removed
    when the block ends.
    """
    settings = with_default_webhook(settings or Settings())
    app = create_app(settings)
    served = app if wrap is None else wrap(app)
    if not tls:
        with serve_app(served, port, settings.http) as base_url:
            yield RunningEmulator(base_url, settings, app.state.portal)
        return
    with tempfile.TemporaryDirectory(prefix="b24-emulator-tls-") as directory:
        local = local_tls(Path(directory) / CA_BUNDLE_NAME)
        with serve_app(served, port, settings.http, local.context) as base_url:
            yield RunningEmulator(base_url, settings, app.state.portal, local.ca_bundle)


__all__ = [
    "OAuthToken",
    "RunningEmulator",
    "Settings",
    "Webhook",
    "bind",
    "run_emulator",
    "serve_app",
]
