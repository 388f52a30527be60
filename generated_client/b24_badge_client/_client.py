"""`BadgeClient` and `AsyncBadgeClient`: the four badge methods, typed, for real portals.

    client = BadgeClient.from_webhook("https://portal.bitrix24.com/rest/1/CODE/")
    badge = client.get("missedCall")           # -> Badge, or raises NotFound

They wrap the generated client (`client.generated`, usable directly with the generated
`api.badges` functions) and add what the generator cannot: both auth styles, pacing, retries and
limits (_transport.py, _flow.py), typed errors that keep the response (_answers.py, _errors.py),
and secrets kept out of logs, reprs and exceptions.
"""

from __future__ import annotations

from typing import Self, TypeVar, Unpack

import httpx

from b24_badge_client._base import Endpoint
from b24_badge_client._bulk import AsyncBatchMethods, BatchMethods
from b24_badge_client._credentials import (
    AsyncTokenRefresher,
    Credentials,
    OAuth,
    TokenRefresher,
    Webhook,
)
from b24_badge_client._generated.api.badges import (
    crm_activity_badge_add,
    crm_activity_badge_delete,
    crm_activity_badge_get,
    crm_activity_badge_list,
)
from b24_badge_client._generated.client import Client
from b24_badge_client._generated.models import (
    Badge,
    BadgeCodeRequest,
    BadgeDeleteResponse,
    BadgeListRequest,
    BadgeListResponse,
    BadgeResponse,
    BadgeType,
)
from b24_badge_client._options import (
    AsyncClientOptions,
    ClientOptions,
)
from b24_badge_client._requests import BadgeTypeName, Text, add_request
from b24_badge_client._transport import AsyncBitrixTransport, BitrixTransport

T = TypeVar("T")


class BadgeClient(BatchMethods):
    """The badge methods of one portal, synchronous: for scripts, workers and web apps that
    block. Use it as a context manager, or call `close()`, to release its connections.

    `generated` is the generated `Client` on the same connection, transport and checks, for
    what the four methods do not cover. Options: `ClientOptions`.
    """

    def __init__(self, credentials: Credentials, **options: Unpack[ClientOptions]) -> None:
        super().__init__(credentials, options)
        transport = BitrixTransport(
            credentials, inner=options.get("transport"), **self._transport_options
        )
        self._http = httpx.Client(
            **self._http_options, transport=transport, event_hooks={"response": [self._remember]}
        )
        self.generated = Client(base_url=credentials.base_url).set_httpx_client(self._http)

    @classmethod
    def from_webhook(cls, url: str, **options: Unpack[ClientOptions]) -> Self:
        """From an incoming webhook URL, `https://portal/rest/USER_ID/CODE/`: the usual way for
        a portal's own integrations."""
        return cls(Webhook(url), **options)

    @classmethod
    def from_oauth(
        cls,
        portal: str,
        access_token: str,
        *,
        refresh: TokenRefresher | None = None,
        **options: Unpack[ClientOptions],
    ) -> Self:
        """From a portal address and an OAuth access token, for an application installed on
        many portals; `refresh()` returns a new token when the portal says it expired (a
        coroutine function is refused here: it needs AsyncBadgeClient)."""
        return cls(OAuth(portal, access_token, refresh), **options)

    def _remember(self, response: httpx.Response) -> None:
        response.read()
        self._check(response)

    def _call(self, endpoint: Endpoint[T], expected: type[T], body: object) -> T:
        response = self._http.request(**self._request(endpoint, body))
        return self._parse(endpoint, response, expected)

    def add(self, code: str, title: Text, value: Text, type: BadgeType | BadgeTypeName) -> Badge:
        """Register a badge under `code` (unique on the portal; needs CRM administrator rights),
        so that activities can show it; returns it as the portal stored it.

        `title` and `value` are strings or texts by language (`{"en": ..., "ru": ...}`);
        `type` is the colour. A code already taken raises BitrixError, a missing field
        InvalidArguments, missing rights AccessDenied.
        """
        body = add_request(code, title, value, type)
        return self._call(crm_activity_badge_add, BadgeResponse, body).result.badge

    def get(self, code: str) -> Badge:
        """The badge registered under `code`; NotFound when there is none (whatever status the
        portal uses for it), so `get` is also the way to ask whether it exists."""
        body = BadgeCodeRequest(code=code)
        return self._call(crm_activity_badge_get, BadgeResponse, body).result.badge

    def list(self) -> list[Badge]:
        """Every badge of the portal, in the portal's order (the method takes no filter)."""
        body = BadgeListRequest()
        return self._call(crm_activity_badge_list, BadgeListResponse, body).result.badges

    def delete(self, code: str) -> None:
        """Remove the badge registered under `code` (needs CRM administrator rights); NotFound
        when there is none, so a caller that only wants it gone can ignore that."""
        body = BadgeCodeRequest(code=code)
        self._call(crm_activity_badge_delete, BadgeDeleteResponse, body)

    def close(self) -> None:
        """Release the client's connections and threads; it cannot be used afterwards."""
        self._stop_workers()
        self._http.close()

    def __enter__(self) -> Self:
        return self

    def __exit__(self, *exc_info: object) -> None:
        self.close()


