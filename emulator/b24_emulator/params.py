"""A request's parameters, from any encoding a portal accepts, as one dict.

Portals are PHP: the query string and the body are merged into one parameter array, and form
encodings spell nested values with bracket keys (`title[ru]=...`, `select[]=ID`), as PHP's
`parse_str` does. JSON bodies carry nested values natively. Any input that cannot be decoded is
the caller's mistake and becomes a 400, never a crash.
"""

from __future__ import annotations

import codecs
import json
from collections.abc import AsyncGenerator, AsyncIterator, Iterable
from typing import Any
from urllib.parse import parse_qsl

from python_multipart.multipart import parse_options_header
from starlette.datastructures import Headers, UploadFile
from starlette.formparsers import MultiPartException, MultiPartParser

from b24_emulator.errors import PortalError, invalid_request

MAX_BODY_BYTES = 1024 * 1024  # the emulator's own limit; portals cut far larger bodies
MAX_FIELDS = 1000
MAX_DEPTH = 8

Params = dict[str, Any]


def php_params(items: Iterable[tuple[str, str]]) -> Params:
    """Build PHP's parameter array from flat `key=value` pairs with bracket keys."""
    params: Params = {}
    for key, value in items:
        name, path = php_key(key)
        if name:  # PHP drops a variable without a name (`[a]=1`)
            _assign(params, name, path[:MAX_DEPTH], value)
    return params


def php_key(key: str) -> tuple[str, list[str]]:
    """A form key read as PHP reads it (main/php_variables.c): the name and its indices.

    The name runs to the first `[`, its spaces and dots made `_`; each index runs from a `[` to
    the next `]` (so `value[/[T]` is `value` indexed by `/[T`); after an index anything but
    another `[` is ignored; a first `[` never closed stays in the name as `_`.
    """
    key = key.lstrip(" ")
    bracket = key.find("[")
    name = (key if bracket < 0 else key[:bracket]).replace(" ", "_").replace(".", "_")
    path: list[str] = []
    position = bracket
    while 0 <= position < len(key) and key[position] == "[":
        close = key.find("]", position + 1)
        if close < 0:
            if not path:
                return f"{name}_{key[bracket + 1 :]}", []
            break
        path.append(key[position + 1 : close])
        position = close + 1
    return name, path


def _assign(container: Params, name: str, path: list[str], value: str) -> None:
    if not path:
        container[name] = value
        return
    child = container.get(name)
    if not isinstance(child, dict):
        child = {}
        container[name] = child
    head, *tail = path
    if head == "":  # `name[]=`: append with the next integer key, as PHP does
        head = str(len(child))
    _assign(child, head, tail, value)


def query_params(raw_query: bytes) -> Params:
    """The query string's parameters, bracket keys nested as PHP nests them; 400
    INVALID_REQUEST when it is not UTF-8 or has more than MAX_FIELDS fields."""
    return php_params(_pairs(raw_query, "query string"))


def command_params(query: str) -> Params:
    """The parameters of a batch command's `method?query`, read as PHP's parse_str reads them."""
    return php_params(_text_pairs(query, "command's query string"))


def _pairs(raw: bytes, where: str) -> list[tuple[str, str]]:
    try:
        text = raw.decode("utf-8")
    except UnicodeDecodeError as error:
        raise invalid_request(f"The {where} cannot be decoded: {error}") from None
    return _text_pairs(text, where)


def _text_pairs(text: str, where: str) -> list[tuple[str, str]]:
    try:
        return parse_qsl(text, keep_blank_values=True, errors="strict", max_num_fields=MAX_FIELDS)
    except ValueError as error:  # UnicodeDecodeError of a %-escape included
        raise invalid_request(f"The {where} cannot be decoded: {error}") from None


async def read_body(chunks: AsyncIterator[bytes]) -> bytes:
    """The whole body, refused once it passes MAX_BODY_BYTES instead of filling memory."""
    body = bytearray()
    async for chunk in chunks:
        body += chunk
        if len(body) > MAX_BODY_BYTES:
            raise invalid_request(f"The request body is larger than {MAX_BODY_BYTES} bytes")
    return bytes(body)


def media_type(headers: Headers) -> str:
    """The body's media type, without parameters: `multipart/form-data`, ..."""
    return headers.get("content-type", "").split(";")[0].strip().lower()


async def body_params(headers: Headers, body: bytes) -> Params:
    """The body's parameters by its Content-Type: a JSON object, or url-encoded or multipart
    form data (bracket keys; no file parts). A blank body has none; another type, or a body
    that cannot be decoded, is 400."""
    if not body.strip():
        return {}
    kind = media_type(headers)
    if kind == "application/json":
        return _json_params(body)
    if kind == "application/x-www-form-urlencoded":
        return php_params(_pairs(body, "form body"))
    if kind == "multipart/form-data":
        return php_params(await _multipart_pairs(headers, body))
    raise invalid_request(
        f"Unsupported Content-Type {kind or '(none)'}: send application/json, "
        "application/x-www-form-urlencoded or multipart/form-data"
    )


def _reject_constant(name: str) -> None:
    raise ValueError(f"{name} is not JSON")


def _json_params(body: bytes) -> Params:
    try:
        params = json.loads(body.decode("utf-8"), parse_constant=_reject_constant)
    except (UnicodeDecodeError, ValueError, RecursionError) as error:
        raise invalid_request(f"The request body is not valid JSON: {error}") from None
    if not isinstance(params, dict):
        raise invalid_request("The JSON body must be an object of parameters")
    return params


# Portals run PHP with UTF-8 as the site charset: a multipart field is read as UTF-8 whatever
# the request declares. A declared charset that is not UTF-8 (or ASCII, its subset) would make
# the parser decode with an arbitrary codec (punycode, idna, a bytes-to-bytes codec...), which
# stores garbage or raises errors of its own: such bodies are refused up front, clearly.
_MULTIPART_CHARSETS = {"utf-8", "ascii"}


def _multipart_charset(content_type: str) -> str:
    _, options = parse_options_header(content_type)
    declared = options.get(b"charset", b"utf-8").decode("latin-1")
    try:
        name = codecs.lookup(declared).name
    except LookupError:
        name = ""
    if name not in _MULTIPART_CHARSETS:
        raise invalid_request(f"Unsupported multipart charset {declared[:40]!r}: send UTF-8")
    return name


async def _multipart_pairs(headers: Headers, body: bytes) -> list[tuple[str, str]]:
    _multipart_charset(headers.get("content-type", ""))

    async def single_chunk() -> AsyncGenerator[bytes]:
        yield body

    parser = MultiPartParser(headers, single_chunk(), max_files=0, max_fields=MAX_FIELDS)
    try:
        form = await parser.parse()
    # The parser decodes client bytes: whatever it raises (a codec's UnicodeError, a ValueError
    # from a malformed header) is about the input, never about the portal.
    except (MultiPartException, ValueError, LookupError, TypeError) as error:
        raise invalid_request(f"The multipart body cannot be parsed: {error}") from None
    pairs = []
    for key, value in form.multi_items():
        if isinstance(value, UploadFile):
            raise PortalError(400, "INVALID_ARG_VALUE", f"File parts are not accepted ({key})")
        pairs.append((key, value))
    return pairs
