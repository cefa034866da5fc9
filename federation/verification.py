"""Verifying signed requests and responses: one entry point per direction.

Verification happens once, at the edge. It returns a VerifiedPeer or raises
SignatureRefused with a stable code; code after the edge trusts the VerifiedPeer and
never looks at signature headers again. The checks run cheapest-first, and the key,
the clock and the nonce store are injected: this module never opens a database, never
reads the clock and never fetches a key id as a URL.
"""

from __future__ import annotations

import datetime
import re
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

import http_sf
from http_message_signatures import (
    HTTPMessageSignaturesException,
    HTTPMessageVerifier,
    MappingKeyResolver,
    algorithms,
)

from federation.digest import verify_content_digest
from federation.errors import SignatureRefused
from federation.keys import KeyRecord, KeyStatus
from federation.nonces import NonceStore
from federation.policy import (
    MAX_NONCE_LENGTH,
    REQUEST_POLICY,
    RESPONSE_POLICY,
    SIGNATURE_ALG,
    SignaturePolicy,
)
from federation.signatures import FieldLines, HeaderInput, RequestView, ResponseView

KeyResolver = Callable[[str], KeyRecord | None]
_PARAM_TYPES: dict[str, type] = {
    "created": int, "expires": int, "alg": str, "keyid": str, "nonce": str, "tag": str,
}
_ORIGIN = re.compile(r"https?://[a-z0-9.-]+(?::[0-9]{1,5})?|https?://\[[0-9a-f:.]+\](?::[0-9]{1,5})?")


@dataclass(frozen=True)
class VerifiedPeer:
    """Who signed, with which key, when: the only identity the app trusts afterwards."""

    node_id: str
    keyid: str
    key_status: KeyStatus
    created: int
    expires: int | None
    nonce: str | None


@dataclass(frozen=True)
class _SignatureInput:
    label: str
    components: frozenset[str]
    params: dict[str, Any]


class _ClockFreeVerifier(HTTPMessageVerifier):  # type: ignore[misc]
    """pyauth's verifier minus its wall-clock checks.

    pyauth reads datetime.now() itself; our policy checks created/expires against the
    injected `now` before this runs, so tests and the docs generator can use fixed times.
    """

    def validate_created_and_expires(self, sig_input: Any, max_age: Any = None) -> None:
        return None


def _refuse(code: str, message: str) -> SignatureRefused:
    return SignatureRefused(code, message)


def _reject_duplicate(key: str, context: str) -> None:
    raise _refuse("signature_malformed", f"duplicate signature label {key!r}")


def _parse_dictionary(lines: FieldLines, name: str) -> dict[str, Any]:
    value = lines.get(name)
    if value is None:
        raise _refuse("signature_missing", f"{name} header is required")
    try:
        parsed = http_sf.parse(value.encode("ascii"), tltype="dictionary",
                               on_duplicate_key=_reject_duplicate)
    except (http_sf.StructuredFieldError, UnicodeEncodeError) as exc:
        raise _refuse("signature_malformed", f"{name} is not a structured dictionary") from exc
    assert isinstance(parsed, dict)
    return parsed


def _normalised(item: tuple[str, dict[str, Any]]) -> str:
    """A covered component with its parameters in name order, so `"signature";req;key="a"`
    and `"signature";key="a";req` (the same component, RFC 9421 section 2) compare equal."""
    return str(http_sf.ser((item[0], dict(sorted(item[1].items())))))


def _required(component: str) -> str:
    """A policy component (`@status`, `"@method";req`, ...) in :func:`_normalised` form."""
    text = component if component.startswith('"') else f'"{component}"'
    parsed = http_sf.parse(text.encode("ascii"), tltype="item")
    assert isinstance(parsed, tuple)
    return _normalised((str(parsed[0]), dict(parsed[1])))