class AsyncBadgeClient(AsyncBatchMethods):
    """`BadgeClient` with coroutines, for asyncio and trio applications; the token refresher
    may be a coroutine function. Use it as an async context manager, or call `aclose()`.
    Options: `AsyncClientOptions`."""

    def __init__(self, credentials: Credentials, **options: Unpack[AsyncClientOptions]) -> None:
        super().__init__(credentials, options)
        transport = AsyncBitrixTransport(
            credentials, inner=options.get("transport"), **self._transport_options
        )
        self._http = httpx.AsyncClient(
            **self._http_options, transport=transport, event_hooks={"response": [self._remember]}
        )
        self.generated = Client(base_url=credentials.base_url).set_async_httpx_client(self._http)

    @classmethod
    def from_webhook(cls, url: str, **options: Unpack[AsyncClientOptions]) -> Self:
        """From an incoming webhook URL, `https://portal/rest/USER_ID/CODE/`."""
        return cls(Webhook(url), **options)

    @classmethod
    def from_oauth(
        cls,
        portal: str,
        access_token: str,
        *,
        refresh: TokenRefresher | AsyncTokenRefresher | None = None,
        **options: Unpack[AsyncClientOptions],
    ) -> Self:
        """From a portal address and an OAuth access token; `refresh()` (a function or a
        coroutine function) returns a new token when the portal says it expired."""
        return cls(OAuth(portal, access_token, refresh), **options)

    async def _remember(self, response: httpx.Response) -> None:
        await response.aread()
        self._check(response)

    async def _call(self, endpoint: Endpoint[T], expected: type[T], body: object) -> T:
        response = await self._http.request(**self._request(endpoint, body))
        return self._parse(endpoint, response, expected)

    async def add(
        self, code: str, title: Text, value: Text, type: BadgeType | BadgeTypeName
    ) -> Badge:
        """`BadgeClient.add`: register a badge under `code`; returns it as stored."""
        body = add_request(code, title, value, type)
        return (await self._call(crm_activity_badge_add, BadgeResponse, body)).result.badge

    async def get(self, code: str) -> Badge:
        """`BadgeClient.get`: the badge under `code`, or NotFound."""
        body = BadgeCodeRequest(code=code)
        return (await self._call(crm_activity_badge_get, BadgeResponse, body)).result.badge

    async def list(self) -> list[Badge]:
        """`BadgeClient.list`: every badge of the portal."""
        body = BadgeListRequest()
        answer = await self._call(crm_activity_badge_list, BadgeListResponse, body)
        return answer.result.badges

    async def delete(self, code: str) -> None:
        """`BadgeClient.delete`: remove the badge under `code`, or NotFound."""
        body = BadgeCodeRequest(code=code)
        await self._call(crm_activity_badge_delete, BadgeDeleteResponse, body)

    async def aclose(self) -> None:
        """Release the client's connections; it cannot be used afterwards."""
        await self._http.aclose()

    async def __aenter__(self) -> Self:
        return self

    async def __aexit__(self, *exc_info: object) -> None:
        await self.aclose()
