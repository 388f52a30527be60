"""Connections that cannot be held forever: the emulator's HTTP/1.1 protocol under uvicorn.

uvicorn's h11 protocol times out only the idle gap after a response: a connection that opens
and sends nothing, or sends its head one byte at a time, is held for good, and enough of them
exhaust the file descriptors (the accept loop then floods the log with EMFILE tracebacks). Its
concurrency limit counts idle connections too and answers text/plain, and so do its parser
refusals. This protocol adds, per server (HttpLimits):

* a header timeout: a complete request head within `header_timeout` of the connection opening,
  or of the first byte of the next request on a kept-alive connection (then 408 with the
  envelope if part of a head came, else a silent close, as for an idle keep-alive);
* a connection cap: at most `max_connections` open (never more than the file-descriptor limit
  allows). A new connection beyond it closes the connection that has waited longest for a
  request, as nginx reuses idle keep-alive connections; when every connection is busy with a
  request, the new one is answered 503 with the envelope and closed;
* parser refusals (a malformed request line or header, a head over 16 KiB, broken chunked
  framing) answered 400 with the envelope instead of uvicorn's text/plain.

Where HTTP allows no answer the connection is closed without one: a connection idle past its
timeout or closed to make room, a refusal in the middle of a response already being sent.
"""

from __future__ import annotations

import asyncio
import json
import resource
from collections import OrderedDict
from dataclasses import dataclass
from typing import Any, ClassVar

import h11
from h11._connection import DEFAULT_MAX_INCOMPLETE_EVENT_SIZE
from uvicorn.protocols.http.h11_impl import H11Protocol

from b24_emulator import errors
from b24_emulator.config import HttpLimits

FD_RESERVE = 128  # descriptors kept free for everything else: files, the database, logs
MAX_BACKLOG = 256  # connections accepted per burst (and the kernel's queue of pending ones)


class _Parser(h11.Connection):
    """h11's connection, remembering why it refused a request (uvicorn only logs that it did)."""

    refusal: h11.RemoteProtocolError | None = None

    def next_event(self) -> Any:
        try:
            return super().next_event()
        except h11.RemoteProtocolError as refusal:
            self.refusal = refusal
            raise


@dataclass(frozen=True)
class Budget:
    """How many connections a server keeps open, and how many it accepts in one burst."""

    max_connections: int
    backlog: int


