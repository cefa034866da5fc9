"""The web edge of the federation protocol, shared by the node and the directory.

One :class:`FederationGate` per app stands in front of every signed federation endpoint. It
reads the raw body once (before anything parses JSON), bounds its size, hands the raw request
target and headers to :func:`federation.verification.verify_signed_request` with the configured
public origin (never the Host header), and puts the resulting
:class:`~federation.verification.VerifiedPeer` on ``g.peer``. Every refusal, from the verifier
or from the view behind the gate, becomes the protocol's JSON error; views behind it trust
``g.peer`` and never look at signature headers again. Each app injects what is its own: its
limiter, its signing key, its key registry and its nonce store.
"""

from __future__ import annotations

import json
import math
import time
from collections.abc import Callable
from functools import wraps
from typing import Any

from flask import Response, current_app, g, request
from flask.typing import ResponseReturnValue
from flask_limiter import Limiter
from flask_limiter.errors import RateLimitExceeded
from flask_limiter.util import get_remote_address
from werkzeug.exceptions import RequestEntityTooLarge

from federation.errors import FederationRefusal, PayloadTooLarge
from federation.jsonbody import JsonLimits, dump_json_body, parse_json_body
from federation.keys import KeyRecord, SigningKey
from federation.nonces import NonceStore
from federation.signatures import sign_response
from federation.verification import VerifiedPeer, utc_now, verify_signed_request
from federation.wsgi import request_headers, request_target

JSON_TYPE = "application/json"
View = Callable[..., ResponseReturnValue]


def refusal_response(code: str, message: str, status: int,
                     headers: dict[str, str] | None = None) -> Response:
    """The protocol's error body, `{"error": code, "message": text}` (unsigned)."""
    body = json.dumps({"error": code, "message": message}, ensure_ascii=False)
    return Response(body, status=status, mimetype=JSON_TYPE, headers=headers or {})


def refuse(exc: FederationRefusal) -> Response:
    return refusal_response(exc.code, exc.message, exc.status)


def peer_or_address() -> str:
    """Rate-limit key: the verified peer once known, the remote address before that."""
    peer: VerifiedPeer | None = g.get("peer")
    return f"peer:{peer.node_id}" if peer is not None else f"addr:{get_remote_address()}"


def _federation_rate() -> str:
    return str(current_app.config["FEDERATION_RATE_LIMIT"])


def raw_body(cap: int | None = None) -> bytes:
    """The body exactly as received, refused (413) before it is read past `cap`."""
    cap = cap or int(current_app.config["FEDERATION_MAX_BODY"])
    if request.content_length is not None and request.content_length > cap:
        raise PayloadTooLarge("payload_too_large", f"body exceeds {cap} bytes")
    try:
        body = request.get_data(cache=True)
    except RequestEntityTooLarge as exc:
        raise PayloadTooLarge("payload_too_large", f"body exceeds {cap} bytes") from exc
    if len(body) > cap:
        raise PayloadTooLarge("payload_too_large", f"body exceeds {cap} bytes")
    return body


def peer_json(limits: JsonLimits | None = None) -> dict[str, Any]:
    """The verified peer's body as strict JSON (a BodyRefused reaches the gate as a 4xx)."""
    cap = int(current_app.config["FEDERATION_MAX_BODY"])
    return parse_json_body(g.peer_body, limits or JsonLimits(max_bytes=cap))


class FederationGate:
    """Verification, refusals, rate limits and signed answers for one app."""

    def __init__(self, limiter: Limiter, signing_key: Callable[[], SigningKey],
                 resolve_key: Callable[[str], KeyRecord | None],
                 nonce_store: Callable[[int], NonceStore]) -> None:
        self.limiter = limiter
        self.signing_key = signing_key
        self.resolve_key = resolve_key
        self.nonce_store = nonce_store

    def _too_many_requests(self) -> Response:
        current = self.limiter.current_limit
        retry_after = max(1, math.ceil(current.reset_at - time.time())) if current else 60
        return refusal_response("rate_limited", "too many requests from this peer", 429,
                                {"Retry-After": str(retry_after)})

    def _answer(self, call: Callable[[], ResponseReturnValue]) -> ResponseReturnValue:
        try:
            return call()
        except FederationRefusal as exc:
            return refuse(exc)
        except RateLimitExceeded:
            return self._too_many_requests()

    def _limited(self, view: View) -> View:
        return self.limiter.limit(_federation_rate, key_func=peer_or_address)(view)

    def guarded(self, view: View) -> View:
        """Turn refusals and rate limits raised by `view` into JSON answers (no signature
        check: for the join endpoint, whose signer is not a stored key yet)."""
        limited = self._limited(view)

        @wraps(view)
        def answer(*args: Any, **kwargs: Any) -> ResponseReturnValue:
            return self._answer(lambda: limited(*args, **kwargs))

        return answer

    def signed_by_peer(self, view: View) -> View:
        """Verify the request signature against stored keys, then run `view` with ``g.peer``.

        The rate limit is counted after verification, per verified peer."""
        limited = self._limited(view)

        def verified(*args: Any, **kwargs: Any) -> ResponseReturnValue:
            now = utc_now()
            body = raw_body()
            g.peer = verify_signed_request(
                request.method, request_target(request.environ),
                request_headers(request.environ), body,
                public_origin=str(current_app.config["PUBLIC_URL"]),
                resolve_key=self.resolve_key, nonces=self.nonce_store(now), now=now)
            g.peer_body = body
            return limited(*args, **kwargs)

        @wraps(view)
        def gate(*args: Any, **kwargs: Any) -> ResponseReturnValue:
            return self._answer(lambda: verified(*args, **kwargs))

        return gate

    def signed_json(self, payload: dict[str, Any], status: int = 200,
                    media_type: str = JSON_TYPE) -> Response:
        """An answer signed with this app's current key, bound to the request it answers."""
        body = dump_json_body(payload)
        request_url = str(current_app.config["PUBLIC_URL"]) + request_target(request.environ)
        headers = sign_response(status, {"Content-Type": media_type}, body,
                                request_method=request.method, request_url=request_url,
                                request_headers=request_headers(request.environ),
                                key=self.signing_key(), now=utc_now())
        return Response(body, status=status, headers=headers)
