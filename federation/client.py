"""The signed client: the only way a node or the directory calls a peer.

Every outgoing federation request goes through SignedClient, so no call site can
forget to sign, follow a redirect to an internal host, wait forever or read an endless
body. Failures are typed so the outbox can tell "try again later" from "give up".
"""

from __future__ import annotations

import email.utils
import time
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from typing import Any

import requests

from federation.errors import BodyRefused, SignatureRefused
from federation.jsonbody import JsonLimits, dump_json_body, parse_json_body
from federation.keys import KeyRecord, SigningKey
from federation.signatures import sign_request
from federation.transport import PublicAddressAdapter
from federation.urlpolicy import Resolver, check_url, system_resolver
from federation.verification import (
    KeyResolver,
    VerifiedPeer,
    utc_now,
    verify_signed_response,
)

JSON_TYPES = ("application/json", "application/vnd.chaleur.node+json")
#: One peer key, or a resolver over the peer's stored keys (needed across a rotation).
ResponseKeys = KeyRecord | KeyResolver


class PeerError(Exception):
    """Base of outgoing-call failures."""

    def __init__(self, url: str, code: str, message: str) -> None:
        super().__init__(f"{url}: {code}: {message}")
        self.url, self.code, self.message = url, code, message

    def __reduce__(self) -> tuple[Any, ...]:
        """Picklable with its fields (it can come back from a feed reader process)."""
        return (type(self), (self.url, self.code, self.message), self.__dict__)


class PeerUnreachable(PeerError):
    """No usable answer: DNS, connect, TLS, timeout. Worth retrying later."""


class PeerRefused(PeerError):
    """The peer answered with a non-2xx status (redirects included: never followed)."""

    def __init__(self, url: str, status: int, code: str, message: str,
                 retry_after: int | None = None) -> None:
        super().__init__(url, code, message)
        self.status, self.retry_after = status, retry_after

    def __reduce__(self) -> tuple[Any, ...]:
        return (type(self), (self.url, self.status, self.code, self.message,
                             self.retry_after), self.__dict__)


class PeerResponseInvalid(PeerError):
    """A 2xx answer we cannot trust: too large, not JSON, bad or missing signature."""


@dataclass(frozen=True)
class PeerResponse:
    status: int
    headers: Mapping[str, str]
    body: bytes
    data: dict[str, Any] | None
    signer: VerifiedPeer | None  # set when the response signature was verified
    #: The signed headers this answer's request went out with: a later check of the answer
    #: (with a key learnt from its body) needs the request signature it must cover.
    request_headers: tuple[tuple[str, str], ...] = ()


def parse_retry_after(value: str | None, now: int) -> int | None:
    """Retry-After as seconds from now (delta-seconds or HTTP-date), None if absent/bad."""
    if not value:
        return None
    if value.strip().isdigit():
        return int(value.strip())
    try:
        when = email.utils.parsedate_to_datetime(value)
    except (TypeError, ValueError):
        return None
    return max(0, int(when.timestamp()) - now)


