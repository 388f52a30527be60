"""`BadgeClient` and `AsyncBadgeClient`: the four badge methods, typed, for real portals.

    client = BadgeClient.from_webhook("https://portal.bitrix24.com/rest/1/CODE/")
    badge = client.get("missedCall")           # -> Badge, or raises NotFound

They wrap the generated client (`client.generated`, usable directly with the generated
`api.badges` functions) and add what the generator cannot: both auth styles, pacing and
retries (transport.py), typed errors that keep the response (answers.py, errors.py), and
secrets kept out of logs, reprs and exceptions.
"""

from __future__ import annotations

import contextvars
import json
from collections.abc import Awaitable, Callable, Mapping
from typing import Any, Self, TypeVar

import httpx

from b24_badge_client._generated.api.badges import (
    crm_activity_badge_add,
    crm_activity_badge_delete,
    crm_activity_badge_get,
    crm_activity_badge_list,
)
from b24_badge_client._generated.client import Client
from b24_badge_client._generated.models import (
    Badge,
    BadgeAddRequest,
    BadgeCodeRequest,
    BadgeDeleteResponse,
    BadgeListRequest,
    BadgeListResponse,
    BadgeResponse,
    BadgeType,
    Error,
    LanguageMap,
)
from b24_badge_client._generated.types import Response
from b24_badge_client.answers import check_answer, masked
from b24_badge_client.credentials import (
    AsyncTokenRefresher,
    Credentials,
    OAuth,
    TokenRefresher,
    Webhook,
)
from b24_badge_client.errors import UnexpectedResponse
from b24_badge_client.pacing import CLOUD, RateLimit
from b24_badge_client.transport import (
    DEFAULT_RETRY,
    AsyncBitrixTransport,
    BitrixTransport,
    RetryPolicy,
)

Text = str | Mapping[str, str] | LanguageMap
T = TypeVar("T")

# What the generated parsers raise on a 200 answer that does not fit the models.
_UNREADABLE = (KeyError, TypeError, ValueError, AttributeError, json.JSONDecodeError)
_last_answer: contextvars.ContextVar[httpx.Response | None] = contextvars.ContextVar(
    "b24_last_answer", default=None
)


def _text(value: Text) -> str | LanguageMap:
    if isinstance(value, str | LanguageMap):
        return value
    return LanguageMap.from_dict(dict(value))


def _add_request(code: str, title: Text, value: Text, type: BadgeType | str) -> BadgeAddRequest:
    return BadgeAddRequest(code=code, title=_text(title), value=_text(value), type_=BadgeType(type))


class _Base:
    def __init__(
        self,
        credentials: Credentials,
        *,
        rate_limit: RateLimit | None,
        retry: RetryPolicy,
        timeout: float,
        on_response: Callable[[httpx.Response], None] | None,
    ) -> None:
        self.credentials = credentials
        self._secrets = credentials.secrets
        self._on_response = on_response
        self._options: dict[str, Any] = {
            "base_url": credentials.base_url,
            "timeout": httpx.Timeout(timeout),
            "follow_redirects": False,  # a moved portal is PortalMoved, never a silent re-POST
        }
        self._transport_options: dict[str, Any] = {"rate_limit": rate_limit, "retry": retry}

    @classmethod
    def from_webhook(cls, url: str, **options: Any) -> Self:
        """From an incoming webhook URL, `https://portal/rest/USER_ID/CODE/`."""
        return cls(Webhook(url), **options)

    @classmethod
    def from_oauth(
        cls,
        portal: str,
        access_token: str,
        *,
        refresh: TokenRefresher | AsyncTokenRefresher | None = None,
        **options: Any,
    ) -> Self:
        """From a portal address and an OAuth access token; `refresh()` returns a new token
        (a coroutine function is accepted by the async client only)."""
        return cls(OAuth(portal, access_token, refresh), **options)

    def _remember(self, response: httpx.Response) -> None:
        _last_answer.set(response)
        if self._on_response is not None:
            self._on_response(masked(response, self._secrets))
        check_answer(response, self._secrets)

    def _unreadable(self, why: str) -> UnexpectedResponse:
        raw = _last_answer.get()
        assert raw is not None, "the response hook saw every answer"
        why = self._secrets.redact(why)  # a parser's message may quote the raw body
        return UnexpectedResponse(
            f"the answer does not fit the contract: {why}", masked(raw, self._secrets)
        )

    def _expect(self, response: Response[Any], expected: type[T]) -> T:
        """The success model of a 200 answer; the response hook raised for everything else."""
        if not isinstance(response.parsed, expected):
            raise self._unreadable(f"expected {expected.__name__}")
        return response.parsed

    def __repr__(self) -> str:
        return f"{type(self).__name__}({self.credentials!r})"


