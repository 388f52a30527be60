"""What both clients share: their construction from options, the checks every answer passes,
and reading an answer with the generated parsers.

A call sends with the generated request builder and parses with the generated parser, as two
steps: whatever goes wrong while sending (a typed error from the response hook, a transport
error, a token refresher's own failure) reaches the caller as it is; only a failure to read the
answer becomes UnexpectedResponse, naming that answer.
"""

from __future__ import annotations

import functools
import json
from collections.abc import Sequence
from typing import Any, Protocol, TypeVar, cast

import httpx

from b24_badge_client._answers import check_answer
from b24_badge_client._batch import Call, Unreadable, outcomes
from b24_badge_client._credentials import Credentials
from b24_badge_client._errors import UnexpectedResponse
from b24_badge_client._generated.api.batch import batch as batch_endpoint
from b24_badge_client._generated.client import Client
from b24_badge_client._generated.models import BatchResponse, Error
from b24_badge_client._options import (
    DEFAULT_TIMEOUT,
    AsyncClientOptions,
    ClientOptions,
    TransportOptions,
)
from b24_badge_client._redaction import masked

T = TypeVar("T")
T_co = TypeVar("T_co", covariant=True)

# What the generated parsers raise on a 200 answer that does not fit the models.
_UNREADABLE = (KeyError, TypeError, ValueError, AttributeError, json.JSONDecodeError)

# Requests accept only what the transport can decompress within its size cap.
_HEADERS = {"Accept-Encoding": "gzip, deflate"}
# What the generated request builders add for a JSON body, which httpx adds itself for json=.
_JSON_HEADERS = {"Content-Type": "application/json"}


class Endpoint(Protocol[T_co]):
    """A generated endpoint module: its request builder and its answer parser."""

    def _get_kwargs(self, *, body: Any) -> dict[str, Any]: ...

    def _parse_response(
        self, *, client: Client, response: httpx.Response
    ) -> T_co | Error | None: ...


class Base:
    """The state and the answer handling of `BadgeClient` and `AsyncBadgeClient`."""

    credentials: Credentials
    generated: Client

    def __init__(
        self, credentials: Credentials, options: ClientOptions | AsyncClientOptions
    ) -> None:
        unknown = options.keys() - ClientOptions.__optional_keys__
        if unknown:
            raise TypeError(
                f"unknown option {', '.join(sorted(unknown))}; the options are "
                f"{', '.join(sorted(ClientOptions.__optional_keys__))}"
            )
        self.credentials = credentials
        self._secrets = credentials._secrets
        self._on_response = options.get("on_response")
        self._transport_options = cast(
            TransportOptions,
            {k: v for k, v in options.items() if k in TransportOptions.__optional_keys__},
        )
        self._http_options: dict[str, Any] = {
            "base_url": credentials.base_url,
            "timeout": httpx.Timeout(options.get("timeout", DEFAULT_TIMEOUT)),
            "follow_redirects": False,  # a moved portal is PortalMoved, never a silent re-POST
            "headers": _HEADERS,
        }

    def _check(self, response: httpx.Response) -> None:
        if self._on_response is not None:
            self._on_response(masked(response, self._secrets))
        check_answer(response, self._secrets)

    @staticmethod
    def _request(endpoint: Endpoint[Any], body: object) -> dict[str, Any]:
        """httpx.Client.request arguments for a call, from the generated request builder."""
        kwargs = endpoint._get_kwargs(body=body)
        if kwargs.get("headers") == _JSON_HEADERS and "json" in kwargs:
            del kwargs["headers"]  # the same header, without merging headers on every call
        return kwargs

    def _parse(self, endpoint: Endpoint[T], response: httpx.Response, expected: type[T]) -> T:
        """The success model of a 200 answer (the response hook raised for everything else)."""
        try:
            parsed = endpoint._parse_response(client=self.generated, response=response)
        except _UNREADABLE as error:
            raise self._unreadable(repr(error), response) from None
        if not isinstance(parsed, expected):
            raise self._unreadable(f"expected {expected.__name__}", response)
        return parsed

    def _unreadable(self, why: str, response: httpx.Response) -> UnexpectedResponse:
        why = self._secrets.redact(why)  # a parser's message may quote the raw body
        return UnexpectedResponse(
            f"the answer does not fit the contract: {why}", masked(response, self._secrets)
        )

    def __repr__(self) -> str:
        return f"{type(self).__name__}({self.credentials!r})"

    def _outcomes(
        self, response: httpx.Response, calls: Sequence[Call[Any]], halt: bool
    ) -> list[Any]:
        """Each call's outcome from the answer to one batch request (_batch.outcomes), or
        UnexpectedResponse for an answer outside the contract, keeping it (masked)."""
        try:  # the parsed answer is never a local: a traceback with locals would show it
            return outcomes(
                self._parse(batch_endpoint, response, BatchResponse),
                calls,
                halt=halt,
                response=functools.cache(lambda: masked(response, self._secrets)),
                secrets=self._secrets,
            )
        except Unreadable as why:
            reason = str(why)
        raise self._unreadable(reason, response)
