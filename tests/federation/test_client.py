"""The signed client against a tiny real HTTP server on 127.0.0.1 (allow_private_addresses)."""

from __future__ import annotations

import json
import threading
import time
from collections.abc import Iterator
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any

import pytest

from federation.client import PeerRefused, PeerResponseInvalid, PeerUnreachable, SignedClient
from federation.errors import FederationRefusal
from federation.keys import SigningKey
from federation.nonces import MemoryNonceStore
from federation.signatures import sign_response
from federation.urlpolicy import AddressRefused, check_url
from federation.verification import utc_now, verify_signed_request
from tests.federation.conftest import fixed_key, record_for

CLIENT_KEY = fixed_key("lutzelbourg")
SERVER_KEY = fixed_key("directory")


class Peer(BaseHTTPRequestHandler):
    """Routes: /inbox verifies the signature and answers signed; others misbehave."""

    seen: list[Any]
    origin: str

    def log_message(self, format: str, *args: Any) -> None:
        return None

    def answer(self, status: int, body: bytes, headers: dict[str, str] | None = None,
               content_type: str = "application/json") -> None:
        self.send_response(status)
        self.send_header("Content-Type", content_type)
        self.send_header("Content-Length", str(len(body)))
        for name, value in (headers or {}).items():
            self.send_header(name, value)
        self.end_headers()
        self.wfile.write(body)

    def do_GET(self) -> None:
        self.route()

    def do_POST(self) -> None:
        self.route()

    def route(self) -> None:
        body = self.rfile.read(int(self.headers.get("Content-Length") or 0))
        self.seen.append(self.path)
        if self.path.startswith("/inbox"):
            self.inbox(body)
        elif self.path == "/redirect":
            self.answer(302, b"{}", {"Location": self.origin + "/inbox"})
        elif self.path == "/slow":
            time.sleep(1.5)
            self.answer(200, b"{}")
        elif self.path == "/big":
            self.answer(200, b'{"x": "' + b"a" * 3_000_000 + b'"}')
        elif self.path == "/big-unannounced":
            self.send_response(200)
            self.send_header("Content-Type", "application/json")
            self.end_headers()
            self.wfile.write(b'{"x": "' + b"a" * 3_000_000 + b'"}')
            self.close_connection = True
        elif self.path == "/busy":
            self.answer(429, b'{"error": "rate_limited", "message": "slow down"}',
                        {"Retry-After": "120"})
        else:
            self.answer(200, b"<html></html>", content_type="text/html")

    def inbox(self, body: bytes) -> None:
        try:
            peer = verify_signed_request(
                self.command, self.path, self.headers.items(), body, public_origin=self.origin,
                resolve_key={CLIENT_KEY.keyid: record_for(CLIENT_KEY)}.get,
                nonces=NONCES, now=utc_now())
        except FederationRefusal as refusal:
            self.answer(refusal.status, json.dumps(refusal.as_json()).encode())
            return
        out = json.dumps({"accepted": peer.node_id, "method": self.command}).encode()
        headers = sign_response(202, {}, out, request_method=self.command,
                                request_url=self.origin + self.path,
                                request_headers=self.headers.items(), key=SERVER_KEY,
                                now=utc_now())
        self.answer(202, out, headers)


NONCES = MemoryNonceStore()


@pytest.fixture
def peer() -> Iterator[tuple[str, list[Any]]]:
    server = ThreadingHTTPServer(("127.0.0.1", 0), Peer)
    origin = f"http://127.0.0.1:{server.server_address[1]}"
    seen: list[Any] = []
    handler = type("BoundPeer", (Peer,), {"seen": seen, "origin": origin})
    server.RequestHandlerClass = handler
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    yield origin, seen
    server.shutdown()
    server.server_close()
    thread.join()


@pytest.fixture
def client() -> Iterator[SignedClient]:
    signed = SignedClient(CLIENT_KEY, allow_private_addresses=True, read_timeout=0.5,
                          max_response_bytes=1_000_000)
    yield signed
    signed.close()


def test_signed_post_verifies_end_to_end(peer: tuple[str, list[Any]],
                                         client: SignedClient) -> None:
    origin, _ = peer
    response = client.post(origin + "/inbox?batch=1", {"records": []},
                           verify_with=record_for(SERVER_KEY))
    assert response.status == 202
    assert response.data == {"accepted": "lutzelbourg", "method": "POST"}
    assert response.signer is not None and response.signer.keyid == SERVER_KEY.keyid


def test_signed_get_verifies_end_to_end(peer: tuple[str, list[Any]], client: SignedClient) -> None:
    origin, _ = peer
    assert client.get(origin + "/inbox").data == {"accepted": "lutzelbourg", "method": "GET"}


def test_response_signed_by_unexpected_key_refused(peer: tuple[str, list[Any]],
                                                   client: SignedClient) -> None:
    origin, _ = peer
    with pytest.raises(PeerResponseInvalid) as refused:
        client.post(origin + "/inbox", {}, verify_with=record_for(CLIENT_KEY))
    assert refused.value.code == "key_unknown"


def test_unsigned_client_key_is_refused_by_server(peer: tuple[str, list[Any]]) -> None:
    origin, _ = peer
    stranger = SignedClient(SigningKey(SERVER_KEY.private_key, CLIENT_KEY.keyid),
                            allow_private_addresses=True)
    with pytest.raises(PeerRefused) as refused:
        stranger.post(origin + "/inbox", {})
    stranger.close()
    assert (refused.value.status, refused.value.code) == (401, "signature_invalid")


