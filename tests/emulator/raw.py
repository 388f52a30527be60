"""Raw HTTP/1.1 over a socket: for requests no HTTP client would send, and connections held open."""

from __future__ import annotations

import json
import socket
from dataclasses import dataclass
from typing import Any
from urllib.parse import urlsplit

WAIT = 10.0  # seconds a test waits for the server before calling it stuck


@dataclass
class Answer:
    status: int
    headers: dict[str, str]
    body: bytes

    def json(self) -> Any:
        return json.loads(self.body)


def connect(base_url: str) -> socket.socket:
    parts = urlsplit(base_url)
    sock = socket.create_connection((parts.hostname or "", parts.port or 80), timeout=WAIT)
    return sock


def read_answer(sock: socket.socket) -> Answer:
    """One response from the socket (Content-Length framed, as the emulator answers)."""
    data = b""
    while b"\r\n\r\n" not in data:
        chunk = sock.recv(65536)
        if not chunk:
            raise ConnectionError(f"closed before a complete answer: {data!r}")
        data += chunk
    head, _, body = data.partition(b"\r\n\r\n")
    lines = head.decode("latin-1").split("\r\n")
    status = int(lines[0].split()[1])
    headers = {}
    for line in lines[1:]:
        name, _, value = line.partition(":")
        headers[name.strip().lower()] = value.strip()
    length = int(headers.get("content-length", "0"))
    while len(body) < length:
        chunk = sock.recv(65536)
        if not chunk:
            break
        body += chunk
    return Answer(status, headers, body[:length])


def exchange(base_url: str, request: bytes) -> Answer:
    with connect(base_url) as sock:
        sock.sendall(request)
        return read_answer(sock)


def closed_by_server(sock: socket.socket) -> bool:
    """Whether the server closes the connection (EOF or reset) within WAIT seconds."""
    sock.settimeout(WAIT)
    try:
        while sock.recv(65536):
            pass
    except TimeoutError:
        return False
    except ConnectionResetError:
        pass
    return True


def request(method: str, target: str, body: bytes = b"", **headers: str) -> bytes:
    head = [f"{method} {target} HTTP/1.1", "Host: 127.0.0.1"]
    head += [f"{name.replace('_', '-')}: {value}" for name, value in headers.items()]
    if (body or method == "POST") and "Content_Length" not in headers:
        head.append(f"Content-Length: {len(body)}")
    return ("\r\n".join(head) + "\r\n\r\n").encode() + body


def assert_envelope(answer: Answer, status: int, code: str) -> None:
    assert answer.headers.get("content-type", "").startswith("application/json"), answer
    body = answer.json()
    assert (answer.status, body.get("error")) == (status, code), body
    assert isinstance(body["error_description"], str)


def assert_refused(base_url: str, *chunks: bytes, status: int, code: str) -> Answer:
    """Send the chunks; the answer must be the envelope, and the server must close after it."""
    with connect(base_url) as sock:
        for chunk in chunks:
            sock.sendall(chunk)
        answer = read_answer(sock)
        assert_envelope(answer, status, code)
        assert answer.headers["connection"] == "close"
        assert closed_by_server(sock)
    return answer