class SignedClient:
    def __init__(
        self,
        key: SigningKey,
        *,
        connect_timeout: float = 3.0,
        read_timeout: float = 10.0,
        total_timeout: float = 30.0,
        max_response_bytes: int = 1024 * 1024,
        allow_private_addresses: bool = False,
        resolve: Resolver = system_resolver,
        clock: Callable[[], int] = utc_now,
        user_agent: str = "chaleur-federation/1",
    ) -> None:
        self.key = key
        self.timeouts = (connect_timeout, read_timeout)
        self.total_timeout = total_timeout
        self.max_response_bytes = max_response_bytes
        self.allow_private_addresses = allow_private_addresses
        self.resolve, self.clock = resolve, clock
        self.session = requests.Session()
        # No proxies from the environment: a proxy would bypass the address policy.
        self.session.trust_env = False
        if not allow_private_addresses:  # re-check the address each connection reaches
            for scheme in ("http://", "https://"):
                self.session.mount(scheme, PublicAddressAdapter())
        self.session.headers.update({"User-Agent": user_agent, "Accept-Encoding": "identity",
                                     "Accept": ", ".join(JSON_TYPES)})

    def get(self, url: str, *, verify_with: ResponseKeys | None = None) -> PeerResponse:
        return self._send("GET", url, b"", verify_with)

    def post(self, url: str, payload: Mapping[str, Any], *,
             verify_with: ResponseKeys | None = None) -> PeerResponse:
        return self._send("POST", url, dump_json_body(payload), verify_with)

    def close(self) -> None:
        self.session.close()

    def _send(self, method: str, url: str, body: bytes,
              verify_with: ResponseKeys | None) -> PeerResponse:
        check_url(url, allow_private_addresses=self.allow_private_addresses, resolve=self.resolve)
        headers = {"Content-Type": "application/json"} if method == "POST" else {}
        prepared = self.session.prepare_request(requests.Request(method, url, headers, data=body))
        assert prepared.url is not None
        prepared.headers.update(sign_request(method, prepared.url, {}, body, key=self.key,
                                             now=self.clock()))
        try:
            response = self.session.send(prepared, timeout=self.timeouts, allow_redirects=False,
                                         stream=True)
        except requests.RequestException as exc:
            raise PeerUnreachable(url, "unreachable", type(exc).__name__) from exc
        with response:
            raw = self._read_capped(url, response)
        return self._interpret(url, method, prepared.url, list(prepared.headers.items()),
                               response, raw, verify_with)

    def _read_capped(self, url: str, response: requests.Response) -> bytes:
        declared = response.headers.get("Content-Length", "")
        if declared.isdigit() and int(declared) > self.max_response_bytes:
            raise PeerResponseInvalid(url, "response_too_large", f"{declared} bytes announced")
        deadline = time.monotonic() + self.total_timeout
        chunks, size = [], 0
        try:
            for chunk in response.iter_content(16_384):
                size += len(chunk)
                if size > self.max_response_bytes:
                    raise PeerResponseInvalid(url, "response_too_large",
                                              f"more than {self.max_response_bytes} bytes")
                if time.monotonic() > deadline:
                    raise PeerUnreachable(url, "timeout", "response took too long")
                chunks.append(chunk)
        except requests.RequestException as exc:
            raise PeerUnreachable(url, "unreachable", type(exc).__name__) from exc
        return b"".join(chunks)

    def _interpret(self, url: str, method: str, request_url: str,
                   request_headers: list[tuple[str, str]], response: requests.Response,
                   raw: bytes, verify_with: ResponseKeys | None) -> PeerResponse:
        status = response.status_code
        if 300 <= status < 400:
            raise PeerRefused(url, status, "redirect_not_followed", "peers must not redirect")
        if status >= 400 or status < 200:
            code, message = _error_of(raw)
            retry = parse_retry_after(response.headers.get("Retry-After"), self.clock())
            raise PeerRefused(url, status, code, message, retry)
        signer = None
        if verify_with is not None:
            try:
                signer = verify_signed_response(
                    status, response.headers.items(), raw, request_method=method,
                    request_url=request_url, request_headers=request_headers,
                    resolve_key=_resolver(verify_with),
                    now=self.clock())
            except SignatureRefused as exc:
                raise PeerResponseInvalid(url, exc.code, exc.message) from exc
        data = None
        if raw or status != 204:
            media = response.headers.get("Content-Type", "").split(";")[0].strip().lower()
            if media not in JSON_TYPES:
                raise PeerResponseInvalid(url, "not_json", f"unexpected content type {media!r}")
            try:
                data = parse_json_body(raw, JsonLimits(max_bytes=self.max_response_bytes))
            except BodyRefused as exc:
                raise PeerResponseInvalid(url, exc.code, exc.message) from exc
        return PeerResponse(status, dict(response.headers), raw, data, signer,
                            tuple(request_headers))


def _resolver(keys: ResponseKeys) -> KeyResolver:
    if isinstance(keys, KeyRecord):
        return lambda keyid: keys if keyid == keys.keyid else None
    return keys


def _error_of(raw: bytes) -> tuple[str, str]:
    """The peer's {"error", "message"} if it sent one, else a generic code."""
    try:
        data = parse_json_body(raw, JsonLimits(max_bytes=64 * 1024))
    except BodyRefused:
        return "http_error", "peer sent no Chaleur error body"
    code, message = data.get("error"), data.get("message")
    if isinstance(code, str) and len(code) <= 64:
        return code, str(message)[:500] if message is not None else ""
    return "http_error", "peer sent no Chaleur error body"
