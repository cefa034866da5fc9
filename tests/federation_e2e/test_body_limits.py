"""Limits before reading: a real waitress server refuses an oversized body without reading it.

Waitress reads a whole request body before the app sees the request, so the limit must be
waitress's own (``webui.serving.body_limit``). What the server read is bounded from above by
what its kernel acknowledged, which the client's kernel reports (``tcpi_bytes_acked`` in
``TCP_INFO``): the server process cannot have read a byte its kernel never received.
"""

from __future__ import annotations

import socket
import struct
import threading
import time
from collections.abc import Iterator
from pathlib import Path

import pytest

from tests.federation_e2e.conftest import NodeProcess

DECLARED = 200 * 1024 * 1024
TWO_MB = 2 * 1000 * 1000


@pytest.fixture(scope="module")
def node(tmp_path_factory: pytest.TempPathFactory,
         template_instance: Path) -> Iterator[NodeProcess]:
    served = NodeProcess(tmp_path_factory.mktemp("limits"))
    served.init_from(template_instance)
    served.start(ready="/")
    yield served
    served.close()


def bytes_acked(sock: socket.socket) -> int:
    """``tcpi_bytes_acked`` (Linux ``struct tcp_info``, a u64 at offset 120)."""
    info = sock.getsockopt(socket.IPPROTO_TCP, socket.TCP_INFO, 256)
    return int(struct.unpack_from("=Q", info, 120)[0])


def _pour(sock: socket.socket, total: int, body: bytes | None) -> None:
    """Send `body` (or `total` zero bytes) until done or the server closes."""
    chunk, sent = b"\0" * 65536, 0
    try:
        while sent < total:
            piece = body[sent:sent + 65536] if body is not None else chunk[:total - sent]
            sent += sock.send(piece)
    except OSError:
        pass


def _status_after(sock: socket.socket, head: bytes, body_size: int,
                  body: bytes | None = None) -> tuple[bytes, float, int]:
    """Send `head`, keep pouring the body, and time the status line from the end of `head`."""
    sock.sendall(head)
    started = time.monotonic()
    threading.Thread(target=_pour, args=(sock, body_size, body), daemon=True).start()
    answer = b""
    while b"\r\n" not in answer:
        piece = sock.recv(4096)
        if not piece:
            break
        answer += piece
    elapsed = time.monotonic() - started
    time.sleep(0.2)  # whatever the server still takes in after answering counts too
    return answer.split(b"\r\n", 1)[0], elapsed, bytes_acked(sock) - len(head)


def test_a_200_mib_declaration_is_refused_at_once_without_reading_it(node: NodeProcess) -> None:
    with socket.create_connection(("127.0.0.1", node.port), timeout=10) as sock:
        sock.setsockopt(socket.SOL_SOCKET, socket.SO_SNDBUF, 65536)
        head = (f"POST /federation/inbox HTTP/1.1\r\nHost: 127.0.0.1:{node.port}\r\n"
                f"Content-Type: application/json\r\nContent-Length: {DECLARED}\r\n\r\n").encode()
        status, elapsed, read = _status_after(sock, head, DECLARED)
    assert status.startswith(b"HTTP/1.1 413"), status
    assert read < TWO_MB, f"the server took in {read} bytes"
    assert elapsed < 0.1, f"refused after {elapsed * 1000:.0f} ms"
    assert read < TWO_MB, f"the server read {read} bytes"


def test_a_chunked_body_is_capped_while_reading(node: NodeProcess) -> None:
    chunk = b"\0" * 65536
    body = (f"{len(chunk):x}\r\n".encode() + chunk + b"\r\n") * 100 + b"0\r\n\r\n"  # 6.5 MB
    with socket.create_connection(("127.0.0.1", node.port), timeout=10) as sock:
        sock.setsockopt(socket.SOL_SOCKET, socket.SO_SNDBUF, 65536)
        head = (f"POST /federation/inbox HTTP/1.1\r\nHost: 127.0.0.1:{node.port}\r\n"
                "Content-Type: application/json\r\nTransfer-Encoding: chunked\r\n\r\n").encode()
        status, _, read = _status_after(sock, head, len(body), body)
    assert status.startswith(b"HTTP/1.1 413"), status
    # The node's limit (MAX_CONTENT_LENGTH, 2 MiB) plus what was in flight, far below 6.5 MB.
    assert read < 2 * 1024 * 1024 + 1024 * 1024, f"the server read {read} bytes"


def test_a_body_within_the_limit_still_reaches_the_app(node: NodeProcess) -> None:
    """The limit is the app's own, not lower: an unsigned small POST gets the gate's answer."""
    with socket.create_connection(("127.0.0.1", node.port), timeout=10) as sock:
        body = b"{}"
        head = (f"POST /federation/inbox HTTP/1.1\r\nHost: 127.0.0.1:{node.port}\r\n"
                f"Content-Type: application/json\r\nContent-Length: {len(body)}\r\n"
                "Connection: close\r\n\r\n").encode()
        status, _, _ = _status_after(sock, head, len(body), body)
    assert status.startswith(b"HTTP/1.1 401"), status