def connection_budget(wanted: int) -> Budget:
    """`wanted` connections, within the descriptors this process may open.

    asyncio accepts up to `backlog` sockets in one burst before their protocols are told, and
    a connection closed to make room frees its descriptor an event-loop turn later: the cap
    leaves room for a few bursts in flight, so that accept() never fails with EMFILE and the
    server closes connections of its own choosing instead. The soft limit is raised towards
    the hard one when the cap needs it.
    """
    soft, hard = resource.getrlimit(resource.RLIMIT_NOFILE)
    needed = wanted + 4 * MAX_BACKLOG + FD_RESERVE
    if soft != resource.RLIM_INFINITY and soft < needed:
        target = needed if hard == resource.RLIM_INFINITY else min(needed, hard)
        try:
            resource.setrlimit(resource.RLIMIT_NOFILE, (target, hard))
            soft = target
        except (ValueError, OSError):
            pass
    if soft == resource.RLIM_INFINITY:
        return Budget(wanted, MAX_BACKLOG)
    backlog = max(8, min(MAX_BACKLOG, soft // 16))
    return Budget(max(1, min(wanted, soft - 4 * backlog - FD_RESERVE)), backlog)


class ConnectionGuard:
    """One server's open connections: which wait for a request, oldest first, and the cap."""

    def __init__(self, limits: HttpLimits, max_connections: int) -> None:
        self.limits = limits
        self.max_connections = max_connections
        self.open: set[GuardedProtocol] = set()
        self.waiting: OrderedDict[GuardedProtocol, None] = OrderedDict()

    def admit(self, connection: GuardedProtocol) -> bool:
        """Make room for a new connection by closing the longest-waiting one; False if none."""
        self.open.add(connection)
        self.waiting[connection] = None
        while len(self.open) > self.max_connections:
            oldest = next(iter(self.waiting))
            if oldest is connection:  # every other connection is busy with a request
                self.forget(connection)
                return False
            self.forget(oldest)
            oldest.drop()
        return True

    def busy(self, connection: GuardedProtocol) -> None:
        """The connection is in a request: it is not closed to make room until idle again."""
        self.waiting.pop(connection, None)

    def idle(self, connection: GuardedProtocol) -> None:
        """The connection waits for a request again: the last in line to be closed for room."""
        if connection in self.open and connection not in self.waiting:
            self.waiting[connection] = None  # the newest waiter: the last to be closed

    def forget(self, connection: GuardedProtocol) -> None:
        """The connection is closed or refused: it no longer counts against the cap."""
        self.open.discard(connection)
        self.waiting.pop(connection, None)


class GuardedProtocol(H11Protocol):
    """uvicorn's HTTP/1.1 protocol with a header timeout, a connection cap and JSON refusals."""

    guard: ClassVar[ConnectionGuard]

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        head_limit = self.config.h11_max_incomplete_event_size
        self._parser = _Parser(h11.SERVER, head_limit or DEFAULT_MAX_INCOMPLETE_EVENT_SIZE)
        self.conn = self._parser
        self._head_timer: asyncio.TimerHandle | None = None

    # Protocol interface

    def connection_made(  # type: ignore[override]
        self, transport: asyncio.Transport
    ) -> None:
        """Admit the connection within the cap, or answer 503 and close it; then its head timer
        runs."""
        super().connection_made(transport)
        if not self.guard.admit(self):
            self._refuse(errors.overloaded("too many connections"))
            return
        self._arm_head_timer()

    def data_received(self, data: bytes) -> None:
        """The first byte of a next request on a kept-alive connection starts its head timer."""
        if self._head_timer is None and not self._busy:
            self._arm_head_timer()  # the first byte of a next request: its head must follow
        super().data_received(data)
        self._track()

    def on_response_complete(self) -> None:
        """An answer is sent: the connection waits for its next request."""
        super().on_response_complete()
        self._track()

    def connection_lost(self, exc: Exception | None) -> None:
        """The connection is gone: its timer stops and the guard forgets it."""
        self._cancel_head_timer()
        self.guard.forget(self)
        super().connection_lost(exc)

    def send_400_response(self, msg: str) -> None:
        """A request the parser refuses: the envelope, unless a response is already on its way."""
        refusal = self._parser.refusal
        if refusal is not None and refusal.error_status_hint == 431:
            why = "the request head is larger than the server accepts"
        else:
            why = "malformed request line, header or body framing"
        self._refuse(errors.unparseable(why))

    # The guards

    @property
    def _busy(self) -> bool:
        return self.cycle is not None and not self.cycle.response_complete

    def _track(self) -> None:
        if self._busy:
            self._cancel_head_timer()
            self.guard.busy(self)
        else:
            if self._head_timer is None and self.conn.trailing_data[0]:
                self._arm_head_timer()  # a pipelined head was cut short
            self.guard.idle(self)

    def _arm_head_timer(self) -> None:
        self._cancel_head_timer()
        self._head_timer = self.loop.call_later(self.guard.limits.header_timeout, self._head_late)

    def _cancel_head_timer(self) -> None:
        if self._head_timer is not None:
            self._head_timer.cancel()
            self._head_timer = None

    def _head_late(self) -> None:
        self._head_timer = None
        if self._busy or self.transport.is_closing():
            return
        if self.conn.trailing_data[0]:  # part of a head came: say why the connection ends
            self._refuse(errors.request_timeout("request head", self.guard.limits.header_timeout))
        else:
            self.drop()

    def drop(self) -> None:
        """Close without an answer, at once: unsent output is not waited for."""
        self._cancel_head_timer()
        self._unset_keepalive_if_required()
        if self.transport.get_write_buffer_size():
            self.transport.abort()
        else:
            self.transport.close()

    def _refuse(self, error: errors.PortalError) -> None:
        """Answer with the envelope outside any request cycle, then close."""
        self._cancel_head_timer()
        self.guard.forget(self)
        cycle = self.cycle
        if cycle is None or not cycle.response_started or cycle.response_complete:
            self.transport.write(raw_response(error))
        if cycle is not None and not cycle.response_complete:
            cycle.disconnected = True  # the app's own answer, if it comes, is not sent after it
            cycle.message_event.set()
        self.transport.close()


def raw_response(error: errors.PortalError) -> bytes:
    """A complete HTTP/1.1 answer with the envelope, for when no request cycle can send one."""
    body = json.dumps(error.body()).encode()
    head = (
        f"HTTP/1.1 {error.status} {_REASONS.get(error.status, '')}\r\n"
        "content-type: application/json\r\n"
        f"content-length: {len(body)}\r\n"
        "connection: close\r\n\r\n"
    )
    return head.encode("ascii") + body


_REASONS = {400: "Bad Request", 408: "Request Timeout", 503: "Service Unavailable"}


def guarded_protocol(limits: HttpLimits, max_connections: int) -> type[GuardedProtocol]:
    """A protocol class for one server: uvicorn builds each connection's protocol from it."""

    class ServerProtocol(GuardedProtocol):
        guard = ConnectionGuard(limits, max_connections)

    return ServerProtocol
