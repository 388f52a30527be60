"""`batch` and the bulk helpers of the clients: many calls, few requests, one outcome per call.

    outcomes = client.batch([Call.get("missedCall"), Call.delete("overdue")])
    found = client.get_many(codes)         # {code: Badge, or the NotFound it would raise}

Calls go out in requests of 50 (the portal's limit). Each request is one call of the client's
transport, so it is paced as one request of the rate limit, and has the retries, the deadline,
the size cap and the secret handling of any call. A portal runs the commands of one request in
order; the requests go one after another, unless their order cannot change any outcome (no
badge written in one request is read or written in another, no list beside writes elsewhere:
get_many, add_many and delete_many, each code once). Then up to MAX_IN_FLIGHT are in flight at
once, so that the client reads one answer while the portal works on the next request, and the
network's round trips overlap; the outcomes come back in call order all the same.

What a request as a whole meets (a refused webhook, a 503 after the retries, the deadline, an
answer outside the contract) is raised as for a direct call, and ends the batch there: no later
request is sent (in flight, the few already sent finish). What one call meets is that call's
outcome (_batch.py).

`BadgeClient` and `AsyncBadgeClient` inherit these methods (`BatchMethods`, `AsyncBatchMethods`).
"""

from __future__ import annotations

import threading
from collections import Counter
from collections.abc import Iterable, Sequence
from concurrent.futures import ThreadPoolExecutor
from typing import Any, Literal, TypeVar, overload

import anyio
import httpx

from b24_badge_client._base import Base
from b24_badge_client._batch import (
    Call,
    chunks,
    first_error,
    halted,
    in_any_order,
    request,
    unique,
)
from b24_badge_client._errors import BitrixError
from b24_badge_client._generated.api.batch import batch as batch_endpoint
from b24_badge_client._generated.models import Badge

T = TypeVar("T")

MAX_IN_FLIGHT = 4
"""Requests of one batch in flight at once when their order cannot change an outcome."""

_POOL_LOCK = threading.Lock()  # a client's worker threads are made once, whoever asks first


def _finish(found: list[Any], raise_errors: bool) -> list[Any]:
    if raise_errors and (error := first_error(found)) is not None:
        raise error
    return found


def _new_codes(badges: Iterable[Badge]) -> list[Badge]:
    badges = list(badges)
    repeated = sorted(code for code, n in Counter(b.code for b in badges).items() if n > 1)
    if repeated:
        raise ValueError(f"add_many: each code once; repeated: {repeated}")
    return badges


def _adds(badges: Sequence[Badge]) -> list[Call[Badge]]:
    return [Call.add(b.code, b.title, b.value, b.type_) for b in badges]