class BadgeClient(_Base):
    """Synchronous client. Use as a context manager, or call `close()`."""

    def __init__(
        self,
        credentials: Credentials,
        *,
        rate_limit: RateLimit | None = CLOUD,
        retry: RetryPolicy = DEFAULT_RETRY,
        timeout: float = 30.0,
        transport: httpx.BaseTransport | None = None,
        transport_options: Mapping[str, Any] | None = None,
        on_response: Callable[[httpx.Response], None] | None = None,
    ) -> None:
        """`transport` is the underlying httpx transport (default: HTTP); `transport_options`
        go to BitrixTransport (clock, sleep, rand: for tests); `on_response` sees every raw
        answer, secrets masked, before it is checked (for logging, metrics, conformance)."""
        super().__init__(
            credentials,
            rate_limit=rate_limit,
            retry=retry,
            timeout=timeout,
            on_response=on_response,
        )
        wrapped = BitrixTransport(
            credentials, inner=transport, **self._transport_options, **(transport_options or {})
        )
        http = httpx.Client(
            **self._options, transport=wrapped, event_hooks={"response": [self._remember]}
        )
        self.generated = Client(base_url=credentials.base_url).set_httpx_client(http)

    def _call(self, endpoint: Callable[..., Response[Any]], expected: type[T], **kwargs: Any) -> T:
        try:
            response = endpoint(client=self.generated, **kwargs)
        except _UNREADABLE as error:
            raise self._unreadable(repr(error)) from None
        return self._expect(response, expected)

    def add(self, code: str, title: Text, value: Text, type: BadgeType | str) -> Badge:
        body = _add_request(code, title, value, type)
        answer = self._call(crm_activity_badge_add.sync_detailed, BadgeResponse, body=body)
        return answer.result.badge

    def get(self, code: str) -> Badge:
        body = BadgeCodeRequest(code=code)
        return self._call(
            crm_activity_badge_get.sync_detailed, BadgeResponse, body=body
        ).result.badge

    def list(self) -> list[Badge]:
        body = BadgeListRequest()
        answer = self._call(crm_activity_badge_list.sync_detailed, BadgeListResponse, body=body)
        return answer.result.badges

    def delete(self, code: str) -> None:
        body = BadgeCodeRequest(code=code)
        self._call(crm_activity_badge_delete.sync_detailed, BadgeDeleteResponse, body=body)

    def close(self) -> None:
        self.generated.get_httpx_client().close()

    def __enter__(self) -> Self:
        return self

    def __exit__(self, *exc_info: object) -> None:
        self.close()


class AsyncBadgeClient(_Base):
    """Asynchronous client. Use as an async context manager, or call `aclose()`."""

    def __init__(
        self,
        credentials: Credentials,
        *,
        rate_limit: RateLimit | None = CLOUD,
        retry: RetryPolicy = DEFAULT_RETRY,
        timeout: float = 30.0,
        transport: httpx.AsyncBaseTransport | None = None,
        transport_options: Mapping[str, Any] | None = None,
        on_response: Callable[[httpx.Response], None] | None = None,
    ) -> None:
        super().__init__(
            credentials,
            rate_limit=rate_limit,
            retry=retry,
            timeout=timeout,
            on_response=on_response,
        )
        wrapped = AsyncBitrixTransport(
            credentials, inner=transport, **self._transport_options, **(transport_options or {})
        )
        http = httpx.AsyncClient(
            **self._options, transport=wrapped, event_hooks={"response": [self._aremember]}
        )
        self.generated = Client(base_url=credentials.base_url).set_async_httpx_client(http)

    async def _aremember(self, response: httpx.Response) -> None:
        await response.aread()
        self._remember(response)

    async def _call(
        self, endpoint: Callable[..., Awaitable[Response[Any]]], expected: type[T], **kwargs: Any
    ) -> T:
        try:
            response = await endpoint(client=self.generated, **kwargs)
        except _UNREADABLE as error:
            raise self._unreadable(repr(error)) from None
        return self._expect(response, expected)

    async def add(self, code: str, title: Text, value: Text, type: BadgeType | str) -> Badge:
        body = _add_request(code, title, value, type)
        answer = await self._call(crm_activity_badge_add.asyncio_detailed, BadgeResponse, body=body)
        return answer.result.badge

    async def get(self, code: str) -> Badge:
        body = BadgeCodeRequest(code=code)
        answer = await self._call(crm_activity_badge_get.asyncio_detailed, BadgeResponse, body=body)
        return answer.result.badge

    async def list(self) -> list[Badge]:
        body = BadgeListRequest()
        endpoint = crm_activity_badge_list.asyncio_detailed
        return (await self._call(endpoint, BadgeListResponse, body=body)).result.badges

    async def delete(self, code: str) -> None:
        body = BadgeCodeRequest(code=code)
        await self._call(crm_activity_badge_delete.asyncio_detailed, BadgeDeleteResponse, body=body)

    async def aclose(self) -> None:
        await self.generated.get_async_httpx_client().aclose()

    async def __aenter__(self) -> Self:
        return self

    async def __aexit__(self, *exc_info: object) -> None:
        await self.aclose()


__all__ = ["AsyncBadgeClient", "BadgeClient", "Error"]
