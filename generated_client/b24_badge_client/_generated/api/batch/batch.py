from http import HTTPStatus
from typing import Any

import httpx

from ... import errors
from ...client import AuthenticatedClient, Client
from ...models.batch_request import BatchRequest
from ...models.batch_response import BatchResponse
from ...models.error import Error
from ...types import Response


def _get_kwargs(
    *,
    body: BatchRequest,
) -> dict[str, Any]:
    headers: dict[str, Any] = {}

    _kwargs: dict[str, Any] = {
        "method": "post",
        "url": "/batch",
    }

    _kwargs["json"] = body.to_dict()

    headers["Content-Type"] = "application/json"

    _kwargs["headers"] = headers
    return _kwargs


def _parse_response(*, client: AuthenticatedClient | Client, response: httpx.Response) -> BatchResponse | Error | None:
    if response.status_code == 200:
        response_200 = BatchResponse.from_dict(response.json())

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
) -> Response[BatchResponse | Error]:
    return Response(
        status_code=HTTPStatus(response.status_code),
        content=response.content,
        headers=response.headers,
        parsed=_parse_response(client=client, response=response),
    )


def sync_detailed(
    *,
    client: AuthenticatedClient | Client,
    body: BatchRequest,
) -> Response[BatchResponse | Error]:
    """Call several methods in one request

     `cmd` names each command (a map of names, or a list) and gives it as `method?query`,
    the query in PHP's form encoding (`crm.activity.badge.get?code=missedCall`,
    `crm.activity.badge.add?code=x&title[ru]=...`); a command may refer to an earlier one's
    result as `$result[name][field]...`. With `halt` true (or 1) the batch stops at the first
    command that fails. The batch itself answers 200: each command's result is in
    `result.result` and each failure in `result.result_error`, under the command's name
    (D-BATCH-SHAPES); what a badge command's entries look like is stated by
    `x-b24-command-results`. More than 50 commands (D-BATCH-LENGTH) and a nested batch
    (`ERROR_BATCH_METHOD_NOT_ALLOWED`, rest 24.0.0 and later; D-BATCH-NESTED) are refused.

    Args:
        body (BatchRequest): Parameters of batch (docs settings/how-to-call-rest-api/batch.md).

    Raises:
        errors.UnexpectedStatus: If the server returns an undocumented status code and Client.raise_on_unexpected_status is True.
        httpx.TimeoutException: If the request takes longer than Client.timeout.

    Returns:
        Response[BatchResponse | Error]
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
    body: BatchRequest,
) -> BatchResponse | Error | None:
    """Call several methods in one request

     `cmd` names each command (a map of names, or a list) and gives it as `method?query`,
    the query in PHP's form encoding (`crm.activity.badge.get?code=missedCall`,
    `crm.activity.badge.add?code=x&title[ru]=...`); a command may refer to an earlier one's
    result as `$result[name][field]...`. With `halt` true (or 1) the batch stops at the first
    command that fails. The batch itself answers 200: each command's result is in
    `result.result` and each failure in `result.result_error`, under the command's name
    (D-BATCH-SHAPES); what a badge command's entries look like is stated by
    `x-b24-command-results`. More than 50 commands (D-BATCH-LENGTH) and a nested batch
    (`ERROR_BATCH_METHOD_NOT_ALLOWED`, rest 24.0.0 and later; D-BATCH-NESTED) are refused.

    Args:
        body (BatchRequest): Parameters of batch (docs settings/how-to-call-rest-api/batch.md).

    Raises:
        errors.UnexpectedStatus: If the server returns an undocumented status code and Client.raise_on_unexpected_status is True.
        httpx.TimeoutException: If the request takes longer than Client.timeout.

    Returns:
        BatchResponse | Error
    """

    return sync_detailed(
        client=client,
        body=body,
    ).parsed


async def asyncio_detailed(
    *,
    client: AuthenticatedClient | Client,
    body: BatchRequest,
) -> Response[BatchResponse | Error]:
    """Call several methods in one request

     `cmd` names each command (a map of names, or a list) and gives it as `method?query`,
    the query in PHP's form encoding (`crm.activity.badge.get?code=missedCall`,
    `crm.activity.badge.add?code=x&title[ru]=...`); a command may refer to an earlier one's
    result as `$result[name][field]...`. With `halt` true (or 1) the batch stops at the first
    command that fails. The batch itself answers 200: each command's result is in
    `result.result` and each failure in `result.result_error`, under the command's name
    (D-BATCH-SHAPES); what a badge command's entries look like is stated by
    `x-b24-command-results`. More than 50 commands (D-BATCH-LENGTH) and a nested batch
    (`ERROR_BATCH_METHOD_NOT_ALLOWED`, rest 24.0.0 and later; D-BATCH-NESTED) are refused.

    Args:
        body (BatchRequest): Parameters of batch (docs settings/how-to-call-rest-api/batch.md).

    Raises:
        errors.UnexpectedStatus: If the server returns an undocumented status code and Client.raise_on_unexpected_status is True.
        httpx.TimeoutException: If the request takes longer than Client.timeout.

    Returns:
        Response[BatchResponse | Error]
    """

    kwargs = _get_kwargs(
        body=body,
    )

    response = await client.get_async_httpx_client().request(**kwargs)

    return _build_response(client=client, response=response)


async def asyncio(
    *,
    client: AuthenticatedClient | Client,
    body: BatchRequest,
) -> BatchResponse | Error | None:
    """Call several methods in one request

     `cmd` names each command (a map of names, or a list) and gives it as `method?query`,
    the query in PHP's form encoding (`crm.activity.badge.get?code=missedCall`,
    `crm.activity.badge.add?code=x&title[ru]=...`); a command may refer to an earlier one's
    result as `$result[name][field]...`. With `halt` true (or 1) the batch stops at the first
    command that fails. The batch itself answers 200: each command's result is in
    `result.result` and each failure in `result.result_error`, under the command's name
    (D-BATCH-SHAPES); what a badge command's entries look like is stated by
    `x-b24-command-results`. More than 50 commands (D-BATCH-LENGTH) and a nested batch
    (`ERROR_BATCH_METHOD_NOT_ALLOWED`, rest 24.0.0 and later; D-BATCH-NESTED) are refused.

    Args:
        body (BatchRequest): Parameters of batch (docs settings/how-to-call-rest-api/batch.md).

    Raises:
        errors.UnexpectedStatus: If the server returns an undocumented status code and Client.raise_on_unexpected_status is True.
        httpx.TimeoutException: If the request takes longer than Client.timeout.

    Returns:
        BatchResponse | Error
    """

    return (
        await asyncio_detailed(
            client=client,
            body=body,
        )
    ).parsed