class BatchMethods(Base):
    """The batch methods of `BadgeClient`."""

    _http: httpx.Client
    _pool: ThreadPoolExecutor | None = None

    @overload
    def batch(
        self, calls: Iterable[Call[T]], *, halt: bool = ..., raise_errors: Literal[True]
    ) -> list[T]: ...
    @overload
    def batch(
        self, calls: Iterable[Call[T]], *, halt: bool = ..., raise_errors: bool = ...
    ) -> list[T | BitrixError]: ...
    def batch(
        self, calls: Iterable[Call[T]], *, halt: bool = False, raise_errors: bool = False
    ) -> list[Any]:
        """Run `calls` (made with `Call.get`, `.add`, `.list`, `.delete`) in as few requests as
        the portal allows, 50 per request; each call's outcome, in call order.

        An outcome is what the call's direct method returns (`Badge`, `list[Badge]`, None for
        delete), or the error it would raise (NotFound, AccessDenied, ... by its code; a
        plain BitrixError for an empty code), returned in the call's place. With `halt` the
        portal stops at the first call that fails and no later request is sent: the list ends
        with that call's error. With `raise_errors` the batch halts the same way and raises
        that error instead; calls before it have run.
        """
        requests = chunks(list(calls))
        halt = halt or raise_errors
        if not halt and in_any_order(requests):
            return self._concurrently(requests)
        found: list[Any] = []
        for chunk in requests:
            found += self._send(chunk, halt)
            if halt and halted(found):
                break
        return _finish(found, raise_errors)

    def _send(self, calls: Sequence[Call[Any]], halt: bool) -> list[Any]:
        response = self._http.request(**self._request(batch_endpoint, request(calls, halt)))
        return self._outcomes(response, calls, halt)

    def _concurrently(self, requests: list[Sequence[Call[Any]]]) -> list[Any]:
        found: list[Any] = []
        sent = [self._workers().submit(self._send, chunk, False) for chunk in requests]
        try:
            for outcomes in sent:
                found += outcomes.result()
        finally:
            for outcomes in sent:  # after an error: the requests not yet sent never are
                outcomes.cancel()
        return found

    def _workers(self) -> ThreadPoolExecutor:
        """The client's threads for requests in flight together: made once, at the first batch
        that needs them (a pool per batch would cost its threads' start and end every time)."""
        with _POOL_LOCK:
            if self._pool is None:
                self._pool = ThreadPoolExecutor(MAX_IN_FLIGHT, thread_name_prefix="b24-batch")
            return self._pool

    def _stop_workers(self) -> None:
        with _POOL_LOCK:
            if self._pool is not None:
                self._pool.shutdown(cancel_futures=True)

    @overload
    def get_many(
        self, codes: Iterable[str], *, raise_errors: Literal[True]
    ) -> dict[str, Badge]: ...
    @overload
    def get_many(
        self, codes: Iterable[str], *, raise_errors: bool = ...
    ) -> dict[str, Badge | BitrixError]: ...
    def get_many(self, codes: Iterable[str], *, raise_errors: bool = False) -> dict[str, Any]:
        """The badge under each code, by code, in the order given (each code once): a `Badge`,
        or the error `get` would raise (NotFound for a code with no badge). 50 codes per
        request. With `raise_errors`, the first error is raised instead (the reading stops
        there)."""
        codes = unique(codes, "get_many")
        found = self.batch([Call.get(code) for code in codes], raise_errors=raise_errors)
        return dict(zip(codes, found, strict=True))

    @overload
    def add_many(
        self, badges: Iterable[Badge], *, raise_errors: Literal[True]
    ) -> dict[str, Badge]: ...
    @overload
    def add_many(
        self, badges: Iterable[Badge], *, raise_errors: bool = ...
    ) -> dict[str, Badge | BitrixError]: ...
    def add_many(self, badges: Iterable[Badge], *, raise_errors: bool = False) -> dict[str, Any]:
        """Register each badge (`Badge(code=..., title=..., value=..., type_=...)`, or badges
        another portal's `list()` gave); by code, the badge as stored or the error `add` would
        raise. A code given twice is a ValueError before anything is sent. With
        `raise_errors`, the first error is raised and no later badge is added."""
        badges = _new_codes(badges)
        found = self.batch(_adds(badges), raise_errors=raise_errors)
        return dict(zip((badge.code for badge in badges), found, strict=True))

    @overload
    def delete_many(
        self, codes: Iterable[str], *, raise_errors: Literal[True]
    ) -> dict[str, None]: ...
    @overload
    def delete_many(
        self, codes: Iterable[str], *, raise_errors: bool = ...
    ) -> dict[str, BitrixError | None]: ...
    def delete_many(self, codes: Iterable[str], *, raise_errors: bool = False) -> dict[str, Any]:
        """Remove the badge under each code (each code once); by code, None when it was removed
        or the error `delete` would raise (NotFound when there was none, which a caller that
        only wants them gone can ignore). With `raise_errors`, the first error is raised and
        no later badge is removed."""
        codes = unique(codes, "delete_many")
        found = self.batch([Call.delete(code) for code in codes], raise_errors=raise_errors)
        return dict(zip(codes, found, strict=True))


