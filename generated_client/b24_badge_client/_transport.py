"""httpx transports that behave as a considerate Bitrix24 client should, sync and async.

Both drive the same flow (_flow.py: pacing, token refresh, retries, the deadline) and differ
only in how they do each step: blocking or async I/O. Sending, they hand the network a copy of
the request that carries the secret and read the answer within the size cap and the deadline
(_body.py). Nothing of the wire is kept: an exception raised on the way (a timeout, a refused
connection) is rebuilt without the secret and without the frames below the transport, which held
the real URL, and is raised from the flow.
"""

from __future__ import annotations

from typing import Unpack

import httpx

from b24_badge_client._credentials import Credentials
from b24_badge_client._flow import Answer, Policy, Send, Wait
from b24_badge_client._options import TransportOptions


class BitrixTransport(httpx.BaseTransport):
    """The client's transport, for your own `httpx.Client`: raw calls (other encodings, GET,
    methods the client does not wrap) get the same credentials, pacing, retries and limits.

        http = httpx.Client(transport=BitrixTransport(Webhook(url)), base_url=Webhook(url).base_url)

    `inner` is the transport that does the network I/O (default `httpx.HTTPTransport()`); the
    options are those of `TransportOptions`. An async token refresher is refused here: it needs
    `AsyncBitrixTransport`.
    """

    def __init__(
        self,
        credentials: Credentials,
        *,
        inner: httpx.BaseTransport | None = None,
        **options: Unpack[TransportOptions],
    ) -> None:
        credentials._check_sync()
        self._credentials = credentials
        self._policy = Policy(credentials, **options)
        self._inner = inner or httpx.HTTPTransport()

    def handle_request(self, request: httpx.Request) -> httpx.Response:
        """Send `request` (with the masked URL) as the flow directs; the final answer."""
        flow = self._policy.flow(request)
        reply: Answer | Exception | None = None
        while True:
            try:
                step = flow.send(reply)
            except StopIteration as done:
                return done.value  # type: ignore[no-any-return]
            if isinstance(step, Send):
                reply = self._send(step)
            elif isinstance(step, Wait):
                self._policy.clock.sleep(step.seconds)
                reply = None
            else:
                self._credentials._refresh(step.generation)
                reply = None

    def _send(self, step: Send) -> Answer | Exception:
        try:
            # The request with the secret is never a local, so no frame can show it.
            response = self._inner.handle_request(self._credentials._authorized(step.request))
            if response.is_stream_consumed:  # in memory already (httpx.MockTransport and such)
                return self._policy.in_memory(response, step)
            reader = self._policy.reader(response, step)
            stream = response.stream
            assert isinstance(stream, httpx.SyncByteStream)
            try:
                for chunk in stream:
                    reader.feed(chunk)
            finally:
                stream.close()
            return response, reader.finish()
        except Exception as error:
            return self._policy.scrubbed(error, step.request)

    def close(self) -> None:
        """Close the inner transport (its connection pool)."""
        self._inner.close()


class AsyncBitrixTransport(httpx.AsyncBaseTransport):
    """`BitrixTransport` for `httpx.AsyncClient`; the token refresher may be a coroutine
    function, and waits go through the clock's `async_sleep` (asyncio or trio)."""

    def __init__(
        self,
        credentials: Credentials,
        *,
        inner: httpx.AsyncBaseTransport | None = None,
        **options: Unpack[TransportOptions],
    ) -> None:
        self._credentials = credentials
        self._policy = Policy(credentials, **options)
        self._inner = inner or httpx.AsyncHTTPTransport()

    async def handle_async_request(self, request: httpx.Request) -> httpx.Response:
        """Send `request` (with the masked URL) as the flow directs; the final answer."""
        flow = self._policy.flow(request)
        reply: Answer | Exception | None = None
        while True:
            try:
                step = flow.send(reply)
            except StopIteration as done:
                return done.value  # type: ignore[no-any-return]
            if isinstance(step, Send):
                reply = await self._send(step)
            elif isinstance(step, Wait):
                await self._policy.clock.async_sleep(step.seconds)
                reply = None
            else:
                await self._credentials._arefresh(step.generation)
                reply = None

    async def _send(self, step: Send) -> Answer | Exception:
        try:
            response = await self._inner.handle_async_request(
                self._credentials._authorized(step.request)  # never a local: it holds the secret
            )
            if response.is_stream_consumed:
                return self._policy.in_memory(response, step)
            reader = self._policy.reader(response, step)
            stream = response.stream
            assert isinstance(stream, httpx.AsyncByteStream)
            try:
                async for chunk in stream:
                    reader.feed(chunk)
            finally:
                await stream.aclose()
            return response, reader.finish()
        except Exception as error:
            return self._policy.scrubbed(error, step.request)

    async def aclose(self) -> None:
        """Close the inner transport (its connection pool)."""
        await self._inner.aclose()
