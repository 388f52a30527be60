"""No input gets a 5xx: content types, charsets (every codec Python knows, and junk) and bodies.

Hypothesis sends them over real HTTP; every answer must be a 4xx or a success, and JSON: the
result or the error envelope. B24_FUZZ_EXAMPLES raises the budget for a deeper run.
"""

from __future__ import annotations

import encodings
import encodings.aliases
import os
import pkgutil
from collections.abc import Iterator

import httpx
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from b24_emulator import RunningEmulator, run_emulator
from tests.emulator.conftest import SETTINGS, Portal, assert_error

EXAMPLES = int(os.environ.get("B24_FUZZ_EXAMPLES", "300"))
METHODS = ["crm.activity.badge.add", "crm.activity.badge.get", "batch"]

CODECS = sorted(
    set(encodings.aliases.aliases)
    | set(encodings.aliases.aliases.values())
    | {module.name for module in pkgutil.iter_modules(encodings.__path__)}
)
HEADER_TEXT = st.text(st.characters(min_codepoint=0x20, max_codepoint=0x7E), max_size=30)
MEDIA_TYPES = (
    st.sampled_from(
        [
            "application/json",
            "application/x-www-form-urlencoded",
            "multipart/form-data",
            "text/plain",
        ]
    )
    | HEADER_TEXT
)
CHARSETS = st.sampled_from(CODECS) | HEADER_TEXT
FIELD_TEXT = st.text(max_size=20)
BOUNDARIES = st.sampled_from(["b0und", "", '"b0und"']) | HEADER_TEXT


@st.composite
def content_type(draw: st.DrawFn) -> str:
    parts = [draw(MEDIA_TYPES)]
    if draw(st.booleans()):
        parts.append(f"boundary={draw(BOUNDARIES)}")
    if draw(st.booleans()):
        parts.append(f"charset={draw(CHARSETS)}")
    return "; ".join(draw(st.permutations(parts)))


@st.composite
def multipart_body(draw: st.DrawFn) -> bytes:
    """A well-formed multipart body whose names and values are bytes of any codec, or none."""
    codec = draw(st.sampled_from([*CODECS, "utf-8"]))
    lines = []
    for name, value in draw(st.lists(st.tuples(FIELD_TEXT, FIELD_TEXT), max_size=4)):
        try:
            name_bytes, value_bytes = name.encode(codec), value.encode(codec)
        except Exception:  # a codec that cannot write this text (or no text codec at all)
            name_bytes, value_bytes = name.encode("utf-8", "replace"), b"\xff\xfe"
        lines += [
            b"--b0und",
            b'Content-Disposition: form-data; name="' + name_bytes + b'"',
            b"",
            value_bytes,
        ]
    return b"\r\n".join([*lines, b"--b0und--", b""])


BODIES = (
    st.binary(max_size=200)
    | multipart_body()
    | st.just(b'{"code": "missedCall"}')
    | st.just(b"code=missedCall&title[ru]=%D0%9F")
)


@pytest.fixture(scope="module")
def emulator() -> Iterator[RunningEmulator]:
    with run_emulator(SETTINGS) as running:
        yield running


@settings(
    max_examples=EXAMPLES,
    deadline=None,
    database=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
)
@given(method=st.sampled_from(METHODS), kind=content_type(), body=BODIES)
def test_no_content_type_charset_or_body_gets_a_server_error(
    emulator: RunningEmulator, method: str, kind: str, body: bytes
) -> None:
    headers = {"content-type": kind.strip()} if kind.strip() else {}  # h11 sends no padding
    answer = httpx.post(emulator.webhook_url() + method, content=body, headers=headers, timeout=10)
    assert answer.status_code < 500, (answer.status_code, answer.text)
    assert answer.headers["content-type"] == "application/json", answer.text
    payload = answer.json()
    if answer.status_code == 200:
        assert "result" in payload, payload
    else:
        assert set(payload) == {"error", "error_description"}, payload


def multipart_code(code: str) -> bytes:
    part = b'Content-Disposition: form-data; name="code"\r\n\r\n' + code.encode()
    return b"--b0und\r\n" + part + b"\r\n--b0und--\r\n"


@pytest.mark.parametrize("charset", ["punycode", "idna", "undefined", "rot13", "hex", "cp1251"])
def test_a_multipart_body_in_a_charset_other_than_utf8_is_refused(
    portal: Portal, charset: str
) -> None:
    """Portals read form fields as UTF-8; another declared charset is a clear 400, not a crash
    (punycode and idna raised UnicodeError out of the parser) nor silently mangled text."""
    body = multipart_code("xxxxxxxxxx")
    headers = {"content-type": f"multipart/form-data; boundary=b0und; charset={charset}"}
    response = portal.call("crm.activity.badge.get", content=body, headers=headers)
    body_json = assert_error(response, 400, "INVALID_REQUEST")
    assert "charset" in body_json["error_description"]


@pytest.mark.parametrize("charset", ["utf-8", "UTF8", "us-ascii", '"utf-8"'])
def test_a_multipart_body_in_utf8_or_ascii_is_read(portal: Portal, charset: str) -> None:
    body = multipart_code("missedCall")
    headers = {"content-type": f"multipart/form-data; boundary=b0und; charset={charset}"}
    response = portal.call("crm.activity.badge.get", content=body, headers=headers)
    assert response.status_code == 200, response.text