class AsyncBatchMethods(Base):
    """The batch methods of `AsyncBadgeClient`: those of `BadgeClient`, as coroutines."""

    _http: httpx.AsyncClient

    @overload
    async def batch(
        self, calls: Iterable[Call[T]], *, halt: bool = ..., raise_errors: Literal[True]
    ) -> list[T]: ...
    @overload
    async def batch(
        self, calls: Iterable[Call[T]], *, halt: bool = ..., raise_errors: bool = ...
    ) -> list[T | BitrixError]: ...
    async def batch(
        self, calls: Iterable[Call[T]], *, halt: bool = False, raise_errors: bool = False
    ) -> list[Any]:
        """`BadgeClient.batch`: `calls` in requests of 50, each call's outcome in call order."""
        requests = chunks(list(calls))
        halt = halt or raise_errors
        if not halt and in_any_order(requests):
            return await self._concurrently(requests)
        found: list[Any] = []
        for chunk in requests:
            found += await self._send(chunk, halt)
            if halt and halted(found):
                break
        return _finish(found, raise_errors)

    async def _send(self, calls: Sequence[Call[Any]], halt: bool) -> list[Any]:
        response = await self._http.request(**self._request(batch_endpoint, request(calls, halt)))
        return self._outcomes(response, calls, halt)

    async def _concurrently(self, requests: list[Sequence[Call[Any]]]) -> list[Any]:
        found: list[list[Any]] = [[] for _ in requests]
        failed: dict[int, Exception] = {}
        limiter = anyio.CapacityLimiter(min(MAX_IN_FLIGHT, len(requests)))

        async def send(index: int) -> None:
            async with limiter:
                try:
                    found[index] = await self._send(requests[index], False)
                except Exception as error:
                    failed[index] = error  # the group cancels the others: requests not yet
                    raise  # sent never are

        try:
            async with anyio.create_task_group() as group:
                for index in range(len(requests)):
                    group.start_soon(send, index)
        except BaseExceptionGroup:
            if not failed:
                raise
            raise failed[min(failed)] from None  # the first request's error, as in order
        return [outcome for outcomes in found for outcome in outcomes]

    @overload
    async def get_many(
        self, codes: Iterable[str], *, raise_errors: Literal[True]
    ) -> dict[str, Badge]: ...
    @overload
    async def get_many(
        self, codes: Iterable[str], *, raise_errors: bool = ...
    ) -> dict[str, Badge | BitrixError]: ...
    async def get_many(self, codes: Iterable[str], *, raise_errors: bool = False) -> dict[str, Any]:
        """`BadgeClient.get_many`: the badge or the error under each code."""
        codes = unique(codes, "get_many")
        found = await self.batch([Call.get(code) for code in codes], raise_errors=raise_errors)
        return dict(zip(codes, found, strict=True))

    @overload
    async def add_many(
        self, badges: Iterable[Badge], *, raise_errors: Literal[True]
    ) -> dict[str, Badge]: ...
    @overload
    async def add_many(
        self, badges: Iterable[Badge], *, raise_errors: bool = ...
    ) -> dict[str, Badge | BitrixError]: ...
    async def add_many(
        self, badges: Iterable[Badge], *, raise_errors: bool = False
    ) -> dict[str, Any]:
        """`BadgeClient.add_many`: register each badge; the badge as stored or the error."""
        badges = _new_codes(badges)
        found = await self.batch(_adds(badges), raise_errors=raise_errors)
        return dict(zip((badge.code for badge in badges), found, strict=True))

    @overload
    async def delete_many(
        self, codes: Iterable[str], *, raise_errors: Literal[True]
    ) -> dict[str, None]: ...
    @overload
    async def delete_many(
        self, codes: Iterable[str], *, raise_errors: bool = ...
    ) -> dict[str, BitrixError | None]: ...
    async def delete_many(
        self, codes: Iterable[str], *, raise_errors: bool = False
    ) -> dict[str, Any]:
        """`BadgeClient.delete_many`: remove the badge under each code; None or the error."""
        codes = unique(codes, "delete_many")
        found = await self.batch([Call.delete(code) for code in codes], raise_errors=raise_errors)
        return dict(zip(codes, found, strict=True))
