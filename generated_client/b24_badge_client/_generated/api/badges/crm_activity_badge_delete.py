from http import HTTPStatus
from typing import Any

import httpx

from ... import errors
from ...client import AuthenticatedClient, Client
from ...models.badge_code_request import BadgeCodeRequest
from ...models.badge_delete_response import BadgeDeleteResponse
from ...models.error import Error
from ...types import Response


def _get_kwargs(
    *,
    body: BadgeCodeRequest,
) -> dict[str, Any]:
    headers: dict[str, Any] = {}

    _kwargs: dict[str, Any] = {
        "method": "post",
        "url": "/crm.activity.badge.delete",
    }

    _kwargs["json"] = body.to_dict()

    headers["Content-Type"] = "application/json"

    _kwargs["headers"] = headers
    return _kwargs


def _parse_response(
    *, client: AuthenticatedClient | Client, response: httpx.Response
) -> BadgeDeleteResponse | Error | None:
    if response.status_code == 200:
        response_200 = BadgeDeleteResponse.from_dict(response.json())

        return response_200

    if response.status_code == 400:
        response_400 = Error.from_dict(response.json())

        return response_400

    if response.status_code == 401:
        response_401 = Error.from_dict(response.json())

        return response_401

    if response.status_code == 403:
        response_403 = Error.from_dict(response.json())

        return response_403

    if response.status_code == 404:
        response_404 = Error.from_dict(response.json())

        return response_404

    if response.status_code == 405:
        response_405 = Error.from_dict(response.json())

        return response_405

    if response.status_code == 410:
        response_410 = Error.from_dict(response.json())

        return response_410

    if response.status_code == 429:
        response_429 = Error.from_dict(response.json())

        return response_429

    if response.status_code == 500:
        response_500 = Error.from_dict(response.json())

        return response_500

    if response.status_code == 503:
        response_503 = Error.from_dict(response.json())

        return response_503

    if client.raise_on_unexpected_status:
        raise errors.UnexpectedStatus(response.status_code, response.content)
    else:
        return None


def _build_response(
    *, client: AuthenticatedClient | Client, response: httpx.Response
) -> Response[BadgeDeleteResponse | Error]:
    return Response(
        status_code=HTTPStatus(response.status_code),
        content=response.content,
        headers=response.headers,
        parsed=_parse_response(client=client, response=response),
    )


def sync_detailed(
    *,
    client: AuthenticatedClient | Client,
    body: BadgeCodeRequest,
) -> Response[BadgeDeleteResponse | Error]:
    """Delete a badge by code

     Deletes the badge registered under `code` and answers `result: true`. An unknown code
    is an error, 400 `NOT_FOUND` per the docs (D-NOT-FOUND-STATUS); after a delete, get and
    delete of the same code answer `NOT_FOUND`.

    Args:
        body (BadgeCodeRequest): Parameters of get and delete.

    Raises:
        errors.UnexpectedStatus: If the server returns an undocumented status code and Client.raise_on_unexpected_status is True.
        httpx.TimeoutException: If the request takes longer than Client.timeout.

    Returns:
        Response[BadgeDeleteResponse | Error]
    """

    kwargs = _get_kwargs(
        body=body,
    )

    response = client.get_httpx_client().request(
        **kwargs,
    )

    return _build_response(client=client, response=response)


def sync(
    *,
    client: AuthenticatedClient | Client,
    body: BadgeCodeRequest,
) -> BadgeDeleteResponse | Error | None:
    """Delete a badge by code

     Deletes the badge registered under `code` and answers `result: true`. An unknown code
    is an error, 400 `NOT_FOUND` per the docs (D-NOT-FOUND-STATUS); after a delete, get and
    delete of the same code answer `NOT_FOUND`.

    Args:
        body (BadgeCodeRequest): Parameters of get and delete.

    Raises:
        errors.UnexpectedStatus: If the server returns an undocumented status code and Client.raise_on_unexpected_status is True.
        httpx.TimeoutException: If the request takes longer than Client.timeout.

    Returns:
        BadgeDeleteResponse | Error
    """

    return sync_detailed(
        client=client,
        body=body,
    ).parsed


async def asyncio_detailed(
    *,
    client: AuthenticatedClient | Client,
    body: BadgeCodeRequest,
) -> Response[BadgeDeleteResponse | Error]:
    """Delete a badge by code

     Deletes the badge registered under `code` and answers `result: true`. An unknown code
    is an error, 400 `NOT_FOUND` per the docs (D-NOT-FOUND-STATUS); after a delete, get and
    delete of the same code answer `NOT_FOUND`.

    Args:
        body (BadgeCodeRequest): Parameters of get and delete.

    Raises:
        errors.UnexpectedStatus: If the server returns an undocumented status code and Client.raise_on_unexpected_status is True.
        httpx.TimeoutException: If the request takes longer than Client.timeout.

    Returns:
        Response[BadgeDeleteResponse | Error]
    """

    kwargs = _get_kwargs(
        body=body,
    )

    response = await client.get_async_httpx_client().request(**kwargs)

    return _build_response(client=client, response=response)


async def asyncio(
    *,
    client: AuthenticatedClient | Client,
    body: BadgeCodeRequest,
) -> BadgeDeleteResponse | Error | None:
    """Delete a badge by code

     Deletes the badge registered under `code` and answers `result: true`. An unknown code
    is an error, 400 `NOT_FOUND` per the docs (D-NOT-FOUND-STATUS); after a delete, get and
    delete of the same code answer `NOT_FOUND`.

    Args:
        body (BadgeCodeRequest): Parameters of get and delete.

    Raises:
        errors.UnexpectedStatus: If the server returns an undocumented status code and Client.raise_on_unexpected_status is True.
        httpx.TimeoutException: If the request takes longer than Client.timeout.

    Returns:
        BadgeDeleteResponse | Error
    """

    return (
        await asyncio_detailed(
            client=client,
            body=body,
        )
    ).parsed
