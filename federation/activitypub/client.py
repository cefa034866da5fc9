"""The one HTTP client of the fediverse layer: every GET and POST signed, checked, capped.

Like :class:`federation.client.SignedClient` for the native protocol, signing belongs to the
client, so no call site can forget it: a signed fetch (Mastodon's « authorized fetch »
needs one) of an actor or a key, and the delivery POST of an activity. URLs pass
:func:`federation.urlpolicy.check_url` first and every connection re-checks the address it
reached, unless the app explicitly allows private addresses (demo, tests).
"""

from __future__ import annotations

import json
import time
from collections.abc import Callable
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any
from urllib.parse import urldefrag

import requests
from cryptography.hazmat.primitives.asymmetric import rsa

from federation.activitypub.signatures import RemoteKey, SignatureRefused, sign_request
from federation.activitypub.vocabulary import ACTIVITY_JSON, LD_JSON
from federation.client import parse_retry_after
from federation.transport import PublicAddressAdapter
from federation.urlpolicy import AddressRefused, check_url

ACCEPTED_TYPES = ("application/activity+json", "application/ld+json", "application/json")
MAX_DOCUMENT = 512 * 1024


class FetchFailed(Exception):
    """A remote document could not be had; the message is for logs (no secret in it)."""


@dataclass(frozen=True)
class PostResult:
    status: int | None  # None: no answer at all
    error: str
    retry_after: int | None


def _now() -> datetime:
    return datetime.now(UTC)


class ActivityPubClient:
    def __init__(self, key_id: str, key: rsa.RSAPrivateKey, *,
                 allow_private_addresses: bool = False, timeout: float = 10.0,
                 clock: Callable[[], datetime] = _now,
                 user_agent: str = "chaleur-activitypub/1") -> None:
        self.key_id, self.key = key_id, key
        self.allow_private = allow_private_addresses
        self.timeout, self.clock = timeout, clock
        self.session = requests.Session()
        self.session.trust_env = False  # a proxy from the environment would skip the checks
        if not allow_private_addresses:
            for scheme in ("http://", "https://"):
                self.session.mount(scheme, PublicAddressAdapter())
        self.session.headers.update({"User-Agent": user_agent, "Accept-Encoding": "identity"})

    def close(self) -> None:
        self.session.close()

    def get_document(self, url: str) -> dict[str, Any]:
        """A signed GET of an ActivityPub document (actor, key, object)."""
        try:
            check_url(url, allow_private_addresses=self.allow_private)
        except AddressRefused as error:
            raise FetchFailed(f"{url}: {error}") from error
        headers = sign_request("GET", url, None, self.key_id, self.key, self.clock())
        headers["Accept"] = f"{ACTIVITY_JSON}, {LD_JSON}"
        try:
            response = self.session.get(url, headers=headers, timeout=self.timeout,
                                        allow_redirects=False, stream=True)
            with response:
                raw = self._read(response)
        except (requests.RequestException, AddressRefused) as error:
            raise FetchFailed(f"{url}: {type(error).__name__}") from error
        if response.status_code != 200:
            raise FetchFailed(f"{url}: status {response.status_code}")
        media = response.headers.get("Content-Type", "").split(";")[0].strip().lower()
        if media not in ACCEPTED_TYPES:
            raise FetchFailed(f"{url}: content type {media!r}")
        try:
            data = json.loads(raw)
        except ValueError as error:
            raise FetchFailed(f"{url}: not JSON") from error
        if not isinstance(data, dict):
            raise FetchFailed(f"{url}: not a JSON object")
        return data

    def _read(self, response: requests.Response) -> bytes:
        chunks, size, deadline = [], 0, time.monotonic() + 3 * self.timeout
        for chunk in response.iter_content(16_384):
            size += len(chunk)
            if size > MAX_DOCUMENT or time.monotonic() > deadline:
                raise FetchFailed("document too large or too slow")
            chunks.append(chunk)
        return b"".join(chunks)

    def fetch_key(self, key_id: str) -> RemoteKey:
        """The key ``key_id`` names, from its owner's actor document; the key must say who
        owns it and the actor must be that owner."""
        url, _ = urldefrag(key_id)
        try:
            document = self.get_document(url)
        except FetchFailed as error:
            raise SignatureRefused("key_unavailable", str(error)) from error
        key = document.get("publicKey")
        if isinstance(key, list):
            key = next((k for k in key if isinstance(k, dict) and k.get("id") == key_id), None)
        if not isinstance(key, dict) or key.get("id") != key_id:
            raise SignatureRefused("key_unknown", "the actor does not publish this key")
        owner, pem = key.get("owner"), key.get("publicKeyPem")
        if not isinstance(owner, str) or not isinstance(pem, str) or owner != document.get("id"):
            raise SignatureRefused("key_owner_mismatch", "the key's owner is not this actor")
        return RemoteKey(key_id, owner, pem)

    def post(self, inbox: str, body: bytes) -> PostResult:
        """Deliver one activity to one inbox; what came back, for the retry bookkeeping."""
        try:
            check_url(inbox, allow_private_addresses=self.allow_private)
        except AddressRefused as error:
            return PostResult(400, f"address refused: {error}", None)
        headers = sign_request("POST", inbox, body, self.key_id, self.key, self.clock())
        headers["Content-Type"] = LD_JSON
        try:
            response = self.session.post(inbox, data=body, headers=headers,
                                         timeout=self.timeout, allow_redirects=False)
        except (requests.RequestException, AddressRefused) as error:
            return PostResult(None, type(error).__name__, None)
        with response:
            retry = parse_retry_after(response.headers.get("Retry-After"),
                                      int(self.clock().timestamp()))
            return PostResult(response.status_code, f"status {response.status_code}", retry)