def _read_signature_input(lines: FieldLines) -> _SignatureInput:
    """Parse both headers and enforce 'exactly one, well-formed signature'."""
    inputs = _parse_dictionary(lines, "Signature-Input")
    signatures = _parse_dictionary(lines, "Signature")
    if inputs.keys() != signatures.keys() or not inputs:
        raise _refuse("signature_malformed", "Signature and Signature-Input labels differ")
    if len(inputs) > 1:
        raise _refuse("signature_multiple", "exactly one signature is accepted per message")
    label, member = next(iter(inputs.items()))
    sig_member = signatures[label]
    if not (isinstance(member, tuple) and isinstance(member[0], list)):
        raise _refuse("signature_malformed", "Signature-Input member must be an inner list")
    if not (isinstance(sig_member, tuple) and isinstance(sig_member[0], bytes)):
        raise _refuse("signature_malformed", "Signature member must be a byte sequence")
    items, params = member
    components = set()
    for item in items:
        if not (isinstance(item, tuple) and isinstance(item[0], str)):
            raise _refuse("signature_malformed", "covered components must be strings")
        components.add(_normalised(item))
    for name, value in params.items():
        if name not in _PARAM_TYPES or type(value) is not _PARAM_TYPES[name]:
            raise _refuse("signature_malformed", f"parameter {name!r} is not allowed here")
    return _SignatureInput(label, frozenset(components), dict(params))


def _check_profile(sig: _SignatureInput, policy: SignaturePolicy) -> None:
    params = sig.params
    if policy.tag is not None and params.get("tag") != policy.tag:
        raise _refuse("tag_mismatch", f"signature tag must be {policy.tag!r}")
    if "alg" in params and params["alg"] != SIGNATURE_ALG:
        raise _refuse("alg_unsupported", f"only {SIGNATURE_ALG} signatures are accepted")
    for component in policy.components:
        serialized = _required(component)
        if serialized not in sig.components:
            raise _refuse("component_missing", f"signature must cover {serialized}")
    for name in policy.params:
        if name not in params:
            raise _refuse("param_missing", f"signature parameter {name!r} is required")
    nonce = params.get("nonce")
    if nonce is not None and not (
        policy.min_nonce_length <= len(nonce) <= MAX_NONCE_LENGTH
        and re.fullmatch(r"[A-Za-z0-9_\-+/=]+", nonce)
    ):
        raise _refuse("nonce_invalid", f"nonce must be {policy.min_nonce_length}+ random chars")


def _check_clock(params: dict[str, Any], policy: SignaturePolicy, now: int) -> None:
    created, expires = params.get("created"), params.get("expires")
    if created is not None:
        if policy.max_age is not None and now - created > policy.max_age:
            raise _refuse("created_too_old", f"signature is older than {policy.max_age} s")
        if created - now > policy.max_future_skew:
            raise _refuse("created_in_future", "signature was created in the future")
    if expires is not None:
        if now > expires:
            raise _refuse("expired", "signature has expired")
        if policy.max_lifetime is not None and (
            created is None or not 0 < expires - created <= policy.max_lifetime
        ):
            raise _refuse("lifetime_too_long", f"expires must be within {policy.max_lifetime} s")


def _resolve(keyid: str, resolve_key: KeyResolver, policy: SignaturePolicy, now: int) -> KeyRecord:
    record = resolve_key(keyid)
    if record is None or record.keyid != keyid:
        raise _refuse("key_unknown", f"key {keyid!r} is not known here")
    if not record.usable_at(now, accept_pending=policy.accept_pending):
        raise _refuse("key_not_usable", f"key {keyid!r} is {record.status.value}")
    return record


def _signature_holds(message: RequestView | ResponseView, record: KeyRecord) -> bool:
    verifier = _ClockFreeVerifier(
        signature_algorithm=algorithms.ED25519,
        key_resolver=MappingKeyResolver(public_keys={record.keyid: record.public_key},
                                        private_keys={}),
    )
    try:
        verifier.verify(message, max_age=None)
    except (HTTPMessageSignaturesException, ValueError):
        return False
    return True