def test_redirect_not_followed(peer: tuple[str, list[Any]], client: SignedClient) -> None:
    origin, seen = peer
    with pytest.raises(PeerRefused) as refused:
        client.post(origin + "/redirect", {})
    assert refused.value.status == 302 and refused.value.code == "redirect_not_followed"
    assert seen == ["/redirect"]


def test_read_timeout(peer: tuple[str, list[Any]], client: SignedClient) -> None:
    origin, _ = peer
    with pytest.raises(PeerUnreachable):
        client.get(origin + "/slow")


@pytest.mark.parametrize("path", ["/big", "/big-unannounced"])
def test_response_size_cap(peer: tuple[str, list[Any]], client: SignedClient, path: str) -> None:
    origin, _ = peer
    with pytest.raises(PeerResponseInvalid) as refused:
        client.get(origin + path)
    assert refused.value.code == "response_too_large"


def test_refusal_carries_status_code_and_retry_after(peer: tuple[str, list[Any]],
                                                     client: SignedClient) -> None:
    origin, _ = peer
    with pytest.raises(PeerRefused) as refused:
        client.get(origin + "/busy")
    assert (refused.value.status, refused.value.code, refused.value.retry_after) == (
        429, "rate_limited", 120)


def test_non_json_answer_refused(peer: tuple[str, list[Any]], client: SignedClient) -> None:
    origin, _ = peer
    with pytest.raises(PeerResponseInvalid) as refused:
        client.get(origin + "/page")
    assert refused.value.code == "not_json"


def test_loopback_refused_by_default_before_connecting(peer: tuple[str, list[Any]]) -> None:
    origin, seen = peer
    strict = SignedClient(CLIENT_KEY)
    with pytest.raises(AddressRefused):
        strict.post(origin + "/inbox", {})
    strict.close()
    assert seen == []


def test_unreachable_port(client: SignedClient) -> None:
    with pytest.raises(PeerUnreachable):
        client.get("http://127.0.0.1:9/inbox")


def fake_dns(*addresses: str) -> Any:
    return lambda host, port: list(addresses)


@pytest.mark.parametrize("address", [
    "127.0.0.1", "::1", "10.1.2.3", "172.16.0.1", "192.168.1.1", "169.254.169.254",
    "fe80::1", "224.0.0.1", "ff02::1", "0.0.0.0", "240.0.0.1", "100.64.0.1", "fd00::1",
    "::ffff:127.0.0.1",
    # 6to4 of 192.168.1.1, site-local, NAT64 and IPv4-compatible forms of 10.0.0.1, Teredo,
    # the IPv4 "IETF protocol assignments" block, documentation and discard ranges
    "2002:c0a8:101::1", "fec0::1", "64:ff9b::a00:1", "64:ff9b:1::a00:1", "::a00:1",
    "2001:0:4136:e378:8000:63bf:3fff:fdd2", "192.0.0.8", "2001:db8::1", "100::1",
    "198.18.0.1", "0.1.2.3",
])
def test_non_public_addresses_refused(address: str) -> None:
    with pytest.raises(AddressRefused) as refused:
        check_url("https://peer.example/inbox", resolve=fake_dns(address))
    assert refused.value.code == "address_refused"
    assert check_url("https://peer.example/", resolve=fake_dns(address),
                     allow_private_addresses=True) == [address]


@pytest.mark.parametrize("address", ["93.184.215.14", "2a01:4f8:c0c:1234::1",
                                     "2606:4700:4700::1111", "8.8.8.8"])
def test_public_addresses_pass(address: str) -> None:
    assert check_url("https://peer.example/", resolve=fake_dns(address)) == [address]


def test_every_resolved_address_is_checked() -> None:
    assert check_url("https://peer.example/", resolve=fake_dns("93.184.215.14")) == [
        "93.184.215.14"]
    with pytest.raises(AddressRefused):
        check_url("https://peer.example/", resolve=fake_dns("93.184.215.14", "10.0.0.1"))


@pytest.mark.parametrize("url", ["ftp://peer.example/", "file:///etc/passwd",
                                 "https://user:pw@peer.example/", "https:///nohost",
                                 "gopher://peer.example/"])
def test_only_plain_http_urls(url: str) -> None:
    with pytest.raises(AddressRefused):
        check_url(url, resolve=fake_dns("93.184.215.14"))


def test_rebinding_to_a_private_address_is_refused_at_connect(
        peer: tuple[str, list[Any]]) -> None:
    """DNS rebinding: the name checks out as public, then the connection reaches loopback.

    The policy check sees a public address (the fake resolver), while the HTTP library's own
    lookup of ``localhost`` reaches our loopback server: the client refuses after the TCP
    connect, and the server never receives the request."""
    origin, seen = peer
    port = origin.rsplit(":", 1)[1]
    client = SignedClient(CLIENT_KEY, resolve=fake_dns("93.184.215.14"))
    try:
        with pytest.raises(AddressRefused) as refused:
            client.get(f"http://localhost:{port}/inbox")
        with pytest.raises(AddressRefused):
            client.post(f"http://localhost:{port}/inbox", {"n": 1})
    finally:
        client.close()
    assert refused.value.code == "address_refused"
    time.sleep(0.2)
    assert seen == []


def test_connect_check_lets_allowed_private_peers_through(
        peer: tuple[str, list[Any]]) -> None:
    """With private addresses allowed (demo, tests), the same loopback call goes through."""
    origin, seen = peer
    port = origin.rsplit(":", 1)[1]
    client = SignedClient(CLIENT_KEY, allow_private_addresses=True,
                          resolve=fake_dns("93.184.215.14"))
    try:
        with pytest.raises(PeerRefused) as answered:
            client.get(f"http://localhost:{port}/busy")
    finally:
        client.close()
    assert answered.value.status == 429
    assert seen == ["/busy"]
