"""Signing requests and responses with the Chaleur RFC 9421 profile.

The signature base is built by `http-message-signatures` (pyauth); this module only
chooses the profile (components, parameters, label, tag) so every signature a node
emits looks the same. Callers pass plain data and get back the headers to send.
"""

from __future__ import annotations

import datetime
import secrets
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field

import http_sf
from http_message_signatures import HTTPMessageSigner, MappingKeyResolver, algorithms

from federation.digest import make_content_digest
from federation.keys import SigningKey
from federation.policy import (
    DEFAULT_LIFETIME,
    MAX_LIFETIME,
    REQUEST_COMPONENTS,
    SIGNATURE_LABEL,
    SIGNATURE_TAG,
    UNSIGNED_REQUEST_RESPONSE_COMPONENTS,
    response_components,
)

HeaderInput = Mapping[str, str] | Iterable[tuple[str, str]]


class FieldLines:
    """Header field lines in wire order, repeated names kept (what pyauth reads)."""

    def __init__(self, headers: HeaderInput) -> None:
        pairs = headers.items() if isinstance(headers, Mapping) else headers
        self.lines: list[tuple[str, str]] = [(str(k), str(v)) for k, v in pairs]

    def items(self) -> list[tuple[str, str]]:
        return list(self.lines)

    def get(self, name: str) -> str | None:
        """All lines of one field combined with ", " (RFC 9110 section 5.3), or None."""
        values = [v.strip(" \t") for k, v in self.lines if k.lower() == name.lower()]
        return ", ".join(values) if values else None


@dataclass
class RequestView:
    """The request shape pyauth's component resolver reads: method, absolute URL, headers."""

    method: str
    url: str
    headers: dict[str, str] | FieldLines = field(default_factory=dict)


@dataclass
class ResponseView:
    """A response and the request it answers (for `;req` components)."""

    status_code: int
    headers: dict[str, str] | FieldLines
    request: RequestView


def new_nonce() -> str:
    """192 random bits, base64url: unique per signature, so a replay is recognisable."""
    return secrets.token_urlsafe(24)


def _utc(timestamp: int) -> datetime.datetime:
    return datetime.datetime.fromtimestamp(timestamp, tz=datetime.UTC)


def sign_message(
    message: RequestView | ResponseView,
    *,
    key: SigningKey,
    components: Sequence[str],
    created: int,
    expires: int | None = None,
    nonce: str | None = None,
    tag: str | None = None,
    label: str = SIGNATURE_LABEL,
    include_alg: bool = True,
) -> None:
    """Add Signature-Input and Signature to `message.headers` (a dict) in place.

    Low level: the profile functions below fix the arguments; tests use this directly
    to reproduce the RFC 9421 B.2.6 example.
    """
    signer = HTTPMessageSigner(
        signature_algorithm=algorithms.ED25519,
        key_resolver=MappingKeyResolver(public_keys={}, private_keys={key.keyid: key.private_key}),
    )
    signer.sign(
        message,
        key_id=key.keyid,
        created=_utc(created),
        expires=None if expires is None else _utc(expires),
        nonce=nonce,
        label=label,
        tag=tag,
        include_alg=include_alg,
        covered_component_ids=tuple(components),
        # The digest is ours (digest.py); pyauth only checks that it is well formed.
        use_existing_digest=any(k.lower() == "content-digest" for k, _ in message.headers.items()),
    )


def _check_lifetime(lifetime: int) -> None:
    if not 0 < lifetime <= MAX_LIFETIME:
        raise ValueError(f"signature lifetime must be 1..{MAX_LIFETIME} seconds")


def sign_request(
    method: str,
    url: str,
    headers: Mapping[str, str],
    body: bytes,
    *,
    key: SigningKey,
    now: int,
    nonce: str | None = None,
    lifetime: int = DEFAULT_LIFETIME,
) -> dict[str, str]:
    """Headers to send: `headers` + Content-Digest + Signature-Input + Signature.

    `url` must be the exact encoded absolute URL that goes on the wire. A GET signs the
    digest of its empty body, so every request has the same shape.
    """
    _check_lifetime(lifetime)
    signed = dict(headers)
    signed["Content-Digest"] = make_content_digest(body)
    message = RequestView(method.upper(), url, signed)
    sign_message(
        message,
        key=key,
        components=REQUEST_COMPONENTS,
        created=now,
        expires=now + lifetime,
        nonce=nonce or new_nonce(),
        tag=SIGNATURE_TAG,
    )
    return signed


def request_signature_label(headers: HeaderInput) -> str | None:
    """The label of the request's one signature, or None if it has none usable.

    A signed answer covers the request's `Signature` member under this label; an answer
    to an unsigned (or garbled) request cannot, and covers method and target only.
    """
    lines = FieldLines(headers)
    labels = []
    for name in ("Signature-Input", "Signature"):
        value = lines.get(name)
        if value is None:
            return None
        try:
            parsed = http_sf.parse(value.encode("ascii"), tltype="dictionary")
        except (http_sf.StructuredFieldError, UnicodeEncodeError):
            return None
        labels.append(set(parsed) if isinstance(parsed, dict) else set())
    common = labels[0] & labels[1]
    return next(iter(common)) if len(common) == 1 and len(labels[1]) == 1 else None


def sign_response(
    status: int,
    headers: Mapping[str, str],
    body: bytes,
    *,
    request_method: str,
    request_url: str,
    request_headers: HeaderInput,
    key: SigningKey,
    now: int,
    nonce: str | None = None,
    lifetime: int = DEFAULT_LIFETIME,
) -> dict[str, str]:
    """Headers for a signed response bound to the request it answers.

    `request_url` is the receiver's rebuilt target URI (public origin + path), the same
    value the request's signature was verified against; `request_headers` are the
    request's field lines as received, whose `Signature` the answer covers
    (:func:`federation.policy.response_components`).
    """
    _check_lifetime(lifetime)
    signed = dict(headers)
    signed["Content-Digest"] = make_content_digest(body)
    label = request_signature_label(request_headers)
    request = RequestView(request_method.upper(), request_url, FieldLines(request_headers))
    message = ResponseView(status, signed, request)
    sign_message(
        message,
        key=key,
        components=(UNSIGNED_REQUEST_RESPONSE_COMPONENTS if label is None
                    else response_components(label)),
        created=now,
        expires=now + lifetime,
        nonce=nonce or new_nonce(),
        tag=SIGNATURE_TAG,
    )
    return signed