def _verify(
    message: RequestView | ResponseView,
    lines: FieldLines,
    body: bytes,
    *,
    resolve_key: KeyResolver,
    now: int,
    policy: SignaturePolicy,
    misdirected: Callable[[KeyRecord], bool] = lambda record: False,
) -> VerifiedPeer:
    """Everything but replay: the request side spends the nonce (:func:`_spend_nonce`)."""
    sig = _read_signature_input(lines)
    _check_profile(sig, policy)
    _check_clock(sig.params, policy, now)
    record = _resolve(sig.params["keyid"], resolve_key, policy, now)
    digest_covered = '"content-digest"' in sig.components
    if digest_covered and lines.get("Content-Digest") is None:
        raise _refuse("digest_missing", "covered Content-Digest header is absent")
    if not _signature_holds(message, record):
        if misdirected(record):
            raise _refuse("target_mismatch", "request was signed for another URL")
        raise _refuse("signature_invalid", "signature does not verify")
    if digest_covered:
        verify_content_digest(lines.get("Content-Digest"), body)
    return VerifiedPeer(record.node_id, record.keyid, record.status, sig.params["created"],
                        sig.params.get("expires"), sig.params.get("nonce"))


def _spend_nonce(nonces: NonceStore, peer: VerifiedPeer, policy: SignaturePolicy) -> None:
    """Remember the request's nonce until its signature expires; refuse one seen before.

    The production policies require a nonce (`param_missing` otherwise), so every accepted
    request spends one; only the RFC 9421 vectors, under a test policy, carry none."""
    if peer.nonce is None:
        return
    expires_at = peer.expires if peer.expires is not None else peer.created + (
        policy.max_age or 0)
    if not nonces.remember(peer.keyid, peer.nonce, expires_at):
        raise _refuse("nonce_replayed", "this signature nonce was already used")


def target_uri(public_origin: str, target: str) -> str:
    """Rebuild the target URI from configuration, never from the Host header."""
    if _ORIGIN.fullmatch(public_origin) is None:
        raise ValueError(f"public_origin must be scheme://host[:port], got {public_origin!r}")
    if not target.startswith("/") or "#" in target:
        raise _refuse("target_mismatch", "request target must be an origin-form path")
    return public_origin + target


def verify_signed_request(
    method: str,
    target: str,
    headers: HeaderInput,
    body: bytes,
    *,
    public_origin: str,
    resolve_key: KeyResolver,
    nonces: NonceStore,
    now: int,
    policy: SignaturePolicy = REQUEST_POLICY,
) -> VerifiedPeer:
    """Verify an inbound request; `target` is the raw path + query it arrived with.

    `body` is the raw bytes as received; the digest is checked on them here, before
    the app parses any JSON. `nonces` is required: no request is accepted without its
    nonce being spent, so a replay is refused across restarts and workers.
    """
    lines = FieldLines(headers)
    url = target_uri(public_origin, target)
    message = RequestView(method.upper(), url, lines)

    def misdirected(record: KeyRecord) -> bool:
        # Diagnosis only: does the signature hold for the URL the sender *claims*
        # (its Host header)? Then it was meant for another receiver. Never accepted.
        host = lines.get("Host")
        if host is None:
            return False
        scheme = public_origin.split(":", 1)[0]
        claimed = f"{scheme}://{host.lower()}{target}"
        if claimed == url:
            return False
        try:
            return _signature_holds(RequestView(method.upper(), claimed, lines), record)
        except HTTPMessageSignaturesException:
            return False

    peer = _verify(message, lines, body, resolve_key=resolve_key, now=now, policy=policy,
                   misdirected=misdirected)
    _spend_nonce(nonces, peer, policy)
    return peer


def verify_signed_response(
    status: int,
    headers: HeaderInput,
    body: bytes,
    *,
    request_method: str,
    request_url: str,
    request_headers: HeaderInput,
    resolve_key: KeyResolver,
    now: int,
    policy: SignaturePolicy = RESPONSE_POLICY,
) -> VerifiedPeer:
    """Verify a peer's signed response to the request we sent to `request_url` with
    `request_headers` (the signed headers as sent).

    The policy demands that the answer covers that request's method, target URI and
    signature (`;req`), so a genuine answer to another request never verifies here. No
    nonce store: that binding, not a remembered nonce, makes a replayed answer useless.
    """
    lines = FieldLines(headers)
    request = RequestView(request_method.upper(), request_url, FieldLines(request_headers))
    message = ResponseView(status, lines, request)
    return _verify(message, lines, body, resolve_key=resolve_key, now=now, policy=policy)


def utc_now() -> int:
    """The `now` apps pass in production (tests pass fixed times)."""
    return int(datetime.datetime.now(datetime.UTC).timestamp())
